package backup

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// Type is a column's logical type in the archive.
type Type string

// The logical types, named after Table Schema's where one fits.
const (
	String   Type = "string"
	Integer  Type = "integer"
	Number   Type = "number"
	Boolean  Type = "boolean"
	Date     Type = "date"
	DateTime Type = "datetime"
	JSON     Type = "json"  // canonical JSON text (sorted keys, numbers normalised)
	Bytes    Type = "bytes" // base64
)

// Null is how a missing value is written (PostgreSQL COPY's marker), so
// that an empty string stays distinct from no value. A string that is
// exactly this marker cannot be written and fails the backup.
const Null = `\N`

// DateTimeLayout is the canonical datetime: UTC, microseconds (PostgreSQL
// keeps no more, so both engines give the same text).
const DateTimeLayout = "2006-01-02T15:04:05.000000Z"

// Encode returns the canonical text of v, a value read by an engine, for a
// column of type t; ok is false for a null.
func Encode(t Type, v any) (s string, ok bool, err error) {
	if v == nil {
		return "", false, nil
	}
	switch t {
	case String:
		s, err = encodeString(v)
	case Integer:
		s, err = encodeInteger(v)
	case Number:
		s, err = encodeNumber(v)
	case Boolean:
		s, err = encodeBoolean(v)
	case DateTime:
		var tm time.Time
		if tm, err = asTime(v); err == nil {
			s = tm.UTC().Truncate(time.Microsecond).Format(DateTimeLayout)
		}
	case Date:
		var tm time.Time
		if tm, err = asTime(v); err == nil {
			s = tm.Format(time.DateOnly)
		}
	case JSON:
		s, err = canonicalJSON(v)
	case Bytes:
		switch x := v.(type) {
		case []byte:
			s = base64.StdEncoding.EncodeToString(x)
		case string:
			s = base64.StdEncoding.EncodeToString([]byte(x))
		default:
			err = fmt.Errorf("%T is not bytes", v)
		}
	default:
		err = fmt.Errorf("unknown type %q", t)
	}
	if err == nil && s == Null {
		err = fmt.Errorf("the value %q cannot be written", Null)
	}
	return s, err == nil, err
}

func encodeString(v any) (string, error) {
	switch x := v.(type) {
	case string:
		return x, nil
	case []byte:
		return string(x), nil
	case int64:
		return strconv.FormatInt(x, 10), nil
	case float64:
		return strconv.FormatFloat(x, 'g', -1, 64), nil
	}
	return "", fmt.Errorf("%T is not a string", v)
}

func encodeInteger(v any) (string, error) {
	switch x := v.(type) {
	case int64:
		return strconv.FormatInt(x, 10), nil
	case int32:
		return strconv.FormatInt(int64(x), 10), nil
	case int:
		return strconv.Itoa(x), nil
	case int16:
		return strconv.FormatInt(int64(x), 10), nil
	case float64:
		if x == math.Trunc(x) && math.Abs(x) < 1<<53 {
			return strconv.FormatInt(int64(x), 10), nil
		}
	case bool:
		if x {
			return "1", nil
		}
		return "0", nil
	}
	return "", fmt.Errorf("%v (%T) is not an integer", v, v)
}

func encodeNumber(v any) (string, error) {
	var f float64
	switch x := v.(type) {
	case float64:
		f = x
	case float32:
		f = float64(x)
	case int64:
		f = float64(x)
	case int32:
		f = float64(x)
	case int:
		f = float64(x)
	default:
		return "", fmt.Errorf("%v (%T) is not a number", v, v)
	}
	switch {
	case math.IsNaN(f):
		return "NaN", nil
	case math.IsInf(f, 1):
		return "INF", nil
	case math.IsInf(f, -1):
		return "-INF", nil
	}
	return strconv.FormatFloat(f, 'g', -1, 64), nil
}

func encodeBoolean(v any) (string, error) {
	switch x := v.(type) {
	case bool:
		return strconv.FormatBool(x), nil
	case int64:
		if x == 0 || x == 1 {
			return strconv.FormatBool(x == 1), nil
		}
	}
	return "", fmt.Errorf("%v (%T) is not a boolean", v, v)
}

// timeLayouts are the text forms SQLite columns hold (Go's RFC 3339 with
// or without fraction, SQLite's own datetime('now'), dates).
var timeLayouts = []string{time.RFC3339Nano, "2006-01-02 15:04:05", "2006-01-02 15:04:05.999999999", time.DateOnly}

// asTime reads a time.Time (PostgreSQL), Unix milliseconds (SQLite's
// INTEGER time columns) or text (SQLite's TEXT ones).
func asTime(v any) (time.Time, error) {
	switch x := v.(type) {
	case time.Time:
		return x, nil
	case int64:
		return time.UnixMilli(x).UTC(), nil
	case []byte:
		return asTime(string(x))
	case string:
		for _, l := range timeLayouts {
			if t, err := time.Parse(l, x); err == nil {
				return t.UTC(), nil
			}
		}
		return time.Time{}, fmt.Errorf("%q is not a date or time", x)
	}
	return time.Time{}, fmt.Errorf("%T is not a date or time", v)
}

// canonicalJSON re-encodes a JSON document with sorted keys, no HTML
// escaping and normalised numbers: PostgreSQL's jsonb reorders keys and
// rewrites numbers, SQLite keeps the text as Go wrote it.
func canonicalJSON(v any) (string, error) {
	var raw []byte
	switch x := v.(type) {
	case string:
		raw = []byte(x)
	case []byte:
		raw = x
	default:
		b, err := json.Marshal(x)
		if err != nil {
			return "", err
		}
		raw = b
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var doc any
	if err := dec.Decode(&doc); err != nil {
		return "", fmt.Errorf("invalid JSON: %w", err)
	}
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(normaliseNumbers(doc)); err != nil {
		return "", err
	}
	return strings.TrimSuffix(b.String(), "\n"), nil
}

func normaliseNumbers(v any) any {
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			x[k] = normaliseNumbers(e)
		}
	case []any:
		for i, e := range x {
			x[i] = normaliseNumbers(e)
		}
	case json.Number:
		return json.Number(normaliseNumber(string(x)))
	}
	return v
}

// normaliseNumber writes integers as integers and other numbers in Go's
// shortest form, which jsonb's and Go's texts of one value both map to.
func normaliseNumber(s string) string {
	if i, err := strconv.ParseInt(s, 10, 64); err == nil {
		return strconv.FormatInt(i, 10)
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return s
	}
	if f == math.Trunc(f) && math.Abs(f) < 1e15 {
		return strconv.FormatInt(int64(f), 10)
	}
	return strconv.FormatFloat(f, 'g', -1, 64)
}

// Decode reads the canonical text s of type t back into a neutral Go
// value: string, int64, float64, bool, time.Time (dates at midnight UTC),
// []byte; JSON stays text.
func Decode(t Type, s string) (any, error) {
	switch t {
	case String, JSON:
		return s, nil
	case Integer:
		return strconv.ParseInt(s, 10, 64)
	case Number:
		switch s {
		case "NaN":
			return math.NaN(), nil
		case "INF":
			return math.Inf(1), nil
		case "-INF":
			return math.Inf(-1), nil
		}
		return strconv.ParseFloat(s, 64)
	case Boolean:
		return strconv.ParseBool(s)
	case DateTime:
		return time.Parse(DateTimeLayout, s)
	case Date:
		return time.Parse(time.DateOnly, s)
	case Bytes:
		return base64.StdEncoding.DecodeString(s)
	}
	return nil, fmt.Errorf("unknown type %q", t)
}
