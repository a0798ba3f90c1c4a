package tableschema

import (
	"regexp"
	"strconv"
	"strings"
	"time"
)

// timeParser returns the parser for a date, datetime or time field's
// format: "default" (ISO), "any" (several common layouts) or a strptime
// pattern. Any other format is read as a strptime pattern too, as
// frictionless-py does, so a bogus format simply matches nothing useful.
func timeParser(typ, format string) func(string) (time.Time, bool) {
	format = strings.TrimPrefix(format, "fmt:") // Table Schema v0 spelling
	switch {
	case format == "any":
		return anyParser(typ)
	case format != "default":
		p, err := compileStrptime(format)
		if err != nil {
			return func(string) (time.Time, bool) { return time.Time{}, false }
		}
		return truncator(typ, p.parse)
	case typ == "date":
		p, _ := compileStrptime("%Y-%m-%d")
		return p.parse
	case typ == "datetime":
		return parseISODateTime
	}
	return parseISOTime
}

// truncator keeps only the calendar day for date fields, as Python's
// datetime.date() does after strptime.
func truncator(typ string, parse func(string) (time.Time, bool)) func(string) (time.Time, bool) {
	if typ != "date" {
		return parse
	}
	return func(s string) (time.Time, bool) {
		t, ok := parse(s)
		return midnight(t), ok
	}
}

func midnight(t time.Time) time.Time {
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
}

// isoDateTimeRE is XML Schema dateTime loosened like dateutil's isoparse,
// which frictionless-py uses: seconds are required, but the offset may be
// Z, ±hh:mm, ±hhmm or ±hh (real French exports use "+02" and "+0200"), and
// the separator may be a space.
var isoDateTimeRE = regexp.MustCompile(`^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(?:[.,](\d{1,9}))?(Z|z|[+-]\d{2}(?::?\d{2})?)?$`)

var isoTimeRE = regexp.MustCompile(`^(\d{2}):(\d{2}):(\d{2})(?:[.,](\d{1,9}))?(Z|z|[+-]\d{2}(?::?\d{2})?)?$`)

// parseISODateTime returns the instant in UTC; a value without an offset is
// taken as UTC, since a dataset has no other reference.
func parseISODateTime(s string) (time.Time, bool) {
	m := isoDateTimeRE.FindStringSubmatch(s)
	if m == nil {
		return time.Time{}, false
	}
	n := atoiAll(m[1:7])
	off, ok := parseOffset(m[8])
	if !ok {
		return time.Time{}, false
	}
	return buildTime(n[0], n[1], n[2], n[3], n[4], n[5], fraction(m[7]), off)
}

// parseISOTime returns the clock time on 0000-01-01; an offset is accepted
// but dropped, since a time of day is kept as text.
func parseISOTime(s string) (time.Time, bool) {
	m := isoTimeRE.FindStringSubmatch(s)
	if m == nil {
		return time.Time{}, false
	}
	n := atoiAll(m[1:4])
	return buildTime(0, 1, 1, n[0], n[1], n[2], fraction(m[4]), 0)
}

func atoiAll(ss []string) []int {
	out := make([]int, len(ss))
	for i, s := range ss {
		out[i], _ = strconv.Atoi(s)
	}
	return out
}

// fraction turns the digits after the decimal point into nanoseconds.
func fraction(digits string) int {
	if digits == "" {
		return 0
	}
	if len(digits) > 9 {
		digits = digits[:9]
	}
	n, _ := strconv.Atoi(digits + strings.Repeat("0", 9-len(digits)))
	return n
}

// parseOffset reads Z, ±hh, ±hhmm or ±hh:mm (and ±hh:mm:ss, which strptime's
// %z allows) as seconds east of UTC.
func parseOffset(s string) (int, bool) {
	if s == "" || s == "Z" || s == "z" {
		return 0, true
	}
	sign := 1
	if s[0] == '-' {
		sign = -1
	}
	digits := strings.ReplaceAll(s[1:], ":", "")
	if i := strings.IndexByte(digits, '.'); i >= 0 {
		digits = digits[:i] // fractions of a second of offset: ignored
	}
	digits += strings.Repeat("0", max(0, 6-len(digits)))
	h, _ := strconv.Atoi(digits[0:2])
	m, _ := strconv.Atoi(digits[2:4])
	sec, _ := strconv.Atoi(digits[4:6])
	if h > 23 || m > 59 || sec > 59 {
		return 0, false
	}
	return sign * (h*3600 + m*60 + sec), true
}

// buildTime validates the fields (no 31 April, no hour 24) and returns the
// instant in UTC.
func buildTime(y, mo, d, h, mi, s, ns, offset int) (time.Time, bool) {
	if mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || s > 59 {
		return time.Time{}, false
	}
	t := time.Date(y, time.Month(mo), d, h, mi, s, ns, time.FixedZone("", offset))
	if t.Day() != d {
		return time.Time{}, false
	}
	return t.UTC(), true
}

// Layouts tried by format "any", after lowering the case and dropping
// ordinal suffixes ("1st" → "1"). Numeric dates are month first, as in
// dateutil's parser which frictionless-py uses.
var (
	anyDateLayouts = []string{
		"2006-01-02", "2006/01/02", "20060102", "01/02/2006", "01-02-2006",
		"2 jan 2006", "2 january 2006", "jan 2 2006", "january 2 2006",
		"jan 2, 2006", "january 2, 2006", "2 jan, 2006", "mon, 2 jan 2006",
	}
	anyClockLayouts = []string{
		"15:04:05", "15:04:05.999999999", "15:04", "3 pm", "3pm", "3:04 pm",
		"3:04pm", "3:04:05 pm",
	}
	ordinalRE = regexp.MustCompile(`(\d)(st|nd|rd|th)\b`)
)

func anyParser(typ string) func(string) (time.Time, bool) {
	return func(s string) (time.Time, bool) {
		if t, ok := parseISODateTime(s); ok && typ != "time" {
			return truncator(typ, func(string) (time.Time, bool) { return t, true })(s)
		}
		s = strings.Join(strings.Fields(ordinalRE.ReplaceAllString(strings.ToLower(s), "$1")), " ")
		for _, layout := range anyLayouts(typ) {
			if t, err := time.Parse(layout, s); err == nil {
				return t.UTC(), true
			}
		}
		return time.Time{}, false
	}
}

// anyDateTimeLayouts combines every date layout with every clock layout;
// a date alone is midnight, as in dateutil.
var anyDateTimeLayouts = func() []string {
	out := append([]string{"2006-01-02t15:04:05", "2006-01-02t15:04:05z07:00"}, anyDateLayouts...)
	for _, d := range anyDateLayouts {
		for _, c := range anyClockLayouts {
			out = append(out, d+" "+c)
		}
	}
	return out
}()

// anyLayouts returns the layouts a type admits.
func anyLayouts(typ string) []string {
	switch typ {
	case "date":
		return anyDateLayouts
	case "time":
		return anyClockLayouts
	}
	return anyDateTimeLayouts
}
