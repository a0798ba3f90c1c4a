// Package storetest is the conformance suite of Socle's storage engines: one
// set of tests, run by package sqlite and package postgres against a fresh
// database each, that pins down the behaviour the domain interfaces promise
// (catalog.Store, records.Store, auth.Store, audit.Store, the web
// portal's auth.SessionStore and catalog.ActivityStore, and sensors.Store).
package storetest

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"testing"
	"time"

	"github.com/socle/socle/internal/agreements"
	"github.com/socle/socle/internal/alerts"
	"github.com/socle/socle/internal/audit"
	"github.com/socle/socle/internal/auth"
	"github.com/socle/socle/internal/catalog"
	"github.com/socle/socle/internal/dtpr"
	"github.com/socle/socle/internal/errs"
	"github.com/socle/socle/internal/harvest"
	"github.com/socle/socle/internal/live"
	"github.com/socle/socle/internal/maintenance"
	"github.com/socle/socle/internal/ngsild"
	"github.com/socle/socle/internal/odsql"
	"github.com/socle/socle/internal/records"
	"github.com/socle/socle/internal/registers"
	"github.com/socle/socle/internal/schemas"
	"github.com/socle/socle/internal/sensors"
	"github.com/socle/socle/internal/sobriety"
)

// Store is what an engine implements.
type Store interface {
	catalog.Store
	records.Store
	auth.Store
	auth.SessionStore
	catalog.ActivityStore
	audit.Store
	live.Store
	sensors.Store
	sensors.BatchAppender
	sensors.PropertyRetentionStore
	alerts.Store
	maintenance.Store
	ngsild.Store
	dtpr.Store
	agreements.Store
	registers.Store
	sobriety.Store
	harvest.Store
	schemas.Store
	Close() error
}

// Run runs the suite. open returns a fresh, empty, migrated store; Run closes
// it when the subtest ends (cleanups registered by open run after that).
func Run(t *testing.T, open func(t *testing.T) Store) {
	fresh := func(t *testing.T) Store {
		t.Helper()
		s := open(t)
		t.Cleanup(func() {
			if err := s.Close(); err != nil {
				t.Errorf("close: %v", err)
			}
		})
		return s
	}
	for _, tc := range []struct {
		name string
		fn   func(t *testing.T, s Store)
	}{
		{"organizations are put, replaced, listed by name and unknown ones are not found", testOrganizations},
		{"datasets are created, refused twice, updated, listed and deleted", testDatasets},
		{"a replace load stores every field type and reads it back exactly", testAllTypes},
		{"an append load adds rows after the current ones", testAppend},
		{"an upsert load replaces matching records and keeps their ID", testUpsert},
		{"a field whose type changed is refused in append and upsert", testTypeMismatch},
		{"a failing first load publishes nothing", testFailingFirstLoad},
		{"a failing later load leaves the published version intact", testFailingLaterLoad},
		{"restore brings the previous version back", testRestore},
		{"only the current and the previous versions are kept", testTwoVersionsKept},
		{"record by ID returns the row and unknown IDs are not found", testRecord},
		{"ODSQL queries filter, order, group and search with accent folding", testQueries},
		{"facets count values under the filters", testFacets},
		{"keyset cursors page through every row exactly once", testCursor},
		{"a reader during a load sees the old or the new version, never a mix", testConcurrentReader},
		{"users are created, refused twice, found, updated and listed", testUsers},
		{"API keys are created, found by hash, listed, touched and revoked", testAPIKeys},
		{"the audit log lists entries newest first, by target", testAudit},
		{"sessions are created, found by hash, refused twice and ended one by one, by user or by expiry", testSessions},
		{"import reports round-trip, list newest first with a limit and outlive their dataset", testImportReports},
		{"usage deltas add up per day and total per dataset", testUsage},
		{"devices are put, replaced with their creation time kept, found by ID and EUI, refused a taken EUI and listed by domain", testDevices},
		{"batches store new observations once, refuse a known key, accept late data and move the latest state forward only", testAppendBatch},
		{"latest state is ordered by device then property in byte order", testLatestOrder},
		{"aggregates bucket trusted values on the epoch with exact count, min, max, avg and sum", testAggregate},
		{"aggregates bucket times before 1970 by floor division", testAggregateBefore1970},
		{"observations come in time order across properties, within half-open bounds, at most limit", testObservations},
		{"quarantined data round-trips byte for byte and lists newest first", testQuarantine},
		{"alert rules are put, replaced, found by ID and listed by ID", testRules},
		{"an alert opens once per rule and device until resolved, and unknown rules are not found", testOpenAlert},
		{"concurrent opens of the same rule and device make one alert", testOpenAlertConcurrently},
		{"an alert is acknowledged, assigned, commented and resolved with its history, then final", testAlertLifecycle},
		{"alerts list newest first by status, device and rule, at most limit, without history", testAlertsList},
	} {
		t.Run(tc.name, func(t *testing.T) { tc.fn(t, fresh(t)) })
	}
	// Each later capability keeps its table in its own file.
	for _, suite := range []func(t *testing.T, fresh func(t *testing.T) Store){
		runNGSILD, runLive, runMaintenance, runTimeSeries, runGroupCommit, runTrust, runRegisters, runSobriety,
		runDTPR, runHarvest, runSchemas, runPropertyRetention,
	} {
		suite(t, fresh)
	}
}

var ctx = context.Background()

// wantKind fails unless err is of kind k.
func wantKind(t *testing.T, err error, k errs.Kind) {
	t.Helper()
	if err == nil {
		t.Fatalf("got no error, want %s", k)
	}
	if got := errs.KindOf(err); got != k {
		t.Fatalf("got error %v of kind %s, want %s", err, got, k)
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// ts is a time with microsecond precision, which every engine keeps.
func ts(s string) time.Time {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		panic(err)
	}
	return t.UTC()
}

func day(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }

// newDataset creates an empty dataset with id.
func newDataset(t *testing.T, s Store, id string) *catalog.Dataset {
	t.Helper()
	now := ts("2024-05-01T10:00:00Z")
	d := &catalog.Dataset{ID: id, UID: "uid_" + id, Access: catalog.AccessPublic,
		Meta: catalog.Metadata{Title: "Dataset " + id, License: catalog.DefaultLicense}, Issued: now, Modified: now}
	must(t, s.CreateDataset(ctx, d))
	return d
}

// rowsSource yields fixed rows, then fails with failErr after failAfter rows
// when failErr is set.
type rowsSource struct {
	rows      []catalog.Row
	i         int
	failAfter int
	failErr   error
	hook      func(i int) // called before row i is returned
}

func (r *rowsSource) Next() (catalog.Row, error) {
	if r.failErr != nil && r.i == r.failAfter {
		return nil, r.failErr
	}
	if r.i >= len(r.rows) {
		return nil, io.EOF
	}
	if r.hook != nil {
		r.hook(r.i)
	}
	r.i++
	return r.rows[r.i-1], nil
}

func load(t *testing.T, s Store, id string, mode catalog.LoadMode, fields []catalog.Field, rows []catalog.Row, keys ...string) *catalog.VersionRef {
	t.Helper()
	ref, err := s.LoadVersion(ctx, catalog.LoadRequest{DatasetID: id, Fields: fields, Mode: mode, Keys: keys,
		Rows: &rowsSource{rows: rows}, Actor: "tester"})
	if err != nil {
		t.Fatalf("load %s: %v", mode, err)
	}
	return ref
}

// query builds an ODSQL query from its parameters ("" for absent ones).
func query(t *testing.T, sel, where, groupBy, orderBy string, limit int) *odsql.Query {
	t.Helper()
	q := &odsql.Query{Limit: limit}
	var err error
	if sel != "" {
		if q.Select, err = odsql.ParseSelect(sel); err != nil {
			t.Fatalf("select %q: %v", sel, err)
		}
	}
	if where != "" {
		w, err := odsql.ParseWhere(where)
		if err != nil {
			t.Fatalf("where %q: %v", where, err)
		}
		q.Where = []odsql.Expr{w}
	}
	if groupBy != "" {
		if q.GroupBy, err = odsql.ParseGroupBy(groupBy); err != nil {
			t.Fatalf("group_by %q: %v", groupBy, err)
		}
	}
	if orderBy != "" {
		if q.OrderBy, err = odsql.ParseOrderBy(orderBy); err != nil {
			t.Fatalf("order_by %q: %v", orderBy, err)
		}
	}
	return q
}

// result is a query's rows with their record IDs and the last cursor.
type result struct {
	cols   []catalog.Field
	rows   []catalog.Row
	ids    []int64
	cursor *odsql.Cursor
}

func run(t *testing.T, s Store, ds *catalog.Dataset, q *odsql.Query) result {
	t.Helper()
	rs, err := s.Query(ctx, ds, q)
	if err != nil {
		t.Fatalf("query: %v", err)
	}
	defer rs.Close()
	res := result{cols: rs.Columns()}
	for {
		row, err := rs.Next()
		if errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			t.Fatalf("next: %v", err)
		}
		res.rows = append(res.rows, row)
		res.ids = append(res.ids, rs.ID())
		res.cursor = rs.Cursor()
	}
	if err := rs.Close(); err != nil {
		t.Fatalf("close rows: %v", err)
	}
	return res
}

func count(t *testing.T, s Store, ds *catalog.Dataset, where string) int64 {
	t.Helper()
	n, err := s.Count(ctx, ds, query(t, "", where, "", "", 100))
	if err != nil {
		t.Fatalf("count %q: %v", where, err)
	}
	return n
}

// sameValue compares catalog values: times by instant, JSON by bytes.
func sameValue(a, b any) bool {
	switch x := a.(type) {
	case time.Time:
		y, ok := b.(time.Time)
		return ok && x.Equal(y) && y.Location() == time.UTC
	case json.RawMessage:
		y, ok := b.(json.RawMessage)
		return ok && string(x) == string(y)
	}
	return a == b
}

func sameRow(a, b catalog.Row) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if !sameValue(a[i], b[i]) {
			return false
		}
	}
	return true
}

func wantRows(t *testing.T, got, want []catalog.Row) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("got %d rows, want %d:\n got %v\nwant %v", len(got), len(want), got, want)
	}
	for i := range want {
		if !sameRow(got[i], want[i]) {
			t.Errorf("row %d:\n got %#v\nwant %#v", i, got[i], want[i])
		}
	}
}

// column returns the values of column i of rows.
func column(rows []catalog.Row, i int) []any {
	out := make([]any, len(rows))
	for j, r := range rows {
		out[j] = r[i]
	}
	return out
}
