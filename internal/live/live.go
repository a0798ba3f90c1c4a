// Package live is the domain of real-time datasets: records written in
// place into a dataset's published version (the Opendatasoft push API, and
// feeds that turn sensors' latest state into dataset rows), the push keys
// that authorize pushes, and the feed definitions. It imports no
// infrastructure: storage engines implement Store.
package live

import (
	"context"
	"encoding/json"
	"time"

	"github.com/socle/socle/internal/catalog"
	"github.com/socle/socle/internal/errs"
)

// Limits of one in-place write.
const (
	// MaxBody is the largest push request body, as on Opendatasoft.
	MaxBody = 5 << 20
	// MaxRecords is the most records one push request may carry.
	MaxRecords = 10000
)

// Upsert writes rows into a dataset's published version in one
// transaction. Rows are aligned with Fields, which must be the dataset's
// current fields (a schema changed meanwhile is a Conflict). A row whose
// Keys values match a stored record replaces it and keeps its record ID;
// other rows are appended. Without Keys every row is appended.
type Upsert struct {
	DatasetID string
	Fields    []catalog.Field
	Keys      []string
	Rows      []catalog.Row
	Now       time.Time
}

// Delete removes records from a dataset's published version in one
// transaction: those with the given IDs, and those whose Match fields equal
// one of the Rows (aligned with Match; a null matches a null).
type Delete struct {
	DatasetID string
	IDs       []int64
	Match     []catalog.Field
	Rows      []catalog.Row
	Now       time.Time
}

// Result says what an in-place write did.
type Result struct {
	IDs      []int64 `json:"ids"`      // the records written or deleted
	Inserted int     `json:"inserted"` // new records
	Updated  int     `json:"updated"`  // replaced records
	Deleted  int     `json:"deleted"`
	Records  int64   `json:"records"` // records in the dataset afterwards
}

// PushKey authorizes pushes to one dataset. Only its SHA-256 hash is
// stored; the key itself is shown once, when it is made.
type PushKey struct {
	DatasetID string    `json:"dataset_id"`
	Hash      string    `json:"-"`
	Enabled   bool      `json:"enabled"`
	Actor     string    `json:"actor"`
	UpdatedAt time.Time `json:"updated_at"`
}

// Store writes records in place and keeps push keys and feeds.
type Store interface {
	// UpsertRecords applies u in one transaction and updates the
	// dataset's record count and modified time. errs.NotFound for an
	// unknown dataset, errs.Invalid for a dataset with no published
	// version or a value of the wrong Go type (nothing is written),
	// errs.Conflict when u.Fields are not the dataset's fields.
	UpsertRecords(ctx context.Context, u Upsert) (Result, error)
	// DeleteRecords applies d in one transaction, like UpsertRecords.
	// Unknown IDs and unmatched rows are not errors.
	DeleteRecords(ctx context.Context, d Delete) (Result, error)

	// PutPushKey inserts or replaces the push key of a dataset.
	PutPushKey(ctx context.Context, k *PushKey) error
	// PushKey returns a dataset's push key; errs.NotFound when it has none.
	PushKey(ctx context.Context, datasetID string) (*PushKey, error)

	// PutFeed inserts or replaces a feed definition.
	PutFeed(ctx context.Context, f *Feed) error
	// Feeds lists the feed definitions by dataset ID.
	Feeds(ctx context.Context) ([]*Feed, error)
	// DeleteFeed removes a dataset's feed; errs.NotFound when it has none.
	DeleteFeed(ctx context.Context, datasetID string) error
}

// SameFields reports whether a and b have the same names and types in the
// same order (labels and descriptions may differ).
func SameFields(a, b []catalog.Field) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i].Name != b[i].Name || a[i].Type != b[i].Type {
			return false
		}
	}
	return true
}

// CheckRow reports, as errs.Invalid, a value of row that is not the Go
// representation of its field's type (see catalog.FieldType).
func CheckRow(fields []catalog.Field, row catalog.Row) error {
	if len(row) != len(fields) {
		return errs.E(errs.Invalid, "%d values for %d fields", len(row), len(fields))
	}
	for i, f := range fields {
		if !goTypeOK(f.Type, row[i]) {
			return errs.E(errs.Invalid, "field %q: a %T is not a %s value", f.Name, row[i], f.Type)
		}
	}
	return nil
}

func goTypeOK(t catalog.FieldType, v any) bool {
	var ok bool
	switch v.(type) {
	case nil:
		ok = true
	case string:
		ok = t == catalog.TypeText
	case int64:
		ok = t == catalog.TypeInt
	case float64:
		ok = t == catalog.TypeDouble
	case bool:
		ok = t == catalog.TypeBoolean
	case time.Time:
		ok = t == catalog.TypeDate || t == catalog.TypeDateTime
	case catalog.GeoPoint:
		ok = t == catalog.TypeGeoPoint
	case json.RawMessage:
		ok = t == catalog.TypeGeoShape || t == catalog.TypeJSON
	}
	return ok
}
