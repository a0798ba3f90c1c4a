package privacy

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"math"
	"slices"
	"strconv"
	"time"

	"github.com/socle/socle/internal/catalog"
	"github.com/socle/socle/internal/errs"
)

// MinKeyBytes is the shortest pseudonymisation key accepted.
const MinKeyBytes = 32

// Token is the pseudonym of value under key: the first n hex digits of
// HMAC-SHA256(key, value). The same value always gives the same token
// under one key; without the key a token cannot be recomputed, but with it
// any guessed value can — hence pseudonymisation, not anonymisation.
func Token(key []byte, value string, n int) string {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(value))
	return hex.EncodeToString(m.Sum(nil))[:n]
}

// Plan is a spec checked against its source's fields: it turns one source
// row into one output row.
type Plan struct {
	Spec   *Spec
	Fields []catalog.Field // the output fields, before any aggregate
	steps  []step
	key    []byte
}

// step computes output column out from source column in.
type step struct {
	in   int
	rule FieldRule
	typ  catalog.FieldType // the source type
}

// NewPlan checks spec against the source's fields and personal fields and
// returns its plan. A personal field may never be kept as it is, and may
// be grouped by only once generalised (round, grid, truncate, bucket): a
// pseudonym in a group-by makes one group per person. key is required when
// a field is pseudonymised.
func NewPlan(spec *Spec, source []catalog.Field, personal []string, key []byte) (*Plan, error) {
	p := &Plan{Spec: spec, key: key}
	for _, r := range spec.Fields {
		i := slices.IndexFunc(source, func(f catalog.Field) bool { return f.Name == r.Name })
		if i < 0 {
			return nil, errs.E(errs.Invalid, "field %q: the source has no such field", r.Name)
		}
		src := source[i]
		isPersonal := slices.Contains(personal, r.Name)
		if r.Transform == Drop {
			continue
		}
		if r.Transform == Keep && isPersonal {
			return nil, errs.E(errs.Invalid, "field %q holds personal data: drop, pseudonymise or generalise it", r.Name)
		}
		typ, err := outType(r, src.Type)
		if err != nil {
			return nil, err
		}
		if r.Transform == Pseudonymise && len(key) < MinKeyBytes {
			return nil, errs.E(errs.Unavailable, "no pseudonymisation key is configured")
		}
		if a := spec.Aggregate; a != nil && isPersonal && slices.Contains(a.GroupBy, r.Out()) && !generalising(r.Transform) {
			return nil, errs.E(errs.Invalid, "aggregate: group_by %q is personal data: generalise it (round, grid, truncate, bucket) first", r.Out())
		}
		out := catalog.Field{Name: r.Out(), Label: src.Label, Type: typ, Description: src.Description, Unit: src.Unit, Facet: src.Facet}
		if r.As != "" {
			out.Label = r.As
		}
		if typ != src.Type {
			out.Unit = ""
		}
		p.Fields = append(p.Fields, out)
		p.steps = append(p.steps, step{in: i, rule: r, typ: src.Type})
	}
	if len(p.Fields) == 0 {
		return nil, errs.E(errs.Invalid, "derivation spec: every field is dropped")
	}
	if a := spec.Aggregate; a != nil {
		for _, s := range a.Sum {
			f, _ := p.field(s)
			if !f.Type.Numeric() {
				return nil, errs.E(errs.Invalid, "aggregate: sum of %q, which is not a number", s)
			}
		}
	}
	return p, nil
}

func generalising(t string) bool { return t == Round || t == Grid || t == Truncate || t == Bucket }

func (p *Plan) field(name string) (catalog.Field, int) {
	for i, f := range p.Fields {
		if f.Name == name {
			return f, i
		}
	}
	return catalog.Field{}, -1
}

// outType is the type rule r gives a source field of type t.
func outType(r FieldRule, t catalog.FieldType) (catalog.FieldType, error) {
	bad := func(want string) (catalog.FieldType, error) {
		return "", errs.E(errs.Invalid, "field %q: %s applies to %s, not %s", r.Name, r.Transform, want, t)
	}
	switch r.Transform {
	case Keep:
		return t, nil
	case Pseudonymise:
		if t == catalog.TypeGeoShape || t == catalog.TypeJSON {
			return bad("scalar fields")
		}
		return catalog.TypeText, nil
	case Round, Grid:
		if t != catalog.TypeGeoPoint {
			return bad("geo_point_2d")
		}
		return t, nil
	case Truncate:
		switch {
		case t != catalog.TypeDate && t != catalog.TypeDateTime:
			return bad("date and datetime")
		case t == catalog.TypeDateTime && r.Unit == Hour:
			return catalog.TypeDateTime, nil
		}
		return catalog.TypeDate, nil
	case Bucket:
		if !t.Numeric() {
			return bad("int and double")
		}
		return catalog.TypeText, nil
	}
	return "", errs.E(errs.Invalid, "field %q: unknown transform %q", r.Name, r.Transform)
}

// Apply turns a source row into an output row.
func (p *Plan) Apply(row catalog.Row) catalog.Row {
	out := make(catalog.Row, len(p.steps))
	for j, s := range p.steps {
		if s.in < len(row) && row[s.in] != nil {
			out[j] = p.value(s, row[s.in])
		}
	}
	return out
}

func (p *Plan) value(s step, v any) any {
	r := s.rule
	switch r.Transform {
	case Pseudonymise:
		return Token(p.key, canonical(v), r.Length)
	case Round:
		if g, ok := v.(catalog.GeoPoint); ok {
			return RoundPoint(g, r.Decimals)
		}
	case Grid:
		if g, ok := v.(catalog.GeoPoint); ok {
			return SnapPoint(g, r.Metres)
		}
	case Truncate:
		if t, ok := v.(time.Time); ok {
			return TruncateTime(t, r.Unit)
		}
	case Bucket:
		switch n := v.(type) {
		case int64:
			return BucketLabel(float64(n), r.Width, true)
		case float64:
			return BucketLabel(n, r.Width, false)
		}
	default:
		return v
	}
	return nil
}

// canonical is the text a value is hashed from: the same for the same
// value whatever dataset it comes from.
func canonical(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case int64:
		return strconv.FormatInt(x, 10)
	case float64:
		return strconv.FormatFloat(x, 'g', -1, 64)
	case bool:
		return strconv.FormatBool(x)
	case time.Time:
		return x.UTC().Format(time.RFC3339Nano)
	case catalog.GeoPoint:
		return strconv.FormatFloat(x.Lat, 'g', -1, 64) + "," + strconv.FormatFloat(x.Lon, 'g', -1, 64)
	}
	b, _ := json.Marshal(v)
	return string(b)
}

// RoundPoint rounds both coordinates to d decimals (4 decimals: about 10 m
// of latitude; 2: about 1 km).
func RoundPoint(g catalog.GeoPoint, d int) catalog.GeoPoint {
	m := math.Pow(10, float64(d))
	return catalog.GeoPoint{Lat: math.Round(g.Lat*m) / m, Lon: math.Round(g.Lon*m) / m}
}

// metresPerDegree is the length of a degree of latitude (and of longitude
// on the equator), near enough for a grid.
const metresPerDegree = 111_320.0

// SnapPoint moves a point to the centre of its cell in a grid of cells
// about m metres on a side: rows of m metres of latitude, each cut into
// cells of m metres of longitude at the row's central latitude. Every
// point of a cell gets the same centre.
func SnapPoint(g catalog.GeoPoint, m float64) catalog.GeoPoint {
	dlat := m / metresPerDegree
	row := math.Floor(g.Lat / dlat)
	lat := (row + 0.5) * dlat
	dlon := m / (metresPerDegree * math.Max(math.Cos(lat*math.Pi/180), 0.01))
	lon := (math.Floor(g.Lon/dlon) + 0.5) * dlon
	const q = 1e7 // round off float noise: the same cell, the same bits
	return catalog.GeoPoint{Lat: math.Round(lat*q) / q, Lon: math.Round(lon*q) / q}
}

// TruncateTime truncates t (in UTC) to the start of its hour, day, ISO
// week (Monday), month or year.
func TruncateTime(t time.Time, unit string) time.Time {
	t = t.UTC()
	y, mo, d := t.Date()
	switch unit {
	case Hour:
		return t.Truncate(time.Hour)
	case Week:
		back := (int(t.Weekday()) + 6) % 7 // days since Monday
		return time.Date(y, mo, d-back, 0, 0, 0, 0, time.UTC)
	case Month:
		return time.Date(y, mo, 1, 0, 0, 0, 0, time.UTC)
	case Year:
		return time.Date(y, 1, 1, 0, 0, 0, 0, time.UTC)
	}
	return time.Date(y, mo, d, 0, 0, 0, 0, time.UTC)
}

// BucketLabel names the bucket of width w holding x: "20-29" for integers
// (both bounds included), "2.5-5" for decimals (lower bound included).
func BucketLabel(x, w float64, integer bool) string {
	lo := math.Floor(x/w) * w
	f := func(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }
	if integer && w == math.Trunc(w) {
		return f(lo) + "-" + f(lo+w-1)
	}
	return f(lo) + "-" + f(lo+w)
}
