package web

import (
	"context"
	"fmt"
	"io"
	"math"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/socle/socle/internal/catalog"
	"github.com/socle/socle/internal/odsql"
)

// The chart is drawn on the server as SVG from a group_by the user picks:
// no chart library, nothing to load, and it prints and works without
// JavaScript. A table of the same numbers follows it for screen readers.
const (
	chartW, chartH         = 760, 320
	chartLeft, chartBottom = 70, 70
	chartMaxGroups         = 40
)

// chartTab is the chart form's state and the drawn chart.
type chartTab struct {
	X, Agg, Y, Kind, By string
	XFields, YFields    []catalog.Field
	Aggs, Kinds, Bys    []string
	chartPlot
	Title     string
	Truncated bool
}

// chartPlot is a drawn chart: bars (or line points), the axis ticks and
// the frame, shared by the dataset chart and the hyperviseur's series.
type chartPlot struct {
	Points           []chartPoint
	Polyline         string
	Ticks            []chartTick
	W, H, Left, Base int
}

// newChartPlot is an empty plot of the standard size.
func newChartPlot() chartPlot {
	return chartPlot{W: chartW, H: chartH, Left: chartLeft, Base: chartH - chartBottom}
}

type chartPoint struct {
	Label, Value string
	X, Y, W, H   float64 // bar rectangle, or point (X, Y) for lines
	LX, LY       float64 // label anchor
}

type chartTick struct {
	Y     float64
	Label string
}

func (s *Server) loadChart(ctx context.Context, r *http.Request, p *datasetPage) error {
	v := r.URL.Query()
	c := &chartTab{X: v.Get("x"), Agg: v.Get("agg"), Y: v.Get("y"), Kind: v.Get("kind"), By: v.Get("by"),
		Aggs: []string{"count", "sum", "avg", "min", "max"}, Kinds: []string{"bar", "line"}, Bys: []string{"year", "month", "value"},
		chartPlot: newChartPlot()}
	for _, f := range p.E.D.Fields {
		switch f.Type {
		case catalog.TypeInt, catalog.TypeDouble:
			c.YFields = append(c.YFields, f)
			c.XFields = append(c.XFields, f)
		case catalog.TypeText, catalog.TypeDate, catalog.TypeDateTime, catalog.TypeBoolean:
			c.XFields = append(c.XFields, f)
		}
	}
	c.normalize(p.E.D)
	p.Chart = c
	if c.X == "" || p.E.D.Version == 0 {
		return nil
	}
	return s.drawChart(ctx, r, p, c)
}

// normalize replaces unknown choices by defaults: the first facet (or
// text) field grouped, records counted, bars.
func (c *chartTab) normalize(d *catalog.Dataset) {
	if _, ok := d.Field(c.X); !ok || !slices.ContainsFunc(c.XFields, func(f catalog.Field) bool { return f.Name == c.X }) {
		c.X = ""
		for _, f := range c.XFields {
			if f.Facet || c.X == "" && f.Type == catalog.TypeText {
				c.X = f.Name
				if f.Facet {
					break
				}
			}
		}
	}
	if !slices.Contains(c.Aggs, c.Agg) {
		c.Agg = "count"
	}
	if !slices.ContainsFunc(c.YFields, func(f catalog.Field) bool { return f.Name == c.Y }) {
		c.Y = ""
		if len(c.YFields) > 0 {
			c.Y = c.YFields[0].Name
		}
	}
	if c.Y == "" {
		c.Agg = "count"
	}
	if !slices.Contains(c.Kinds, c.Kind) {
		c.Kind = "bar"
	}
	if !slices.Contains(c.Bys, c.By) {
		c.By = "year"
	}
}

// query is the group_by behind the chart.
func (c *chartTab) query(d *catalog.Dataset, where string) (*odsql.Query, error) {
	xf, _ := d.Field(c.X)
	x := ident(c.X)
	ordered := xf.Type != catalog.TypeText && xf.Type != catalog.TypeBoolean
	if xf.Type == catalog.TypeDate || xf.Type == catalog.TypeDateTime {
		switch c.By {
		case "year":
			x = "year(" + x + ")"
		case "month":
			x = "date_format(" + x + ", 'yyyy-MM')"
		}
	}
	agg := "count(*)"
	if c.Agg != "count" {
		agg = c.Agg + "(" + ident(c.Y) + ")"
	}
	order := "v desc"
	if ordered {
		order = "x asc"
	}
	q := &odsql.Query{Limit: chartMaxGroups + 1}
	var err error
	if q.Select, err = odsql.ParseSelect(x + " as x, " + agg + " as v"); err != nil {
		return nil, err
	}
	if q.GroupBy, err = odsql.ParseGroupBy(x + " as x"); err != nil {
		return nil, err
	}
	if q.OrderBy, err = odsql.ParseOrderBy(order); err != nil {
		return nil, err
	}
	if where != "" {
		e, err := odsql.ParseWhere(where)
		if err != nil {
			return nil, err
		}
		q.Where = []odsql.Expr{e}
	}
	return q, nil
}

func (s *Server) drawChart(ctx context.Context, r *http.Request, p *datasetPage, c *chartTab) error {
	q, err := c.query(p.E.D, p.F.Effective)
	if err != nil {
		return err
	}
	rows, err := s.app.Store.Query(ctx, p.E.D, q)
	if err != nil {
		return err
	}
	defer rows.Close()
	cols := rows.Columns()
	var labels []string
	var values []float64
	for {
		row, err := rows.Next()
		if err == io.EOF {
			break
		} else if err != nil {
			return err
		}
		labels = append(labels, cellText(cols[0].Type, row[0]))
		values = append(values, toFloat(row[1]))
	}
	if len(labels) > chartMaxGroups {
		labels, values, c.Truncated = labels[:chartMaxGroups], values[:chartMaxGroups], true
	}
	s.app.AuditRead(ctx, principal(r), p.E.D, "records.aggregate", int64(len(labels)))
	c.layout(labels, values)
	return nil
}

func toFloat(v any) float64 {
	switch x := v.(type) {
	case int64:
		return float64(x)
	case float64:
		return x
	}
	return 0
}

// layout computes the bars (or line points), the axis ticks and labels.
func (c *chartPlot) layout(labels []string, values []float64) {
	top := 0.0
	for _, v := range values {
		top = max(top, v)
	}
	if top <= 0 {
		top = 1
	}
	top = niceCeil(top)
	plotW, plotH := float64(c.W-c.Left-10), float64(c.Base-10)
	step := plotW / float64(max(len(values), 1))
	var pts []string
	for i, v := range values {
		h := v / top * plotH
		x := float64(c.Left) + float64(i)*step
		pt := chartPoint{Label: labels[i], Value: frNumber(v), X: x + step*0.15, W: step * 0.7, Y: float64(c.Base) - h, H: h, LX: x + step/2, LY: float64(c.Base) + 14}
		c.Points = append(c.Points, pt)
		pts = append(pts, fmt.Sprintf("%.1f,%.1f", x+step/2, float64(c.Base)-h))
	}
	c.Polyline = strings.Join(pts, " ")
	for i := 0; i <= 4; i++ {
		v := top * float64(i) / 4
		c.Ticks = append(c.Ticks, chartTick{Y: float64(c.Base) - v/top*plotH, Label: frNumber(v)})
	}
}

// niceCeil rounds v up to 1, 2 or 5 times a power of ten.
func niceCeil(v float64) float64 {
	p := math.Pow(10, math.Floor(math.Log10(v)))
	for _, m := range []float64{1, 2, 5, 10} {
		if m*p >= v {
			return m * p
		}
	}
	return 10 * p
}

// frNumber writes v the French way, with at most two decimals.
func frNumber(v float64) string {
	if v == float64(int64(v)) {
		return frInt(int64(v))
	}
	s := strconv.FormatFloat(v, 'f', 2, 64)
	s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
	ip, fp, _ := strings.Cut(s, ".")
	n, _ := strconv.ParseInt(ip, 10, 64)
	out := frInt(n)
	if fp != "" {
		out += "," + fp
	}
	return out
}
