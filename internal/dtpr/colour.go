package dtpr

// Colour is the personal-data colour of a chain or an element, from the
// DTPR visual language.
type Colour string

// Colours: yellow when personal data is collected, blue when it is
// de-identified, white when there is none.
const (
	White  Colour = "white"
	Blue   Colour = "blue"
	Yellow Colour = "yellow"
)

// Colours lists the colours in the order of the public filters.
var Colours = []Colour{White, Blue, Yellow}

// Hex is the colour's fill, as the standard gives it.
func (c Colour) Hex() string {
	switch c {
	case Yellow:
		return "#FFDD00"
	case Blue:
		return "#36B2E6"
	}
	return "#FFFFFF"
}

// Label is the colour's French meaning: colour is never shown alone.
func (c Colour) Label() string {
	switch c {
	case Yellow:
		return "Données personnelles collectées"
	case Blue:
		return "Données anonymisées"
	}
	return "Aucune donnée personnelle"
}

// Valid reports whether c is one of Colours.
func (c Colour) Valid() bool { return c == White || c == Blue || c == Yellow }

// colourOf is the colour an element's context gives.
func colourOf(ctx Context) Colour {
	switch ctx {
	case ContextPII:
		return Yellow
	case ContextDeidentified:
		return Blue
	}
	return White
}
