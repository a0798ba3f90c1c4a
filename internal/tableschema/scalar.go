package tableschema

import (
	"encoding/base64"
	"fmt"
	"net/url"
	"regexp"
	"strconv"
	"strings"
)

var (
	emailRE = regexp.MustCompile(`^[^@\s]+@[^@\s]+\.[^@\s.]+$`)
	uuidRE  = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)
	// schemeRE: a URI must be absolute (RFC 3986 scheme ":"), as
	// frictionless-py's rfc3986 check requires.
	schemeRE = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9+.-]*:\S+$`)
	// durationRE is ISO 8601 PnYnMnWnDTnHnMnS with components in order;
	// frictionless-py (isodate) rejects negative components.
	durationRE = regexp.MustCompile(`^P(?:\d+(?:[.,]\d+)?Y)?(?:\d+(?:[.,]\d+)?M)?(?:\d+(?:[.,]\d+)?W)?(?:\d+(?:[.,]\d+)?D)?(?:T(?:\d+(?:[.,]\d+)?H)?(?:\d+(?:[.,]\d+)?M)?(?:\d+(?:[.,]\d+)?S)?)?$`)
)

// castStringFormat checks the string formats; the value stays the text.
func castStringFormat(format, raw string) (any, bool, string) {
	switch format {
	case "email":
		return raw, emailRE.MatchString(raw), "not an email address"
	case "uri":
		_, err := url.Parse(raw)
		return raw, err == nil && schemeRE.MatchString(raw), "not an absolute URI"
	case "binary":
		_, err := base64.StdEncoding.DecodeString(raw)
		return raw, err == nil, "not base64"
	case "uuid":
		return raw, uuidRE.MatchString(raw), "not a UUID"
	}
	return raw, true, ""
}

func (f *Field) castBoolean(raw string) (any, bool, string) {
	switch {
	case f.c.trues[raw]:
		return true, true, ""
	case f.c.falses[raw]:
		return false, true, ""
	}
	return nil, false, "expected one of " + strings.Join(append(keys(f.c.trues), keys(f.c.falses)...), ", ")
}

func keys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sortStrings(out)
	return out
}

// castYear accepts exactly four digits, as frictionless-py does.
func castYear(raw string) (any, bool, string) {
	if len(raw) != 4 {
		return nil, false, "expected YYYY"
	}
	n, err := strconv.ParseInt(raw, 10, 64)
	if err != nil || n < 0 {
		return nil, false, "expected YYYY"
	}
	return n, true, ""
}

// castYearMonth returns the canonical "YYYY-MM" text.
func castYearMonth(raw string) (any, bool, string) {
	y, m, ok := strings.Cut(raw, "-")
	if !ok {
		return nil, false, "expected YYYY-MM"
	}
	year, err1 := strconv.Atoi(y)
	month, err2 := strconv.Atoi(m)
	if err1 != nil || err2 != nil {
		return nil, false, "expected YYYY-MM"
	}
	return yearMonth(int64(year), int64(month))
}

func yearMonth(year, month int64) (any, bool, string) {
	if year < 0 || year > 9999 || month < 1 || month > 12 {
		return nil, false, "expected YYYY-MM"
	}
	return fmt.Sprintf("%04d-%02d", year, month), true, ""
}

// castDuration validates ISO 8601 durations and keeps the text: a calendar
// duration (P1M) has no fixed length, so it cannot become a number.
func castDuration(raw string) (any, bool, string) {
	if raw == "P" || strings.HasSuffix(raw, "T") || !durationRE.MatchString(raw) {
		return nil, false, "expected an ISO 8601 duration such as P1Y2M3DT4H"
	}
	return raw, true, ""
}
