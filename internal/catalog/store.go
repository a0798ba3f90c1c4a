package catalog

import (
	"context"
	"time"
)

// Store persists the catalog. Methods return errs.NotFound for unknown IDs
// and errs.Conflict for duplicates. Visibility is not the store's concern:
// the caller filters with auth.CanRead.
type Store interface {
	PutOrganization(ctx context.Context, o *Organization) error
	Organization(ctx context.Context, id string) (*Organization, error)
	Organizations(ctx context.Context) ([]*Organization, error)

	// CreateDataset inserts a dataset with no records yet (Version 0).
	CreateDataset(ctx context.Context, d *Dataset) error
	// UpdateDataset saves access level and metadata (not fields or versions).
	UpdateDataset(ctx context.Context, d *Dataset) error
	Dataset(ctx context.Context, id string) (*Dataset, error)
	Datasets(ctx context.Context) ([]*Dataset, error)
	DeleteDataset(ctx context.Context, id string) error

	// LoadVersion builds a new version of a dataset's records aside from the
	// published one, then swaps it in within one transaction: readers see
	// either the old version or the new one, never a mix. Any error from
	// rows (a cast or validation failure) aborts the load and leaves the
	// published version untouched. The previous version is kept for
	// RestoreVersion; older ones are dropped.
	LoadVersion(ctx context.Context, req LoadRequest) (*VersionRef, error)
	// RestoreVersion makes a kept earlier version current again.
	RestoreVersion(ctx context.Context, datasetID string, version int) error
}

// LoadMode says how a load combines with the current version.
type LoadMode string

// Load modes.
const (
	ModeReplace LoadMode = "replace" // the new version holds only the new rows
	ModeAppend  LoadMode = "append"  // current rows, then the new ones
	ModeUpsert  LoadMode = "upsert"  // current rows, replaced where Keys match
)

// Valid reports whether m is a known mode.
func (m LoadMode) Valid() bool { return m == ModeReplace || m == ModeAppend || m == ModeUpsert }

// RowSource yields rows aligned with the load's fields; Next returns
// (nil, io.EOF) at the end, and any other error aborts the load.
type RowSource interface {
	Next() (Row, error)
}

// LoadRequest is one import into a dataset.
type LoadRequest struct {
	DatasetID string
	Fields    []Field
	Mode      LoadMode
	Keys      []string // field names identifying a record, for ModeUpsert
	Rows      RowSource
	Actor     string
	// Progress, if set, is called every few thousand rows with the count so far.
	Progress func(rows int64)
	Now      time.Time
}
