package tableschema

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/socle/socle/internal/catalog"
)

// The Frictionless conformance vectors (testsuite-basic tests/tableschema.yml)
// are read directly: the file uses a tiny subset of YAML, one "- step" per
// line with Python-style literals, which the small parser below handles.

const vectorsPath = "../../testdata/tableschema/tableschema-conformance/testsuite-basic/tests/tableschema.yml"

// unsupportedVectors lists the vectors this package deliberately answers
// differently, keyed "<field descriptor> <input>", with the reason.
var unsupportedVectors = map[string]string{
	`{'name': 'name', 'type': 'geojson'} {'coordinates': [0, 0, 0], 'type': 'Point'}`: "RFC 7946 §3.1.1 allows a third (altitude) coordinate; the old GeoJSON JSON Schema frictionless-py used rejected it. Socle keeps 3D points.",
}

// vector is one field.cast_value step.
type vector struct {
	line     int
	tags     string // "(py|rb)" and the like: the implementations upstream runs it for
	disabled bool   // commented out upstream; run anyway
	field    string // the descriptor literal
	input    string // the input literal
	expected string // the expected literal, or ERROR
}

var (
	fieldLineRE = regexp.MustCompile(`^- (\([a-z|]+\))?field=tableschema\.Field: \[(.*)\]$`)
	castLineRE  = regexp.MustCompile(`^(#\s*)?- (\([a-z|]+\))?field\.cast_value: \[(.*), ==: (.*)\]$`)
	varLineRE   = regexp.MustCompile(`^- ([a-z]+)=(\$make_[a-z]+)?: (.*)$`)
)

// loadVectors returns the cast vectors and the named values they refer to.
func loadVectors(t *testing.T) ([]vector, map[string]any) {
	t.Helper()
	f, err := os.Open(vectorsPath)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	vars := map[string]any{}
	var out []vector
	field := ""
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		if m := fieldLineRE.FindStringSubmatch(line); m != nil {
			field = m[2]
		} else if m := castLineRE.FindStringSubmatch(line); m != nil {
			out = append(out, vector{n, m[2], m[1] != "", field, m[3], m[4]})
		} else if m := varLineRE.FindStringSubmatch(line); m != nil {
			vars[m[1]] = makeVar(t, m[2], m[3])
		}
	}
	return out, vars
}

// makeVar evaluates "$make_date: [2019, 01, 01]" and friends into the Go
// values this package uses. Durations stay ISO 8601 text: Go has no native
// calendar duration, and Socle keeps durations as text.
func makeVar(t *testing.T, maker, args string) any {
	t.Helper()
	if maker == "" {
		return parseLiteral(t, args, nil)
	}
	if maker == "$make_duration" {
		return isoDuration(args)
	}
	var n []int
	for _, a := range strings.Split(strings.Trim(args, "[]"), ",") {
		i, err := strconv.Atoi(strings.TrimSpace(a))
		if err != nil {
			t.Fatalf("bad %s args %q", maker, args)
		}
		n = append(n, i)
	}
	switch maker {
	case "$make_date":
		return time.Date(n[0], time.Month(n[1]), n[2], 0, 0, 0, 0, time.UTC)
	case "$make_datetime":
		return time.Date(n[0], time.Month(n[1]), n[2], n[3], n[4], n[5], 0, time.UTC)
	case "$make_time":
		return time.Date(0, 1, 1, n[0], n[1], n[2], 0, time.UTC)
	}
	t.Fatalf("unknown maker %s", maker)
	return nil
}

// isoDuration turns "[years=: 1, hours=: 5]" into "P1YT5H".
func isoDuration(args string) string {
	kv := map[string]string{}
	for _, a := range strings.Split(strings.Trim(args, "[]"), ",") {
		k, v, _ := strings.Cut(a, "=:")
		kv[strings.TrimSpace(k)] = strings.TrimSpace(v)
	}
	s := "P"
	for _, p := range [][2]string{{"years", "Y"}, {"months", "M"}, {"days", "D"}} {
		if v := kv[p[0]]; v != "" {
			s += v + p[1]
		}
	}
	clock := ""
	for _, p := range [][2]string{{"hours", "H"}, {"minutes", "M"}, {"seconds", "S"}} {
		if v := kv[p[0]]; v != "" {
			clock += v + p[1]
		}
	}
	if clock != "" {
		s += "T" + clock
	}
	return s
}

// literalParser reads Python literals: 'str', "str", numbers, True, False,
// None, null, [lists], {dicts} and {name} references to variables.
type literalParser struct {
	s    string
	i    int
	vars map[string]any
	err  error
}

func parseLiteral(t *testing.T, s string, vars map[string]any) any {
	t.Helper()
	p := &literalParser{s: s, vars: vars}
	v := p.value()
	p.space()
	if p.err == nil && p.i != len(p.s) {
		p.err = fmt.Errorf("trailing text at %d", p.i)
	}
	if p.err != nil {
		t.Fatalf("literal %q: %v", s, p.err)
	}
	return v
}

func (p *literalParser) space() {
	for p.i < len(p.s) && p.s[p.i] == ' ' {
		p.i++
	}
}

func (p *literalParser) value() any {
	p.space()
	if p.i >= len(p.s) {
		p.err = fmt.Errorf("unexpected end")
		return nil
	}
	switch c := p.s[p.i]; {
	case c == '\'' || c == '"':
		return p.str(c)
	case c == '[':
		return p.list()
	case c == '{':
		if m := regexp.MustCompile(`^\{([a-z]+)\}`).FindStringSubmatch(p.s[p.i:]); m != nil {
			p.i += len(m[0])
			return p.vars[m[1]]
		}
		return p.dict()
	}
	return p.bare()
}

func (p *literalParser) str(q byte) any {
	end := strings.IndexByte(p.s[p.i+1:], q)
	if end < 0 {
		p.err = fmt.Errorf("unterminated string")
		return nil
	}
	s := p.s[p.i+1 : p.i+1+end]
	p.i += end + 2
	return s
}

func (p *literalParser) list() any {
	p.i++
	out := []any{}
	for p.err == nil {
		p.space()
		if p.i < len(p.s) && p.s[p.i] == ']' {
			p.i++
			return out
		}
		out = append(out, p.value())
		p.sep(']')
	}
	return nil
}

func (p *literalParser) dict() any {
	p.i++
	out := map[string]any{}
	for p.err == nil {
		p.space()
		if p.i < len(p.s) && p.s[p.i] == '}' {
			p.i++
			return out
		}
		k, _ := p.value().(string)
		p.space()
		if p.i >= len(p.s) || p.s[p.i] != ':' {
			p.err = fmt.Errorf("expected ':' at %d", p.i)
			return nil
		}
		p.i++
		out[k] = p.value()
		p.sep('}')
	}
	return nil
}

// sep consumes a ',' or stops before the closing character.
func (p *literalParser) sep(closing byte) {
	p.space()
	switch {
	case p.i < len(p.s) && p.s[p.i] == ',':
		p.i++
	case p.i < len(p.s) && p.s[p.i] == closing:
	default:
		p.err = fmt.Errorf("expected ',' at %d in %q", p.i, p.s)
	}
}

func (p *literalParser) bare() any {
	j := p.i
	for j < len(p.s) && !strings.ContainsRune(",]}: ", rune(p.s[j])) {
		j++
	}
	tok := p.s[p.i:j]
	p.i = j
	switch tok {
	case "True", "true":
		return true
	case "False", "false":
		return false
	case "None", "null":
		return nil
	}
	if n, err := strconv.Atoi(tok); err == nil {
		return n
	}
	if x, err := strconv.ParseFloat(tok, 64); err == nil {
		return x
	}
	p.err = fmt.Errorf("unknown token %q", tok)
	return nil
}

// fieldFromLiteral builds a Field from a Python dict descriptor.
func fieldFromLiteral(t *testing.T, lit string) *Field {
	t.Helper()
	b, err := json.Marshal(parseLiteral(t, lit, nil))
	if err != nil {
		t.Fatal(err)
	}
	var f Field
	if err := json.Unmarshal(b, &f); err != nil {
		t.Fatal(err)
	}
	if err := f.Compile(); err != nil {
		t.Fatalf("compile %s: %v", lit, err)
	}
	return &f
}

// expectedValue converts the suite's expected literal to the Go
// representation Cast documents for the field's type.
func expectedValue(t *testing.T, f *Field, v any) any {
	t.Helper()
	if v == nil {
		return nil
	}
	switch f.Type {
	case "integer", "year":
		return int64(v.(int))
	case "number":
		if n, ok := v.(int); ok {
			return float64(n)
		}
	case "time":
		return v.(time.Time).Format("15:04:05")
	case "geopoint":
		p := v.([]any)
		return catalog.GeoPoint{Lon: float64(p[0].(int)), Lat: float64(p[1].(int))}
	case "yearmonth":
		p := v.([]any)
		return fmt.Sprintf("%04d-%02d", p[0], p[1])
	case "object", "array", "geojson":
		return compactJSON(v)
	case "any":
		if n, ok := v.(int); ok {
			return int64(n)
		}
	}
	return v
}

func TestCastVectors(t *testing.T) {
	vectors, vars := loadVectors(t)
	if len(vectors) != 205 {
		t.Fatalf("read %d cast vectors, want 205", len(vectors))
	}
	seenUnsupported := map[string]bool{}
	for _, vec := range vectors {
		f := fieldFromLiteral(t, vec.field)
		key := vec.field + " " + vec.input
		input := parseLiteral(t, vec.input, vars)
		wantErr := vec.expected == "ERROR"
		outcome := "error"
		if !wantErr {
			outcome = "→ " + vec.expected
		}
		name := fmt.Sprintf("line%d/%s/%s/%s %s", vec.line, f.Type, f.Format, vec.input, outcome)
		t.Run(name, func(t *testing.T) {
			got, err := f.CastValue(input)
			pass := (err != nil) == wantErr
			if pass && !wantErr {
				want := expectedValue(t, f, parseLiteral(t, vec.expected, vars))
				pass = sameValue(got, want)
				if !pass {
					t.Logf("got %#v (%T), want %#v (%T)", got, got, want, want)
				}
			}
			if reason, listed := unsupportedVectors[key]; listed {
				seenUnsupported[key] = true
				if pass {
					t.Errorf("listed as unsupported (%s) but passes: remove it from the list", reason)
				}
				t.Skipf("unsupported: %s", reason)
			}
			if !pass {
				t.Errorf("CastValue(%s) = %#v, %v; want %s", vec.input, got, err, vec.expected)
			}
		})
	}
	for key := range unsupportedVectors {
		if !seenUnsupported[key] {
			t.Errorf("unsupported vector %q matches no vector", key)
		}
	}
}

func sameValue(got, want any) bool {
	switch w := want.(type) {
	case time.Time:
		g, ok := got.(time.Time)
		return ok && g.Equal(w)
	case json.RawMessage:
		g, ok := got.(json.RawMessage)
		var a, b any
		return ok && json.Unmarshal(g, &a) == nil && json.Unmarshal(w, &b) == nil && reflect.DeepEqual(a, b)
	}
	return reflect.DeepEqual(got, want)
}
