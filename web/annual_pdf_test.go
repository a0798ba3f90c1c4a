package web

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/socle/socle/internal/annual"
	"github.com/socle/socle/internal/app"
	"github.com/socle/socle/internal/catalog"
	"github.com/socle/socle/internal/pdfdoc"
)

// TestAnnualReportPDF fetches /rapport/{year}.pdf on both engines after a
// little activity (two datasets, public sensors of two colours) and checks
// that every key figure of the PDF's tables equals the report's value, that
// the charts carry the French labels (purposes, colours) and that the HTML
// page links the PDF.
func TestAnnualReportPDF(t *testing.T) {
	onEngines(t, func(t *testing.T, s *adminSite) {
		ctx := context.Background()
		sensorSite(t, s)
		for _, id := range []string{"bancs", "tables"} {
			_, _, err := s.app.EnsureDataset(ctx, app.System, &catalog.Dataset{ID: id, Access: catalog.AccessPublic, Meta: catalog.Metadata{Title: id, Publisher: "metro"}})
			must(t, err)
		}
		must(t, s.app.RefreshCatalog(ctx))
		year := s.app.Now().Year()
		rep, err := s.app.AnnualReport(ctx, year)
		must(t, err)
		if rep.Datasets.Total != 2 || rep.Sensors.Public != 2 {
			t.Fatalf("the seeded year: %d datasets, %d public sensors", rep.Datasets.Total, rep.Sensors.Public)
		}
		b := s.browser(t)
		y := strconv.Itoa(year)
		wantStatus(t, "the HTML report", b.get("/rapport/"+y), http.StatusOK, `href="/rapport/`+y+`.pdf"`, "Gestion de l'eau")
		p := b.get("/rapport/" + y + ".pdf")
		wantStatus(t, "the PDF report", p, http.StatusOK, "%PDF-1.", "/MediaBox [0 0 595.28 841.89]")
		if ct := p.res.Header.Get("Content-Type"); ct != "application/pdf" {
			t.Errorf("content type %q", ct)
		}
		text := pdfdoc.Text([]byte(p.body))
		for key, v := range reportFigures(rep) {
			label := s.srvMsgs(t).T(key)
			if want := pdfdocText(label + "\n" + frInt(v) + "\n"); !strings.Contains(text, want) {
				t.Errorf("the PDF lacks %q:\n%s", want, text)
			}
		}
		for _, want := range []string{"Rapport annuel " + y, "Gestion de l'eau\n2\n", "Jaune : données personnelles\n1\n", "Blanc : pas de donnée personnelle\n1\n"} {
			if !strings.Contains(text, want) {
				t.Errorf("the PDF lacks %q:\n%s", want, text)
			}
		}
		wantStatus(t, "a year to come", b.get("/rapport/"+strconv.Itoa(year+1)+".pdf"), http.StatusNotFound)
		wantStatus(t, "not a year", b.get("/rapport/abc.pdf"), http.StatusNotFound)
	})
}

// reportFigures maps the PDF's integer table rows to the report's values.
func reportFigures(r *annual.Report) map[string]int64 {
	return map[string]int64{
		"annual.pdf.datasets": int64(r.Datasets.Total), "annual.pdf.opened": int64(r.Datasets.Opened),
		"annual.pdf.updated": int64(r.Datasets.Updated), "annual.pdf.records": r.Datasets.Records,
		"annual.pdf.views": r.Use.Views, "annual.pdf.downloads": r.Use.Downloads,
		"annual.pdf.devices": int64(r.Sensors.Devices), "annual.pdf.public": int64(r.Sensors.Public),
		"annual.pdf.received": int64(r.Opinions.Received), "annual.pdf.published": int64(r.Opinions.Published),
		"annual.pdf.rejected": int64(r.Opinions.Rejected), "annual.pdf.pending": int64(r.Opinions.Pending),
		"annual.pdf.answered": int64(r.Opinions.Answered), "annual.pdf.agreements": int64(r.Agreements.InForce),
		"annual.pdf.requests": r.Agreements.Requests, "annual.pdf.agreement_records": r.Agreements.Records,
		"annual.pdf.processings": int64(r.Registers.Processings), "annual.pdf.algorithms": int64(r.Registers.Algorithms),
		"annual.pdf.platform": int64(r.Registers.PlatformAlgorithms), "annual.pdf.alerts": int64(r.Incidents.Alerts),
		"annual.pdf.resolved": int64(r.Incidents.Resolved), "annual.pdf.purges": int64(r.Incidents.Purges),
		"annual.pdf.purged_rows": r.Incidents.PurgedRows, "annual.pdf.unread": int64(r.Sobriety.Unread),
		"annual.pdf.duplicates": int64(r.Sobriety.Duplicates),
	}
}

// pdfdocText is s as Text reads it back: the narrow no-break spaces of
// French numbers become no-break spaces in cp1252.
func pdfdocText(s string) string { return strings.ReplaceAll(s, "\u202f", "\u00a0") }

func (s *adminSite) srvMsgs(t *testing.T) *Messages {
	t.Helper()
	m, err := loadMessages("fr")
	must(t, err)
	return m
}
