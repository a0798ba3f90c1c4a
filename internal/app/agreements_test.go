package app_test

import (
	"context"
	"fmt"
	"io"
	"testing"
	"time"

	"github.com/socle/socle/internal/agreements"
	"github.com/socle/socle/internal/app"
	"github.com/socle/socle/internal/auth"
	"github.com/socle/socle/internal/catalog"
	"github.com/socle/socle/internal/odsql"
)

// rowsOf is a RowSource over n generated rows.
type rowsOf struct {
	i, n int
	row  func(i int) catalog.Row
}

func (s *rowsOf) Next() (catalog.Row, error) {
	if s.i >= s.n {
		return nil, io.EOF
	}
	s.i++
	return s.row(s.i - 1), nil
}

// sharedFixture is an app with a shared dataset of n rows (half in
// Angers), an active agreement with a field subset and a row filter, and
// the partner's and a steward's principals.
func sharedFixture(tb testing.TB, n int) (a *app.App, partner, steward auth.Principal) {
	tb.Helper()
	ctx := context.Background()
	dir := tb.TempDir()
	a = newAppAt(tb, dir)
	for _, o := range []*catalog.Organization{{ID: "metropole", Name: "M", Kind: catalog.OrgMetropolis}, {ID: "labo", Name: "L", Kind: catalog.OrgPartner}} {
		if err := a.Store.PutOrganization(ctx, o); err != nil {
			tb.Fatal(err)
		}
	}
	fields := []catalog.Field{{Name: "nom", Type: catalog.TypeText}, {Name: "commune", Type: catalog.TypeText, Facet: true},
		{Name: "montant", Type: catalog.TypeDouble}, {Name: "secret", Type: catalog.TypeText}}
	d := &catalog.Dataset{ID: "contrats", Access: catalog.AccessShared, Meta: catalog.Metadata{Publisher: "metropole"}}
	if _, _, err := a.EnsureDataset(ctx, app.System, d); err != nil {
		tb.Fatal(err)
	}
	rows := &rowsOf{n: n, row: func(i int) catalog.Row {
		c := []string{"Angers", "Avrillé"}[i%2]
		return catalog.Row{fmt.Sprintf("nom %d", i), c, float64(i), fmt.Sprintf("secret %d", i)}
	}}
	if _, err := a.Store.LoadVersion(ctx, catalog.LoadRequest{DatasetID: "contrats", Fields: fields, Mode: catalog.ModeReplace, Rows: rows, Actor: "test", Now: time.Now()}); err != nil {
		tb.Fatal(err)
	}
	ag := []*agreements.Agreement{{ID: "acc", Owner: "metropole", Partner: "labo", Purpose: "p", LegalBasis: "l",
		Start: time.Now().Add(-time.Hour), End: time.Now().Add(time.Hour), Status: agreements.Active,
		Datasets: []agreements.Scope{{Dataset: "contrats", Fields: []string{"nom", "commune", "montant"}, Filter: "commune = 'Angers'"}}}}
	if err := a.SeedAgreements(ctx, ag); err != nil {
		tb.Fatal(err)
	}
	partner = auth.Principal{User: &auth.User{Login: "p", Role: auth.RolePartner, Org: "labo"}, OrgKind: catalog.OrgPartner}
	steward = auth.Principal{User: &auth.User{Login: "s", Role: auth.RoleSteward, Org: "metropole"}, OrgKind: catalog.OrgMetropolis}
	return a, partner, steward
}

func newAppAt(tb testing.TB, dir string) *app.App {
	tb.Helper()
	db, err := openSQLite(dir)
	if err != nil {
		tb.Fatal(err)
	}
	a := app.New(db, nil)
	tb.Cleanup(func() { a.Close() })
	return a
}

// TestSharedQueries checks what a query through an agreement may name and
// what it returns.
func TestSharedQueries(t *testing.T) {
	a, partner, _ := sharedFixture(t, 20)
	ctx := context.Background()
	d, err := a.Dataset(ctx, partner, "contrats")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name  string
		where string
		sel   string
		count int64 // -1: refused
	}{
		{"no condition counts the filtered rows", "", "", 10},
		{"a condition on a visible field narrows them", "montant < 10", "", 5},
		{"a condition on a hidden field is refused", "secret = 'secret 1'", "", -1},
		{"full-text search does not reach hidden fields", `"secret"`, "", 0},
		{"search(*) does not reach hidden fields", `search(*, "secret")`, "", 0},
		{"full-text search on visible fields still works", `"nom 4"`, "", 2}, // nom 4, nom 14
		{"selecting a hidden field is refused", "", "secret", -1},
		{"include() is refused", "", "include(*)", -1},
		{"an OR cannot widen the row filter", "commune = 'Avrillé' OR montant >= 0", "", 10},
	} {
		t.Run(tc.name, func(t *testing.T) {
			q := &odsql.Query{Limit: 100}
			if tc.where != "" {
				w, err := odsql.ParseWhere(tc.where)
				if err != nil {
					t.Fatal(err)
				}
				q.Where = []odsql.Expr{w}
			}
			if tc.sel != "" {
				s, err := odsql.ParseSelect(tc.sel)
				if err != nil {
					t.Fatal(err)
				}
				q.Select = s
			}
			n, err := a.Store.Count(ctx, d, q)
			if tc.count < 0 {
				if err == nil {
					t.Fatalf("counted %d, want a refusal", n)
				}
				return
			}
			if err != nil || n != tc.count {
				t.Fatalf("count %d (%v), want %d", n, err, tc.count)
			}
		})
	}
}

// BenchmarkSharedPage compares a page of 100 records (with its total
// count) read through an agreement (field subset, row filter) with the
// same page read by a steward: the whole dataset (baseline), and the same
// fields and rows asked for explicitly (baseline_same_query), which
// isolates what the agreement machinery itself costs.
func BenchmarkSharedPage(b *testing.B) {
	a, partner, steward := sharedFixture(b, 20000)
	ctx := context.Background()
	w, _ := odsql.ParseWhere("commune = 'Angers'")
	sel, _ := odsql.ParseSelect("nom, commune, montant")
	for _, c := range []struct {
		name string
		p    auth.Principal
		q    odsql.Query
	}{
		{"baseline", steward, odsql.Query{Limit: 100}},
		{"baseline_same_query", steward, odsql.Query{Limit: 100, Where: []odsql.Expr{w}, Select: sel}},
		{"shared", partner, odsql.Query{Limit: 100}},
	} {
		b.Run(c.name, func(b *testing.B) {
			for b.Loop() {
				d, err := a.Dataset(ctx, c.p, "contrats")
				if err != nil {
					b.Fatal(err)
				}
				q := c.q
				rows, _, err := a.Store.Page(ctx, d, &q)
				if err != nil {
					b.Fatal(err)
				}
				for {
					if _, err := rows.Next(); err != nil {
						break
					}
				}
				rows.Close()
			}
		})
	}
}
