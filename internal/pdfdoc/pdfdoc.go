// Package pdfdoc holds what Socle's printable PDFs (the DTPR signs in
// internal/dtpr, the annual report in web) share on top of
// github.com/go-pdf/fpdf: reproducible documents, French text in the core
// fonts, colours and horizontal bar charts. It draws only; it imports no
// storage or network package.
package pdfdoc

import (
	"strings"
	"time"

	"github.com/go-pdf/fpdf"
)

// Font is the core font every document uses: no font file to vendor, and
// its cp1252 encoding holds every French letter.
const Font = "Helvetica"

// New starts a portrait document w × h millimetres with fixed creation and
// modification dates and a sorted catalogue, so that the same input gives
// the same bytes (golden files), and its text translator.
func New(w, h float64, created time.Time) (*fpdf.Fpdf, func(string) string) {
	p := fpdf.NewCustom(&fpdf.InitType{OrientationStr: "P", UnitStr: "mm", Size: fpdf.SizeType{Wd: w, Ht: h}})
	p.SetCreationDate(created)
	p.SetModificationDate(created)
	p.SetCatalogSort(true)
	p.SetProducer("Socle", false)
	tr := p.UnicodeTranslatorFromDescriptor("")
	return p, func(s string) string { return tr(replacer.Replace(s)) }
}

// replacer maps the characters French text uses that cp1252 lacks to their
// nearest equivalent (the translator would print a dot): the narrow
// no-break space of French numbers, subscript digits (CO₂), typographic
// hyphens and the minus sign.
var replacer = strings.NewReplacer("\u202f", "\u00a0", "\u2009", " ", "\u2011", "-", "\u2010", "-", "\u2212", "-",
	"₀", "0", "₁", "1", "₂", "2", "₃", "3")

// SetFill sets p's fill colour from a "#RRGGBB" hex string.
func SetFill(p *fpdf.Fpdf, hex string) {
	r, g, b := RGB(hex)
	p.SetFillColor(r, g, b)
}

// RGB decodes a "#RRGGBB" hex colour; other characters count as 0.
func RGB(hex string) (r, g, b int) {
	v := 0
	for _, c := range strings.TrimPrefix(hex, "#") {
		v <<= 4
		switch {
		case c >= '0' && c <= '9':
			v |= int(c - '0')
		case c >= 'A' && c <= 'F':
			v |= int(c-'A') + 10
		case c >= 'a' && c <= 'f':
			v |= int(c-'a') + 10
		}
	}
	return v >> 16 & 0xff, v >> 8 & 0xff, v & 0xff
}

// Bar is one bar of a chart.
type Bar struct {
	Label string
	N     int64
	Text  string // N as shown (French thousands separators)
}

// Bars draws a horizontal bar chart at the current position, width
// millimetres wide: the labels on the left third, the bars scaled to the
// largest count, each count after its bar; a chart too long for the page
// goes on the next. It moves the position under the chart.
func Bars(p *fpdf.Fpdf, tr func(string) string, bars []Bar, width float64, fill string) {
	const row, barH, pt = 6.0, 4.0, 9.0
	x, y := p.GetX(), p.GetY()
	labelW, numW := width/3, 20.0
	var top int64 = 1
	for _, b := range bars {
		top = max(top, b.N)
	}
	p.SetFont(Font, "", pt)
	SetFill(p, fill)
	_, ht := p.GetPageSize()
	_, topMargin, _, bottom := p.GetMargins()
	for _, b := range bars {
		if y+row > ht-bottom {
			p.AddPage()
			p.SetFont(Font, "", pt)
			y = topMargin
		}
		by := y
		y += row
		p.SetXY(x, by)
		p.CellFormat(labelW-2, row, tr(fit(p, tr, b.Label, labelW-2)), "", 0, "L", false, 0, "")
		w := max(0.5, float64(b.N)/float64(top)*(width-labelW-numW))
		p.Rect(x+labelW, by+(row-barH)/2, w, barH, "F")
		p.SetXY(x+labelW+w+1, by)
		p.CellFormat(numW, row, tr(b.Text), "", 0, "L", false, 0, "")
	}
	p.SetXY(x, y+2)
}

// Lines writes text at the left margin in lines of at most width
// millimetres, lineH high, at most n of them: the last ends with an
// ellipsis when text is left over. A bounded height lets a one-page
// document (a sign) be sure to fit.
func Lines(p *fpdf.Fpdf, tr func(string) string, text string, width, lineH float64, n int) {
	inner := width - 2*p.GetCellMargin() // a cell pads its text on both sides
	lines := split(p, tr(text), inner)
	if len(lines) > n {
		lines = lines[:n]
		last := lines[n-1]
		for len(last) > 0 && p.GetStringWidth(last+ellipsis) > inner {
			last = last[:len(last)-1]
		}
		lines[n-1] = last + ellipsis
	}
	x, _, _, _ := p.GetMargins()
	for _, ln := range lines {
		p.SetX(x)
		p.CellFormat(width, lineH, ln, "", 2, "L", false, 0, "")
	}
	p.SetX(x)
}

// ellipsis is "…" in cp1252, the encoding of translated text.
const ellipsis = "\x85"

// split wraps s, already in cp1252 (one byte a character, so fpdf's
// SplitText, which reads UTF-8, does not apply), into lines of at most
// width millimetres, at spaces, or anywhere in a word too long for a line.
func split(p *fpdf.Fpdf, s string, width float64) []string {
	var lines []string
	cur := ""
	for _, word := range strings.Fields(s) {
		next := word
		if cur != "" {
			next = cur + " " + word
		}
		if p.GetStringWidth(next) <= width {
			cur = next
			continue
		}
		if cur != "" {
			lines = append(lines, cur)
		}
		for p.GetStringWidth(word) > width && len(word) > 1 {
			i := len(word) - 1
			for i > 1 && p.GetStringWidth(word[:i]) > width {
				i--
			}
			lines = append(lines, word[:i])
			word = word[i:]
		}
		cur = word
	}
	if cur != "" {
		lines = append(lines, cur)
	}
	return lines
}

// fit shortens s with an ellipsis until it is at most w millimetres wide.
func fit(p *fpdf.Fpdf, tr func(string) string, s string, w float64) string {
	r := []rune(s)
	for len(r) > 1 && p.GetStringWidth(tr(string(r))) > w {
		r = append(r[:len(r)-2], '…')
	}
	return string(r)
}
