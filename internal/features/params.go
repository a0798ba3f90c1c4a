package features

import (
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/socle/socle/internal/errs"
)

// Limits of the items request, as the standard lets a server choose them.
const (
	DefaultLimit = 10
	MaxLimit     = 10000
	// maxParam bounds the text of one bbox or datetime value.
	maxParam = 200
)

// CRS84 is the only coordinate reference system Socle serves (WGS 84,
// longitude then latitude), the standard's default.
const CRS84 = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"

// BBox is a CRS84 bounding box. MinLon > MaxLon means the box crosses the
// antimeridian, as the standard allows.
type BBox struct {
	MinLon, MinLat, MaxLon, MaxLat float64
}

// Ranges splits b into at most two boxes that do not cross the
// antimeridian, so each is a plain min/max test.
func (b BBox) Ranges() []BBox {
	if b.MinLon <= b.MaxLon {
		return []BBox{b}
	}
	return []BBox{{b.MinLon, b.MinLat, 180, b.MaxLat}, {-180, b.MinLat, b.MaxLon, b.MaxLat}}
}

// Intersects reports whether the envelope [minLon, maxLon] × [minLat,
// maxLat] (which does not cross the antimeridian) meets b.
func (b BBox) Intersects(minLon, minLat, maxLon, maxLat float64) bool {
	for _, r := range b.Ranges() {
		if minLon <= r.MaxLon && maxLon >= r.MinLon && minLat <= r.MaxLat && maxLat >= r.MinLat {
			return true
		}
	}
	return false
}

// ParseBBox parses the bbox parameter: four numbers (or six, whose heights
// are ignored) in CRS84 order, lower-left corner then upper-right corner.
func ParseBBox(s string) (BBox, error) {
	bad := func(why string) (BBox, error) {
		return BBox{}, errs.E(errs.Invalid, "invalid bbox: %s", why)
	}
	if len(s) > maxParam {
		return bad("too long")
	}
	parts := strings.Split(s, ",")
	if len(parts) != 4 && len(parts) != 6 {
		return bad("expected 4 or 6 comma-separated numbers")
	}
	n := make([]float64, len(parts))
	for i, p := range parts {
		v, err := strconv.ParseFloat(strings.TrimSpace(p), 64)
		if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
			return bad("not a number: " + strconv.Quote(p))
		}
		n[i] = v
	}
	if len(n) == 6 {
		n = []float64{n[0], n[1], n[3], n[4]}
	}
	b := BBox{MinLon: n[0], MinLat: n[1], MaxLon: n[2], MaxLat: n[3]}
	switch {
	case b.MinLon < -180 || b.MinLon > 180 || b.MaxLon < -180 || b.MaxLon > 180:
		return bad("longitudes must be within [-180, 180]")
	case b.MinLat < -90 || b.MinLat > 90 || b.MaxLat < -90 || b.MaxLat > 90:
		return bad("latitudes must be within [-90, 90]")
	case b.MinLat > b.MaxLat:
		return bad("the lower latitude is above the upper one")
	}
	return b, nil
}

// ParseBBoxCRS checks the bbox-crs parameter: only CRS84 is served.
func ParseBBoxCRS(s string) error {
	if s != "" && s != CRS84 {
		return errs.E(errs.Invalid, "unsupported bbox-crs: only %s is served", CRS84)
	}
	return nil
}

// ParseLimit parses the limit parameter: empty is DefaultLimit, values
// above MaxLimit are clamped to it (the standard says a larger value is not
// an error, however large), values below 1 and non-integers are refused.
func ParseLimit(s string) (int, error) {
	if s == "" {
		return DefaultLimit, nil
	}
	digits := strings.TrimPrefix(s, "+")
	if digits == "" || strings.Trim(digits, "0123456789") != "" {
		if n, err := strconv.ParseInt(s, 10, 64); err == nil && n < 1 {
			return 0, errs.E(errs.Invalid, "invalid limit: must be at least 1")
		}
		return 0, errs.E(errs.Invalid, "invalid limit: not an integer")
	}
	digits = strings.TrimLeft(digits, "0")
	switch {
	case digits == "":
		return 0, errs.E(errs.Invalid, "invalid limit: must be at least 1")
	case len(digits) > len(strconv.Itoa(MaxLimit)):
		return MaxLimit, nil
	}
	n, _ := strconv.Atoi(digits)
	return min(n, MaxLimit), nil
}

// Interval is a datetime filter: features whose instant t satisfies
// Start ≤ t and t ≤ End (t < End when EndOpen) are selected. A nil bound
// is open (".." or empty in the parameter).
type Interval struct {
	Start *time.Time
	End   *time.Time
	// EndExclusive is set when End is the day after a date-only end: the
	// whole of that last day is included, nothing after it.
	EndExclusive bool
}

// ParseDatetime parses the datetime parameter: an instant (RFC 3339
// date-time, or a date meaning the whole day) or an interval "a/b" whose
// bounds may be open (".." or empty), though not both. Instants without an
// offset are refused: RFC 3339 requires one.
func ParseDatetime(s string) (Interval, error) {
	if len(s) > maxParam {
		return Interval{}, errs.E(errs.Invalid, "invalid datetime: too long")
	}
	a, b, isInterval := strings.Cut(s, "/")
	if !isInterval {
		lo, hi, excl, err := parseInstant(a)
		if err != nil {
			return Interval{}, err
		}
		return Interval{Start: &lo, End: &hi, EndExclusive: excl}, nil
	}
	if strings.Contains(b, "/") {
		return Interval{}, errs.E(errs.Invalid, "invalid datetime: more than one '/'")
	}
	var iv Interval
	if a != "" && a != ".." {
		lo, _, _, err := parseInstant(a)
		if err != nil {
			return Interval{}, err
		}
		iv.Start = &lo
	}
	if b != "" && b != ".." {
		_, hi, excl, err := parseInstant(b)
		if err != nil {
			return Interval{}, err
		}
		iv.End, iv.EndExclusive = &hi, excl
	}
	switch {
	case iv.Start == nil && iv.End == nil:
		return Interval{}, errs.E(errs.Invalid, "invalid datetime: both ends of the interval are open")
	case iv.Start != nil && iv.End != nil && iv.End.Before(*iv.Start):
		return Interval{}, errs.E(errs.Invalid, "invalid datetime: the interval ends before it starts")
	case iv.Start != nil && iv.End != nil && iv.EndExclusive && !iv.End.After(*iv.Start):
		return Interval{}, errs.E(errs.Invalid, "invalid datetime: the interval ends before it starts")
	}
	return iv, nil
}

// parseInstant reads one RFC 3339 date-time (lo = hi, inclusive) or one
// full date (lo its midnight UTC, hi the next midnight, exclusive).
func parseInstant(s string) (lo, hi time.Time, exclusive bool, err error) {
	if t, e := time.Parse(time.RFC3339Nano, s); e == nil && validYear(t) {
		t = t.UTC()
		return t, t, false, nil
	}
	// Lower-case t and z are valid RFC 3339.
	if u := strings.ToUpper(s); u != s {
		if t, e := time.Parse(time.RFC3339Nano, u); e == nil && validYear(t) {
			t = t.UTC()
			return t, t, false, nil
		}
	}
	if d, e := time.Parse(time.DateOnly, s); e == nil && validYear(d) {
		return d, d.AddDate(0, 0, 1), true, nil
	}
	return lo, hi, false, errs.E(errs.Invalid, "invalid datetime %q: expected an RFC 3339 date-time, a date, or an interval of them", truncate(s))
}

func validYear(t time.Time) bool {
	y := t.UTC().Year()
	return y >= 1 && y <= 9999
}

func truncate(s string) string {
	if len(s) > 40 {
		return strings.ToValidUTF8(s[:40], "") + "…"
	}
	return s
}
