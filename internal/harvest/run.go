package harvest

import "time"

// Status is how a run ended.
type Status string

// The statuses.
const (
	StatusRunning Status = "running"
	StatusOK      Status = "ok"      // listed completely, every dataset done
	StatusPartial Status = "partial" // some datasets failed, or the listing stopped early
	StatusFailed  Status = "failed"  // nothing could be listed
)

// Run is one harvest of a source and its report.
type Run struct {
	ID       int64     `json:"id"`
	SourceID int64     `json:"source_id"`
	Started  time.Time `json:"started"`
	Finished time.Time `json:"finished,omitzero"`
	Status   Status    `json:"status"`
	Report
}

// Report counts what a run did to each dataset and says why some failed.
type Report struct {
	Created   int `json:"created"`
	Updated   int `json:"updated"`
	Unchanged int `json:"unchanged"`
	Missing   int `json:"missing"`
	Archived  int `json:"archived"`
	Failed    int `json:"failed"`
	// Error is why the listing stopped, if it did.
	Error  string         `json:"error,omitempty"`
	Errors []DatasetError `json:"errors,omitempty"`
}

// DatasetError is one dataset's failure.
type DatasetError struct {
	RemoteID string `json:"remote_id"`
	LocalID  string `json:"local_id,omitempty"`
	Message  string `json:"message"`
}

// MaxErrors bounds the per-dataset errors a report keeps; the Failed count
// stays exact.
const MaxErrors = 200

// Fail records a dataset's failure.
func (r *Report) Fail(remoteID, localID, msg string) {
	r.Failed++
	if len(r.Errors) < MaxErrors {
		r.Errors = append(r.Errors, DatasetError{RemoteID: remoteID, LocalID: localID, Message: msg})
	}
}

// Finish sets the run's end and status from its report: failed when the
// listing stopped before any dataset was seen, partial when it stopped
// later or a dataset failed, ok otherwise.
func (r *Run) Finish(now time.Time, listErr error) {
	r.Finished = now
	seen := r.Created + r.Updated + r.Unchanged + r.Failed
	switch {
	case listErr != nil && seen == 0:
		r.Status = StatusFailed
	case listErr != nil || r.Failed > 0:
		r.Status = StatusPartial
	default:
		r.Status = StatusOK
	}
	if listErr != nil {
		r.Error = listErr.Error()
	}
}
