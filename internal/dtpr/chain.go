package dtpr

import (
	"bytes"
	"encoding/json"
	"io"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/socle/socle/internal/errs"
)

// Chain is a device's datachain: per category, the chosen element IDs of
// the taxonomy, in order of importance, and the chain's variables.
type Chain struct {
	Accountable []Party  `json:"accountable"`
	Purpose     []string `json:"purpose"`
	Tech        []string `json:"tech"`
	Data        []string `json:"data,omitempty"`
	Process     []string `json:"process,omitempty"`
	Access      []string `json:"access,omitempty"`
	Storage     []string `json:"storage,omitempty"`
	Retention   string   `json:"retention"`
	// RetentionDuration is the DTPR variable {{duration}} of data_retained,
	// in words ("30 jours").
	RetentionDuration string `json:"retention_duration,omitempty"`
	// Hosting says who hosts the data and where ("Métropole, Lyon").
	Hosting string `json:"hosting,omitempty"`
	// Summary is a short French sentence about what the sensor does.
	Summary string `json:"summary,omitempty"`
}

// Party is an accountable body: an element of the accountable category
// (institution or organization) and its name.
type Party struct {
	Kind string `json:"kind"`
	Name string `json:"name"`
}

// Limits of a chain.
const (
	MaxChainBytes   = 16 << 10
	MaxPurposes     = 3 // the standard's content rule
	MaxParties      = 3
	MaxPerCategory  = 10
	MaxTextRunes    = 200
	MaxSummaryRunes = 500
)

// ParseChain reads a chain from JSON (unknown members refused) and
// validates it. errs.Invalid, errs.TooLarge past MaxChainBytes.
func ParseChain(r io.Reader) (*Chain, error) {
	data, err := io.ReadAll(io.LimitReader(r, MaxChainBytes+1))
	if err != nil {
		return nil, errs.Wrap(errs.Invalid, err, "cannot read the datachain")
	}
	if len(data) > MaxChainBytes {
		return nil, errs.E(errs.TooLarge, "a datachain is at most %d KiB", MaxChainBytes>>10)
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var c Chain
	if err := dec.Decode(&c); err != nil {
		return nil, errs.E(errs.Invalid, "the datachain is not valid JSON of the expected shape")
	}
	if dec.More() {
		return nil, errs.E(errs.Invalid, "the datachain is followed by other data")
	}
	if err := c.Validate(); err != nil {
		return nil, err
	}
	return &c, nil
}

// Validate checks c against the taxonomy and the limits. errs.Invalid
// names the first fault.
func (c *Chain) Validate() error {
	if len(c.Accountable) == 0 || len(c.Accountable) > MaxParties {
		return errs.E(errs.Invalid, "accountable: give 1 to %d accountable bodies", MaxParties)
	}
	for _, p := range c.Accountable {
		if _, ok := Lookup("accountable", p.Kind); !ok {
			return errs.E(errs.Invalid, "accountable: unknown kind %q", p.Kind)
		}
		if err := checkText("accountable name", p.Name, MaxTextRunes, true); err != nil {
			return err
		}
	}
	lists := []struct {
		cat      string
		ids      []string
		min, max int
	}{
		{"purpose", c.Purpose, 1, MaxPurposes}, {"tech", c.Tech, 1, MaxPerCategory},
		{"data", c.Data, 0, MaxPerCategory}, {"process", c.Process, 0, MaxPerCategory},
		{"access", c.Access, 0, MaxPerCategory}, {"storage", c.Storage, 0, MaxPerCategory},
	}
	for _, l := range lists {
		if err := checkIDs(l.cat, l.ids, l.min, l.max); err != nil {
			return err
		}
	}
	return c.validateVariables()
}

func (c *Chain) validateVariables() error {
	if _, ok := Lookup("retention", c.Retention); !ok {
		return errs.E(errs.Invalid, "retention: give data_retained or no_data_retained")
	}
	needDuration := c.Retention == "data_retained"
	if err := checkText("retention_duration", c.RetentionDuration, MaxTextRunes, needDuration); err != nil {
		return err
	}
	if !needDuration && c.RetentionDuration != "" {
		return errs.E(errs.Invalid, "retention_duration: only with data_retained")
	}
	if err := checkText("hosting", c.Hosting, MaxTextRunes, false); err != nil {
		return err
	}
	return checkText("summary", c.Summary, MaxSummaryRunes, false)
}

// checkIDs checks that ids are between min and max known, distinct
// elements of cat.
func checkIDs(cat string, ids []string, min, max int) error {
	if len(ids) < min || len(ids) > max {
		return errs.E(errs.Invalid, "%s: give %d to %d elements", cat, min, max)
	}
	for i, id := range ids {
		if _, ok := Lookup(cat, id); !ok {
			return errs.E(errs.Invalid, "%s: unknown element %q", cat, truncate(id, 64))
		}
		if slices.Contains(ids[:i], id) {
			return errs.E(errs.Invalid, "%s: element %q appears twice", cat, id)
		}
	}
	return nil
}

// checkText bounds a free text: valid UTF-8, no control characters.
func checkText(name, s string, max int, required bool) error {
	switch {
	case required && strings.TrimSpace(s) == "":
		return errs.E(errs.Invalid, "%s is required", name)
	case !utf8.ValidString(s):
		return errs.E(errs.Invalid, "%s is not valid UTF-8", name)
	case utf8.RuneCountInString(s) > max:
		return errs.E(errs.Invalid, "%s is longer than %d characters", name, max)
	case strings.ContainsFunc(s, unicode.IsControl):
		return errs.E(errs.Invalid, "%s holds control characters", name)
	}
	return nil
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}

// Colour is the chain's personal-data colour: yellow when any element
// collects personal data, else blue when any de-identifies, else white.
func (c *Chain) Colour() Colour {
	out := White
	for _, it := range c.Items() {
		switch it.Colour {
		case Yellow:
			return Yellow
		case Blue:
			out = Blue
		}
	}
	return out
}

// Item is one element of a chain, ready to show.
type Item struct {
	Category Category // without its elements
	Element  Element
	Colour   Colour
	Text     string // the accountable body's name, or the retention duration
}

// Items lists the chain's elements in chain order.
func (c *Chain) Items() []Item {
	var out []Item
	add := func(cat, id, text string) {
		e, ok := Lookup(cat, id)
		if !ok {
			return // Validate refuses it; a stored chain predating a taxonomy change shows the rest
		}
		k := *byCategory[cat]
		k.Elements = nil
		out = append(out, Item{Category: k, Element: e, Colour: colourOf(e.Context), Text: text})
	}
	for _, p := range c.Accountable {
		add("accountable", p.Kind, p.Name)
	}
	for _, l := range []struct {
		cat string
		ids []string
	}{{"purpose", c.Purpose}, {"tech", c.Tech}, {"data", c.Data}, {"process", c.Process}, {"access", c.Access}, {"storage", c.Storage}} {
		for _, id := range l.ids {
			add(l.cat, id, "")
		}
	}
	add("retention", c.Retention, c.RetentionDuration)
	return out
}
