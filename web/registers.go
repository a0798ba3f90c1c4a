package web

import (
	"net/http"

	"github.com/socle/socle/internal/auth"
	"github.com/socle/socle/internal/registers"
)

// registersPage is the data of /registres: the public views of the RGPD
// record and of the algorithm register.
type registersPage struct {
	Processings []*registers.Processing
	Algorithms  []*registers.Algorithm
	Contracts   []*registers.Contract
	Deliveries  map[string]string // contract ID + "/" + dataset → delivery status
}

// handleRegisters serves /registres, the public registers: what any
// citizen may read of them, whoever is logged in (the keepers read the
// confidential notes through the API).
func (s *Server) handleRegisters(w http.ResponseWriter, r *http.Request) {
	var pg registersPage
	var err error
	if pg.Processings, err = s.app.Processings(r.Context(), auth.Principal{}); err != nil {
		s.renderError(w, r, err)
		return
	}
	if pg.Algorithms, err = s.app.Algorithms(r.Context(), auth.Principal{}); err != nil {
		s.renderError(w, r, err)
		return
	}
	if pg.Contracts, err = s.app.Contracts(r.Context(), auth.Principal{}); err != nil {
		s.renderError(w, r, err)
		return
	}
	ds, err := s.app.Deliveries(r.Context())
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	pg.Deliveries = map[string]string{}
	for _, d := range ds {
		pg.Deliveries[d.Contract+"/"+d.Dataset] = d.Status
	}
	s.render(w, r, http.StatusOK, "registers", s.msgs.T("registers.title"), pg)
}
