package ingest

import (
	"strconv"
	"strings"
	"unicode/utf8"
)

// maxIntDigits is where integers stop being quantities: 16 digits and more are
// identifiers (and lose precision as float64), so such cells stay text.
const maxIntDigits = 15

// number is a cell read as a number, normalised for strconv.
type number struct {
	text  string // digits, optional sign, '.' decimal point, optional exponent
	isInt bool
}

// parseNumber reads the ways French files write numbers: "1234", "-3.5",
// "10000.0", "26 956,00" (space, no-break space or narrow no-break space
// between groups of three digits; decimal comma when commaDecimal). A leading
// zero ("01053") makes a code, not a number.
func parseNumber(s string, commaDecimal bool) (number, bool) {
	s = strings.TrimSpace(s)
	var b strings.Builder
	b.Grow(len(s))
	if s != "" && (s[0] == '-' || s[0] == '+') {
		if s[0] == '-' {
			b.WriteByte('-')
		}
		s = s[1:]
	}
	intDigits, rest, ok := readGroupedDigits(s, &b)
	if !ok || intDigits == 0 || (intDigits > 1 && s[0] == '0') {
		return number{}, false
	}
	if rest == "" {
		return number{text: b.String(), isInt: true}, intDigits <= maxIntDigits
	}
	if rest[0] == '.' || (commaDecimal && rest[0] == ',') {
		b.WriteByte('.')
		rest = rest[1:]
		n := leadingDigits(rest)
		if n == 0 {
			return number{}, false
		}
		b.WriteString(rest[:n])
		rest = rest[n:]
	}
	if rest != "" && !readExponent(rest, &b) {
		return number{}, false
	}
	return number{text: b.String()}, true
}

// readGroupedDigits copies the integer part of s to b without its thousands
// separators and returns how many digits it had and what follows it.
func readGroupedDigits(s string, b *strings.Builder) (digits int, rest string, ok bool) {
	group := 0
	grouped := false
	for len(s) > 0 {
		c := s[0]
		if c >= '0' && c <= '9' {
			b.WriteByte(c)
			digits++
			group++
			s = s[1:]
			continue
		}
		r, size := utf8.DecodeRuneInString(s)
		if r != ' ' && r != '\u00A0' && r != '\u202F' {
			break
		}
		// A separator must follow one to three digits (the first group) or
		// exactly three, and be followed by a digit.
		if group == 0 || group > 3 || (grouped && group != 3) || len(s) == size || s[size] < '0' || s[size] > '9' {
			return 0, "", false
		}
		grouped, group = true, 0
		s = s[size:]
	}
	if grouped && group != 3 {
		return 0, "", false
	}
	return digits, s, true
}

func leadingDigits(s string) int {
	n := 0
	for n < len(s) && s[n] >= '0' && s[n] <= '9' {
		n++
	}
	return n
}

// readExponent accepts "e5", "E-3"… as the whole remaining text.
func readExponent(s string, b *strings.Builder) bool {
	if s[0] != 'e' && s[0] != 'E' {
		return false
	}
	s = s[1:]
	b.WriteByte('e')
	if s != "" && (s[0] == '-' || s[0] == '+') {
		b.WriteByte(s[0])
		s = s[1:]
	}
	n := leadingDigits(s)
	if n == 0 || n != len(s) || n > 3 {
		return false
	}
	b.WriteString(s)
	return true
}

// parseInt and parseFloat convert a cell already known to be a number.
func parseInt(s string, commaDecimal bool) (int64, bool) {
	n, ok := parseNumber(s, commaDecimal)
	if !ok || !n.isInt {
		return 0, false
	}
	v, err := strconv.ParseInt(n.text, 10, 64)
	return v, err == nil
}

func parseFloat(s string, commaDecimal bool) (float64, bool) {
	n, ok := parseNumber(s, commaDecimal)
	if !ok {
		return 0, false
	}
	v, err := strconv.ParseFloat(n.text, 64)
	return v, err == nil
}

// parseBool reads the boolean words of French and English files. 0 and 1 are
// not among them: a column of 0 and 1 is more often a count than a flag.
func parseBool(s string) (value, ok bool) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "true", "vrai", "oui", "yes":
		return true, true
	case "false", "faux", "non", "no":
		return false, true
	}
	return false, false
}
