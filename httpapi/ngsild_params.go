package httpapi

import (
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/socle/socle/internal/errs"
	"github.com/socle/socle/internal/ngsild"
)

// ldQuery is a parsed entity query with its representation.
type ldQuery struct {
	q    ngsild.Query
	opts ngsild.Options
}

// maxListItems bounds the comma lists of query parameters.
const maxListItems = 100

// parseLDQuery reads the entity query parameters under context c.
func parseLDQuery(v url.Values, c *ngsild.Context, maxLimit int) (ldQuery, error) {
	var lq ldQuery
	var err error
	if lq.q.Limit, err = ldInt(v, "limit", ngsild.DefaultLimit, 0); err != nil {
		return lq, err
	}
	if lq.q.Limit > maxLimit {
		return lq, errs.WithCode(errs.Forbidden, "TooManyResults", "limit may not exceed %d", maxLimit)
	}
	if lq.q.Offset, err = ldInt(v, "offset", 0, 0); err != nil {
		return lq, err
	}
	lq.q.Count = v.Get("count") == "true"
	if lq.q.Limit == 0 && !lq.q.Count {
		return lq, ldBad("limit=0 goes with count=true")
	}
	if lq.q.Types, err = ldList(v.Get("type")); err != nil {
		return lq, err
	}
	for i, t := range lq.q.Types {
		lq.q.Types[i] = c.Expand(t)
	}
	if lq.q.IDs, err = ldList(v.Get("id")); err != nil {
		return lq, err
	}
	for _, id := range lq.q.IDs {
		if err := ngsild.CheckID(id); err != nil {
			return lq, err
		}
	}
	lq.q.IDPattern = v.Get("idPattern")
	if s := v.Get("q"); s != "" {
		if lq.q.Q, err = ngsild.ParseQ(s); err != nil {
			return lq, err
		}
		lq.q.Q.Expand(c)
	}
	if err := parseLDGeo(v, &lq.q); err != nil {
		return lq, err
	}
	lq.opts, err = parseLDOptions(v, c)
	return lq, err
}

func parseLDGeo(v url.Values, q *ngsild.Query) error {
	if gp := v.Get("geoproperty"); gp != "" && gp != "location" {
		return errs.WithCode(errs.Invalid, "OperationNotSupported", "only geoproperty=location is supported")
	}
	rel, geom, coords := v.Get("georel"), v.Get("geometry"), v.Get("coordinates")
	if rel == "" && geom == "" && coords == "" {
		return nil
	}
	g, err := ngsild.ParseGeoQuery(rel, geom, coords)
	q.Geo = g
	return err
}

// parseLDOptions reads attrs, options and format.
func parseLDOptions(v url.Values, c *ngsild.Context) (ngsild.Options, error) {
	var o ngsild.Options
	attrs, err := ldList(v.Get("attrs"))
	if err != nil {
		return o, err
	}
	if len(attrs) > 0 {
		o.Attrs = map[string]bool{}
		for _, a := range attrs {
			o.Attrs[c.Expand(a)] = true
		}
	}
	opts := strings.Split(v.Get("options"), ",")
	o.KeyValues = slices.Contains(opts, "keyValues") || slices.Contains(opts, "simplified")
	o.SysAttrs = slices.Contains(opts, "sysAttrs")
	switch f := v.Get("format"); f {
	case "":
	case "keyValues", "simplified":
		o.KeyValues = true
	case "normalized":
		o.KeyValues = false
	default:
		return o, ldBad("format must be normalized, keyValues or simplified")
	}
	return o, nil
}

func ldBad(format string, args ...any) error {
	return errs.WithCode(errs.Invalid, "BadRequestData", format, args...)
}

// ldInt reads a whole number parameter of at least lo.
func ldInt(v url.Values, name string, def, lo int) (int, error) {
	s := v.Get(name)
	if s == "" {
		return def, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < lo || n > ngsild.MaxScan {
		return 0, ldBad("%s must be a whole number from %d to %d", name, lo, ngsild.MaxScan)
	}
	return n, nil
}

// ldList splits a comma list, refusing empty items and overlong lists.
func ldList(s string) ([]string, error) {
	if s == "" {
		return nil, nil
	}
	items := strings.Split(s, ",")
	if len(items) > maxListItems {
		return nil, ldBad("at most %d items in a list", maxListItems)
	}
	for _, it := range items {
		if it == "" {
			return nil, ldBad("empty item in list %q", s)
		}
	}
	return items, nil
}

// pageLinks sets NGSILD-Results-Count and the next-page Link.
func pageLinks(w http.ResponseWriter, r *http.Request, q ngsild.Query, n, total int) {
	if q.Count {
		w.Header().Set("NGSILD-Results-Count", strconv.Itoa(total))
	}
	if q.Limit == 0 || n < q.Limit || q.Count && q.Offset+n >= total {
		return
	}
	v := ldValues(r)
	v.Set("offset", strconv.Itoa(q.Offset+q.Limit))
	v.Set("limit", strconv.Itoa(q.Limit))
	w.Header().Add("Link", "<"+r.URL.Path+"?"+v.Encode()+`>; rel="next"; type="application/json"`)
}

// ldValues parses the query string as NGSI-LD clients write it: split at
// '&' only, since q and georel hold ';' that clients often leave
// unencoded (url.ParseQuery drops such pairs). A pair that does not
// unescape is kept as written.
func ldValues(r *http.Request) url.Values {
	v := url.Values{}
	for _, pair := range strings.Split(r.URL.RawQuery, "&") {
		if pair == "" {
			continue
		}
		k, val, _ := strings.Cut(pair, "=")
		if u, err := url.QueryUnescape(k); err == nil {
			k = u
		}
		if u, err := url.QueryUnescape(val); err == nil {
			val = u
		}
		v.Add(k, val)
	}
	return v
}
