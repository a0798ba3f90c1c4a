package agreements

import (
	"strings"
	"testing"
	"time"

	"github.com/socle/socle/internal/errs"
)

var (
	start = time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	end   = time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
)

func valid() *Agreement {
	return &Agreement{ID: "acc-1", Owner: "metropole", Partner: "labo", Purpose: "étude", LegalBasis: "convention",
		Start: start, End: end, Status: Active, Datasets: []Scope{{Dataset: "trees", Fields: []string{"name"}, Filter: "height > 3"}}}
}

func TestActive(t *testing.T) {
	for _, tc := range []struct {
		name   string
		status Status
		now    time.Time
		want   bool
	}{
		{"active at its start grants access", Active, start, true},
		{"active inside its dates grants access", Active, start.AddDate(0, 6, 0), true},
		{"active at its end no longer grants access", Active, end, false},
		{"active before its start grants nothing", Active, start.Add(-time.Second), false},
		{"suspended grants nothing", Suspended, start.AddDate(0, 6, 0), false},
		{"terminated grants nothing", Terminated, start.AddDate(0, 6, 0), false},
		{"draft grants nothing", Draft, start.AddDate(0, 6, 0), false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a := valid()
			a.Status = tc.status
			if got := a.Active(tc.now); got != tc.want {
				t.Fatalf("Active = %v, want %v", got, tc.want)
			}
		})
	}
}

func TestValidate(t *testing.T) {
	for _, tc := range []struct {
		name   string
		change func(a *Agreement)
		ok     bool
	}{
		{"a complete agreement is valid", func(a *Agreement) {}, true},
		{"a bad id is refused", func(a *Agreement) { a.ID = "A B" }, false},
		{"no partner is refused", func(a *Agreement) { a.Partner = "" }, false},
		{"no owner is refused", func(a *Agreement) { a.Owner = "" }, false},
		{"no purpose is refused", func(a *Agreement) { a.Purpose = "" }, false},
		{"an end before the start is refused", func(a *Agreement) { a.End = a.Start.Add(-time.Hour) }, false},
		{"an unknown status is refused", func(a *Agreement) { a.Status = "open" }, false},
		{"no dataset is refused", func(a *Agreement) { a.Datasets = nil }, false},
		{"a dataset twice is refused", func(a *Agreement) { a.Datasets = append(a.Datasets, a.Datasets[0]) }, false},
		{"a malformed row filter is refused", func(a *Agreement) { a.Datasets[0].Filter = "height >" }, false},
		{"an overlong condition is refused", func(a *Agreement) { a.Conditions = []string{strings.Repeat("x", MaxText+1)} }, false},
		{"an empty signatory is refused", func(a *Agreement) { a.Signatories = []string{" "} }, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a := valid()
			tc.change(a)
			err := a.Validate()
			if tc.ok != (err == nil) {
				t.Fatalf("Validate = %v, want ok %v", err, tc.ok)
			}
			if err != nil && errs.KindOf(err) != errs.Invalid {
				t.Fatalf("kind %s, want Invalid", errs.KindOf(err))
			}
		})
	}
}

func TestPublicHidesConfidentialDetails(t *testing.T) {
	a := valid()
	a.Notes, a.Signatories = "secret note", []string{"Jane Doe"}
	p := a.Public()
	if p.Partner != "labo" || len(p.Datasets) != 1 || p.Datasets[0] != "trees" {
		t.Fatalf("public: %+v", p)
	}
}
