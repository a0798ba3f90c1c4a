// Package dtpr is Socle's sensor transparency domain, after the Digital
// Trust for Places & Routines standard (DTPR): the device taxonomy (vendored
// as data, French labels), the datachain a steward gives each sensor, the
// personal-data colour derived from it, badges drawn in the DTPR visual
// language, and the citizens' opinions on each sensor with their
// moderation. It imports no infrastructure: engines implement Store.
//
// The taxonomy and the visual language are © Digital Transparency in the
// Public Realm contributors, CC BY 4.0 (see ATTRIBUTION.md); every public
// page and sign that shows them carries Attribution.
package dtpr

import (
	_ "embed"
	"encoding/json"
	"fmt"
)

// Attribution is the notice public pages and signs carry.
const Attribution = "Taxonomie et langage visuel DTPR © Digital Transparency in the Public Realm contributors, licence CC BY 4.0"

// SourceURL is where the standard lives.
const SourceURL = "https://go.dtpr.guide/github"

// Category is one step of a device datachain (accountable, purpose…).
type Category struct {
	ID       string    `json:"id"`
	Order    int       `json:"order"`
	Name     string    `json:"name"`  // French label
	Shape    string    `json:"shape"` // hexagon, circle or square
	Elements []Element `json:"elements"`
}

// Element is one value a category can take.
type Element struct {
	ID      string  `json:"id"`
	Name    string  `json:"name"`              // French label
	Context Context `json:"context,omitempty"` // what it says about personal data
}

// Context is what an element says about personal data.
type Context string

// Contexts: an element collects personally identifiable information, makes
// data de-identified, or says nothing about it.
const (
	ContextNone         Context = ""
	ContextPII          Context = "pii"
	ContextDeidentified Context = "deid"
)

//go:embed taxonomy.json
var taxonomyJSON []byte

// taxonomy is the parsed taxonomy; index maps "category/element" to it.
var (
	categories []Category
	index      = map[string]Element{}
	byCategory = map[string]*Category{}
)

func init() {
	var t struct {
		Categories []Category `json:"categories"`
	}
	if err := json.Unmarshal(taxonomyJSON, &t); err != nil {
		panic(fmt.Sprintf("dtpr: taxonomy.json: %v", err))
	}
	categories = t.Categories
	for i := range categories {
		c := &categories[i]
		byCategory[c.ID] = c
		for _, e := range c.Elements {
			index[c.ID+"/"+e.ID] = e
		}
	}
}

// Categories returns the device categories in chain order. Callers must
// not modify them.
func Categories() []Category { return categories }

// CategoryByID returns a category.
func CategoryByID(id string) (*Category, bool) {
	c, ok := byCategory[id]
	return c, ok
}

// Lookup returns the element id of category cat.
func Lookup(cat, id string) (Element, bool) {
	e, ok := index[cat+"/"+id]
	return e, ok
}
