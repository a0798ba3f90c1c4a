package odsql

import (
	"math"
	"testing"
)

var foldCases = []struct{ in, want string }{
	{"Élodie", "elodie"},
	{"ŒUVRE cœur", "oeuvre coeur"},
	{"Ärger ZOË naïve", "arger zoe naive"},
	{"Saint-Étienne", "saint-etienne"},
	{"100% pur_jus", "100% pur_jus"},
}

func TestFold(t *testing.T) {
	for _, tc := range foldCases {
		if got := Fold(tc.in); got != tc.want {
			t.Errorf("Fold(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

// TestFoldMatchesPostgres checks that socle_fold in SQL folds exactly as
// Fold, so that full-text patterns folded in Go match.
func TestFoldMatchesPostgres(t *testing.T) {
	db := openPostgres(t)
	for _, tc := range foldCases {
		rows, err := db.rows("SELECT socle_fold($1::text), socle_distance(45.764, 4.8357, 48.8566, 2.3522)", []any{tc.in})
		if err != nil {
			t.Fatal(err)
		}
		if got := rows[0][0]; got != tc.want {
			t.Errorf("socle_fold(%q) = %q, want %q", tc.in, got, tc.want)
		}
		if d := rows[0][1].(float64); math.Abs(d-Distance(45.764, 4.8357, 48.8566, 2.3522)) > 1e-6 {
			t.Errorf("socle_distance = %v, Distance = %v", d, Distance(45.764, 4.8357, 48.8566, 2.3522))
		}
	}
}

func TestDistance(t *testing.T) {
	if d := Distance(45.764, 4.8357, 48.8566, 2.3522); math.Abs(d-391500) > 1500 {
		t.Errorf("Lyon–Paris = %.0f m, want about 391.5 km", d)
	}
	if d := Distance(1, 2, 1, 2); d != 0 {
		t.Errorf("same point = %v", d)
	}
}

func TestDateHelpers(t *testing.T) {
	for _, tc := range []struct {
		name, got, want string
	}{
		{"year of a datetime moves with the zone", itoa64(DatePart("year", "2020-12-31T23:30:00.000000Z", "Europe/Paris")), "2021"},
		{"dates ignore the zone", itoa64(DatePart("day", "2020-12-31", "Pacific/Kiritimati")), "31"},
		{"day of week, Sunday is 0", itoa64(DatePart("dow", "2024-06-02", "")), "0"},
		{"bad input is null", itoa64(DatePart("year", "nope", "")), "null"},
		{"format in zone", str(DateFormat("%Y-%m-%d %H:%M:%S %%", "2021-03-01T23:30:00.000000Z", "Europe/Paris")), "2021-03-02 00:30:00 %"},
		{"truncate datetime to month in zone, back in UTC", str(DateTrunc("month", "2021-03-01T10:00:00.000000Z", "Europe/Paris")), "2021-02-28T23:00:00.000000Z"},
		{"truncate date to week starts Monday", str(DateTrunc("week", "2024-06-02", "")), "2024-05-27"},
		{"unknown unit is null", str(DateTrunc("fortnight", "2024-06-02", "")), "null"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.got != tc.want {
				t.Errorf("got %s, want %s", tc.got, tc.want)
			}
		})
	}
}

func itoa64(n int64, ok bool) string {
	if !ok {
		return "null"
	}
	return norm(n, "int")
}

func str(s string, ok bool) string {
	if !ok {
		return "null"
	}
	return s
}

func TestPercentileAgg(t *testing.T) {
	a := NewPercentileAgg()
	for _, x := range []any{int64(800), nil, 1000.0, int64(1000), int64(1100)} {
		a.Step(x, 90.0)
	}
	if got := a.Done(); got != 1070.0 {
		t.Errorf("p90 = %v, want 1070", got)
	}
	if got := NewPercentileAgg().Done(); got != nil {
		t.Errorf("empty = %v, want nil", got)
	}
}

func BenchmarkCompile(b *testing.B) {
	w, _ := ParseWhere("pop > 1000 and (city = 'Paris' or \"text\") and year(seen) = 2021")
	o, _ := ParseOrderBy("score desc, name")
	q := &Query{Where: []Expr{w}, OrderBy: o, Limit: 10}
	for b.Loop() {
		if _, err := Compile(q, testFields, "recs", Postgres); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkParseWhere(b *testing.B) {
	for b.Loop() {
		if _, err := ParseWhere("pop > 1000 and (city = 'Paris' or \"text\") and within_distance(loc, geom'POINT(2 48)', 5km)"); err != nil {
			b.Fatal(err)
		}
	}
}
