package backup

import (
	"math"
	"testing"
	"time"
)

func TestEncode(t *testing.T) {
	ts := time.Date(2026, 11, 27, 18, 4, 5, 123456789, time.FixedZone("CET", 3600))
	tests := []struct {
		name string
		typ  Type
		in   any
		want string
		null bool
	}{
		{"null", String, nil, "", true},
		{"text", String, "é,\"x\"\n", "é,\"x\"\n", false},
		{"text from bytes", String, []byte("abc"), "abc", false},
		{"integer", Integer, int64(-42), "-42", false},
		{"integer from int32", Integer, int32(7), "7", false},
		{"number", Number, 0.1, "0.1", false},
		{"number integral", Number, float64(3), "3", false},
		{"number from integer", Number, int64(3), "3", false},
		{"NaN", Number, math.NaN(), "NaN", false},
		{"-Inf", Number, math.Inf(-1), "-INF", false},
		{"boolean", Boolean, true, "true", false},
		{"boolean from SQLite", Boolean, int64(0), "false", false},
		{"datetime truncated to µs, UTC", DateTime, ts, "2026-11-27T17:04:05.123456Z", false},
		{"datetime from Unix ms", DateTime, int64(1764266645123), "2025-11-27T18:04:05.123000Z", false},
		{"datetime from RFC 3339 text", DateTime, "2026-11-27T17:04:05.5Z", "2026-11-27T17:04:05.500000Z", false},
		{"datetime from SQLite's datetime()", DateTime, "2026-11-27 17:04:05", "2026-11-27T17:04:05.000000Z", false},
		{"date", Date, time.Date(2026, 2, 3, 0, 0, 0, 0, time.UTC), "2026-02-03", false},
		{"date from text", Date, "2026-02-03", "2026-02-03", false},
		{"json keys sorted", JSON, `{"b":1,"a":[true,null,"<x>"]}`, `{"a":[true,null,"<x>"],"b":1}`, false},
		{"json as jsonb writes it", JSON, `{"a": 1.0, "b": 1e3, "c": 0.25}`, `{"a":1,"b":1000,"c":0.25}`, false},
		{"json big integer exact", JSON, `[12345678901234567]`, `[12345678901234567]`, false},
		{"bytes", Bytes, []byte{0, 1, 255}, "AAH/", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok, err := Encode(tt.typ, tt.in)
			if err != nil {
				t.Fatal(err)
			}
			if ok == tt.null || got != tt.want {
				t.Errorf("Encode(%s, %v) = %q, %v; want %q", tt.typ, tt.in, got, ok, tt.want)
			}
			if ok {
				back, err := Decode(tt.typ, got)
				if err != nil {
					t.Fatalf("Decode(%q): %v", got, err)
				}
				again, _, err := Encode(tt.typ, back)
				if err != nil || again != got {
					t.Errorf("round trip: %q → %v → %q (%v)", got, back, again, err)
				}
			}
		})
	}
}

func TestEncodeRefuses(t *testing.T) {
	tests := []struct {
		typ Type
		in  any
	}{
		{String, Null},
		{Integer, 1.5},
		{Integer, "12"},
		{Boolean, int64(2)},
		{DateTime, "yesterday"},
		{JSON, `{"a":`},
		{Bytes, 12},
		{"uuid", "x"},
	}
	for _, tt := range tests {
		if s, _, err := Encode(tt.typ, tt.in); err == nil {
			t.Errorf("Encode(%s, %#v) = %q, want an error", tt.typ, tt.in, s)
		}
	}
}

func TestOrderTables(t *testing.T) {
	got := OrderTables([]string{"api_keys", "sessions", "users", "alert_events", "alerts", "datasets", "zz"})
	want := []string{"users", "datasets", "alerts", "alert_events", "api_keys", "zz"}
	if len(got) != len(want) {
		t.Fatalf("%v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("%v, want %v", got, want)
		}
	}
}

// FuzzDecode: whatever the archive holds, Decode never panics, and what
// it accepts encodes back to the same text (the canonical form is a fixed
// point), so a restored instance backs up to the archive it came from.
func FuzzDecode(f *testing.F) {
	for _, s := range []string{"0", "-1", "1.5", "NaN", "INF", "true", "2026-01-02", "2026-01-02T03:04:05.000000Z", "AAH/", `{"a":1}`} {
		f.Add(s)
	}
	types := []Type{String, Integer, Number, Boolean, Date, DateTime, Bytes}
	f.Fuzz(func(t *testing.T, s string) {
		for _, typ := range types {
			v, err := Decode(typ, s)
			if err != nil {
				continue
			}
			got, ok, err := Encode(typ, v)
			if !ok || err != nil {
				if s == Null && typ == String {
					continue
				}
				t.Fatalf("%s %q decoded to %v but does not encode: %v", typ, s, v, err)
			}
			if typ == Number || typ == Integer || typ == Boolean || typ == Bytes {
				continue // "+1", "1e0", "1", "T": several texts, one value
			}
			if typ == String && got != s {
				t.Fatalf("%s %q encodes back as %q", typ, s, got)
			}
			if again, _, _ := Encode(typ, mustDecode(t, typ, got)); again != got {
				t.Fatalf("%s %q: canonical %q is not stable (%q)", typ, s, got, again)
			}
		}
		if c, err := canonicalJSON(s); err == nil {
			if c2, err := canonicalJSON(c); err != nil || c2 != c {
				t.Fatalf("JSON %q: canonical %q is not stable (%q, %v)", s, c, c2, err)
			}
		}
	})
}

func mustDecode(t *testing.T, typ Type, s string) any {
	v, err := Decode(typ, s)
	if err != nil {
		t.Fatalf("%s %q: %v", typ, s, err)
	}
	return v
}
