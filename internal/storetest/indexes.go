package storetest

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/socle/socle/internal/catalog"
)

// IndexColumns lists, for an engine, the columns covered by the secondary
// indexes of a records table, index by index in name order, columns in
// index order, joined by ",". Engines answer it from their own catalog
// (sqlite_master, pg_indexes), which the Store interface does not expose.
type IndexColumns func(t *testing.T, table string) []string

// RunIndexes checks that fields marked Indexed get an index in every
// version a load creates, a geo point on both of its columns.
func RunIndexes(t *testing.T, s Store, indexes IndexColumns) {
	ctx := context.Background()
	now := time.Now()
	if err := s.CreateDataset(ctx, &catalog.Dataset{ID: "ix", UID: "ix1", Access: catalog.AccessPublic, Issued: now, Modified: now}); err != nil {
		t.Fatal(err)
	}
	fields := []catalog.Field{
		{Name: "cat", Type: catalog.TypeText, Indexed: true},
		{Name: "p", Type: catalog.TypeGeoPoint, Indexed: true},
		{Name: "n", Type: catalog.TypeInt},
	}
	for v := 1; v <= 2; v++ {
		rows := &rowsSource{rows: []catalog.Row{{"a", catalog.GeoPoint{Lat: 47, Lon: -0.5}, int64(1)}}}
		if _, err := s.LoadVersion(ctx, catalog.LoadRequest{DatasetID: "ix", Fields: fields, Mode: catalog.ModeReplace, Rows: rows}); err != nil {
			t.Fatal(err)
		}
		got := strings.Join(indexes(t, fmt.Sprintf("r_ix1_%d", v)), " ")
		if got != "cat p__lat,p__lon" {
			t.Errorf("version %d: indexes on %q, want \"cat p__lat,p__lon\"", v, got)
		}
	}
}
