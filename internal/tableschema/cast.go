package tableschema

import (
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
	"time"
)

// CastError reports a cell that does not conform to its field's type and
// format.
type CastError struct {
	Field  string // field name
	Type   string // type/format, e.g. "date/%Y-%m-%d"
	Value  string // the raw cell
	Reason string // why, when more can be said than "wrong type"
}

func (e *CastError) Error() string {
	msg := fmt.Sprintf("field %q: %q is not of type %s", e.Field, e.Value, e.Type)
	if e.Reason != "" {
		msg += ": " + e.Reason
	}
	return msg
}

// compiled holds what a field needs at cast time, worked out once.
type compiled struct {
	missing  map[string]bool
	trues    map[string]bool
	falses   map[string]bool
	pattern  *regexp.Regexp
	parseT   func(string) (time.Time, bool) // date, datetime, time
	minimum  any
	maximum  any
	enum     map[any]bool
	enumText []string // for messages
}

// fieldTypes lists the types this package can cast.
var fieldTypes = map[string]bool{
	"string": true, "integer": true, "number": true, "boolean": true,
	"date": true, "datetime": true, "time": true, "year": true,
	"yearmonth": true, "duration": true, "geopoint": true, "geojson": true,
	"object": true, "array": true, "any": true,
}

// Compile checks the field and prepares it for casting. Schema.Compile
// calls it for every field; a Field built by hand is compiled by its first
// Cast, so compile it before sharing it between goroutines.
func (f *Field) Compile() error {
	if f.Type == "" {
		f.Type = "any"
	}
	if f.Format == "" {
		f.Format = "default"
	}
	if !fieldTypes[f.Type] {
		return fmt.Errorf("tableschema: field %q: unsupported type %q", f.Name, f.Type)
	}
	c := &compiled{missing: toSet(f.MissingValues, "")}
	c.trues = toSet(f.TrueValues, "true", "True", "TRUE", "1")
	c.falses = toSet(f.FalseValues, "false", "False", "FALSE", "0")
	if f.Type == "date" || f.Type == "datetime" || f.Type == "time" {
		c.parseT = timeParser(f.Type, f.Format)
	}
	if p := f.Constraints.Pattern; p != "" {
		// Table Schema patterns match the whole value: anchor them here so
		// that a pattern without ^…$ cannot accept a value by matching part
		// of it.
		re, err := regexp.Compile(`^(?:` + p + `)$`)
		if err != nil {
			return fmt.Errorf("tableschema: field %q: pattern: %w", f.Name, err)
		}
		c.pattern = re
	}
	f.c = c // bounds and enum are cast with the field itself
	return f.compileBounds(c)
}

// compileBounds casts minimum, maximum and enum to the field's type, so
// that constraints compare typed values (dates as dates, not as text).
func (f *Field) compileBounds(c *compiled) error {
	var err error
	if c.minimum, err = f.castBound("minimum", f.Constraints.Minimum); err != nil {
		return err
	}
	if c.maximum, err = f.castBound("maximum", f.Constraints.Maximum); err != nil {
		return err
	}
	if f.Constraints.Enum == nil {
		return nil
	}
	c.enum = make(map[any]bool, len(f.Constraints.Enum))
	for _, raw := range f.Constraints.Enum {
		v, err := f.castBound("enum", raw)
		if err != nil {
			return err
		}
		c.enum[valueKey(v)] = true
		c.enumText = append(c.enumText, strings.Trim(string(raw), `"`))
	}
	return nil
}

func (f *Field) castBound(name string, raw json.RawMessage) (any, error) {
	if len(raw) == 0 || string(raw) == "null" {
		return nil, nil
	}
	var v any
	if err := json.Unmarshal(raw, &v); err != nil {
		return nil, fmt.Errorf("tableschema: field %q: %s: %w", f.Name, name, err)
	}
	cv, err := f.castNative(v)
	if err != nil {
		return nil, fmt.Errorf("tableschema: field %q: %s %s does not fit type %s", f.Name, name, raw, f.Type)
	}
	return cv, nil
}

func toSet(values []string, defaults ...string) map[string]bool {
	if values == nil {
		values = defaults
	}
	set := make(map[string]bool, len(values))
	for _, v := range values {
		set[v] = true
	}
	return set
}

// ensure compiles a hand-built field on first use. A compile error leaves
// the field uncastable: every cast then fails with that error.
func (f *Field) ensure() error {
	if f.c != nil {
		return nil
	}
	if f.MissingValues == nil {
		f.MissingValues = []string{""}
	}
	err := f.Compile()
	if err != nil {
		f.c = nil
	}
	return err
}

// Cast casts one raw cell per the Table Schema rules. It returns nil for a
// missing value, otherwise a value in the Go representation documented on
// catalog.FieldType (int64, float64, bool, time.Time in UTC,
// catalog.GeoPoint, json.RawMessage or string). It returns a *CastError
// when the cell does not fit the field's type and format.
func (f *Field) Cast(raw string) (any, error) {
	if err := f.ensure(); err != nil {
		return nil, err
	}
	if f.c.missing[raw] {
		return nil, nil
	}
	v, ok, reason := f.castString(raw)
	if !ok {
		return nil, f.castError(raw, reason)
	}
	return v, nil
}

// CastValue casts a value that may already be typed, as found in JSON
// inline data: nil, string, float64, int, int64, bool, []any,
// map[string]any or time.Time. Strings go through Cast.
func (f *Field) CastValue(v any) (any, error) {
	if err := f.ensure(); err != nil {
		return nil, err
	}
	if v == nil {
		return nil, nil
	}
	if s, ok := v.(string); ok {
		return f.Cast(s)
	}
	out, err := f.castNative(v)
	if err != nil {
		return nil, f.castError(fmt.Sprint(v), "")
	}
	return out, nil
}

func (f *Field) castError(raw, reason string) *CastError {
	typ := f.Type
	if f.Format != "default" && f.Format != "" {
		typ += "/" + f.Format
	}
	return &CastError{Field: f.Name, Type: typ, Value: raw, Reason: reason}
}

// castString dispatches a non-missing raw string to its type's caster.
func (f *Field) castString(raw string) (v any, ok bool, reason string) {
	switch f.Type {
	case "string":
		return castStringFormat(f.Format, raw)
	case "integer":
		return f.castInteger(raw)
	case "number":
		return f.castNumber(raw)
	case "boolean":
		return f.castBoolean(raw)
	case "date", "datetime":
		t, ok := f.c.parseT(raw)
		return t, ok, ""
	case "time":
		t, ok := f.c.parseT(raw)
		return formatClock(t), ok, ""
	case "year":
		return castYear(raw)
	case "yearmonth":
		return castYearMonth(raw)
	case "duration":
		return castDuration(raw)
	case "geopoint":
		return castGeoPoint(f.Format, raw)
	case "geojson":
		return castGeoJSON(f.Format, raw)
	case "object", "array":
		return castJSON(f.Type, raw)
	}
	return raw, true, "" // any: the text as written
}

// castNative handles typed values, following frictionless-py: a value of
// the right Go kind is accepted (and range-checked), anything else fails.
func (f *Field) castNative(v any) (any, error) {
	if s, ok := v.(string); ok {
		return f.Cast(s)
	}
	out, ok := nativeCasters[f.Type](f, v)
	if !ok {
		return nil, fmt.Errorf("not a %s", f.Type)
	}
	return out, nil
}

func formatClock(t time.Time) string {
	if t.Nanosecond() != 0 {
		return t.Format("15:04:05.999999999")
	}
	return t.Format("15:04:05")
}
