// Package registers holds the public registers a collectivity keeps: the
// RGPD record of processing activities (Art. 30, the CNIL model's fields)
// and the public algorithm register (CRPA L312-1-3, Etalab's inventory
// fields). Entries link to the datasets and device domains they concern.
// Each register has a public view (its non-confidential part) and exports
// as CSV and JSON. It imports no infrastructure: engines implement Store.
package registers

import (
	"context"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/socle/socle/internal/errs"
)

// Processing is one processing activity of the RGPD record (a "fiche" of
// the CNIL model).
type Processing struct {
	ID              string    `json:"id"` // slug
	Name            string    `json:"name"`
	Controller      string    `json:"controller"` // the organization responsible, and its contact
	DPO             string    `json:"dpo"`        // the data protection officer's contact
	JointController string    `json:"joint_controller,omitempty"`
	Purposes        []string  `json:"purposes"`      // the main purpose first
	LegalBasis      string    `json:"legal_basis"`   // e.g. "Art. 6(1)(e) RGPD : mission d'intérêt public"
	DataSubjects    []string  `json:"data_subjects"` // categories of persons concerned
	DataCategories  []string  `json:"data_categories"`
	Sensitive       []string  `json:"sensitive,omitempty"` // sensitive data (Art. 9), none when empty
	Retention       string    `json:"retention"`           // a duration or its criterion
	Recipients      []string  `json:"recipients"`
	Transfers       string    `json:"transfers,omitempty"` // outside the EU, with their safeguards; empty: none
	Security        []string  `json:"security"`
	Datasets        []string  `json:"datasets,omitempty"`       // dataset IDs holding the personal data
	DeviceDomains   []string  `json:"device_domains,omitempty"` // sensor domains whose devices collect them
	Software        string    `json:"software,omitempty"`
	Confidential    string    `json:"confidential,omitempty"` // internal notes: never in the public view
	Created         time.Time `json:"created"`
	Updated         time.Time `json:"updated"`
}

// Automation levels of an algorithm in a decision.
const (
	AutomationSupport = "aide" // decision support: a person decides
	AutomationFull    = "auto" // fully automated decision
)

// Algorithm is one entry of the public algorithm register.
type Algorithm struct {
	ID               string    `json:"id"` // slug
	Name             string    `json:"name"`
	Service          string    `json:"service"` // the service in charge
	Contact          string    `json:"contact"`
	Purpose          string    `json:"purpose"`     // the decision or task, its context and justification
	DecisionStep     string    `json:"decision"`    // where it intervenes in the decision
	Automation       string    `json:"automation"`  // AutomationSupport or AutomationFull
	LegalBasis       string    `json:"legal_basis"` // legal bases and related texts
	Data             []string  `json:"data"`        // data used, with their sources
	Method           string    `json:"method"`      // "règles" (rules) or "apprentissage" (machine learning)
	Operations       string    `json:"operations"`  // what it computes, its parameters
	HumanOversight   string    `json:"human_oversight"`
	Scope            string    `json:"scope,omitempty"` // people concerned, decisions per year
	SourceURL        string    `json:"source_url,omitempty"`
	PlatformFunction bool      `json:"platform_function,omitempty"` // one of Socle's own algorithms
	Confidential     string    `json:"confidential,omitempty"`      // internal notes: never in the public view
	Updated          time.Time `json:"updated"`
}

var id = regexp.MustCompile(`^[a-z0-9][a-z0-9_.-]{0,99}$`)

// Limits of an entry.
const (
	maxText  = 4000 // bytes of one text field
	maxItems = 50   // items of one list
)

// Validate checks p. errs.Invalid naming the field.
func (p *Processing) Validate() error {
	if err := checkID(p.ID); err != nil {
		return err
	}
	for _, f := range []struct{ name, v string }{{"name", p.Name}, {"controller", p.Controller}, {"dpo", p.DPO},
		{"legal_basis", p.LegalBasis}, {"retention", p.Retention}} {
		if strings.TrimSpace(f.v) == "" {
			return errs.E(errs.Invalid, "processing %s: %s is required (RGPD Art. 30)", p.ID, f.name)
		}
	}
	for _, f := range []struct {
		name string
		v    []string
	}{{"purposes", p.Purposes}, {"data_subjects", p.DataSubjects}, {"data_categories", p.DataCategories},
		{"recipients", p.Recipients}, {"security", p.Security}} {
		if len(f.v) == 0 {
			return errs.E(errs.Invalid, "processing %s: %s needs at least one item (RGPD Art. 30)", p.ID, f.name)
		}
	}
	return checkSizes(p.ID, []string{p.Name, p.Controller, p.DPO, p.JointController, p.LegalBasis, p.Retention, p.Transfers, p.Software, p.Confidential},
		p.Purposes, p.DataSubjects, p.DataCategories, p.Sensitive, p.Recipients, p.Security, p.Datasets, p.DeviceDomains)
}

// Validate checks a. errs.Invalid naming the field.
func (a *Algorithm) Validate() error {
	if err := checkID(a.ID); err != nil {
		return err
	}
	for _, f := range []struct{ name, v string }{{"name", a.Name}, {"service", a.Service}, {"contact", a.Contact},
		{"purpose", a.Purpose}, {"decision", a.DecisionStep}, {"legal_basis", a.LegalBasis}, {"operations", a.Operations},
		{"human_oversight", a.HumanOversight}} {
		if strings.TrimSpace(f.v) == "" {
			return errs.E(errs.Invalid, "algorithm %s: %s is required (CRPA L312-1-3)", a.ID, f.name)
		}
	}
	if !slices.Contains([]string{AutomationSupport, AutomationFull}, a.Automation) {
		return errs.E(errs.Invalid, "algorithm %s: automation must be %q (decision support) or %q (fully automated)", a.ID, AutomationSupport, AutomationFull)
	}
	if len(a.Data) == 0 {
		return errs.E(errs.Invalid, "algorithm %s: data needs at least one source", a.ID)
	}
	return checkSizes(a.ID, []string{a.Name, a.Service, a.Contact, a.Purpose, a.DecisionStep, a.LegalBasis, a.Method,
		a.Operations, a.HumanOversight, a.Scope, a.SourceURL, a.Confidential}, a.Data)
}

func checkID(s string) error {
	if !id.MatchString(s) {
		return errs.E(errs.Invalid, "invalid register id %q: use lower-case letters, digits, '.', '-' and '_'", s)
	}
	return nil
}

// checkSizes bounds the texts and lists of an entry.
func checkSizes(id string, texts []string, lists ...[]string) error {
	for _, t := range texts {
		if len(t) > maxText {
			return errs.E(errs.Invalid, "register entry %s: a text is longer than %d bytes", id, maxText)
		}
	}
	for _, l := range lists {
		if len(l) > maxItems {
			return errs.E(errs.Invalid, "register entry %s: a list has more than %d items", id, maxItems)
		}
		for _, t := range l {
			if strings.TrimSpace(t) == "" || len(t) > maxText {
				return errs.E(errs.Invalid, "register entry %s: list items are 1 to %d bytes", id, maxText)
			}
		}
	}
	return nil
}

// Public returns p's public view: everything but the confidential notes.
func (p Processing) Public() Processing {
	p.Confidential = ""
	return p
}

// Public returns a's public view: everything but the confidential notes.
func (a Algorithm) Public() Algorithm {
	a.Confidential = ""
	return a
}

// Store persists the registers.
type Store interface {
	// PutProcessing inserts or replaces an activity (Created kept on
	// replace); PutAlgorithm the same for an algorithm.
	PutProcessing(ctx context.Context, p *Processing) error
	PutAlgorithm(ctx context.Context, a *Algorithm) error
	// Processing and Algorithm return an entry by ID. errs.NotFound.
	Processing(ctx context.Context, id string) (*Processing, error)
	Algorithm(ctx context.Context, id string) (*Algorithm, error)
	// Processings and Algorithms list the entries by ID.
	Processings(ctx context.Context) ([]*Processing, error)
	Algorithms(ctx context.Context) ([]*Algorithm, error)
	// DeleteProcessing and DeleteAlgorithm remove an entry. errs.NotFound.
	DeleteProcessing(ctx context.Context, id string) error
	DeleteAlgorithm(ctx context.Context, id string) error
	ContractStore
}

// Contract is a delegated public service contract with its data clauses:
// the datasets the delegate must deliver, how often and in which format.
type Contract struct {
	ID           string    `json:"id"`       // slug
	Delegate     string    `json:"delegate"` // the delegate's organization ID
	Service      string    `json:"service"`  // e.g. "Stationnement en ouvrage"
	Start        time.Time `json:"start"`
	End          time.Time `json:"end"`
	Clauses      []Clause  `json:"clauses"`
	Confidential string    `json:"confidential,omitempty"` // never in the public view
	Updated      time.Time `json:"updated"`
}

// Clause is one dataset a delegate must deliver: updated at least every
// FrequencyDays days, in Format.
type Clause struct {
	Dataset       string `json:"dataset"`
	FrequencyDays int    `json:"frequency_days"`
	Format        string `json:"format,omitempty"` // e.g. "CSV, schéma stationnement"
}

// Validate checks c. errs.Invalid naming the field.
func (c *Contract) Validate() error {
	if err := checkID(c.ID); err != nil {
		return err
	}
	if strings.TrimSpace(c.Delegate) == "" || strings.TrimSpace(c.Service) == "" {
		return errs.E(errs.Invalid, "contract %s: delegate and service are required", c.ID)
	}
	if c.Start.IsZero() || !c.End.After(c.Start) {
		return errs.E(errs.Invalid, "contract %s: end must come after start", c.ID)
	}
	if len(c.Clauses) == 0 || len(c.Clauses) > maxItems {
		return errs.E(errs.Invalid, "contract %s: 1 to %d data clauses", c.ID, maxItems)
	}
	for _, cl := range c.Clauses {
		if !id.MatchString(cl.Dataset) || cl.FrequencyDays < 1 || cl.FrequencyDays > 3660 {
			return errs.E(errs.Invalid, "contract %s: a clause names a dataset ID and a frequency of 1 to 3660 days", c.ID)
		}
	}
	return checkSizes(c.ID, []string{c.Delegate, c.Service, c.Confidential})
}

// Public returns c's public view: everything but the confidential notes.
func (c Contract) Public() Contract {
	c.Confidential = ""
	return c
}

// ContractStore persists the contracts of delegated public services.
type ContractStore interface {
	PutContract(ctx context.Context, c *Contract) error
	Contract(ctx context.Context, id string) (*Contract, error) // errs.NotFound
	Contracts(ctx context.Context) ([]*Contract, error)         // by ID
	DeleteContract(ctx context.Context, id string) error        // errs.NotFound
}
