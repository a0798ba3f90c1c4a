package web

import (
	"net/http"
	"time"

	"github.com/socle/socle/internal/agreements"
	"github.com/socle/socle/internal/catalog"
)

// agreementItem is one line of the public register of data-sharing
// agreements: what the API's register shows, with organization names.
type agreementItem struct {
	agreements.Public
	PartnerName, OwnerName string
	Active                 bool
}

// handleAgreementRegister serves /accords, the public register of
// data-sharing agreements: partner, datasets, purpose, dates and status,
// never the confidential terms.
func (s *Server) handleAgreementRegister(w http.ResponseWriter, r *http.Request, _ []*entry, orgs map[string]*catalog.Organization) {
	list, err := s.app.AgreementRegister(r.Context())
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	now := time.Now()
	items := make([]agreementItem, 0, len(list))
	for _, p := range list {
		it := agreementItem{Public: p, PartnerName: p.Partner, OwnerName: p.Owner,
			Active: p.Status == agreements.Active && !now.Before(p.Start) && now.Before(p.End)}
		if o := orgs[p.Partner]; o != nil {
			it.PartnerName = o.Name
		}
		if o := orgs[p.Owner]; o != nil {
			it.OwnerName = o.Name
		}
		items = append(items, it)
	}
	s.render(w, r, http.StatusOK, "agreements", s.msgs.T("agreements.title"), items)
}
