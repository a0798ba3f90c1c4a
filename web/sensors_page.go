package web

import (
	"bytes"
	"html/template"
	"net/http"

	"github.com/socle/socle/internal/app"
	"github.com/socle/socle/internal/catalog"
	"github.com/socle/socle/internal/dtpr"
	"github.com/socle/socle/internal/errs"
)

// sensorPage is the data of templates/sensors_device.html.
type sensorPage struct {
	Sensor      *app.PublicSensor
	Items       []sensorItem
	Badges      []template.HTML // accountable, purpose and technology
	Datasets    []*catalog.Dataset
	Stats       statsView
	Opinions    []*dtpr.Opinion
	Token       string
	Understand  []string
	Scale       []int
	MaxComment  int
	Attribution string
	Source      string
}

// sensorItem is one line of the datachain table.
type sensorItem struct {
	Category, Element, Text string
	Colour                  dtpr.Colour
	Badge                   template.HTML
}

// maxPageOpinions bounds the published opinions a sensor page lists.
const maxPageOpinions = 50

func (tr *transparency) handleSensor(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := tr.queryContext(r)
	defer cancel()
	ps, err := tr.app.PublicSensor(ctx, r.PathValue("id"))
	if err != nil {
		tr.renderError(w, r, err)
		return
	}
	p := &sensorPage{Sensor: ps, Understand: dtpr.UnderstandAnswers, Scale: []int{1, 2, 3, 4, 5},
		MaxComment: dtpr.MaxCommentRunes, Attribution: dtpr.Attribution, Source: dtpr.SourceURL,
		Token: tr.formToken(ps.Device.ID, tr.app.Now())}
	for _, it := range ps.Chain.Items() {
		b := badgeHTML(it, ps.Colour)
		p.Items = append(p.Items, sensorItem{Category: it.Category.Name, Element: it.Element.Name, Text: it.Text, Colour: it.Colour, Badge: b})
		switch it.Category.ID {
		case "accountable", "purpose", "tech":
			p.Badges = append(p.Badges, b)
		}
	}
	if p.Datasets, err = tr.app.SensorDatasets(ctx, ps); err != nil {
		tr.renderError(w, r, err)
		return
	}
	stats, err := tr.app.OpinionStats(ctx)
	if err != nil {
		tr.renderError(w, r, err)
		return
	}
	p.Stats = viewStats(stats[ps.Device.ID])
	if p.Opinions, err = tr.app.PublishedOpinions(ctx, ps.Device.ID, maxPageOpinions); err != nil {
		tr.renderError(w, r, err)
		return
	}
	tr.render(w, r, http.StatusOK, "sensors_device", ps.Device.Name, p)
}

// handleSign writes a sensor's printable sign, A4 or sticker, as SVG
// (panneau.svg) or PDF (panneau.pdf).
func (tr *transparency) handleSign(w http.ResponseWriter, r *http.Request) {
	ext, ok := map[string]string{"panneau.svg": "svg", "panneau.pdf": "pdf"}[r.PathValue("file")]
	if !ok {
		tr.renderError(w, r, errs.E(errs.NotFound, "page not found"))
		return
	}
	format := dtpr.SignFormat(r.URL.Query().Get("format"))
	if format == "" {
		format = dtpr.SignA4
	}
	if format != dtpr.SignA4 && format != dtpr.SignSticker {
		tr.renderError(w, r, errBadParam)
		return
	}
	ps, err := tr.app.PublicSensor(r.Context(), r.PathValue("id"))
	if err != nil {
		tr.renderError(w, r, err)
		return
	}
	var buf bytes.Buffer
	sign := dtpr.Sign{Format: format, Title: ps.Device.Name, URL: absBase(r) + "/capteurs/" + ps.Device.ID, Chain: ps.Chain}
	ctype := "image/svg+xml"
	if ext == "pdf" {
		ctype = "application/pdf"
		err = dtpr.WriteSignPDF(&buf, sign, tr.app.Now())
	} else {
		err = dtpr.WriteSign(&buf, sign)
	}
	if err != nil {
		if errs.KindOf(err) == errs.Invalid { // the URL too long for a QR code: say so
			err = errs.E(errs.Invalid, "%s", errs.Message(err))
		}
		tr.renderError(w, r, err)
		return
	}
	h := w.Header()
	h.Set("Content-Type", ctype)
	h.Set("Content-Disposition", `inline; filename="panneau-`+ps.Device.ID+`-`+string(format)+`.`+ext+`"`)
	w.Write(buf.Bytes())
}
