package ckan

import (
	"bytes"
	"encoding/json"
	"slices"
	"strconv"
	"strings"

	"github.com/socle/socle/internal/catalog"
	"github.com/socle/socle/internal/errs"
	"github.com/socle/socle/internal/odsql"
)

// Limits of datastore_search, CKAN's defaults.
const (
	DefaultLimit   = 100
	MaxLimit       = 32000 // ckan.datastore.search.rows_max
	maxFilterKeys  = 50
	maxFilterItems = 100
	maxFilterBytes = 64 << 10
)

// FieldError is a CKAN Validation Error: a message about one parameter.
// It unwraps to an errs.Invalid error so that every layer classifies it.
type FieldError struct {
	Field string
	Err   *errs.Error
}

func (e *FieldError) Error() string { return e.Field + ": " + e.Err.Error() }
func (e *FieldError) Unwrap() error { return e.Err }

// Invalid returns a Validation Error about parameter field.
func Invalid(field, format string, args ...any) error {
	return &FieldError{Field: field, Err: errs.E(errs.Invalid, format, args...)}
}

// RecordQuery is a datastore_search request translated for records.Store:
// Where and OrderBy are ODSQL whose values are all literals (bind
// parameters once compiled), AfterID the keyset position of an
// {"_id":{"gt":N}} filter.
type RecordQuery struct {
	Where   []odsql.Expr
	OrderBy []odsql.OrderItem
	AfterID int64
	Fields  []string // output fields, in order; nil = all
}

// filterOps are the operators of CKAN 2.12's filter objects.
var filterOps = map[string]string{"eq": "=", "ne": "!=", "gt": ">", "gte": ">=", "lt": "<", "lte": "<="}

// ParseFilters turns datastore_search's filters — {"field": value},
// value a scalar, null, a list of alternatives, or an operator object
// such as {"gt": 3} — into ODSQL conditions over fields. An "_id" filter
// may only bound the record ID from below (keyset paging) and sets
// AfterID.
func ParseFilters(raw []byte, fields []catalog.Field, rq *RecordQuery) error {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || string(raw) == "null" {
		return nil
	}
	if len(raw) > maxFilterBytes {
		return Invalid("filters", "filters are limited to %d bytes", maxFilterBytes)
	}
	var obj map[string]json.RawMessage
	if err := unmarshal(raw, &obj); err != nil {
		return Invalid("filters", "filters must be a JSON object of field names to values")
	}
	if len(obj) > maxFilterKeys {
		return Invalid("filters", "too many filters (at most %d)", maxFilterKeys)
	}
	names := make([]string, 0, len(obj))
	for k := range obj {
		names = append(names, k)
	}
	slices.Sort(names) // deterministic SQL for identical requests
	for _, name := range names {
		if name == "_id" {
			if err := idFilter(obj[name], rq); err != nil {
				return err
			}
			continue
		}
		f, ok := findField(fields, name)
		if !ok {
			return Invalid("filters", "field %q not in table", name)
		}
		e, err := fieldFilter(f, obj[name])
		if err != nil {
			return err
		}
		rq.Where = append(rq.Where, e)
	}
	return nil
}

func unmarshal(raw []byte, v any) error {
	d := json.NewDecoder(bytes.NewReader(raw))
	d.UseNumber()
	if err := d.Decode(v); err != nil {
		return err
	}
	if d.More() {
		return errs.E(errs.Invalid, "trailing data")
	}
	return nil
}

func findField(fields []catalog.Field, name string) (catalog.Field, bool) {
	for _, f := range fields {
		if f.Name == name {
			return f, true
		}
	}
	return catalog.Field{}, false
}

// idFilter accepts {"gt": N} and {"gte": N} on _id.
func idFilter(raw json.RawMessage, rq *RecordQuery) error {
	var ops map[string]json.Number
	if err := unmarshal(raw, &ops); err != nil || len(ops) != 1 {
		return Invalid("filters", `_id may only be filtered as {"gt": N} (keyset paging with sort "_id asc")`)
	}
	for op, n := range ops {
		id, err := strconv.ParseInt(string(n), 10, 64)
		if err != nil || id < 0 || (op != "gt" && op != "gte") {
			return Invalid("filters", `_id may only be filtered as {"gt": N} (keyset paging with sort "_id asc")`)
		}
		if op == "gte" && id > 0 {
			id--
		}
		rq.AfterID = id
	}
	return nil
}

func fieldFilter(f catalog.Field, raw json.RawMessage) (odsql.Expr, error) {
	switch f.Type {
	case catalog.TypeGeoPoint, catalog.TypeGeoShape, catalog.TypeJSON:
		return nil, Invalid("filters", "field %q (%s) cannot be filtered", f.Name, FieldType(f.Type))
	}
	var v any
	if err := unmarshal(raw, &v); err != nil {
		return nil, Invalid("filters", "invalid value for %q", f.Name)
	}
	id := &odsql.Ident{Name: f.Name}
	list, isList := v.([]any)
	if !isList {
		return valueFilter(f, id, v)
	}
	if len(list) == 0 || len(list) > maxFilterItems {
		return nil, Invalid("filters", "%q: a list of 1 to %d values is expected", f.Name, maxFilterItems)
	}
	var in []odsql.Expr
	var ors []odsql.Expr
	for _, item := range list {
		if _, ok := item.(map[string]any); ok || item == nil {
			e, err := valueFilter(f, id, item)
			if err != nil {
				return nil, err
			}
			ors = append(ors, e)
			continue
		}
		lit, err := literal(f, item)
		if err != nil {
			return nil, err
		}
		in = append(in, lit)
	}
	if len(in) > 0 {
		ors = append(ors, &odsql.In{X: id, List: in})
	}
	return join("OR", ors), nil
}

// valueFilter compiles one scalar, null or operator object.
func valueFilter(f catalog.Field, id *odsql.Ident, v any) (odsql.Expr, error) {
	switch v := v.(type) {
	case nil:
		return &odsql.IsNull{X: id}, nil
	case map[string]any:
		if len(v) == 0 {
			return nil, Invalid("filters", "%q: empty operator object", f.Name)
		}
		ops := make([]string, 0, len(v))
		for op := range v {
			ops = append(ops, op)
		}
		slices.Sort(ops)
		var ands []odsql.Expr
		for _, op := range ops {
			sym, ok := filterOps[op]
			if !ok {
				return nil, Invalid("filters", "%q: unknown operator %q (use eq, ne, gt, gte, lt, lte)", f.Name, op)
			}
			lit, err := literal(f, v[op])
			if err != nil {
				return nil, err
			}
			ands = append(ands, &odsql.Binary{Op: sym, L: id, R: lit})
		}
		return join("AND", ands), nil
	}
	lit, err := literal(f, v)
	if err != nil {
		return nil, err
	}
	return &odsql.Binary{Op: "=", L: id, R: lit}, nil
}

// literal makes a JSON scalar an ODSQL literal; the compiler coerces it to
// the field's type and binds it as a parameter.
func literal(f catalog.Field, v any) (*odsql.Literal, error) {
	switch v := v.(type) {
	case string:
		if len(v) > 1000 {
			return nil, Invalid("filters", "%q: value too long", f.Name)
		}
		return &odsql.Literal{Kind: odsql.LitString, Str: v, Raw: v}, nil
	case bool:
		return &odsql.Literal{Kind: odsql.LitBool, Bool: v, Raw: strconv.FormatBool(v)}, nil
	case json.Number:
		if n, err := v.Int64(); err == nil {
			return &odsql.Literal{Kind: odsql.LitInt, Int: n, Raw: v.String()}, nil
		}
		if x, err := v.Float64(); err == nil {
			return &odsql.Literal{Kind: odsql.LitFloat, Float: x, Raw: v.String()}, nil
		}
	}
	return nil, Invalid("filters", "%q: values must be strings, numbers or booleans", f.Name)
}

func join(op string, es []odsql.Expr) odsql.Expr {
	out := es[0]
	for _, e := range es[1:] {
		out = &odsql.Binary{Op: op, L: out, R: e}
	}
	return out
}

// ParseQ turns datastore_search's q — a string searched in every text
// field, or {"field": "text"} — into full-text conditions.
func ParseQ(raw []byte, fields []catalog.Field, rq *RecordQuery) error {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || string(raw) == "null" || string(raw) == `""` {
		return nil
	}
	if len(raw) > maxFilterBytes {
		return Invalid("q", "q is limited to %d bytes", maxFilterBytes)
	}
	var s string
	if err := unmarshal(raw, &s); err == nil {
		rq.Where = append(rq.Where, search(&odsql.Star{}, s))
		return nil
	}
	var obj map[string]string
	if err := unmarshal(raw, &obj); err != nil {
		return Invalid("q", "q must be a string or an object of field names to strings")
	}
	if len(obj) > maxFilterKeys {
		return Invalid("q", "too many fields in q")
	}
	names := make([]string, 0, len(obj))
	for k := range obj {
		names = append(names, k)
	}
	slices.Sort(names)
	for _, name := range names {
		f, ok := findField(fields, name)
		if !ok {
			return Invalid("q", "field %q not in table", name)
		}
		if f.Type != catalog.TypeText {
			return Invalid("q", "field %q is not text: full-text search needs a text field", name)
		}
		rq.Where = append(rq.Where, search(&odsql.Ident{Name: name}, obj[name]))
	}
	return nil
}

func search(target odsql.Expr, text string) odsql.Expr {
	return &odsql.Call{Name: "search", Args: []odsql.Expr{target, &odsql.Literal{Kind: odsql.LitString, Str: text, Raw: text}}}
}

// ParseRecordSort parses datastore_search's sort: "f1, f2 desc" (names
// may be "double-quoted"). "_id" (ascending) may only come last: it is the
// order rows have anyway.
func ParseRecordSort(s string, fields []catalog.Field, rq *RecordQuery) error {
	if strings.TrimSpace(s) == "" {
		return nil
	}
	if len(s) > maxQueryLen {
		return Invalid("sort", "sort is limited to %d characters", maxQueryLen)
	}
	parts := strings.Split(s, ",")
	for i, part := range parts {
		name, dir, err := sortPart(strings.TrimSpace(part))
		if err != nil {
			return err
		}
		if name == "_id" {
			if dir == "desc" || i != len(parts)-1 {
				return Invalid("sort", `"_id" may only come last, ascending`)
			}
			continue
		}
		f, ok := findField(fields, name)
		if !ok {
			return Invalid("sort", "field %q not in table", name)
		}
		if f.Type == catalog.TypeGeoShape || f.Type == catalog.TypeJSON {
			return Invalid("sort", "field %q (%s) cannot be sorted", f.Name, FieldType(f.Type))
		}
		rq.OrderBy = append(rq.OrderBy, odsql.OrderItem{Expr: &odsql.Ident{Name: name}, Desc: dir == "desc", Text: name})
		if len(rq.OrderBy) > 10 {
			return Invalid("sort", "too many sort keys")
		}
	}
	return nil
}

// sortPart reads `name`, `"name"`, then an optional asc/desc.
func sortPart(p string) (name, dir string, err error) {
	bad := Invalid("sort", "invalid sort %q: use \"field [asc|desc]\"", p)
	if strings.HasPrefix(p, `"`) {
		end := strings.Index(p[1:], `"`)
		if end < 0 {
			return "", "", bad
		}
		name, p = p[1:end+1], strings.TrimSpace(p[end+2:])
	} else {
		words := strings.Fields(p)
		if len(words) == 0 {
			return "", "", bad
		}
		name, p = words[0], strings.Join(words[1:], " ")
	}
	switch strings.ToLower(p) {
	case "", "asc":
		return name, "asc", nil
	case "desc":
		return name, "desc", nil
	}
	if strings.Contains(strings.ToLower(p), "nulls") {
		return "", "", Invalid("sort", "nulls first/last is not supported in %q", name)
	}
	return "", "", bad
}

// ParseFields parses datastore_search's fields: a list or a
// comma-separated string of field names ("_id" included).
func ParseFields(raw []byte, fields []catalog.Field, rq *RecordQuery) error {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || string(raw) == "null" {
		return nil
	}
	var names []string
	var s string
	if err := unmarshal(raw, &s); err == nil {
		for _, n := range strings.Split(s, ",") {
			if n = strings.TrimSpace(n); n != "" {
				names = append(names, n)
			}
		}
	} else if err := unmarshal(raw, &names); err != nil {
		return Invalid("fields", "fields must be a list or a comma-separated string of field names")
	}
	if len(names) > len(fields)+1 || len(names) == 0 {
		return Invalid("fields", "between 1 and %d field names are expected", len(fields)+1)
	}
	for _, n := range names {
		if _, ok := findField(fields, n); !ok && n != "_id" {
			return Invalid("fields", "field %q not in table", n)
		}
	}
	rq.Fields = names
	return nil
}
