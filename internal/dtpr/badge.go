package dtpr

import (
	"fmt"
	"html"
	"strings"
)

// The badges are simple shapes in the DTPR visual language — hexagon for
// accountability, purpose and technology, circle for data and processing,
// square for access, storage and retention — filled with the item's
// personal-data colour, with the category's French label and the element's
// name as text (colour is never the only signal). They are not the official
// DTPR icons, which can replace them (ATTRIBUTION.md).

// BadgeSize is a badge's width and height in SVG user units.
const BadgeSize = 120

// BadgeSVG returns a standalone <svg> element for it, with a text
// alternative; all text is escaped.
func BadgeSVG(it Item, fill Colour) string {
	var b strings.Builder
	label := it.Category.Name + " : " + it.Element.Name
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" class="dtpr-badge" width="%d" height="%d" viewBox="0 0 %d %d" role="img" aria-label="%s">`,
		BadgeSize, BadgeSize, BadgeSize, BadgeSize, html.EscapeString(label))
	writeBadge(&b, it, fill, 0, 0)
	b.WriteString(`</svg>`)
	return b.String()
}

// writeBadge draws it's badge with its top-left corner at (x, y).
func writeBadge(b *strings.Builder, it Item, fill Colour, x, y float64) {
	fmt.Fprintf(b, `<g transform="translate(%g %g)">`, x, y)
	b.WriteString(shapePath(it.Category.Shape, fill))
	fmt.Fprintf(b, `<text x="60" y="38" text-anchor="middle" font-family="Marianne, Arial, sans-serif" font-size="11" font-weight="bold" fill="#000">%s</text>`,
		html.EscapeString(it.Category.Name))
	for i, line := range wrap(it.Element.Name, 16, 3) {
		fmt.Fprintf(b, `<text x="60" y="%d" text-anchor="middle" font-family="Marianne, Arial, sans-serif" font-size="10" fill="#000">%s</text>`,
			58+i*13, html.EscapeString(line))
	}
	b.WriteString(`</g>`)
}

// shapePath is the badge's outline, a black stroke around the fill so that
// a white badge shows on white paper.
func shapePath(shape string, fill Colour) string {
	style := fmt.Sprintf(`fill="%s" stroke="#000" stroke-width="3"`, fill.Hex())
	switch shape {
	case "circle":
		return fmt.Sprintf(`<circle cx="60" cy="60" r="56" %s/>`, style)
	case "square":
		return fmt.Sprintf(`<rect x="6" y="6" width="108" height="108" rx="6" %s/>`, style)
	}
	// A pointy-top regular hexagon of radius 58 centred on (60, 60).
	return fmt.Sprintf(`<polygon points="60,2 110.2,31 110.2,89 60,118 9.8,89 9.8,31" %s/>`, style)
}

// wrap splits s into at most n lines of about width characters, breaking
// at spaces; the last line ends with an ellipsis when text is left over.
func wrap(s string, width, n int) []string {
	var lines []string
	cur := ""
	for _, w := range strings.Fields(s) {
		switch {
		case cur == "":
			cur = w
		case len([]rune(cur))+1+len([]rune(w)) <= width:
			cur += " " + w
		default:
			lines = append(lines, cur)
			cur = w
		}
	}
	if cur != "" {
		lines = append(lines, cur)
	}
	if len(lines) > n {
		lines = append(lines[:n-1:n-1], lines[n-1]+"…")
	}
	return lines
}

// BadgeColour is the fill of it's badge in a chain of colour chain: the
// accountable and purpose badges take the chain's colour, the others their
// own.
func BadgeColour(it Item, chain Colour) Colour {
	if it.Category.ID == "accountable" || it.Category.ID == "purpose" {
		return chain
	}
	return it.Colour
}
