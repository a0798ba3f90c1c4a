package privacy

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/socle/socle/internal/catalog"
	"github.com/socle/socle/internal/errs"
)

// Grouper counts the transformed rows of an aggregate per group.
type Grouper struct {
	plan   *Plan
	keys   []int // group-by columns of the plan's rows
	sums   []int // summed columns
	groups map[string]*group
	order  []string // groups in first-seen order, for a stable output
}

type group struct {
	values catalog.Row
	count  int64
	sums   []float64
	seen   []bool // a sum with no non-null value stays null
}

// NewGrouper returns the grouper of p's aggregate (which must be set).
func NewGrouper(p *Plan) *Grouper {
	g := &Grouper{plan: p, groups: map[string]*group{}}
	for _, name := range p.Spec.Aggregate.GroupBy {
		_, i := p.field(name)
		g.keys = append(g.keys, i)
	}
	for _, name := range p.Spec.Aggregate.Sum {
		_, i := p.field(name)
		g.sums = append(g.sums, i)
	}
	return g
}

// Fields are the aggregate's output fields: the group-by fields, the
// count, then the sums.
func (g *Grouper) Fields() []catalog.Field {
	var out []catalog.Field
	for _, i := range g.keys {
		out = append(out, g.plan.Fields[i])
	}
	a := g.plan.Spec.Aggregate
	out = append(out, catalog.Field{Name: a.Count, Label: a.Count, Type: catalog.TypeInt})
	for _, i := range g.sums {
		f := g.plan.Fields[i]
		out = append(out, catalog.Field{Name: "sum_" + f.Name, Label: "sum_" + f.Name, Type: catalog.TypeDouble, Unit: f.Unit})
	}
	return out
}

// Add counts one transformed row. errs.TooLarge past MaxGroups groups.
func (g *Grouper) Add(row catalog.Row) error {
	vals := make(catalog.Row, len(g.keys))
	for j, i := range g.keys {
		vals[j] = row[i]
	}
	k := groupKey(vals)
	gr, ok := g.groups[k]
	if !ok {
		if len(g.groups) >= MaxGroups {
			return errs.E(errs.TooLarge, "aggregate: more than %d groups; generalise further", MaxGroups)
		}
		gr = &group{values: vals, sums: make([]float64, len(g.sums)), seen: make([]bool, len(g.sums))}
		g.groups[k] = gr
		g.order = append(g.order, k)
	}
	gr.count++
	for j, i := range g.sums {
		switch n := row[i].(type) {
		case int64:
			gr.sums[j] += float64(n)
			gr.seen[j] = true
		case float64:
			gr.sums[j] += n
			gr.seen[j] = true
		}
	}
	return nil
}

func groupKey(vals catalog.Row) string {
	b, _ := json.Marshal(vals) // plain values: cannot fail
	return string(b)
}

// Report says how the secrecy rule applied to an aggregate.
type Report struct {
	Groups     int      `json:"groups"`     // groups before the rule
	Threshold  int      `json:"threshold"`  // the minimum count
	Secret     int      `json:"secret"`     // groups under it
	Suppressed int      `json:"suppressed"` // of which left out (suppress)
	Examples   []string `json:"examples,omitempty"`
	Published  int      `json:"published"` // groups in the output
}

// maxExamples bounds the groups a refusal names.
const maxExamples = 20

// SecrecyError is the refusal of an aggregate with groups under the
// threshold; Report says how many and which.
type SecrecyError struct{ Report Report }

func (e *SecrecyError) Error() string {
	return fmt.Sprintf("statistical secrecy: %d of %d groups count fewer than %d (%s)",
		e.Report.Secret, e.Report.Groups, e.Report.Threshold, strings.Join(e.Report.Examples, "; "))
}

// Rows applies the secrecy rule and returns the published rows (group-by
// values, count, sums) in first-seen order. With OnSecret refuse and any
// group under the threshold, it returns a *SecrecyError (wrapped as
// errs.Invalid) and no row.
func (g *Grouper) Rows() ([]catalog.Row, Report, error) {
	a := g.plan.Spec.Aggregate
	rep := Report{Groups: len(g.groups), Threshold: a.Threshold}
	var out []catalog.Row
	for _, k := range g.order {
		gr := g.groups[k]
		if gr.count < int64(a.Threshold) {
			rep.Secret++
			if len(rep.Examples) < maxExamples {
				rep.Examples = append(rep.Examples, describe(g.Fields(), gr.values))
			}
			continue
		}
		row := slices.Clone(gr.values)
		row = append(row, gr.count)
		for j := range gr.sums {
			if gr.seen[j] {
				row = append(row, gr.sums[j])
			} else {
				row = append(row, nil)
			}
		}
		out = append(out, row)
	}
	if rep.Secret > 0 && a.OnSecret != Suppress {
		se := &SecrecyError{Report: rep}
		return nil, rep, errs.Wrap(errs.Invalid, se, "%s", se.Error())
	}
	rep.Suppressed = rep.Secret
	rep.Published = len(out)
	return out, rep, nil
}

// describe writes a group as "commune=Angers, age=20-29".
func describe(fields []catalog.Field, vals catalog.Row) string {
	parts := make([]string, len(vals))
	for i, v := range vals {
		s := "null"
		if v != nil {
			s = strings.Trim(groupKey(catalog.Row{v}), "[]")
			s = strings.Trim(s, `"`)
		}
		parts[i] = fields[i].Name + "=" + s
	}
	return strings.Join(parts, ", ")
}
