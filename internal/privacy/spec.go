// Package privacy derives datasets fit for opening from datasets holding
// personal data: per field, keep, drop, pseudonymise (a keyed hash) or
// generalise (places rounded or snapped to a grid, times truncated,
// numbers bucketed), then optionally group and count, refusing — or
// suppressing — every group smaller than the statistical secrecy threshold
// (INSEE's rule for data on individuals: no cell about fewer than 11).
//
// Pseudonymisation is not anonymisation: a keyed hash replaces an
// identifier by the same token every time (so joins still work), and
// whoever holds the key can recompute the token of a known value, so a
// pseudonymised dataset is still personal data under the RGPD. Only
// generalisation plus aggregation with the secrecy rule aims at data that
// can no longer single anyone out. See docs/privacy.md.
//
// The package is pure: the use case (internal/app/derive.go) streams the
// source's records through a Plan and loads the result.
package privacy

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"

	"github.com/socle/socle/internal/catalog"
	"github.com/socle/socle/internal/errs"
)

// Transforms a field may take.
const (
	Keep         = "keep"         // the value as it is
	Drop         = "drop"         // left out (the default of an unlisted field)
	Pseudonymise = "pseudonymise" // HMAC-SHA256 token, truncated hex
	Round        = "round"        // geo_point_2d rounded to Decimals decimals
	Grid         = "grid"         // geo_point_2d snapped to the centre of a Metres grid cell
	Truncate     = "truncate"     // date or datetime truncated to Unit
	Bucket       = "bucket"       // int or double into a bucket of Width
)

// Time units of Truncate.
const (
	Hour  = "hour"
	Day   = "day"
	Week  = "week" // ISO week, starting on Monday
	Month = "month"
	Year  = "year"
)

// What to do with groups under the threshold.
const (
	Refuse   = "refuse"   // refuse the whole derivation (the default)
	Suppress = "suppress" // leave those groups out and say how many
)

// DefaultThreshold is INSEE's secrecy threshold for data on individuals.
const DefaultThreshold = 11

// Limits on a spec.
const (
	MaxSpecBytes = 64 << 10
	MaxFields    = 500
	MaxGroups    = 200_000 // distinct groups an aggregate may hold in memory
	maxName      = 100
)

// Spec is one derivation: which dataset, into which one, and how.
type Spec struct {
	Source    string      `json:"source"`
	Target    Target      `json:"target"`
	Fields    []FieldRule `json:"fields"`              // unlisted source fields are dropped
	Aggregate *Aggregate  `json:"aggregate,omitempty"` // nil: one output row per source row
}

// Target describes the derived dataset.
type Target struct {
	ID          string         `json:"id"`
	Title       string         `json:"title,omitempty"`
	Description string         `json:"description,omitempty"`
	Access      catalog.Access `json:"access,omitempty"`    // public by default
	Publisher   string         `json:"publisher,omitempty"` // the source's by default
}

// FieldRule says what becomes of one source field.
type FieldRule struct {
	Name      string  `json:"name"`
	Transform string  `json:"transform"`
	As        string  `json:"as,omitempty"`       // the output field's name; Name by default
	Length    int     `json:"length,omitempty"`   // Pseudonymise: hex digits, 16 by default, 8 to 64
	Decimals  int     `json:"decimals,omitempty"` // Round: 0 to 6
	Metres    float64 `json:"metres,omitempty"`   // Grid: 10 m to 100 km
	Unit      string  `json:"unit,omitempty"`     // Truncate
	Width     float64 `json:"width,omitempty"`    // Bucket: > 0
}

// Aggregate groups the transformed rows by output fields and counts them.
type Aggregate struct {
	GroupBy   []string `json:"group_by"`            // output field names
	Count     string   `json:"count,omitempty"`     // the count's field name, "count" by default
	Sum       []string `json:"sum,omitempty"`       // kept numeric fields summed, as sum_<name>
	Threshold int      `json:"threshold,omitempty"` // minimum count of a published group, 11 by default
	OnSecret  string   `json:"on_secret,omitempty"` // refuse (default) or suppress
}

// ParseSpec decodes a spec (unknown members refused) and checks what can
// be checked without the source: names, transforms and their parameters,
// limits. Fields are checked against the source by NewPlan.
func ParseSpec(b []byte) (*Spec, error) {
	if len(b) > MaxSpecBytes {
		return nil, errs.E(errs.TooLarge, "a derivation spec is at most %d bytes", MaxSpecBytes)
	}
	var s Spec
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&s); err != nil {
		return nil, errs.Wrap(errs.Invalid, err, "derivation spec: %v", err)
	}
	if dec.More() {
		return nil, errs.E(errs.Invalid, "derivation spec: one JSON object expected")
	}
	return &s, s.Validate()
}

// Validate checks the spec on its own and fills its defaults.
func (s *Spec) Validate() error {
	if s.Source == "" || s.Target.ID == "" {
		return errs.E(errs.Invalid, "derivation spec: source and target.id are required")
	}
	if s.Source == s.Target.ID {
		return errs.E(errs.Invalid, "derivation spec: the target must be another dataset than the source")
	}
	if s.Target.Access == "" {
		s.Target.Access = catalog.AccessPublic
	}
	if !s.Target.Access.Valid() {
		return errs.E(errs.Invalid, "derivation spec: unknown access level %q", s.Target.Access)
	}
	if len(s.Fields) == 0 || len(s.Fields) > MaxFields {
		return errs.E(errs.Invalid, "derivation spec: between 1 and %d fields", MaxFields)
	}
	seen := map[string]bool{}
	outs := map[string]bool{}
	for i := range s.Fields {
		f := &s.Fields[i]
		if err := f.validate(); err != nil {
			return err
		}
		if seen[f.Name] {
			return errs.E(errs.Invalid, "field %q: listed twice", f.Name)
		}
		seen[f.Name] = true
		if f.Transform == Drop {
			continue
		}
		if outs[f.Out()] {
			return errs.E(errs.Invalid, "field %q: output name %q used twice", f.Name, f.Out())
		}
		outs[f.Out()] = true
	}
	if s.Aggregate != nil {
		return s.Aggregate.validate(outs)
	}
	return nil
}

// Out is the rule's output field name.
func (f *FieldRule) Out() string {
	if f.As != "" {
		return f.As
	}
	return f.Name
}

func (f *FieldRule) validate() error {
	if f.Name == "" || len(f.Name) > maxName || len(f.As) > maxName {
		return errs.E(errs.Invalid, "field rule: a name of 1 to %d bytes is required", maxName)
	}
	if f.As != "" && catalog.NormalizeName(f.As) != f.As {
		return errs.E(errs.Invalid, "field %q: output name %q is not a field name (lower case, digits, _)", f.Name, f.As)
	}
	switch f.Transform {
	case Keep, Drop:
	case Pseudonymise:
		if f.Length == 0 {
			f.Length = 16
		}
		if f.Length < 8 || f.Length > 64 {
			return errs.E(errs.Invalid, "field %q: a token has 8 to 64 hex digits", f.Name)
		}
	case Round:
		if f.Decimals < 0 || f.Decimals > 6 {
			return errs.E(errs.Invalid, "field %q: round to 0 to 6 decimals", f.Name)
		}
	case Grid:
		if !(f.Metres >= 10 && f.Metres <= 100_000) {
			return errs.E(errs.Invalid, "field %q: a grid of 10 to 100000 metres", f.Name)
		}
	case Truncate:
		if !slices.Contains([]string{Hour, Day, Week, Month, Year}, f.Unit) {
			return errs.E(errs.Invalid, "field %q: truncate to hour, day, week, month or year", f.Name)
		}
	case Bucket:
		if !(f.Width > 0 && f.Width <= 1e12) {
			return errs.E(errs.Invalid, "field %q: a bucket width above 0", f.Name)
		}
	default:
		return errs.E(errs.Invalid, "field %q: unknown transform %q (keep, drop, pseudonymise, round, grid, truncate, bucket)", f.Name, f.Transform)
	}
	return nil
}

func (a *Aggregate) validate(outs map[string]bool) error {
	if len(a.GroupBy) == 0 {
		return errs.E(errs.Invalid, "aggregate: group_by names at least one field")
	}
	if a.Count == "" {
		a.Count = "count"
	}
	if a.Threshold == 0 {
		a.Threshold = DefaultThreshold
	}
	if a.Threshold < 1 {
		return errs.E(errs.Invalid, "aggregate: the secrecy threshold is at least 1")
	}
	if a.OnSecret == "" {
		a.OnSecret = Refuse
	}
	if a.OnSecret != Refuse && a.OnSecret != Suppress {
		return errs.E(errs.Invalid, "aggregate: on_secret is refuse or suppress")
	}
	names := map[string]bool{a.Count: true}
	for _, g := range a.GroupBy {
		if !outs[g] {
			return errs.E(errs.Invalid, "aggregate: group_by names %q, which no field rule outputs", g)
		}
		if names[g] {
			return errs.E(errs.Invalid, "aggregate: %q used twice", g)
		}
		names[g] = true
	}
	for _, s := range a.Sum {
		if !outs[s] || names["sum_"+s] {
			return errs.E(errs.Invalid, "aggregate: sum names %q, which no field rule outputs", s)
		}
		names["sum_"+s] = true
	}
	if catalog.NormalizeName(a.Count) != a.Count {
		return errs.E(errs.Invalid, "aggregate: count %q is not a field name", a.Count)
	}
	return nil
}

// String is the spec as stored in the target's metadata.
func (s *Spec) String() string {
	b, err := json.Marshal(s)
	if err != nil {
		panic(fmt.Sprintf("privacy: spec does not marshal: %v", err)) // plain data: cannot fail
	}
	return string(b)
}
