package tableschema

import (
	"strconv"
	"strings"
)

// bare reports whether numbers must be written bare; the spec default is
// true.
func (f *Field) bare() bool { return f.BareNumber == nil || *f.BareNumber }

// stripNonBare removes what surrounds a number written like "€ 10" or
// "95%": leading characters other than digits and '-', trailing non-digits.
// It mirrors frictionless-py's ((^[^-\d]*)|(\D*$)) substitution.
func stripNonBare(s string) string {
	start := strings.IndexFunc(s, func(r rune) bool { return r == '-' || isDigit(r) })
	if start < 0 {
		return ""
	}
	s = s[start:]
	end := strings.LastIndexFunc(s, isDigit)
	return s[:end+1]
}

func isDigit(r rune) bool { return r >= '0' && r <= '9' }

func (f *Field) castInteger(raw string) (any, bool, string) {
	s := raw
	if f.GroupChar != "" {
		s = strings.ReplaceAll(s, f.GroupChar, "")
	}
	if !f.bare() {
		s = stripNonBare(s)
	}
	n, ok := parseInt(strings.TrimSpace(s))
	if !ok {
		return nil, false, "expected an integer"
	}
	return n, true, ""
}

// parseInt accepts an optional sign and decimal digits only (no "0x", no
// "_"), like Python's int() on text.
func parseInt(s string) (int64, bool) {
	digits := strings.TrimLeft(s, "+-")
	if len(s)-len(digits) > 1 || digits == "" || strings.IndexFunc(digits, func(r rune) bool { return !isDigit(r) }) >= 0 {
		return 0, false
	}
	n, err := strconv.ParseInt(s, 10, 64)
	return n, err == nil
}

func (f *Field) castNumber(raw string) (any, bool, string) {
	s := raw
	if f.GroupChar != "" {
		s = strings.ReplaceAll(s, f.GroupChar, "")
	}
	if f.DecimalChar != "" && f.DecimalChar != "." {
		s = strings.ReplaceAll(s, f.DecimalChar, ".")
	}
	if !f.bare() {
		s = stripNonBare(s)
	}
	x, ok := parseFloat(strings.TrimSpace(s))
	if !ok {
		return nil, false, "expected a number"
	}
	return x, true, ""
}

// parseFloat accepts decimal notation with an optional exponent and the
// special values NaN, INF, -INF (any case), as Python's Decimal does, but
// not Go extras such as hexadecimal floats or digit separators.
func parseFloat(s string) (float64, bool) {
	switch strings.ToLower(strings.TrimLeft(s, "+-")) {
	case "nan", "inf", "infinity":
		x, err := strconv.ParseFloat(s, 64)
		return x, err == nil
	}
	if s == "" || strings.ContainsAny(s, "xX_pP") {
		return 0, false
	}
	for _, r := range s {
		if !isDigit(r) && !strings.ContainsRune("+-.eE", r) {
			return 0, false
		}
	}
	x, err := strconv.ParseFloat(s, 64)
	return x, err == nil
}
