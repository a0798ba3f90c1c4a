package ngsild

import (
	"strconv"
	"time"

	"github.com/socle/socle/internal/errs"
)

// maxDuration bounds an aggregation period: ten years.
const maxDuration = 10 * 366 * 24 * time.Hour

// ParseDuration reads an ISO 8601 duration of fixed length for
// aggrPeriodDuration: PnW, or PnDTnHnMnS with any part left out (seconds
// may have a fraction). Years and months have no fixed length and are
// refused, as are zero and overlong durations. errs.Invalid.
func ParseDuration(s string) (time.Duration, error) {
	bad := func() (time.Duration, error) {
		return 0, errs.WithCode(errs.Invalid, "BadRequestData", "%q is not an ISO 8601 duration of days, hours, minutes or seconds (PT1H, P1D, P1W)", truncate(s, 40))
	}
	if len(s) < 3 || s[0] != 'P' || len(s) > 64 {
		return bad()
	}
	var total float64
	inTime, seen := false, ""
	num := ""
	for i := 1; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= '0' && c <= '9' || c == '.' && inTime:
			num += string(c)
			continue
		case c == 'T' && !inTime && num == "":
			inTime = true
			if i == len(s)-1 {
				return bad()
			}
			continue
		}
		unit := unitOf(c, inTime)
		if unit == 0 || num == "" || containsByte(seen, c, inTime) {
			if c == 'Y' || c == 'M' && !inTime {
				return 0, errs.WithCode(errs.Invalid, "BadRequestData", "aggrPeriodDuration %q: years and months have no fixed length; use days (P30D)", truncate(s, 40))
			}
			return bad()
		}
		f, err := strconv.ParseFloat(num, 64)
		if err != nil || (c != 'S' && containsDot(num)) {
			return bad()
		}
		total += f * float64(unit)
		if total > float64(maxDuration) {
			return 0, errs.WithCode(errs.Invalid, "BadRequestData", "aggrPeriodDuration %q is longer than ten years", truncate(s, 40))
		}
		seen += marker(c, inTime)
		num = ""
	}
	if num != "" {
		return bad()
	}
	d := time.Duration(total)
	if d < time.Millisecond {
		return 0, errs.WithCode(errs.Invalid, "BadRequestData", "aggrPeriodDuration %q is shorter than a millisecond", truncate(s, 40))
	}
	return d, nil
}

func unitOf(c byte, inTime bool) time.Duration {
	if inTime {
		switch c {
		case 'H':
			return time.Hour
		case 'M':
			return time.Minute
		case 'S':
			return time.Second
		}
		return 0
	}
	switch c {
	case 'W':
		return 7 * 24 * time.Hour
	case 'D':
		return 24 * time.Hour
	}
	return 0
}

// marker names a unit once per part (M is minutes only in the time part).
func marker(c byte, inTime bool) string {
	if inTime {
		return "t" + string(c)
	}
	return string(c)
}

func containsByte(seen string, c byte, inTime bool) bool {
	m := marker(c, inTime)
	for i := 0; i+len(m) <= len(seen); i++ {
		if seen[i:i+len(m)] == m {
			return true
		}
	}
	return false
}

func containsDot(s string) bool {
	for i := range len(s) {
		if s[i] == '.' {
			return true
		}
	}
	return false
}
