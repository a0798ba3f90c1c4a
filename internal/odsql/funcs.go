package odsql

import (
	"math"
	"sort"
	"strings"
	"time"
	"unicode"
)

// foldFrom and foldTo map accented Latin letters, upper and lower case, to
// their lower-case base letter, one rune to one rune. Fold in Go and
// socle_fold in PostgreSQL (translate) use this same table, so both engines
// fold identically whatever the database's locale.
const (
	foldFrom = "ÀÁÂÃÄÅàáâãäåÇçÈÉÊËèéêëÌÍÎÏìíîïÑñÒÓÔÕÖØòóôõöøÙÚÛÜùúûüÝŸýÿ"
	foldTo   = "aaaaaaaaaaaacceeeeeeeeiiiiiiiinnoooooooooooouuuuuuuuyyyy"
)

var foldMap = func() map[rune]rune {
	m := map[rune]rune{}
	to := []rune(foldTo)
	for i, r := range []rune(foldFrom) {
		m[r] = to[i]
	}
	return m
}()

// Fold lower-cases s and strips the accents of Latin letters, expanding the
// ligatures œ and æ. It is the Go implementation of the SQL function
// socle_fold(text) text that the SQLite engine registers.
func Fold(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		if m, ok := foldMap[r]; ok {
			b.WriteRune(m)
			continue
		}
		switch r {
		case 'œ', 'Œ':
			b.WriteString("oe")
			continue
		case 'æ', 'Æ':
			b.WriteString("ae")
			continue
		}
		if r < 128 {
			if r >= 'A' && r <= 'Z' {
				r += 'a' - 'A'
			}
			b.WriteRune(r)
			continue
		}
		b.WriteRune(unicode.ToLower(r))
	}
	return b.String()
}

// earthRadius is the mean Earth radius in metres used by Distance.
const earthRadius = 6371008.8

// Distance returns the great-circle distance in metres between two WGS84
// points (haversine). It implements socle_distance(lat1, lon1, lat2, lon2).
func Distance(lat1, lon1, lat2, lon2 float64) float64 {
	rad := math.Pi / 180
	dlat := (lat2 - lat1) * rad
	dlon := (lon2 - lon1) * rad
	a := math.Sin(dlat/2)*math.Sin(dlat/2) +
		math.Cos(lat1*rad)*math.Cos(lat2*rad)*math.Sin(dlon/2)*math.Sin(dlon/2)
	return 2 * earthRadius * math.Asin(math.Min(1, math.Sqrt(a)))
}

// StoredDateTimeLayout is how SQLite stores datetime values (UTC, fixed
// width so that text order is time order).
const StoredDateTimeLayout = "2006-01-02T15:04:05.000000Z"

// StoredDateLayout is how SQLite stores date values.
const StoredDateLayout = "2006-01-02"

// parseStored reads a stored date or datetime text. Dates carry no zone.
func parseStored(value string) (t time.Time, isDate bool, ok bool) {
	if len(value) == len(StoredDateLayout) {
		t, err := time.Parse(StoredDateLayout, value)
		return t, true, err == nil
	}
	t, err := time.Parse(time.RFC3339Nano, value)
	if err != nil {
		return time.Time{}, false, false
	}
	return t.UTC(), false, true
}

// loadZone resolves an IANA time zone name, "" being UTC. It refuses
// "Local", the server's own zone, which the two engines would read
// differently.
func loadZone(tz string) *time.Location {
	if tz == "" || tz == "UTC" {
		return time.UTC
	}
	if tz == "Local" {
		return nil
	}
	loc, err := time.LoadLocation(tz)
	if err != nil {
		return nil
	}
	return loc
}

// localTime parses a stored value and moves datetimes into tz.
func localTime(value, tz string) (time.Time, bool, bool) {
	t, isDate, ok := parseStored(value)
	if !ok {
		return t, false, false
	}
	if !isDate {
		loc := loadZone(tz)
		if loc == nil {
			return t, false, false
		}
		t = t.In(loc)
	}
	return t, isDate, true
}

// DatePart extracts part (year, month, day, hour, minute, second, dow with
// Sunday = 0) of a stored date or datetime text, datetimes seen in time zone
// tz ("" = UTC). It implements socle_datepart(part, value, tz); ok is false
// for unparsable input (SQL NULL).
func DatePart(part, value, tz string) (int64, bool) {
	t, _, ok := localTime(value, tz)
	if !ok {
		return 0, false
	}
	switch part {
	case "year":
		return int64(t.Year()), true
	case "month":
		return int64(t.Month()), true
	case "day":
		return int64(t.Day()), true
	case "hour":
		return int64(t.Hour()), true
	case "minute":
		return int64(t.Minute()), true
	case "second":
		return int64(t.Second()), true
	case "dow":
		return int64(t.Weekday()), true
	}
	return 0, false
}

// DateFormat formats a stored date or datetime text with a strftime layout
// (%Y %y %m %d %H %M %S %%), datetimes seen in tz. It implements
// socle_datefmt(layout, value, tz).
func DateFormat(layout, value, tz string) (string, bool) {
	t, _, ok := localTime(value, tz)
	if !ok {
		return "", false
	}
	var b strings.Builder
	for i := 0; i < len(layout); i++ {
		c := layout[i]
		if c != '%' || i+1 >= len(layout) {
			b.WriteByte(c)
			continue
		}
		i++
		switch layout[i] {
		case 'Y':
			b.WriteString(t.Format("2006"))
		case 'y':
			b.WriteString(t.Format("06"))
		case 'm':
			b.WriteString(t.Format("01"))
		case 'd':
			b.WriteString(t.Format("02"))
		case 'H':
			b.WriteString(t.Format("15"))
		case 'M':
			b.WriteString(t.Format("04"))
		case 'S':
			b.WriteString(t.Format("05"))
		case '%':
			b.WriteByte('%')
		default:
			b.WriteByte('%')
			b.WriteByte(layout[i])
		}
	}
	return b.String(), true
}

// DateTrunc truncates a stored date or datetime text to the start of its
// unit (year, month, week (Monday), day, hour, minute, second) in tz and
// returns it in the stored format of its input (dates stay dates, datetimes
// come back in UTC). It implements socle_datetrunc(unit, value, tz).
func DateTrunc(unit, value, tz string) (string, bool) {
	t, isDate, ok := localTime(value, tz)
	if !ok {
		return "", false
	}
	y, m, d := t.Date()
	loc := t.Location()
	switch unit {
	case "year":
		t = time.Date(y, 1, 1, 0, 0, 0, 0, loc)
	case "month":
		t = time.Date(y, m, 1, 0, 0, 0, 0, loc)
	case "week":
		t = time.Date(y, m, d-(int(t.Weekday())+6)%7, 0, 0, 0, 0, loc)
	case "day":
		t = time.Date(y, m, d, 0, 0, 0, 0, loc)
	case "hour":
		t = time.Date(y, m, d, t.Hour(), 0, 0, 0, loc)
	case "minute":
		t = time.Date(y, m, d, t.Hour(), t.Minute(), 0, 0, loc)
	case "second":
		t = time.Date(y, m, d, t.Hour(), t.Minute(), t.Second(), 0, loc)
	default:
		return "", false
	}
	if isDate {
		return t.Format(StoredDateLayout), true
	}
	return t.UTC().Format(StoredDateTimeLayout), true
}

// PercentileAgg implements the SQLite aggregate socle_percentile(x, p):
// the p-th percentile (p in 0..100) of the non-null x, interpolated like
// PostgreSQL's percentile_cont. Register it with
// conn.RegisterAggregator("socle_percentile", NewPercentileAgg, true).
// Step skips SQL NULL (nil) values, and Done returns nil (SQL NULL) when
// there were none.
type PercentileAgg struct {
	xs []float64
	p  float64
}

// NewPercentileAgg returns an empty aggregate.
func NewPercentileAgg() *PercentileAgg { return &PercentileAgg{} }

// Step adds one value; p is the requested percentile (constant per group).
// x is any: nil (SQL NULL) is skipped, numbers are accepted.
func (a *PercentileAgg) Step(x any, p any) {
	if f, ok := sqlFloat(p); ok {
		a.p = f
	}
	switch v := x.(type) {
	case int64:
		a.xs = append(a.xs, float64(v))
	case float64:
		a.xs = append(a.xs, v)
	}
}

// Done returns the percentile, or nil without values.
func (a *PercentileAgg) Done() any {
	if len(a.xs) == 0 {
		return nil
	}
	sort.Float64s(a.xs)
	p := math.Max(0, math.Min(100, a.p)) / 100
	pos := p * float64(len(a.xs)-1)
	lo := math.Floor(pos)
	hi := math.Ceil(pos)
	if lo == hi {
		return a.xs[int(lo)]
	}
	return a.xs[int(lo)] + (a.xs[int(hi)]-a.xs[int(lo)])*(pos-lo)
}

// PostgresFunctionsSQL creates the helper functions the compiled SQL uses
// on PostgreSQL. Run it once per schema (it is idempotent).
const PostgresFunctionsSQL = `CREATE OR REPLACE FUNCTION socle_fold(t text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE RETURNS NULL ON NULL INPUT AS $$
  SELECT replace(replace(replace(replace(
    translate(lower(t), '` + foldFrom + `', '` + foldTo + `'),
    'œ', 'oe'), 'Œ', 'oe'), 'æ', 'ae'), 'Æ', 'ae')
$$;
CREATE OR REPLACE FUNCTION socle_distance(lat1 double precision, lon1 double precision, lat2 double precision, lon2 double precision)
RETURNS double precision
LANGUAGE sql IMMUTABLE PARALLEL SAFE RETURNS NULL ON NULL INPUT AS $$
  SELECT 2 * 6371008.8 * asin(least(1.0, sqrt(
    power(sin(radians(lat2 - lat1) / 2), 2) +
    cos(radians(lat1)) * cos(radians(lat2)) * power(sin(radians(lon2 - lon1) / 2), 2))))
$$;
`

// SQLiteFunctions returns the scalar SQL functions the compiled SQL calls on
// SQLite, keyed by SQL name, in a form go-sqlite3's RegisterFunc accepts
// (arguments and results are any so that SQL NULL passes through as nil):
//
//	for name, fn := range odsql.SQLiteFunctions() { conn.RegisterFunc(name, fn, true) }
//	conn.RegisterAggregator("socle_percentile", odsql.NewPercentileAgg, true)
func SQLiteFunctions() map[string]any {
	return map[string]any{
		"socle_fold": func(s any) any {
			if v, ok := sqlText(s); ok {
				return Fold(v)
			}
			return nil
		},
		"socle_distance": func(lat1, lon1, lat2, lon2 any) any {
			a, ok1 := sqlFloat(lat1)
			b, ok2 := sqlFloat(lon1)
			c, ok3 := sqlFloat(lat2)
			d, ok4 := sqlFloat(lon2)
			if !ok1 || !ok2 || !ok3 || !ok4 {
				return nil
			}
			return Distance(a, b, c, d)
		},
		"socle_datepart": func(part, value, tz any) any {
			p, _ := sqlText(part)
			v, ok := sqlText(value)
			z, _ := sqlText(tz)
			if n, ok2 := DatePart(p, v, z); ok && ok2 {
				return n
			}
			return nil
		},
		"socle_datefmt": func(layout, value, tz any) any {
			l, _ := sqlText(layout)
			v, ok := sqlText(value)
			z, _ := sqlText(tz)
			if s, ok2 := DateFormat(l, v, z); ok && ok2 {
				return s
			}
			return nil
		},
		"socle_datetrunc": func(unit, value, tz any) any {
			u, _ := sqlText(unit)
			v, ok := sqlText(value)
			z, _ := sqlText(tz)
			if s, ok2 := DateTrunc(u, v, z); ok && ok2 {
				return s
			}
			return nil
		},
	}
}

func sqlText(v any) (string, bool) {
	switch x := v.(type) {
	case string:
		return x, true
	case []byte:
		return string(x), true
	}
	return "", false
}

func sqlFloat(v any) (float64, bool) {
	switch x := v.(type) {
	case float64:
		return x, true
	case int64:
		return float64(x), true
	}
	return 0, false
}
