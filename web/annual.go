package web

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/socle/socle/internal/annual"
	"github.com/socle/socle/internal/dtpr"
	"github.com/socle/socle/internal/errs"
)

// annualPage is the data of /rapport/{year}.
type annualPage struct {
	R           *annual.Report
	KWh, KgCO2e string
	Years       []int // the years one may open, newest first
}

// bar is one bar of a chart: its label, count and width out of 100.
type bar struct {
	Label string
	N     int64
	W     int64
	Y     int
}

// bars lays out a tally as horizontal bars scaled to the largest.
func bars(cs []annual.Count, label func(string) string) []bar {
	var top int64 = 1
	for _, c := range cs {
		top = max(top, c.N)
	}
	out := make([]bar, len(cs))
	for i, c := range cs {
		out[i] = bar{Label: label(c.Key), N: c.N, W: max(1, c.N*100/top), Y: i * 28}
	}
	return out
}

// annualBars lays out a tally of the report; kind says how its keys read
// in French: "purpose" (DTPR elements), a catalogue prefix, or "-" (the
// keys are already labels).
func (s *Server) annualBars(cs []annual.Count, kind string) []bar {
	return bars(cs, func(k string) string {
		switch kind {
		case "-":
			return k
		case "purpose":
			if e, ok := dtpr.Lookup("purpose", k); ok {
				return e.Name
			}
			return k
		}
		return s.label(kind, k)
	})
}

// handleAnnualLatest sends /rapport to this year's report.
func (s *Server) handleAnnualLatest(w http.ResponseWriter, r *http.Request) {
	http.Redirect(w, r, "/rapport/"+strconv.Itoa(s.app.Now().Year()), http.StatusFound)
}

// handleAnnual serves /rapport/{year}, the annual public report, printable
// (the browser's print to PDF keeps its layout), and /rapport/{year}.pdf,
// the same figures as a PDF document (annual_pdf.go).
func (s *Server) handleAnnual(w http.ResponseWriter, r *http.Request) {
	name, pdf := strings.CutSuffix(r.PathValue("year"), ".pdf")
	year, err := strconv.Atoi(name)
	if err == nil && pdf {
		s.handleAnnualPDF(w, r, year)
		return
	}
	if err != nil {
		s.renderError(w, r, errs.E(errs.NotFound, "no report %q", r.PathValue("year")))
		return
	}
	rep, err := s.app.AnnualReport(r.Context(), year)
	if errs.Is(err, errs.Invalid) {
		err = errs.E(errs.NotFound, "no report for %d", year)
	}
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	pg := annualPage{R: rep, KWh: frDecimal(rep.Sobriety.KWhPerYear, 1), KgCO2e: frDecimal(rep.Sobriety.GCO2ePerYear/1000, 2)}
	for y := s.app.Now().Year(); y >= s.app.Now().Year()-4; y-- {
		pg.Years = append(pg.Years, y)
	}
	s.render(w, r, http.StatusOK, "annual", s.msgs.T("annual.title", year), pg)
}
