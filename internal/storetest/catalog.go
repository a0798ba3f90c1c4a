package storetest

import (
	"testing"

	"github.com/socle/socle/internal/catalog"
	"github.com/socle/socle/internal/errs"
)

func testOrganizations(t *testing.T, s Store) {
	created := ts("2024-01-02T03:04:05.123456Z")
	b := &catalog.Organization{ID: "lyon", Name: "Ville de Lyon", Kind: catalog.OrgCommune, SIREN: "216901231", CreatedAt: created}
	a := &catalog.Organization{ID: "metro", Name: "Agglomération", Kind: catalog.OrgMetropolis, Email: "data@example.org"}
	must(t, s.PutOrganization(ctx, b))
	must(t, s.PutOrganization(ctx, a))
	if a.CreatedAt.IsZero() {
		t.Error("PutOrganization did not set CreatedAt")
	}
	got, err := s.Organization(ctx, "lyon")
	must(t, err)
	if got.Name != b.Name || got.Kind != b.Kind || got.SIREN != b.SIREN || !got.CreatedAt.Equal(created) {
		t.Errorf("got %+v, want %+v", got, b)
	}
	b.Name = "Lyon"
	must(t, s.PutOrganization(ctx, b))
	list, err := s.Organizations(ctx)
	must(t, err)
	if len(list) != 2 || list[0].ID != "metro" || list[1].ID != "lyon" || list[1].Name != "Lyon" {
		t.Errorf("organizations by name: got %+v %+v", list[0], list[1])
	}
	_, err = s.Organization(ctx, "nowhere")
	wantKind(t, err, errs.NotFound)
}

func testDatasets(t *testing.T, s Store) {
	d := newDataset(t, s, "trees")
	d.Meta.Keywords = []string{"arbres", "végétation"}
	err := s.CreateDataset(ctx, &catalog.Dataset{ID: "trees", UID: "other", Access: catalog.AccessPublic})
	wantKind(t, err, errs.Conflict)

	d.Access = catalog.AccessInternal
	d.Meta.Title = "Arbres d'alignement"
	d.Modified = ts("2024-06-01T00:00:00.5Z")
	must(t, s.UpdateDataset(ctx, d))
	got, err := s.Dataset(ctx, "trees")
	must(t, err)
	if got.Access != catalog.AccessInternal || got.Meta.Title != d.Meta.Title || len(got.Meta.Keywords) != 2 ||
		got.Meta.Keywords[1] != "végétation" || got.Version != 0 || got.Records != 0 || !got.Modified.Equal(d.Modified) {
		t.Errorf("after update got %+v", got)
	}
	err = s.UpdateDataset(ctx, &catalog.Dataset{ID: "ghost", Access: catalog.AccessPublic})
	wantKind(t, err, errs.NotFound)

	newDataset(t, s, "bins")
	list, err := s.Datasets(ctx)
	must(t, err)
	if len(list) != 2 || list[0].ID != "bins" || list[1].ID != "trees" {
		t.Fatalf("datasets by ID: got %d", len(list))
	}

	load(t, s, "trees", catalog.ModeReplace, []catalog.Field{{Name: "name", Type: catalog.TypeText}}, []catalog.Row{{"oak"}})
	must(t, s.DeleteDataset(ctx, "trees"))
	_, err = s.Dataset(ctx, "trees")
	wantKind(t, err, errs.NotFound)
	wantKind(t, s.DeleteDataset(ctx, "trees"), errs.NotFound)
	// The ID is free again, and so is the UID's table namespace.
	newDataset(t, s, "trees")
	load(t, s, "trees", catalog.ModeReplace, []catalog.Field{{Name: "name", Type: catalog.TypeText}}, []catalog.Row{{"elm"}})
}
