package ngsild

import (
	"regexp"

	"github.com/socle/socle/internal/errs"
)

// Engines run a Query in two steps: SQL selects candidates by type, ID
// and, for geo-queries, a bounding box, in ID order; Pager applies the
// rest in Go (idPattern, q, the exact geo relation) and cuts the page.
// When nothing is left for Go (Filtered is false), engines may page and
// count in SQL instead.

// Filtered reports whether q needs the Go filter.
func (q *Query) Filtered() bool { return q.IDPattern != "" || q.Q != nil || q.Geo != nil }

// Box is the bounding box prefilter of q, if any.
func (q *Query) Box() (Box, bool) {
	if q.Geo == nil {
		return Box{}, false
	}
	return q.Geo.Bounds()
}

// Pager collects the page of a query from candidates in ID order.
type Pager struct {
	q       *Query
	re      *regexp.Regexp
	scanned int
	matched int
	Page    []*Entity
}

// NewPager prepares the Go filter of q. errs.Invalid for a bad idPattern.
func NewPager(q *Query) (*Pager, error) {
	p := &Pager{q: q}
	if q.IDPattern != "" {
		re, err := regexp.Compile(q.IDPattern)
		if err != nil || len(q.IDPattern) > 256 {
			return nil, errs.WithCode(errs.Invalid, "BadRequestData", "idPattern is not a regular expression")
		}
		p.re = re
	}
	return p, nil
}

// Add offers the next candidate; more is false once the page is full and
// no count is needed. errs.Forbidden (TooComplexQuery) past MaxScan
// candidates.
func (p *Pager) Add(e *Entity) (more bool, err error) {
	if p.scanned++; p.scanned > MaxScan {
		return false, errs.WithCode(errs.Forbidden, "TooComplexQuery", "the query examines more than %d entities: narrow it by type or area", MaxScan)
	}
	if !p.match(e) {
		return true, nil
	}
	p.matched++
	if p.matched > p.q.Offset && len(p.Page) < p.q.Limit {
		p.Page = append(p.Page, e)
	}
	return p.q.Count || len(p.Page) < p.q.Limit, nil
}

func (p *Pager) match(e *Entity) bool {
	if p.re != nil && !p.re.MatchString(e.ID) {
		return false
	}
	if p.q.Geo != nil && !p.q.Geo.Match(e.Location) {
		return false
	}
	return p.q.Q == nil || p.q.Q.Match(e)
}

// Matched is the number of matches seen (all of them when Count).
func (p *Pager) Matched() int { return p.matched }
