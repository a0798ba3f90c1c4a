package web

import (
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/socle/socle/internal/app"
	"github.com/socle/socle/internal/sobriety"
)

// sobrietyPage is the data of /sobriete.
type sobrietyPage struct {
	R              *sobriety.Report
	KWh, KgCO2e    string // the platform's yearly estimate, French-formatted
	Keeper         bool   // a steward or an admin: every dataset is listed
	RollupRows     int64
	Practices      []string
	PracticeCounts map[string]int // datasets meeting each practice
}

// handleSobriety serves /sobriete: the platform's storage, transfer and
// their energy and carbon estimate, sensor data raw and rolled up, and per
// dataset (those the viewer may see) its size, use, duplicates and the
// Green Data practices it meets.
func (s *Server) handleSobriety(w http.ResponseWriter, r *http.Request) {
	p := principal(r)
	rep, err := s.app.SobrietyReport(r.Context(), p)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	pg := sobrietyPage{R: rep, KWh: frDecimal(rep.Estimate.KWhPerYear, 1), KgCO2e: frDecimal(rep.Estimate.GCO2ePerYear/1000, 2),
		Keeper: app.CanKeepRegisters(p), PracticeCounts: map[string]int{}, RollupRows: rep.HourlyRows + rep.DailyRows}
	for _, d := range rep.Datasets {
		for _, pr := range d.Practices {
			if !slices.Contains(pg.Practices, pr.ID) {
				pg.Practices = append(pg.Practices, pr.ID)
			}
			if pr.Met {
				pg.PracticeCounts[pr.ID]++
			}
		}
	}
	s.render(w, r, http.StatusOK, "sobriety", s.msgs.T("sobriety.title"), pg)
}

// frDecimal writes f with n decimals and a decimal comma.
func frDecimal(f float64, n int) string {
	return strings.Replace(strconv.FormatFloat(f, 'f', n, 64), ".", ",", 1)
}
