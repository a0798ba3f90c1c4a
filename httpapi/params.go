package httpapi

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/socle/socle/internal/errs"
	"github.com/socle/socle/internal/odsql"
)

// restError is a bad parameter, with Opendatasoft's error code for it.
func restError(format string, args ...any) error {
	return errs.WithCode(errs.Invalid, "InvalidRESTParameterError", format, args...)
}

// ODS limits on /records, kept for compatibility.
const (
	defaultLimit    = 10
	maxLimit        = 100
	maxWindow       = 10000
	maxGroupByLimit = 20000
	maxParamLen     = 8 << 10
	maxRepeats      = 50 // of one parameter (where, refine, facet…)
	maxFacets       = 20 // facets computed by one request
)

// queryMode tells parseQuery which limits apply.
type queryMode int

const (
	modeRecords queryMode = iota // paginated, ODS caps
	modeExport                   // unlimited unless limit is given
)

// parseQuery turns ODS query parameters into an odsql.Query.
func parseQuery(v url.Values, mode queryMode) (*odsql.Query, error) {
	for k, vals := range v {
		if len(vals) > maxRepeats {
			return nil, restError("parameter %s is repeated more than %d times", k, maxRepeats)
		}
		for _, s := range vals {
			if len(s) > maxParamLen {
				return nil, restError("parameter %s is too long", k)
			}
		}
	}
	q := &odsql.Query{Timezone: v.Get("timezone")}
	if q.Timezone != "" {
		if _, err := time.LoadLocation(q.Timezone); err != nil || q.Timezone == "Local" {
			return nil, restError("unknown timezone %q", q.Timezone)
		}
	}
	var err error
	if s := v.Get("select"); s != "" {
		if q.Select, err = odsql.ParseSelect(s); err != nil {
			return nil, err
		}
	}
	for _, s := range v["where"] {
		if strings.TrimSpace(s) == "" {
			continue
		}
		e, err := odsql.ParseWhere(s)
		if err != nil {
			return nil, err
		}
		q.Where = append(q.Where, e)
	}
	if s := v.Get("group_by"); s != "" {
		if q.GroupBy, err = odsql.ParseGroupBy(s); err != nil {
			return nil, err
		}
	}
	if s := v.Get("order_by"); s != "" {
		if q.OrderBy, err = odsql.ParseOrderBy(s); err != nil {
			return nil, err
		}
	}
	if q.Refine, err = parseRefines(v["refine"]); err != nil {
		return nil, err
	}
	if q.Exclude, err = parseRefines(v["exclude"]); err != nil {
		return nil, err
	}
	return q, applyLimits(q, v, mode)
}

func parseRefines(vals []string) ([]odsql.Refine, error) {
	var out []odsql.Refine
	for _, s := range vals {
		r, err := odsql.ParseRefine(s)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, nil
}

func intParam(v url.Values, name string, def int) (int, error) {
	s := v.Get(name)
	if s == "" {
		return def, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil {
		return 0, restError("%s must be an integer, got %q", name, s)
	}
	return n, nil
}

func applyLimits(q *odsql.Query, v url.Values, mode queryMode) error {
	def := defaultLimit
	if mode == modeExport {
		def = -1
	}
	limit, err := intParam(v, "limit", def)
	if err != nil {
		return err
	}
	offset, err := intParam(v, "offset", 0)
	if err != nil {
		return err
	}
	if offset < 0 {
		return restError("offset must be positive")
	}
	q.Limit, q.Offset = limit, offset
	if mode == modeExport {
		if limit < -1 {
			return restError("limit must be -1 (all) or positive")
		}
		return nil
	}
	max, window := maxLimit, maxWindow
	if len(q.GroupBy) > 0 {
		max, window = maxGroupByLimit, maxGroupByLimit
	}
	if limit < 0 || limit > max {
		return restError("limit must be between 0 and %d", max)
	}
	if offset+limit > window {
		return restError("offset + limit must not exceed %d: use the \"next\" link or an export to go further", window)
	}
	return nil
}

// A cursor token is opaque to clients: base64 of JSON holding the keyset
// position and a fingerprint of the query it belongs to, so that a token
// reused with other filters is refused instead of returning wrong pages.
type cursorToken struct {
	Values []any  `json:"v"`
	ID     int64  `json:"i"`
	Query  string `json:"q"`
}

// queryFingerprint identifies the parameters that shape the result order.
func queryFingerprint(v url.Values) string {
	h := sha256.New()
	for _, k := range []string{"select", "where", "order_by", "refine", "exclude", "timezone"} {
		h.Write([]byte(k + "=" + strings.Join(v[k], "\x00") + "\x01"))
	}
	return base64.RawURLEncoding.EncodeToString(h.Sum(nil)[:9])
}

func encodeCursor(c *odsql.Cursor, v url.Values) string {
	b, _ := json.Marshal(cursorToken{Values: c.Values, ID: c.ID, Query: queryFingerprint(v)})
	return base64.RawURLEncoding.EncodeToString(b)
}

func decodeCursor(s string, v url.Values) (*odsql.Cursor, error) {
	raw, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil || len(raw) > 4096 {
		return nil, errs.E(errs.Invalid, "invalid cursor")
	}
	var t cursorToken
	if err := json.Unmarshal(raw, &t); err != nil {
		return nil, errs.E(errs.Invalid, "invalid cursor")
	}
	if t.Query != queryFingerprint(v) {
		return nil, errs.E(errs.Invalid, "this cursor belongs to another query")
	}
	return &odsql.Cursor{Values: t.Values, ID: t.ID}, nil
}
