package app_test

import (
	"context"
	"testing"
	"time"

	"github.com/socle/socle/internal/app"
	"github.com/socle/socle/internal/auth"
	"github.com/socle/socle/internal/catalog"
	"github.com/socle/socle/internal/errs"
	"github.com/socle/socle/internal/odsql"
)

// pushDataset creates dataset id of organization org with records P1, P2
// keyed (when keyed) on spot.
func pushDataset(t *testing.T, a *app.App, id, org string, keyed bool) {
	t.Helper()
	ctx := context.Background()
	if err := a.Store.PutOrganization(ctx, &catalog.Organization{ID: org, Name: org, Kind: catalog.OrgMetropolis}); err != nil {
		t.Fatal(err)
	}
	d := &catalog.Dataset{ID: id, Meta: catalog.Metadata{Publisher: org}}
	if keyed {
		d.Meta.KeyFields = []string{"spot"}
	}
	if _, _, err := a.EnsureDataset(ctx, app.System, d); err != nil {
		t.Fatal(err)
	}
	fields := []catalog.Field{{Name: "spot", Type: catalog.TypeText}, {Name: "free", Type: catalog.TypeInt}}
	src := &rows{{"P1", int64(1)}, {"P2", int64(2)}}
	if _, err := a.Store.LoadVersion(ctx, catalog.LoadRequest{DatasetID: id, Fields: fields, Mode: catalog.ModeReplace, Rows: src}); err != nil {
		t.Fatal(err)
	}
}

type rows []catalog.Row

func (r *rows) Next() (catalog.Row, error) {
	if len(*r) == 0 {
		return nil, errEOF
	}
	row := (*r)[0]
	*r = (*r)[1:]
	return row, nil
}

func TestPushKeysAuthorizeOnlyTheirDataset(t *testing.T) {
	a := newApp(t)
	ctx := context.Background()
	pushDataset(t, a, "parks", "metro", true)
	pushDataset(t, a, "other", "metro", true)
	owner := addUser(t, a, "owner", auth.RoleProducer)
	owner.User.Org = "metro"
	outsider := addUser(t, a, "outsider", auth.RoleProducer)
	outsider.User.Org = "elsewhere"

	if _, err := a.EnablePush(ctx, outsider, "parks"); !errs.Is(err, errs.Forbidden) {
		t.Errorf("another organization's producer enabled push: %v", err)
	}
	first, err := a.EnablePush(ctx, owner, "parks")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.Push(ctx, "parks", first, []byte(`{"spot":"P1","free":0}`)); err != nil {
		t.Fatalf("push with the key: %v", err)
	}
	second, err := a.EnablePush(ctx, owner, "parks")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, id, key string
		kind          errs.Kind
	}{
		{"a rotated key is refused like a wrong one", "parks", first, errs.NotFound},
		{"a key is refused on another dataset", "other", second, errs.NotFound},
		{"an invalid dataset ID is refused like a wrong key", "../parks", second, errs.NotFound},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := a.Push(ctx, tc.id, tc.key, []byte(`{"spot":"P1","free":5}`))
			if errs.KindOf(err) != tc.kind || errs.Message(err) != "unknown dataset or wrong push key" {
				t.Fatalf("got %v", err)
			}
		})
	}
	d, err := a.Store.Dataset(ctx, "parks")
	if err != nil || !d.Meta.RealTime || d.Meta.Frequency != "UPDATE_CONT" {
		t.Errorf("a pushed dataset is not marked real-time: %+v (%v)", d.Meta, err)
	}
	if err := a.DisablePush(ctx, owner, "parks"); err != nil {
		t.Fatal(err)
	}
	if _, err := a.Push(ctx, "parks", second, []byte(`{"spot":"P1"}`)); !errs.Is(err, errs.Forbidden) {
		t.Errorf("a disabled push: %v", err)
	}
}

func TestPushPublishesTheChangeAfterCommit(t *testing.T) {
	a := newApp(t)
	ctx := context.Background()
	pushDataset(t, a, "parks", "metro", true)
	key, err := a.EnablePush(ctx, app.System, "parks")
	if err != nil {
		t.Fatal(err)
	}
	sub := a.Subscribe(app.TopicDataset + "parks")
	defer sub.Close()
	res, err := a.Push(ctx, "parks", key, []byte(`[{"spot":"P2","free":9},{"spot":"P3","free":4}]`))
	if err != nil {
		t.Fatal(err)
	}
	if res.Updated != 1 || res.Inserted != 1 || res.Records != 3 {
		t.Errorf("result %+v", res)
	}
	select {
	case ev := <-sub.C:
		ch, ok := ev.Data.(app.DatasetChange)
		if !ok || ch.Dataset != "parks" || len(ch.IDs) != 2 || ch.IDs[0] != "2" || ch.IDs[1] != "3" {
			t.Errorf("event %+v", ev)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("no event")
	}
	// The catalog index (records_count, modified) follows.
	cat, err := a.Store.Dataset(ctx, app.CatalogID)
	if err != nil {
		t.Fatal(err)
	}
	w, _ := odsql.ParseWhere("dataset_id = 'parks' AND records_count = 3")
	if n, err := a.Store.Count(ctx, cat, &odsql.Query{Where: []odsql.Expr{w}, Limit: 10}); err != nil || n != 1 {
		t.Errorf("catalog index after the push: %d (%v)", n, err)
	}
}

func TestPushWithoutKeyFieldsAppendsAndDeletesByValues(t *testing.T) {
	a := newApp(t)
	ctx := context.Background()
	pushDataset(t, a, "counts", "metro", false)
	key, err := a.EnablePush(ctx, app.System, "counts")
	if err != nil {
		t.Fatal(err)
	}
	if res, err := a.Push(ctx, "counts", key, []byte(`{"spot":"P1","free":1}`)); err != nil || res.Inserted != 1 || res.Records != 3 {
		t.Fatalf("append: %+v %v", res, err)
	}
	res, err := a.PushDelete(ctx, "counts", key, []byte(`{"spot":"P1","free":1}`))
	if err != nil || res.Deleted != 2 || res.Records != 1 {
		t.Fatalf("delete by values: %+v %v", res, err)
	}
	if res, err := a.PushDelete(ctx, "counts", key, []byte(`[]`)); err != nil || res.Deleted != 0 {
		t.Errorf("an empty delete: %+v %v", res, err)
	}
	_, err = a.PushDelete(ctx, "counts", key, []byte(`[{"spot":"P2"},{"free":2}]`))
	if !errs.Is(err, errs.Invalid) {
		t.Errorf("records naming different fields: %v", err)
	}
}
