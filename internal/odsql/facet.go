package odsql

import (
	"strconv"
	"strings"

	"github.com/socle/socle/internal/catalog"
)

// CompileFacet counts the records matching q's where, refine and exclude
// per value of field. Null values are left out. Rows scan as (value, count).
//
// For text, number and boolean fields the values come most frequent first
// (ties by value), at most limit of them (limit <= 0: all).
//
// For date and datetime fields the query groups by day, "YYYY-MM-DD" text
// in q.Timezone, in ascending order and without limit: fold the rows with
// FoldDateFacets into the year → month → day hierarchy, then apply limits
// per level.
func CompileFacet(q *Query, fields []catalog.Field, table string, field string, d Dialect, limit int) (*Compiled, error) {
	c, err := newCompiler(q, fields, d)
	if err != nil {
		return nil, err
	}
	var out *Compiled
	err = catching(func() { out = c.compileFacet(q, table, field, limit) })
	return out, err
}

func (c *compiler) compileFacet(q *Query, table, name string, limit int) *Compiled {
	where := c.filters(q)
	c.clause = "facet"
	f := c.lookup(name, 0)
	col := c.field(f)
	value := col
	isDate := f.Type == catalog.TypeDate || f.Type == catalog.TypeDateTime
	switch {
	case isDate && c.d.pg():
		value = typed(cat("to_char(", c.localTS(col), ", 'YYYY-MM-DD')"), catalog.TypeText)
	case f.Type == catalog.TypeDate:
		value = typed(col, catalog.TypeText)
	case f.Type == catalog.TypeDateTime:
		value = typed(cat("socle_datefmt('%Y-%m-%d', ", col, ", ", c.tzParam(), ")"), catalog.TypeText)
	case f.Type == catalog.TypeGeoPoint || f.Type == catalog.TypeGeoShape || f.Type == catalog.TypeJSON:
		c.fail(0, "field %q of type %s cannot be a facet", name, f.Type)
	}
	conds := append(append([]frag{}, where...), cat(col, " IS NOT NULL"))
	inner := cat(" FROM ", quoteTable(table), " WHERE ", balanced(conds, "AND"), " GROUP BY 1")
	full := cat("SELECT ", value, ` AS "value", count(*) AS "count"`, inner)
	if isDate {
		full = cat(full, " ORDER BY 1 ASC")
	} else {
		full = cat(full, " ORDER BY 2 DESC, 1 ASC")
		if limit > 0 {
			full = cat(full, " LIMIT ", strconv.Itoa(limit))
		}
	}
	count := cat("SELECT count(*) FROM (SELECT ", value, inner, ") AS g")
	cols := []outCol{{"value", value}, {"count", frag{typ: catalog.TypeInt}}}
	return c.finish(full, count, cols, 0)
}

// DateFacet is one level of a date facet: "2019", "2019/08" or
// "2019/08/05" (the forms refine accepts), with its count and sub-levels.
type DateFacet struct {
	Name   string
	Count  int64
	Facets []DateFacet
}

// FoldDateFacets folds the (day "YYYY-MM-DD", count) rows of a date facet,
// in ascending day order, into years → months → days.
func FoldDateFacets(days []string, counts []int64) []DateFacet {
	var years []DateFacet
	for i, day := range days {
		if len(day) != 10 {
			continue
		}
		y, m, dd := day[:4], day[:4]+"/"+day[5:7], strings.ReplaceAll(day, "-", "/")
		n := counts[i]
		if len(years) == 0 || years[len(years)-1].Name != y {
			years = append(years, DateFacet{Name: y})
		}
		yr := &years[len(years)-1]
		yr.Count += n
		if len(yr.Facets) == 0 || yr.Facets[len(yr.Facets)-1].Name != m {
			yr.Facets = append(yr.Facets, DateFacet{Name: m})
		}
		mo := &yr.Facets[len(yr.Facets)-1]
		mo.Count += n
		mo.Facets = append(mo.Facets, DateFacet{Name: dd, Count: n})
	}
	return years
}
