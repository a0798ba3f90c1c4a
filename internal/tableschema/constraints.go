package tableschema

import (
	"encoding/json"
	"fmt"
	"math"
	"sort"
	"strings"
	"time"
	"unicode/utf8"
)

// Violation is one failed constraint of a cell.
type Violation struct {
	Constraint string // "required", "minLength", "pattern", "enum"…
	Note       string // e.g. `constraint "maximum" is "1"`
}

// Check returns the constraints that the cast value v of raw cell raw
// breaks, in a fixed order. Uniqueness is a property of a column, not of a
// cell: the Validator checks it.
func (f *Field) Check(raw string, v any) []Violation {
	if f.ensure() != nil {
		return nil
	}
	c, k := f.c, f.Constraints
	if v == nil {
		if k.Required || f.primary {
			return []Violation{{"required", `constraint "required" is "True"`}}
		}
		return nil // absent values satisfy every other constraint
	}
	var out []Violation
	add := func(name string, bound any) {
		out = append(out, Violation{name, fmt.Sprintf("constraint %q is %q", name, fmt.Sprint(bound))})
	}
	if n, ok := length(v); ok {
		if k.MinLength != nil && n < *k.MinLength {
			add("minLength", *k.MinLength)
		}
		if k.MaxLength != nil && n > *k.MaxLength {
			add("maxLength", *k.MaxLength)
		}
	}
	if c.minimum != nil && compare(v, c.minimum) < 0 {
		add("minimum", rawBound(k.Minimum))
	}
	if c.maximum != nil && compare(v, c.maximum) > 0 {
		add("maximum", rawBound(k.Maximum))
	}
	if c.pattern != nil && !c.pattern.MatchString(raw) {
		add("pattern", k.Pattern)
	}
	if c.enum != nil && !c.enum[valueKey(v)] {
		add("enum", "["+strings.Join(c.enumText, ", ")+"]")
	}
	return out
}

func rawBound(raw json.RawMessage) string { return strings.Trim(string(raw), `"`) }

// length is what minLength and maxLength measure: characters of text,
// items of an array, keys of an object.
func length(v any) (int, bool) {
	switch t := v.(type) {
	case string:
		return utf8.RuneCountInString(t), true
	case json.RawMessage:
		var x any
		if json.Unmarshal(t, &x) != nil {
			return 0, false
		}
		switch y := x.(type) {
		case []any:
			return len(y), true
		case map[string]any:
			return len(y), true
		}
	}
	return 0, false
}

// compare orders two values of the same field type; values that cannot be
// ordered compare equal, so that they never fail a bound.
func compare(a, b any) int {
	switch x := a.(type) {
	case int64:
		switch y := b.(type) {
		case int64:
			return cmp3(x < y, x > y)
		case float64:
			return cmp3(float64(x) < y, float64(x) > y)
		}
	case float64:
		switch y := b.(type) {
		case float64:
			return cmp3(x < y, x > y)
		case int64:
			return cmp3(x < float64(y), x > float64(y))
		}
	case time.Time:
		if y, ok := b.(time.Time); ok {
			return x.Compare(y)
		}
	case string:
		if y, ok := b.(string); ok {
			// time (HH:MM:SS) and yearmonth (YYYY-MM) are canonical text that
			// sorts like the values it stands for.
			return strings.Compare(x, y)
		}
	}
	return 0
}

func cmp3(less, greater bool) int {
	switch {
	case less:
		return -1
	case greater:
		return 1
	}
	return 0
}

// valueKey turns a cast value into a comparable map key, for enum, unique
// and primary-key checks: equal values give equal keys.
func valueKey(v any) any {
	switch t := v.(type) {
	case time.Time:
		return t.UTC().Format(time.RFC3339Nano)
	case json.RawMessage:
		return "json:" + string(t)
	case float64:
		if math.Abs(t) < 1<<53 && t == math.Trunc(t) {
			return int64(t) // 1 and 1.0 are the same number
		}
	}
	return v
}

func sortStrings(s []string) { sort.Strings(s) }
