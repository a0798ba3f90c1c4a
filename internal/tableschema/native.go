package tableschema

import (
	"encoding/json"
	"math"
	"time"
)

// nativeCasters cast already-typed values (JSON inline data, constraint
// bounds) per field type. Like frictionless-py, a value of the wrong kind
// fails: a number is not a string, a boolean is not a number.
var nativeCasters map[string]func(*Field, any) (any, bool)

func init() {
	nativeCasters = map[string]func(*Field, any) (any, bool){
		"string":    func(*Field, any) (any, bool) { return nil, false },
		"integer":   func(_ *Field, v any) (any, bool) { return nativeInt(v) },
		"number":    nativeNumber,
		"boolean":   nativeBool,
		"date":      nativeDate,
		"datetime":  nativeDateTime,
		"time":      nativeTime,
		"year":      nativeYear,
		"yearmonth": nativeYearMonth,
		"duration":  func(*Field, any) (any, bool) { return nil, false },
		"geopoint":  func(f *Field, v any) (any, bool) { return ok3(geoPointNative(f.Format, v)) },
		"geojson":   func(f *Field, v any) (any, bool) { return ok3(geoJSONNative(f.Format, v)) },
		"object":    func(_ *Field, v any) (any, bool) { return ok3(jsonNative("object", v)) },
		"array":     func(_ *Field, v any) (any, bool) { return ok3(jsonNative("array", v)) },
		"any":       nativeAny,
	}
}

func ok3(v any, ok bool, _ string) (any, bool) { return v, ok }

// nativeInt accepts integers and integral floats (JSON has only floats).
func nativeInt(v any) (int64, bool) {
	switch n := v.(type) {
	case int:
		return int64(n), true
	case int64:
		return n, true
	case float64:
		if n == math.Trunc(n) && math.Abs(n) < 1<<63 {
			return int64(n), true
		}
	case json.Number:
		i, err := n.Int64()
		return i, err == nil
	}
	return 0, false
}

func nativeNumber(_ *Field, v any) (any, bool) {
	if _, isBool := v.(bool); isBool {
		return nil, false
	}
	x, ok := toFloat(v)
	if _, isString := v.(string); isString {
		return nil, false // strings go through Cast, never here
	}
	return x, ok
}

func nativeBool(_ *Field, v any) (any, bool) {
	b, ok := v.(bool)
	return b, ok
}

func nativeDate(_ *Field, v any) (any, bool) {
	t, ok := v.(time.Time)
	if !ok || !t.Equal(midnight(t)) {
		return nil, false // a datetime with a time of day is not a date
	}
	return midnight(t), true
}

func nativeDateTime(_ *Field, v any) (any, bool) {
	t, ok := v.(time.Time)
	return t.UTC(), ok
}

func nativeTime(_ *Field, v any) (any, bool) {
	t, ok := v.(time.Time)
	if !ok {
		return nil, false
	}
	return formatClock(t), true
}

func nativeYear(_ *Field, v any) (any, bool) {
	n, ok := nativeInt(v)
	if _, isBool := v.(bool); isBool || !ok || n < 0 || n > 9999 {
		return nil, false
	}
	return n, true
}

// nativeYearMonth accepts a [year, month] pair.
func nativeYearMonth(_ *Field, v any) (any, bool) {
	arr, ok := v.([]any)
	if !ok || len(arr) != 2 {
		return nil, false
	}
	y, ok1 := nativeInt(arr[0])
	m, ok2 := nativeInt(arr[1])
	if !ok1 || !ok2 {
		return nil, false
	}
	return ok3(yearMonth(y, m))
}

// nativeAny keeps scalars as they are, in Socle's representation, and
// encodes structures as JSON.
func nativeAny(_ *Field, v any) (any, bool) {
	switch n := v.(type) {
	case bool, float64, int64, time.Time:
		return n, true
	case int:
		return int64(n), true
	case []any, map[string]any:
		return compactJSON(n), true
	}
	return nil, false
}
