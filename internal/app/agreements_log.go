package app

import (
	"cmp"
	"context"
	"slices"
	"strings"

	"github.com/socle/socle/internal/audit"
	"github.com/socle/socle/internal/auth"
)

// Limits of an agreement's access log.
const (
	MaxAgreementLog = 500
	// agreementLogScan bounds the entries read per dataset the agreement
	// covers: reads by others (the owner, other partners) share the
	// dataset's target and are filtered out after reading.
	agreementLogScan = 5000
)

// AgreementLog returns the audit entries about agreement id, newest first,
// at most limit (capped at MaxAgreementLog): its management (creation,
// changes of terms and status) and the partner's reads through it or
// refused because it was not active, as the audit writer recorded them
// (shared reads carry "agreement <id>" in their detail). NotFound unless
// p manages the agreement.
func (a *App) AgreementLog(ctx context.Context, p auth.Principal, id string, limit int) ([]*audit.Entry, error) {
	ag, err := a.managedAgreement(ctx, p, id)
	if err != nil {
		return nil, err
	}
	if limit <= 0 || limit > MaxAgreementLog {
		limit = MaxAgreementLog
	}
	if err := a.FlushAudit(ctx); err != nil {
		return nil, err
	}
	out, err := a.Store.Audit(ctx, "agreement:"+id, limit)
	if err != nil {
		return nil, err
	}
	for _, sc := range ag.Datasets {
		es, err := a.Store.Audit(ctx, sc.Dataset, agreementLogScan)
		if err != nil {
			return nil, err
		}
		for _, e := range es {
			if throughAgreement(e.Detail, id) {
				out = append(out, e)
			}
		}
	}
	slices.SortFunc(out, func(x, y *audit.Entry) int { return cmp.Compare(y.ID, x.ID) })
	return out[:min(len(out), limit)], nil
}

// throughAgreement reports whether an audit detail names agreement id, as
// sharedRead ("shared; agreement ID") and sharedDataset ("agreement ID not
// active (…)") write it.
func throughAgreement(detail, id string) bool {
	return detail == "shared; agreement "+id || strings.HasPrefix(detail, "agreement "+id+" not active")
}
