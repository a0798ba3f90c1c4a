package dtpr

import (
	"bytes"
	"io"
	"math"
	"strings"
	"time"

	"github.com/go-pdf/fpdf"
	qrcode "github.com/skip2/go-qrcode"

	"github.com/socle/socle/internal/errs"
	"github.com/socle/socle/internal/pdfdoc"
)

// The PDF signs are the SVG signs' printable twins, in the same two sizes
// (an A4 poster, 210 × 297 mm, for a post; a 100 × 140 mm sticker for the
// device's box), drawn with fpdf's core Helvetica: its cp1252 encoding
// holds every French letter, and the translator below maps the few other
// characters a name may hold. The QR code is a PNG image at least 2 cm
// wide, as the standard asks.

// pdfLayout is a format's PDF geometry, in millimetres, and font sizes in
// points.
type pdfLayout struct {
	w, h, margin, badge, qr float64
	title, name, text, foot float64
}

var pdfLayouts = map[SignFormat]pdfLayout{
	SignA4:      {w: 210, h: 297, margin: 15, badge: 42, qr: 60, title: 28, name: 22, text: 15, foot: 8},
	SignSticker: {w: 100, h: 140, margin: 6, badge: 21, qr: 28, title: 12, name: 11, text: 7, foot: 4.5},
}

// WriteSignPDF writes s as a one-page PDF: the title, the sensor's name,
// the personal-data colour and its meaning, the accountable body and the
// purposes in words, the badges (accountable, purposes, technologies), the
// QR code to the sensor's page and the DTPR attribution. created is the
// document's date (fixed, so that the same sign gives the same bytes).
// errs.Invalid for an unknown format or a URL too long for a QR code.
func WriteSignPDF(w io.Writer, s Sign, created time.Time) error {
	l, ok := pdfLayouts[s.Format]
	if !ok {
		return errs.E(errs.Invalid, "format: a4 or sticker")
	}
	qr, err := qrcode.New(s.URL, qrcode.Medium)
	if err != nil {
		return errs.E(errs.Invalid, "the page URL does not fit a QR code")
	}
	png, err := qr.PNG(-8) // 8 pixels a module: sharp when printed 5 cm wide
	if err != nil {
		return errs.Wrap(errs.Internal, err, "QR code")
	}
	p, tr := pdfdoc.New(l.w, l.h, created)
	p.SetTitle("Panneau d'information : "+s.Title, true)
	p.AddPage()
	p.SetMargins(l.margin, l.margin, l.margin)
	p.SetAutoPageBreak(false, 0)
	width := l.w - 2*l.margin
	// line writes text in at most n lines: every text has a bounded
	// height, so that the whole sign fits its page.
	line := func(size float64, style, text string, n int) {
		p.SetFont(pdfdoc.Font, style, size)
		pdfdoc.Lines(p, tr, text, width, size*0.45, n)
	}
	p.SetXY(l.margin, l.margin)
	line(l.title, "B", "Capteur dans l'espace public", 1)
	line(l.name, "B", s.Title, 2)
	colour := s.Chain.Colour()
	y := p.GetY() + l.text*0.15
	sw := l.text * 0.4
	setFill(p, colour)
	p.SetDrawColor(0, 0, 0)
	p.Rect(l.margin, y, sw, sw, "FD")
	p.SetXY(l.margin+sw*1.4, y-sw*0.15)
	p.SetFont(pdfdoc.Font, "B", l.text)
	p.CellFormat(width-sw*1.4, sw*1.3, tr(colour.Label()), "", 1, "L", false, 0, "")
	p.SetX(l.margin)
	line(l.text, "", "Responsable : "+accountableNames(s.Chain), 2)
	line(l.text, "", "Finalité : "+purposeNames(s.Chain), 2)
	y = pdfBadges(p, tr, l, p.GetY()+l.text*0.3, s.Chain, colour)
	p.RegisterImageOptionsReader("qr", fpdf.ImageOptions{ImageType: "PNG"}, bytes.NewReader(png))
	p.ImageOptions("qr", l.margin, y, l.qr, l.qr, false, fpdf.ImageOptions{ImageType: "PNG"}, 0, s.URL)
	p.SetXY(l.margin, y+l.qr+l.text*0.2)
	line(l.text, "B", "Scannez pour tout savoir et donner votre avis", 2)
	line(l.text*0.8, "", s.URL, 2)
	foot := l.h - l.margin - 3*l.foot*0.45 // the footer's three lines at most
	if p.GetY() > foot {
		return errs.E(errs.Internal, "the sign's content overflows its footer (%.1f mm > %.1f mm)", p.GetY(), foot)
	}
	p.SetXY(l.margin, foot)
	line(l.foot, "", Attribution, 2)
	line(l.foot, "", SourceURL, 1)
	if err := p.Output(w); err != nil {
		return errs.Wrap(errs.Internal, err, "writing the sign")
	}
	return nil
}

// setFill sets p's fill colour to c's.
func setFill(p *fpdf.Fpdf, c Colour) { pdfdoc.SetFill(p, c.Hex()) }

// accountableNames and purposeNames are the chain's accountable bodies and
// purposes in words, for the sign's text lines.
func accountableNames(c *Chain) string {
	names := make([]string, len(c.Accountable))
	for i, a := range c.Accountable {
		names[i] = a.Name
	}
	return strings.Join(names, ", ")
}

func purposeNames(c *Chain) string {
	var names []string
	for _, id := range c.Purpose {
		if e, ok := Lookup("purpose", id); ok {
			names = append(names, e.Name)
		}
	}
	return strings.Join(names, ", ")
}

// pdfBadges draws the accountable, purpose and technology badges in at
// most two rows and returns the y under them.
func pdfBadges(p *fpdf.Fpdf, tr func(string) string, l pdfLayout, y float64, c *Chain, colour Colour) float64 {
	var items []Item
	for _, it := range c.Items() {
		switch it.Category.ID {
		case "accountable", "purpose", "tech":
			items = append(items, it)
		}
	}
	gap := l.badge / 20
	perRow := int((l.w - 2*l.margin + gap) / (l.badge + gap))
	n := min(len(items), 2*perRow)
	for i, it := range items[:n] {
		x := l.margin + float64(i%perRow)*(l.badge+gap)
		pdfBadge(p, tr, it, BadgeColour(it, colour), x, y+float64(i/perRow)*(l.badge+gap), l.badge)
	}
	rows := (n + perRow - 1) / perRow
	return y + float64(rows)*(l.badge+gap) + gap
}

// pdfBadge draws one badge, size millimetres wide, with its top-left
// corner at (x, y): the category's shape in the item's colour, a black
// outline (a white badge shows on white paper), the category's label and
// the element's name.
func pdfBadge(p *fpdf.Fpdf, tr func(string) string, it Item, fill Colour, x, y, size float64) {
	setFill(p, fill)
	p.SetDrawColor(0, 0, 0)
	p.SetLineWidth(size / 40)
	cx, cy, r := x+size/2, y+size/2, size*0.48
	switch it.Category.Shape {
	case "circle":
		p.Circle(cx, cy, r, "FD")
	case "square":
		p.RoundedRect(x+size*0.05, y+size*0.05, size*0.9, size*0.9, size/20, "1234", "FD")
	default: // pointy-top hexagon
		pts := make([]fpdf.PointType, 6)
		for i := range pts {
			a := math.Pi/2 + float64(i)*math.Pi/3
			pts[i] = fpdf.PointType{X: cx + r*math.Cos(a), Y: cy - r*math.Sin(a)}
		}
		p.Polygon(pts, "FD")
	}
	pt := size * 0.28 // font size in points: about 12 pt on a 42 mm badge
	p.SetFont(pdfdoc.Font, "B", pt)
	p.SetXY(x, y+size*0.26)
	p.CellFormat(size, pt*0.4, tr(it.Category.Name), "", 2, "C", false, 0, "")
	p.SetFont(pdfdoc.Font, "", pt*0.9)
	p.SetXY(x, y+size*0.42)
	for _, ln := range wrap(it.Element.Name, 16, 3) {
		p.SetX(x)
		p.CellFormat(size, pt*0.38, tr(ln), "", 2, "C", false, 0, "")
	}
}
