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
	s.render(w, r, http.StatusOK, "registers", s.msgs.T("registers.title"), pg)
}
