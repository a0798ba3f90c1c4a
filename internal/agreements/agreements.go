// Package agreements holds data-sharing agreements ("closed data"): an
// organization that owns datasets of access level shared lets a partner
// organization read them, possibly only some fields and some rows, for a
// stated purpose and legal basis, between a start and an end date. Partners
// reach a shared dataset only while an agreement covering it is active;
// every such access is audited against the agreement and counted in its
// usage. The use cases are internal/app/agreements*.go.
package agreements

import (
	"context"
	"slices"
	"time"
)

// Status is where an agreement stands in its life.
type Status string

// Statuses. Only an active agreement between its start and end dates grants
// access; suspending or terminating one revokes access at once.
const (
	Draft      Status = "draft"
	Active     Status = "active"
	Suspended  Status = "suspended"
	Terminated Status = "terminated"
)

// Valid reports whether s is a known status.
func (s Status) Valid() bool {
	return slices.Contains([]Status{Draft, Active, Suspended, Terminated}, s)
}

// Scope is one dataset an agreement covers.
type Scope struct {
	Dataset string `json:"dataset"`
	// Fields, when not empty, is the only fields the partner sees; the
	// others are hidden everywhere (records, exports, facets, metadata).
	Fields []string `json:"fields,omitempty"`
	// Filter, when set, is an ODSQL where expression ANDed into every
	// query the partner runs on the dataset.
	Filter string `json:"filter,omitempty"`
}

// Agreement is a data-sharing agreement.
type Agreement struct {
	ID          string    `json:"id"`
	Owner       string    `json:"owner"`   // organization that owns the datasets
	Partner     string    `json:"partner"` // organization granted access
	Datasets    []Scope   `json:"datasets"`
	Purpose     string    `json:"purpose"`
	LegalBasis  string    `json:"legal_basis"`
	Start       time.Time `json:"start"`
	End         time.Time `json:"end"`
	Conditions  []string  `json:"conditions,omitempty"` // e.g. no re-identification
	Signatories []string  `json:"signatories,omitempty"`
	Status      Status    `json:"status"`
	Notes       string    `json:"notes,omitempty"` // confidential: never in the public register
	Created     time.Time `json:"created"`
	Updated     time.Time `json:"updated"`
}

// Active reports whether a grants access at now: status active and
// start ≤ now < end.
func (a *Agreement) Active(now time.Time) bool {
	return a.Status == Active && !now.Before(a.Start) && now.Before(a.End)
}

// Scope returns the agreement's scope over dataset, if it covers it.
func (a *Agreement) Scope(dataset string) (*Scope, bool) {
	for i := range a.Datasets {
		if a.Datasets[i].Dataset == dataset {
			return &a.Datasets[i], true
		}
	}
	return nil, false
}

// Usage is what a partner did under an agreement.
type Usage struct {
	Requests   int64     `json:"requests"`
	Records    int64     `json:"records"`
	LastAccess time.Time `json:"last_access,omitzero"`
}

// Public is the agreement as the public register shows it: no conditions'
// details beyond the list, no signatories, no confidential notes.
type Public struct {
	ID       string    `json:"id"`
	Partner  string    `json:"partner"`
	Owner    string    `json:"owner"`
	Datasets []string  `json:"datasets"`
	Purpose  string    `json:"purpose"`
	Start    time.Time `json:"start"`
	End      time.Time `json:"end"`
	Status   Status    `json:"status"`
}

// Public returns the register's view of a.
func (a *Agreement) Public() Public {
	p := Public{ID: a.ID, Partner: a.Partner, Owner: a.Owner, Purpose: a.Purpose, Start: a.Start, End: a.End, Status: a.Status, Datasets: []string{}}
	for _, s := range a.Datasets {
		p.Datasets = append(p.Datasets, s.Dataset)
	}
	return p
}

// Store keeps agreements and their usage.
type Store interface {
	// PutAgreement creates or replaces an agreement.
	PutAgreement(ctx context.Context, a *Agreement) error
	// Agreement returns one agreement; NotFound if unknown.
	Agreement(ctx context.Context, id string) (*Agreement, error)
	// Agreements lists agreements by ID; partner "" lists them all.
	Agreements(ctx context.Context, partner string) ([]*Agreement, error)
	// AddAgreementUsage counts requests and records against an agreement.
	AddAgreementUsage(ctx context.Context, id string, requests, records int64, at time.Time) error
	// AgreementUsage returns an agreement's usage (zero if never used).
	AgreementUsage(ctx context.Context, id string) (Usage, error)
}
