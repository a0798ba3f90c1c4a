package dtpr

import (
	"fmt"
	"html"
	"io"
	"strings"

	qrcode "github.com/skip2/go-qrcode"

	"github.com/socle/socle/internal/errs"
)

// SignFormat is a printable sign's size.
type SignFormat string

// Formats: an A4 poster (210 × 297 mm) and a sticker (100 × 140 mm).
const (
	SignA4      SignFormat = "a4"
	SignSticker SignFormat = "sticker"
)

// Sign is what a printable sign shows.
type Sign struct {
	Format SignFormat
	Title  string // the sensor's public name
	URL    string // absolute URL of the sensor's page, the QR code's target
	Chain  *Chain
}

// signLayout holds a format's geometry, in millimetres (1 SVG unit = 1 mm).
type signLayout struct {
	w, h, margin, badge, qr float64
	title, text             float64 // font sizes
}

var layouts = map[SignFormat]signLayout{
	SignA4:      {w: 210, h: 297, margin: 15, badge: 40, qr: 50, title: 9, text: 5},
	SignSticker: {w: 100, h: 140, margin: 6, badge: 21, qr: 28, title: 5, text: 3},
}

// WriteSign writes s as an SVG document sized in millimetres. The QR code
// is at least 2 cm wide on both formats, as the standard asks.
// errs.Invalid for an unknown format or a URL too long for a QR code.
func WriteSign(w io.Writer, s Sign) error {
	l, ok := layouts[s.Format]
	if !ok {
		return errs.E(errs.Invalid, "format: a4 or sticker")
	}
	qr, err := qrcode.New(s.URL, qrcode.Medium)
	if err != nil {
		return errs.E(errs.Invalid, "the page URL does not fit a QR code")
	}
	var b strings.Builder
	fmt.Fprintf(&b, `<?xml version="1.0" encoding="UTF-8"?>`+"\n"+`<svg xmlns="http://www.w3.org/2000/svg" width="%gmm" height="%gmm" viewBox="0 0 %g %g" role="img" aria-label="%s">`+"\n",
		l.w, l.h, l.w, l.h, esc("Panneau d'information : "+s.Title))
	fmt.Fprintf(&b, `<rect width="%g" height="%g" fill="#fff"/>`+"\n", l.w, l.h)
	y := l.margin + l.title
	y = signText(&b, l.margin, y, l.title, "bold", "Capteur dans l'espace public")
	y = signText(&b, l.margin, y+l.text*0.6, l.text*1.2, "bold", s.Title)
	colour := s.Chain.Colour()
	y = signText(&b, l.margin, y+l.text*0.4, l.text, "normal", colour.Label())
	y = signBadges(&b, l, y+l.text, s.Chain, colour)
	signQR(&b, l, y+l.text, qr.Bitmap())
	ty := y + l.text + l.qr + l.text*1.6
	ty = signText(&b, l.margin, ty, l.text, "bold", "Scannez pour tout savoir et donner votre avis")
	ty = signText(&b, l.margin, ty, l.text*0.8, "normal", s.URL)
	foot := l.h - l.margin - l.text*1.4
	signText(&b, l.margin, foot, l.text*0.6, "normal", Attribution)
	signText(&b, l.margin, foot+l.text*0.8, l.text*0.6, "normal", SourceURL)
	b.WriteString("</svg>\n")
	_, err = io.WriteString(w, b.String())
	return err
}

// signText writes one line of text with its baseline at y and returns the
// next line's baseline.
func signText(b *strings.Builder, x, y, size float64, weight, s string) float64 {
	fmt.Fprintf(b, `<text x="%g" y="%g" font-family="Marianne, Arial, sans-serif" font-size="%g" font-weight="%s" fill="#000">%s</text>`+"\n",
		x, y, size, weight, esc(s))
	return y + size*1.3
}

// signBadges draws the sign's honeycomb: the first accountable body, up to
// three purposes and the technologies, in rows, and returns the y under
// them.
func signBadges(b *strings.Builder, l signLayout, y float64, c *Chain, colour Colour) float64 {
	var items []Item
	for _, it := range c.Items() {
		switch it.Category.ID {
		case "accountable", "purpose", "tech":
			items = append(items, it)
		}
	}
	perRow := int((l.w - 2*l.margin) / (l.badge + 2))
	scale := l.badge / BadgeSize
	for i, it := range items[:min(len(items), 2*perRow)] {
		x := l.margin + float64(i%perRow)*(l.badge+2)
		by := y + float64(i/perRow)*(l.badge+2)
		fmt.Fprintf(b, `<g transform="translate(%g %g) scale(%g)" class="dtpr-badge" data-category="%s" data-element="%s">`,
			x, by, scale, esc(it.Category.ID), esc(it.Element.ID))
		var g strings.Builder
		writeBadge(&g, it, BadgeColour(it, colour), 0, 0)
		b.WriteString(g.String())
		b.WriteString("</g>\n")
	}
	rows := (min(len(items), 2*perRow) + perRow - 1) / perRow
	return y + float64(rows)*(l.badge+2)
}

// signQR draws the QR code's dark modules as one path, qr millimetres wide
// (quiet zone included, as the bitmap holds it).
func signQR(b *strings.Builder, l signLayout, y float64, bits [][]bool) {
	n := float64(len(bits))
	fmt.Fprintf(b, `<g class="qr" transform="translate(%g %g) scale(%g)"><rect width="%g" height="%g" fill="#fff"/><path fill="#000" d="`,
		l.margin, y, l.qr/n, n, n)
	for r, row := range bits {
		for c, dark := range row {
			if dark {
				fmt.Fprintf(b, "M%d %dh1v1h-1z", c, r)
			}
		}
	}
	b.WriteString(`"/></g>` + "\n")
}

func esc(s string) string { return html.EscapeString(s) }
