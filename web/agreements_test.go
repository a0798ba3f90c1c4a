package web

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/socle/socle/internal/agreements"
	"github.com/socle/socle/internal/app"
	"github.com/socle/socle/internal/auth"
	"github.com/socle/socle/internal/catalog"
)

// sharedRows is a RowSource of a few contracts, two of them in Angers.
type sharedRows struct{ i int }

func (s *sharedRows) Next() (catalog.Row, error) {
	rows := []catalog.Row{{"alpha", "Angers", "s-alpha"}, {"beta", "Avrillé", "s-beta"}, {"gamma", "Angers", "s-gamma"}}
	if s.i >= len(rows) {
		return nil, io.EOF
	}
	s.i++
	return rows[s.i-1], nil
}

// TestSharedDatasetPages checks the portal through a partner's session:
// the dataset page, its table and its download show only the agreement's
// fields and rows; anonymous visitors get 404; /accords lists the
// agreement without its confidential notes.
func TestSharedDatasetPages(t *testing.T) {
	onEngines(t, func(t *testing.T, s *adminSite) {
		ctx := context.Background()
		a := s.app
		must(t, a.Store.PutOrganization(ctx, &catalog.Organization{ID: "labo", Name: "Laboratoire partenaire", Kind: catalog.OrgPartner}))
		must(t, a.AddUser(ctx, &auth.User{Login: "labo", Role: auth.RolePartner, Org: "labo"}, testPassword))
		d := &catalog.Dataset{ID: "contrats", Access: catalog.AccessShared, Meta: catalog.Metadata{Title: "Contrats", Publisher: "metro"}}
		_, _, err := a.EnsureDataset(ctx, app.System, d)
		must(t, err)
		fields := []catalog.Field{{Name: "nom", Type: catalog.TypeText}, {Name: "commune", Type: catalog.TypeText}, {Name: "secret", Type: catalog.TypeText}}
		_, err = a.Store.LoadVersion(ctx, catalog.LoadRequest{DatasetID: "contrats", Fields: fields, Mode: catalog.ModeReplace, Rows: &sharedRows{}, Actor: "t", Now: time.Now()})
		must(t, err)
		must(t, a.RefreshCatalog(ctx))
		must(t, a.SeedAgreements(ctx, []*agreements.Agreement{{ID: "acc", Owner: "metro", Partner: "labo", Purpose: "Étude des contrats",
			LegalBasis: "convention", Start: time.Now().Add(-time.Hour), End: time.Now().Add(time.Hour), Status: agreements.Active, Notes: "note-interne-42",
			Datasets: []agreements.Scope{{Dataset: "contrats", Fields: []string{"nom", "commune"}, Filter: "commune = 'Angers'"}}}}))

		anon := s.browser(t)
		for _, p := range []string{"/datasets/contrats", "/datasets/contrats/table", "/datasets/contrats/export/csv"} {
			wantStatus(t, "anonymous "+p, anon.get(p), http.StatusNotFound)
		}
		wantStatus(t, "register", anon.get("/accords"), http.StatusOK, "Étude des contrats", "Laboratoire partenaire", "En vigueur")
		if p := anon.get("/accords"); strings.Contains(p.body, "note-interne-42") {
			t.Error("the register shows confidential notes")
		}

		b := s.login(t, "labo")
		wantStatus(t, "partner page", b.get("/datasets/contrats"), http.StatusOK, "Contrats")
		table := b.get("/datasets/contrats/table")
		wantStatus(t, "partner table", table, http.StatusOK, "alpha", "gamma")
		csv := b.get("/datasets/contrats/export/csv")
		wantStatus(t, "partner download", csv, http.StatusOK, "alpha")
		for _, p := range []page{table, csv} {
			for _, hidden := range []string{"s-alpha", "secret", "beta", "Avrillé"} {
				if strings.Contains(p.body, hidden) {
					t.Errorf("the partner sees %q: %.400s", hidden, p.body)
				}
			}
		}
	})
}
