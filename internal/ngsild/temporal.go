package ngsild

import (
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/socle/socle/internal/errs"
	"github.com/socle/socle/internal/sensors"
)

// The temporal API reads an entity's numeric Properties back from the
// sensors time series (one series per attribute, named by its local name).

// Aggregation methods.
var AggrMethods = []string{"totalCount", "distinctCount", "sum", "avg", "min", "max", "stddev", "sumsq"}

// TemporalQuery is a parsed temporal request.
type TemporalQuery struct {
	From, To   time.Time // half-open; zero for unbounded
	LastN      int       // the newest N instances per attribute; 0 for all
	Attrs      map[string]bool
	Values     bool // options=temporalValues: [value, time] pairs
	Aggregated bool // options=aggregatedValues
	Methods    []string
	Period     time.Duration // 0: one period over the whole interval
}

// MaxInstances bounds the observations one temporal request reads.
const MaxInstances = 100_000

// ParseTemporal reads timerel, timeAt, endTimeAt, lastN, aggrMethods and
// aggrPeriodDuration. errs.Invalid (BadRequestData).
func ParseTemporal(get func(string) string, options []string) (TemporalQuery, error) {
	var tq TemporalQuery
	bad := func(format string, args ...any) (TemporalQuery, error) {
		return TemporalQuery{}, errs.WithCode(errs.Invalid, "BadRequestData", format, args...)
	}
	at, end, err := parseTimes(get("timeAt"), get("endTimeAt"))
	if err != nil {
		return bad("%s", errs.Message(err))
	}
	switch rel := get("timerel"); rel {
	case "":
		if !at.IsZero() {
			return bad("timeAt needs timerel")
		}
	case "before":
		tq.To = at
	case "after":
		tq.From = at
	case "between":
		if end.IsZero() || !end.After(at) {
			return bad("timerel=between needs endTimeAt after timeAt")
		}
		tq.From, tq.To = at, end
	default:
		return bad("timerel must be before, after or between")
	}
	if rel := get("timerel"); rel != "" && at.IsZero() {
		return bad("timerel needs timeAt")
	}
	if tp := get("timeproperty"); tp != "" && tp != "observedAt" {
		return bad("only timeproperty=observedAt is supported")
	}
	if s := get("lastN"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > MaxInstances {
			return bad("lastN must be a whole number from 1 to %d", MaxInstances)
		}
		tq.LastN = n
	}
	tq.Values = slices.Contains(options, "temporalValues")
	tq.Aggregated = slices.Contains(options, "aggregatedValues")
	if !tq.Aggregated {
		return tq, nil
	}
	for _, m := range strings.Split(get("aggrMethods"), ",") {
		if !slices.Contains(AggrMethods, m) {
			return bad("aggrMethods must list some of %s", strings.Join(AggrMethods, ", "))
		}
		tq.Methods = append(tq.Methods, m)
	}
	if s := get("aggrPeriodDuration"); s != "" {
		if tq.Period, err = ParseDuration(s); err != nil {
			return TemporalQuery{}, err
		}
	}
	return tq, nil
}

func parseTimes(at, end string) (time.Time, time.Time, error) {
	var t [2]time.Time
	for i, s := range []string{at, end} {
		if s == "" {
			continue
		}
		v, err := time.Parse(time.RFC3339Nano, s)
		if err != nil {
			return t[0], t[1], errs.E(errs.Invalid, "%q is not an ISO 8601 date-time", truncate(s, 40))
		}
		t[i] = v.UTC()
	}
	return t[0], t[1], nil
}

// Temporal renders the temporal representation of e from its device's
// observations (in time order), compacted through c.
func Temporal(e *Entity, obs []sensors.Observation, tq TemporalQuery, c *Context) map[string]any {
	byName := map[string][]sensors.Observation{}
	for _, o := range obs {
		byName[o.Property] = append(byName[o.Property], o)
	}
	out := map[string]any{"id": e.ID, "type": c.Compact(e.Type)}
	for iri, a := range e.Attrs {
		series, ok := byName[LocalName(iri)]
		if !ok || a.Kind() != KindProperty || tq.Attrs != nil && !tq.Attrs[iri] {
			continue
		}
		if tq.LastN > 0 && len(series) > tq.LastN {
			series = series[len(series)-tq.LastN:]
		}
		name := c.Compact(iri)
		switch {
		case tq.Aggregated:
			out[name] = aggregate(series, tq)
		case tq.Values:
			vals := make([][]any, len(series))
			for i, o := range series {
				vals[i] = []any{o.Value, o.Time.Format(TimeLayout)}
			}
			out[name] = map[string]any{"type": KindProperty, "values": vals}
		default:
			inst := make([]map[string]any, len(series))
			for i, o := range series {
				inst[i] = map[string]any{"type": KindProperty, "value": o.Value, "observedAt": o.Time.Format(TimeLayout)}
				if u, ok := a["unitCode"]; ok {
					inst[i]["unitCode"] = u
				}
			}
			out[name] = inst
		}
	}
	return out
}

// period is one aggregation period's trusted values.
type period struct {
	start, end time.Time
	vals       []float64
}

// aggregate computes tq.Methods over the periods of tq.Period, aligned on
// tq.From (or the Unix epoch when the interval has no start); flagged
// observations are left out; empty periods are not listed.
func aggregate(series []sensors.Observation, tq TemporalQuery) map[string]any {
	var ps []*period
	for _, o := range series {
		if o.Flag != sensors.FlagNone {
			continue
		}
		start, end := periodOf(o.Time, tq)
		if n := len(ps); n == 0 || !ps[n-1].start.Equal(start) {
			ps = append(ps, &period{start: start, end: end})
		}
		ps[len(ps)-1].vals = append(ps[len(ps)-1].vals, o.Value)
	}
	if tq.Period == 0 && len(ps) > 0 && tq.To.IsZero() {
		ps[0].end = series[len(series)-1].Time.Add(time.Millisecond)
	}
	out := map[string]any{"type": KindProperty}
	for _, m := range tq.Methods {
		rows := make([][]any, 0, len(ps))
		for _, p := range ps {
			rows = append(rows, []any{compute(m, p.vals), p.start.Format(TimeLayout), p.end.Format(TimeLayout)})
		}
		out[m] = rows
	}
	return out
}

// periodOf is the period holding t.
func periodOf(t time.Time, tq TemporalQuery) (time.Time, time.Time) {
	origin := tq.From
	if tq.Period == 0 {
		return origin, tq.To
	}
	if origin.IsZero() {
		origin = time.Unix(0, 0).UTC()
	}
	n := t.Sub(origin) / tq.Period
	if t.Before(origin.Add(n * tq.Period)) {
		n--
	}
	start := origin.Add(n * tq.Period)
	return start, start.Add(tq.Period)
}

func compute(method string, vals []float64) float64 {
	var sum, sumsq, lo, hi float64 = 0, 0, math.Inf(1), math.Inf(-1)
	distinct := map[float64]bool{}
	for _, v := range vals {
		sum += v
		sumsq += v * v
		lo, hi = min(lo, v), max(hi, v)
		distinct[v] = true
	}
	n := float64(len(vals))
	switch method {
	case "totalCount":
		return n
	case "distinctCount":
		return float64(len(distinct))
	case "sum":
		return sum
	case "avg":
		return sum / n
	case "min":
		return lo
	case "max":
		return hi
	case "sumsq":
		return sumsq
	}
	mean := sum / n
	return math.Sqrt(math.Max(0, sumsq/n-mean*mean)) // population standard deviation
}
