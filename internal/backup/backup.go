// Package backup is Socle's reversibility: the whole platform (catalog and
// data, users and keys, registers, agreements, the audit log, devices and
// time series) written to one open archive and restored from it into an
// empty instance on either engine.
//
// The archive is a zip file holding a Frictionless Data Package
// (docs/backup.md): datapackage.json describes one CSV resource per table,
// each with its Table Schema, row count and SHA-256; platform/*.csv are
// Socle's own tables, data/*.csv the records of every kept dataset version,
// metadata/ the catalog as DCAT and JSON for readers without Socle. Values
// are written in one canonical text form per logical type (values.go), so
// that the same platform backed up from SQLite or from PostgreSQL gives
// byte-identical resources: the checksums in the manifest are what a
// restore is verified against.
//
// This package holds the format, the canonical values and the use cases
// (Backup, Restore, Verify); the engines implement Source and Target.
package backup

import (
	"context"
	"encoding/json"
	"slices"

	"github.com/socle/socle/internal/errs"
)

// Kind tells platform tables from the records tables of dataset versions.
type Kind string

// The table kinds.
const (
	Platform Kind = "platform"
	Records  Kind = "records"
)

// Column is one column of a table and its logical type.
type Column struct {
	Name string
	Type Type
}

// Table describes one table to back up or restore.
type Table struct {
	Name    string
	Kind    Kind
	Columns []Column
	// Fields is, for a records table, the catalog fields of its version
	// (JSON of []catalog.Field), from which a target creates the table.
	Fields json.RawMessage
}

// Snapshot reads a consistent view of an instance.
type Snapshot interface {
	// Tables lists the platform tables (parents before the tables that
	// reference them) and then the records tables of every kept version.
	Tables(ctx context.Context) ([]Table, error)
	// Rows calls fn with each row of t in primary-key order; values are
	// the driver's (see Encode for what each type accepts). The slice is
	// reused between calls.
	Rows(ctx context.Context, t Table, fn func(row []any) error) error
}

// Source is an engine that can be backed up.
type Source interface {
	// BackupSnapshot runs fn on a read-only snapshot of the whole instance.
	BackupSnapshot(ctx context.Context, fn func(Snapshot) error) error
}

// Writer receives a restore inside the target's one transaction.
type Writer interface {
	// CheckEmpty fails with errs.Conflict unless the instance holds no
	// data of its own (only what its migrations create).
	CheckEmpty(ctx context.Context) error
	// CreateRecordsTable creates a dataset version's records table from
	// t.Fields, with the engine's own layout and indexes.
	CreateRecordsTable(ctx context.Context, t Table) error
	// Insert writes the rows that rows passes to its callback (neutral
	// values from Decode, aligned with t.Columns; the slice is reused).
	// hint is the range of the table's "t" column when the manifest gives
	// one.
	Insert(ctx context.Context, t Table, hint *TimeRange, rows func(fn func([]any) error) error) error
	// Finish runs after every table: sequences, derived state.
	Finish(ctx context.Context) error
	// Snapshot reads the restore's own transaction, so that the result is
	// compared with the archive before it is committed.
	Snapshot() Snapshot
}

// Target is an engine that can be restored into.
type Target interface {
	// Restore runs fn in one transaction: either all of it lands or none.
	Restore(ctx context.Context, fn func(Writer) error) error
}

// Derived tables are maintained by the database itself from others (the
// audit chain's head by the audit log's trigger): they are backed up, so
// that the archive is complete, but a restore checks them instead of
// writing them.
var Derived = map[string]bool{"audit_head": true}

// Skipped tables are never backed up: login sessions are ephemeral (users
// log in again after a restore).
var Skipped = map[string]bool{"sessions": true, "schema_migrations": true}

// Seeded tables get rows from the migrations themselves; a restore
// replaces those rows with the archive's.
var Seeded = map[string]bool{"latest_gen": true}

// parents are the tables others reference (foreign keys), restored first.
var parents = []string{"organizations", "users", "datasets", "alert_rules", "alerts", "webhooks", "work_orders", "harvest_sources"}

// OrderTables puts the platform tables in restore order: the referenced
// tables first, then the others by name. Skipped tables are left out.
func OrderTables(names []string) []string {
	have := map[string]bool{}
	for _, n := range names {
		have[n] = true
	}
	var out []string
	for _, p := range parents {
		if have[p] {
			out = append(out, p)
			delete(have, p)
		}
	}
	rest := make([]string, 0, len(have))
	for n := range have {
		if !Skipped[n] {
			rest = append(rest, n)
		}
	}
	slices.Sort(rest)
	return append(out, rest...)
}

// CheckEmpty is the check a Writer's CheckEmpty makes: it fails with
// errs.Conflict when a table other than the seeded, derived and skipped
// ones has rows.
func CheckEmpty(tables []string, hasRows func(table string) (bool, error)) error {
	for _, n := range tables {
		if Seeded[n] || Derived[n] || Skipped[n] {
			continue
		}
		any, err := hasRows(n)
		if err != nil {
			return err
		}
		if any {
			return errs.E(errs.Conflict, "the instance is not empty (table %s has rows): restore into an empty instance", n)
		}
	}
	return nil
}
