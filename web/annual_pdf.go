package web

import (
	"bytes"
	"io"
	"net/http"
	"strconv"

	"github.com/go-pdf/fpdf"

	"github.com/socle/socle/internal/annual"
	"github.com/socle/socle/internal/errs"
	"github.com/socle/socle/internal/pdfdoc"
)

// The annual report as PDF (/rapport/{year}.pdf and socle report --format
// pdf): the figures of the HTML page, from the same annual.Report value,
// as a table of key figures per section and the same bar charts, in the
// words of the French catalogue.

// annualFigure is one row of a section's table of key figures.
type annualFigure struct {
	key   string // annual.pdf.* message
	value string
}

// annualSection is one section of the PDF: its heading, figures and
// charts.
type annualSection struct {
	heading string
	figures []annualFigure
	charts  []annualChart
}

type annualChart struct {
	title string // a message key, or "" for none
	bars  []bar
}

// AnnualPDF writes r as a PDF with the French catalogue; the CLI uses it
// (socle report --format pdf) so that both give the same document.
func AnnualPDF(w io.Writer, r *annual.Report) error {
	msgs, err := loadMessages("fr")
	if err != nil {
		return errs.Wrap(errs.Internal, err, "message catalogue")
	}
	return writeAnnualPDF(w, &Server{msgs: msgs}, r)
}

// annualSections lays the report out in sections; s gives the words.
func annualSections(s *Server, r *annual.Report) []annualSection {
	n := func(v int64) string { return frInt(v) }
	i := func(v int) string { return frInt(int64(v)) }
	sob := []annualFigure{
		{"annual.pdf.kwh", frDecimal(r.Sobriety.KWhPerYear, 1)}, {"annual.pdf.co2", frDecimal(r.Sobriety.GCO2ePerYear/1000, 2)},
		{"annual.pdf.unread", i(r.Sobriety.Unread)}, {"annual.pdf.duplicates", i(r.Sobriety.Duplicates)},
	}
	if r.Sobriety.Measured {
		sob = append([]annualFigure{{"annual.pdf.stored", frBytes(r.Sobriety.TotalBytes)}}, sob...)
	}
	return []annualSection{
		{"annual.datasets", []annualFigure{
			{"annual.pdf.datasets", i(r.Datasets.Total)}, {"annual.pdf.opened", i(r.Datasets.Opened)},
			{"annual.pdf.updated", i(r.Datasets.Updated)}, {"annual.pdf.records", n(r.Datasets.Records)},
			{"annual.pdf.views", n(r.Use.Views)}, {"annual.pdf.downloads", n(r.Use.Downloads)},
		}, []annualChart{{"", s.annualBars(r.Datasets.ByAccess, "access")}, {"annual.top", s.annualBars(r.Use.Top, "-")}}},
		{"annual.sensors", []annualFigure{{"annual.pdf.devices", i(r.Sensors.Devices)}, {"annual.pdf.public", i(r.Sensors.Public)}},
			[]annualChart{{"annual.sensors.colour", s.annualBars(r.Sensors.ByColour, "annual.colour")},
				{"annual.sensors.purpose", s.annualBars(r.Sensors.ByPurpose, "purpose")}}},
		{"annual.opinions", []annualFigure{
			{"annual.pdf.received", i(r.Opinions.Received)}, {"annual.pdf.published", i(r.Opinions.Published)},
			{"annual.pdf.rejected", i(r.Opinions.Rejected)}, {"annual.pdf.pending", i(r.Opinions.Pending)},
			{"annual.pdf.answered", i(r.Opinions.Answered)},
		}, nil},
		{"annual.trust", []annualFigure{
			{"annual.pdf.agreements", i(r.Agreements.InForce)}, {"annual.pdf.requests", n(r.Agreements.Requests)},
			{"annual.pdf.agreement_records", n(r.Agreements.Records)},
			{"annual.pdf.processings", i(r.Registers.Processings)}, {"annual.pdf.algorithms", i(r.Registers.Algorithms)},
			{"annual.pdf.platform", i(r.Registers.PlatformAlgorithms)},
			{"annual.pdf.alerts", i(r.Incidents.Alerts)}, {"annual.pdf.resolved", i(r.Incidents.Resolved)},
			{"annual.pdf.purges", i(r.Incidents.Purges)}, {"annual.pdf.purged_rows", n(r.Incidents.PurgedRows)},
		}, []annualChart{{"annual.incidents.severity", s.annualBars(r.Incidents.BySeverity, "hyperviseur.severity")}}},
		{"annual.sobriety", sob, nil},
	}
}

// writeAnnualPDF draws the report on A4 pages; the document's date is the
// report's, so that one report always gives the same bytes.
func writeAnnualPDF(w io.Writer, s *Server, r *annual.Report) error {
	const margin, width = 20.0, 170.0
	p, tr := pdfdoc.New(210, 297, r.Generated)
	p.SetTitle(s.msgs.T("annual.title", r.Year), true)
	p.SetMargins(margin, margin, margin)
	p.SetAutoPageBreak(true, margin)
	p.SetFooterFunc(func() {
		p.SetXY(margin, -12)
		p.SetFont(pdfdoc.Font, "", 8)
		p.CellFormat(width, 5, tr(s.msgs.T("annual.title", r.Year)+" — "+strconv.Itoa(p.PageNo())), "", 0, "C", false, 0, "")
	})
	p.AddPage()
	p.SetFont(pdfdoc.Font, "B", 20)
	p.MultiCell(width, 9, tr(s.msgs.T("annual.title", r.Year)), "", "L", false)
	p.SetFont(pdfdoc.Font, "", 10)
	p.MultiCell(width, 5, tr(s.msgs.T("annual.lead")), "", "L", false)
	p.MultiCell(width, 5, tr(s.msgs.T("annual.period")+" "+frDate(r.From)+" – "+frDate(r.To)+". "+
		s.msgs.T("annual.generated")+" "+frDateTime(r.Generated)+"."), "", "L", false)
	for _, sec := range annualSections(s, r) {
		annualPDFSection(p, tr, s, sec, width)
	}
	if err := p.Output(w); err != nil {
		return errs.Wrap(errs.Internal, err, "writing the report")
	}
	return nil
}

// annualPDFSection draws a section: its heading, its figures as a
// two-column table, its charts.
func annualPDFSection(p *fpdf.Fpdf, tr func(string) string, s *Server, sec annualSection, width float64) {
	p.Ln(4)
	if _, y := p.GetXY(); y > 297-60 { // keep a heading with its first rows
		p.AddPage()
	}
	p.SetFont(pdfdoc.Font, "B", 14)
	p.SetTextColor(0, 0, 145)
	p.MultiCell(width, 8, tr(s.msgs.T(sec.heading)), "", "L", false)
	p.SetTextColor(0, 0, 0)
	p.SetFont(pdfdoc.Font, "", 10)
	for _, f := range sec.figures {
		p.CellFormat(width-40, 6, tr(s.msgs.T(f.key)), "B", 0, "L", false, 0, "")
		p.CellFormat(40, 6, tr(f.value), "B", 1, "R", false, 0, "")
	}
	for _, c := range sec.charts {
		if len(c.bars) == 0 {
			continue
		}
		p.Ln(2)
		if c.title != "" {
			p.SetFont(pdfdoc.Font, "B", 11)
			p.MultiCell(width, 6, tr(s.msgs.T(c.title)), "", "L", false)
		}
		bars := make([]pdfdoc.Bar, len(c.bars))
		for i, b := range c.bars {
			bars[i] = pdfdoc.Bar{Label: b.Label, N: b.N, Text: frInt(b.N)}
		}
		pdfdoc.Bars(p, tr, bars, width, "#000091")
	}
}

// handleAnnualPDF serves /rapport/{year}.pdf.
func (s *Server) handleAnnualPDF(w http.ResponseWriter, r *http.Request, year int) {
	rep, err := s.app.AnnualReport(r.Context(), year)
	if errs.Is(err, errs.Invalid) {
		err = errs.E(errs.NotFound, "no report for %d", year)
	}
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	var buf bytes.Buffer
	if err := writeAnnualPDF(&buf, s, rep); err != nil {
		s.renderError(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "application/pdf")
	w.Header().Set("Content-Disposition", `inline; filename="rapport-annuel-`+strconv.Itoa(year)+`.pdf"`)
	w.Write(buf.Bytes())
}
