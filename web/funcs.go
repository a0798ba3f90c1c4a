package web

import (
	"github.com/socle/socle/internal/annual"
	"html/template"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// funcs are the template helpers. They format for French readers: spaces
// between thousands, decimal commas, day-month-year dates.
func (s *Server) funcs() template.FuncMap {
	return template.FuncMap{
		"t":          s.msgs.T,
		"tn":         s.msgs.N,
		"int":        frInt,
		"bytes":      frBytes,
		"date":       frDate,
		"datetime":   frDateTime,
		"join":       strings.Join,
		"urlWith":    urlWith,
		"label":      s.label,
		"add":        func(a, b int) int { return a + b },
		"query":      url.QueryEscape,
		"barsHeight": func(n int) int { return n*28 + 4 },
		"mul3":       func(w int64) int64 { return w * 3 },
		"addw":       func(w int64) int64 { return 266 + w*3 },
		"bars": func(cs []annual.Count, kind string) []bar {
			return s.annualBars(cs, kind)
		},
	}
}

// label translates a coded value (theme, licence, access, frequency, field
// type) through the catalogue, falling back to the code itself.
func (s *Server) label(kind, code string) string {
	if k := kind + "." + code; s.msgs.Has(k) {
		return s.msgs.T(k)
	}
	return code
}

// frInt writes n with narrow no-break spaces between thousands.
func frInt(n any) string {
	v, ok := asInt64(n)
	if !ok {
		return ""
	}
	s := strconv.FormatInt(v, 10)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteString("\u202f")
		}
		b.WriteRune(c)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}

// asInt64 reads the integer a template passes (int or int64).
func asInt64(n any) (int64, bool) {
	switch x := n.(type) {
	case int:
		return int64(x), true
	case int64:
		return x, true
	}
	return 0, false
}

// frBytes writes a size in o, ko, Mo, Go (powers of 1024, one decimal).
func frBytes(n int64) string {
	units := []string{"o", "ko", "Mo", "Go", "To"}
	f, i := float64(n), 0
	for f >= 1024 && i < len(units)-1 {
		f /= 1024
		i++
	}
	if i == 0 {
		return strconv.FormatInt(n, 10) + " o"
	}
	return strings.Replace(strconv.FormatFloat(f, 'f', 1, 64), ".", ",", 1) + "\u00a0" + units[i]
}

var frMonths = []string{"janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre", "novembre", "décembre"}

func frDate(t any) string {
	var v time.Time
	switch x := t.(type) {
	case time.Time:
		v = x
	case *time.Time:
		if x == nil {
			return ""
		}
		v = *x
	default:
		return ""
	}
	if v.IsZero() {
		return ""
	}
	v = v.In(paris)
	return strconv.Itoa(v.Day()) + " " + frMonths[v.Month()-1] + " " + strconv.Itoa(v.Year())
}

func frDateTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return frDate(t) + " à " + t.In(paris).Format("15:04")
}

// paris is the portal's display time zone.
var paris = func() *time.Location {
	if l, err := time.LoadLocation("Europe/Paris"); err == nil {
		return l
	}
	return time.UTC
}()

// urlWith returns the query string raw with key set to value (removed when
// value is ""), and the page reset: every state of a page lives in its URL.
func urlWith(raw, key, value string) string {
	v, _ := url.ParseQuery(raw)
	if value == "" {
		v.Del(key)
	} else {
		v.Set(key, value)
	}
	if key != "page" {
		v.Del("page")
	}
	v.Del("ok")
	if len(v) == 0 {
		return "?"
	}
	return "?" + v.Encode()
}
