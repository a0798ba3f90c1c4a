package tableschema

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// strptime implements Python's time.strptime the way CPython does it: the
// format becomes a case-insensitive regular expression, matched from the
// start of the value, which must then be fully consumed. Go's regexp picks
// the same leftmost-first submatch as Python's backtracking engine, so
// ambiguous formats such as "%d%m" resolve identically.
type strptime struct {
	re *regexp.Regexp
}

// directiveRE are CPython's _strptime.TimeRE patterns (C locale names).
var directiveRE = map[byte]string{
	'd': `(?P<d>3[0-1]|[1-2]\d|0[1-9]|[1-9]| [1-9])`,
	'f': `(?P<f>[0-9]{1,6})`,
	'H': `(?P<H>2[0-3]|[0-1]\d|\d)`,
	'I': `(?P<I>1[0-2]|0[1-9]|[1-9])`,
	'j': `(?P<j>36[0-6]|3[0-5]\d|[1-2]\d\d|0[1-9]\d|00[1-9]|[1-9]\d|0[1-9]|[1-9])`,
	'm': `(?P<m>1[0-2]|0[1-9]|[1-9])`,
	'M': `(?P<M>[0-5]\d|\d)`,
	'S': `(?P<S>6[0-1]|[0-5]\d|\d)`,
	'y': `(?P<y>\d\d)`,
	'Y': `(?P<Y>\d\d\d\d)`,
	'z': `(?P<z>[+-]\d\d:?[0-5]\d(?::?[0-5]\d(?:\.\d{1,6})?)?|Z)`,
	'Z': `(?P<Z>utc|gmt|z|[a-z]{3,5})`,
	'p': `(?P<p>am|pm)`,
	'a': `(?P<a>mon|tue|wed|thu|fri|sat|sun)`,
	'A': `(?P<A>monday|tuesday|wednesday|thursday|friday|saturday|sunday)`,
	'b': `(?P<b>jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)`,
	'B': `(?P<B>january|february|march|april|may|june|july|august|september|october|november|december)`,
	'%': `%`,
}

var spacesRE = regexp.MustCompile(`\s+`)

// compileStrptime converts a strptime format into a regular expression.
func compileStrptime(format string) (*strptime, error) {
	var b strings.Builder
	b.WriteString(`(?i)^`)
	seen := map[byte]bool{}
	for i := 0; i < len(format); i++ {
		ch := format[i]
		if ch != '%' {
			b.WriteString(literal(format, &i))
			continue
		}
		if i+1 >= len(format) {
			return nil, fmt.Errorf("strptime: stray %% at the end of %q", format)
		}
		i++
		d := format[i]
		re, ok := directiveRE[d]
		if !ok {
			return nil, fmt.Errorf("strptime: unsupported directive %%%c", d)
		}
		if seen[d] && d != '%' {
			return nil, fmt.Errorf("strptime: directive %%%c used twice", d)
		}
		seen[d] = true
		b.WriteString(re)
	}
	re, err := regexp.Compile(b.String())
	if err != nil {
		return nil, err
	}
	return &strptime{re: re}, nil
}

// literal quotes the run of non-directive text starting at format[*i];
// whitespace matches any run of whitespace, as in CPython.
func literal(format string, i *int) string {
	j := *i
	for j < len(format) && format[j] != '%' {
		j++
	}
	text := format[*i:j]
	*i = j - 1
	parts := spacesRE.Split(text, -1)
	for k, p := range parts {
		parts[k] = regexp.QuoteMeta(p)
	}
	return strings.Join(parts, `\s+`)
}

// parse returns the instant in UTC; fields absent from the format take
// Python's defaults (1900-01-01 00:00:00).
func (p *strptime) parse(s string) (time.Time, bool) {
	m := p.re.FindStringSubmatchIndex(s)
	if m == nil || m[1] != len(s) {
		return time.Time{}, false // no match, or unconverted data remains
	}
	g := map[string]string{}
	for i, name := range p.re.SubexpNames() {
		if name != "" && m[2*i] >= 0 {
			g[name] = strings.ToLower(s[m[2*i]:m[2*i+1]])
		}
	}
	return fromGroups(g)
}

func fromGroups(g map[string]string) (time.Time, bool) {
	num := func(k string, def int) int {
		if v, ok := g[k]; ok {
			n, _ := strconv.Atoi(strings.TrimSpace(v))
			return n
		}
		return def
	}
	year := num("Y", 1900)
	if y, ok := g["y"]; ok {
		n, _ := strconv.Atoi(y)
		year = 1900 + n
		if n < 69 { // POSIX pivot, as CPython
			year = 2000 + n
		}
	}
	month := num("m", monthOf(g))
	hour := num("H", 0)
	if _, ok := g["I"]; ok {
		hour = num("I", 0) % 12
		if g["p"] == "pm" {
			hour += 12
		}
	}
	off, ok := parseOffset(strings.ToUpper(g["z"]))
	if !ok {
		return time.Time{}, false
	}
	if j, ok := g["j"]; ok && g["m"] == "" && g["d"] == "" {
		n, _ := strconv.Atoi(j)
		start := time.Date(year, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, n-1)
		if start.Year() != year {
			return time.Time{}, false
		}
		month = int(start.Month())
		g["d"] = strconv.Itoa(start.Day())
	}
	ns := fraction(g["f"])
	return buildTime(year, month, num("d", 1), hour, num("M", 0), num("S", 0), ns, off)
}

var monthNames = []string{"jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"}

// monthOf reads %b or %B; January when neither is present.
func monthOf(g map[string]string) int {
	name := g["b"]
	if name == "" {
		name = g["B"]
	}
	for i, m := range monthNames {
		if strings.HasPrefix(name, m) {
			return i + 1
		}
	}
	return 1
}
