package importer

import (
	"github.com/socle/socle/internal/catalog"
)

// maxFacetValues is the most distinct values a text column may have to be
// offered as a facet: beyond, a list of values helps nobody filter.
const maxFacetValues = 50

// facetTracker counts, during the first pass, the distinct values of each
// column up to a cap, so that the dataset gets sensible default facets
// (categories, booleans, dates) without a query over the loaded table.
type facetTracker struct {
	header []string
	seen   []map[string]struct{}
	rows   int64
}

func newFacetTracker(header []string) *facetTracker {
	t := &facetTracker{header: header, seen: make([]map[string]struct{}, len(header))}
	for i := range t.seen {
		t.seen[i] = map[string]struct{}{}
	}
	return t
}

func (t *facetTracker) add(cells []string) {
	t.rows++
	for i, c := range cells {
		if i >= len(t.seen) || t.seen[i] == nil || c == "" {
			continue
		}
		t.seen[i][c] = struct{}{}
		if len(t.seen[i]) > maxFacetValues {
			t.seen[i] = nil // too many: stop counting this column
		}
	}
}

// mark sets Facet on the fields worth filtering by: booleans, dates, and
// text columns whose values repeat and stay few.
func (t *facetTracker) mark(fields []catalog.Field) {
	col := map[string]int{}
	for i, name := range catalog.UniqueNames(t.header) {
		col[name] = i
	}
	for i := range fields {
		f := &fields[i]
		switch f.Type {
		case catalog.TypeBoolean, catalog.TypeDate, catalog.TypeDateTime:
			f.Facet = true
		case catalog.TypeText:
			j, ok := col[f.Name]
			if ok && t.seen[j] != nil && len(t.seen[j]) > 0 && int64(len(t.seen[j])) < t.rows {
				f.Facet = true
			}
		}
	}
}
