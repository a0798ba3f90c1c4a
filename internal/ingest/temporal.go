package ingest

import (
	"strings"
	"time"
)

// parseDate reads YYYY-MM-DD, YYYY/MM/DD and DD/MM/YYYY (the French order;
// MM/DD/YYYY is not accepted because the two cannot be told apart) and
// returns UTC midnight of that day.
func parseDate(s string) (time.Time, bool) {
	s = strings.TrimSpace(s)
	if len(s) != 10 {
		return time.Time{}, false
	}
	var y, m, d int
	var ok bool
	switch {
	case s[4] == '-' && s[7] == '-', s[4] == '/' && s[7] == '/':
		y, ok = atoiN(s[0:4])
		m, ok = atoiOK(s[5:7], ok)
		d, ok = atoiOK(s[8:10], ok)
	case s[2] == '/' && s[5] == '/':
		d, ok = atoiN(s[0:2])
		m, ok = atoiOK(s[3:5], ok)
		y, ok = atoiOK(s[6:10], ok)
	}
	if !ok {
		return time.Time{}, false
	}
	t := time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC)
	// time.Date normalises 2017-02-30 to March; a real date survives unchanged.
	if t.Year() != y || int(t.Month()) != m || t.Day() != d {
		return time.Time{}, false
	}
	return t, true
}

// parseDateTime reads a date (as parseDate) followed by 'T' or a space and
// HH:MM[:SS[.fraction]] and an optional offset: Z, +02:00, +0200 or +02. A
// time without an offset is taken as UTC: the file does not say, and UTC
// keeps the value unchanged for a reader that knows better.
func parseDateTime(s string) (time.Time, bool) {
	s = strings.TrimSpace(s)
	if len(s) < 16 || (s[10] != 'T' && s[10] != ' ') {
		return time.Time{}, false
	}
	day, ok := parseDate(s[:10])
	if !ok {
		return time.Time{}, false
	}
	clock, rest, ok := parseClock(s[11:])
	if !ok {
		return time.Time{}, false
	}
	offset, ok := parseOffset(rest)
	if !ok {
		return time.Time{}, false
	}
	return day.Add(clock - offset).UTC(), true
}

// parseClock reads HH:MM[:SS[.fraction]] and returns what follows.
func parseClock(s string) (time.Duration, string, bool) {
	if len(s) < 5 || s[2] != ':' {
		return 0, "", false
	}
	h, ok := atoiN(s[0:2])
	m, ok := atoiOK(s[3:5], ok)
	sec, s := 0, s[5:]
	if ok && len(s) >= 3 && s[0] == ':' {
		sec, ok = atoiOK(s[1:3], ok)
		s = s[3:]
	}
	if !ok || h > 23 || m > 59 || sec > 60 {
		return 0, "", false
	}
	d := time.Duration(h)*time.Hour + time.Duration(m)*time.Minute + time.Duration(sec)*time.Second
	if len(s) > 0 && (s[0] == '.' || s[0] == ',') {
		n := leadingDigits(s[1:])
		if n == 0 {
			return 0, "", false
		}
		frac := time.Duration(0)
		for i, scale := 0, time.Second/10; i < n && i < 9; i, scale = i+1, scale/10 {
			frac += time.Duration(s[1+i]-'0') * scale
		}
		d += frac
		s = s[1+n:]
	}
	return d, s, true
}

// parseOffset reads "", "Z", "+02:00", "+0200" or "+02".
func parseOffset(s string) (time.Duration, bool) {
	switch {
	case s == "":
		return 0, true
	case s == "Z" || s == "z":
		return 0, true
	case s[0] != '+' && s[0] != '-':
		return 0, false
	}
	sign, s := s[0], s[1:]
	var h, m int
	ok := false
	switch {
	case len(s) == 2:
		h, ok = atoiN(s)
	case len(s) == 4:
		h, ok = atoiN(s[:2])
		m, ok = atoiOK(s[2:], ok)
	case len(s) == 5 && s[2] == ':':
		h, ok = atoiN(s[:2])
		m, ok = atoiOK(s[3:], ok)
	}
	if !ok || h > 14 || m > 59 {
		return 0, false
	}
	d := time.Duration(h)*time.Hour + time.Duration(m)*time.Minute
	if sign == '-' {
		d = -d
	}
	return d, true
}

// atoiN parses a fixed-width run of ASCII digits.
func atoiN(s string) (int, bool) {
	n := 0
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0, false
		}
		n = n*10 + int(s[i]-'0')
	}
	return n, len(s) > 0
}

// atoiOK is atoiN that keeps a previous failure.
func atoiOK(s string, ok bool) (int, bool) {
	n, ok2 := atoiN(s)
	return n, ok && ok2
}
