package app

import (
	"context"

	"github.com/socle/socle/internal/audit"
	"github.com/socle/socle/internal/auth"
	"github.com/socle/socle/internal/catalog"
	"github.com/socle/socle/internal/odsql"
	"github.com/socle/socle/internal/records"
)

// Records streams q over dataset id for p. Reads of non-public data are
// audited by the caller through AuditRead once it knows how many records
// it served.
func (a *App) Records(ctx context.Context, p auth.Principal, id string, q *odsql.Query) (*catalog.Dataset, records.Rows, error) {
	d, err := a.Dataset(ctx, p, id)
	if err != nil {
		return nil, nil, err
	}
	rows, err := a.Store.Query(ctx, d, q)
	if err != nil {
		return nil, nil, err
	}
	return d, rows, nil
}

// AuditRead logs a read of n records of d when d is not public. The entry
// is queued for the audit writer (see readQueue).
func (a *App) AuditRead(ctx context.Context, p auth.Principal, d *catalog.Dataset, action string, n int64) {
	if d.Access == catalog.AccessPublic {
		return
	}
	e := &audit.Entry{Time: a.Now(), Actor: p.Login(), Action: action, Target: d.ID, Records: n, Detail: string(d.Access)}
	// When the request is gone, the read is still recorded, synchronously.
	a.queueAudit(ctx, auditItem{e: e, agreement: sharedRead(d, e)})
}
