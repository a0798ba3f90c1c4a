package catalog

import (
	"context"
	"time"
)

// ImportReport records one import attempt, published or refused, so that
// producers can read later what happened to each file they sent.
type ImportReport struct {
	ID        int64     `json:"id"`
	DatasetID string    `json:"dataset_id"`
	At        time.Time `json:"at"`
	Actor     string    `json:"actor"`
	Source    string    `json:"source"` // the file's name as sent
	Mode      string    `json:"mode"`
	OK        bool      `json:"ok"`
	Version   int       `json:"version,omitempty"` // the version published, when OK
	Rows      int64     `json:"rows"`
	Error     string    `json:"error,omitempty"`  // the user-facing refusal message
	Detail    string    `json:"detail,omitempty"` // JSON of the importer's summary (fields, warnings, validation report)
}

// Usage counts what reusers did with a dataset.
type Usage struct {
	DatasetID string `json:"dataset_id"`
	Views     int64  `json:"views"`     // dataset pages shown
	Downloads int64  `json:"downloads"` // exports served (portal or API)
}

// ActivityStore persists import reports and usage counters.
type ActivityStore interface {
	// AddImportReport inserts r and sets its ID.
	AddImportReport(ctx context.Context, r *ImportReport) error
	// ImportReports lists a dataset's reports, newest first, at most limit.
	ImportReports(ctx context.Context, datasetID string, limit int) ([]*ImportReport, error)
	// AddUsage adds the counts in deltas to the given UTC day's counters.
	AddUsage(ctx context.Context, day time.Time, deltas []Usage) error
	// UsageTotals returns the all-time counts per dataset ID (datasets
	// never viewed nor downloaded are absent).
	UsageTotals(ctx context.Context) (map[string]Usage, error)
}
