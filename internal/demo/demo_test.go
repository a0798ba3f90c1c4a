package demo

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/socle/socle/internal/catalog"
)

var (
	slugRE      = regexp.MustCompile(`^[a-z0-9][a-z0-9-]*$`)
	fieldNameRE = regexp.MustCompile(`^[a-z_][a-z0-9_]*$`)
	firstDay    = day(2023, 1, 1)
	lastDay     = day(2026, 10, 31)
)

// each calls fn with every row of spec, numbered from 0.
func each(t testing.TB, spec *DatasetSpec, fn func(i int, row catalog.Row)) int {
	t.Helper()
	src := spec.Rows()
	for i := 0; ; i++ {
		row, err := src.Next()
		if err == io.EOF {
			return i
		}
		if err != nil {
			t.Fatalf("%s: row %d: %v", spec.Dataset.ID, i, err)
		}
		fn(i, row)
	}
}

// render appends a canonical, type-tagged rendering of v to b.
func render(b []byte, v any) []byte {
	switch x := v.(type) {
	case nil:
		return append(b, "null\x1e"...)
	case string:
		b = append(append(b, 's'), x...)
	case int64:
		b = strconv.AppendInt(append(b, 'i'), x, 10)
	case float64:
		b = strconv.AppendFloat(append(b, 'f'), x, 'g', -1, 64)
	case bool:
		b = strconv.AppendBool(append(b, 'b'), x)
	case time.Time:
		b = append(x.AppendFormat(append(b, 't'), time.RFC3339Nano), x.Location().String()...)
	case catalog.GeoPoint:
		b = strconv.AppendFloat(append(b, 'p'), x.Lon, 'g', -1, 64)
		b = strconv.AppendFloat(append(b, ','), x.Lat, 'g', -1, 64)
	case json.RawMessage:
		b = append(append(b, 'j'), x...)
	default:
		b = fmt.Appendf(b, "%T:%v", v, v)
	}
	return append(b, 0x1e)
}

// rowsDigest is a SHA-256 over the canonical rendering of spec's rows.
func rowsDigest(t testing.TB, spec *DatasetSpec) []byte {
	t.Helper()
	h := sha256.New()
	var buf []byte
	each(t, spec, func(_ int, row catalog.Row) {
		buf = buf[:0]
		for _, v := range row {
			buf = render(buf, v)
		}
		h.Write(append(buf, '\n'))
	})
	return h.Sum(nil)
}

// digest is a SHA-256 over the territory's metadata and every row.
func digest(t testing.TB, tr *Territory) string {
	t.Helper()
	h := sha256.New()
	meta, err := json.Marshal(struct {
		O []*catalog.Organization
		U []DemoUser
	}{tr.Organizations, tr.Users})
	if err != nil {
		t.Fatal(err)
	}
	h.Write(meta)
	for _, s := range tr.Datasets {
		b, err := json.Marshal(s.Dataset)
		if err != nil {
			t.Fatal(err)
		}
		h.Write(b)
		fmt.Fprintf(h, "%q\n", s.Keys)
		h.Write(rowsDigest(t, s))
	}
	return hex.EncodeToString(h.Sum(nil))
}

func TestNewIsDeterministic(t *testing.T) {
	a, b := New(), New()
	if da, db := digest(t, a), digest(t, b); da != db {
		t.Fatalf("two New() differ: %s != %s", da, db)
	}
	// A second call of Rows on the same spec restarts the same stream.
	for _, s := range a.Datasets {
		if string(rowsDigest(t, s)) != string(rowsDigest(t, s)) {
			t.Errorf("%s: Rows() is not repeatable", s.Dataset.ID)
		}
	}
}

// checkValue returns why v is not a valid value of f, or nil.
func checkValue(f catalog.Field, v any) error {
	if v == nil {
		return nil
	}
	var ok bool
	switch f.Type {
	case catalog.TypeText:
		var s string
		s, ok = v.(string)
		if ok && s == "" {
			return fmt.Errorf("empty string instead of null")
		}
	case catalog.TypeInt:
		_, ok = v.(int64)
	case catalog.TypeDouble:
		var x float64
		if x, ok = v.(float64); ok && (math.IsNaN(x) || math.IsInf(x, 0)) {
			return fmt.Errorf("non-finite %v", x)
		}
	case catalog.TypeBoolean:
		_, ok = v.(bool)
	case catalog.TypeDate, catalog.TypeDateTime:
		var d time.Time
		if d, ok = v.(time.Time); ok {
			if d.Location() != time.UTC {
				return fmt.Errorf("%v not in UTC", d)
			}
			if f.Type == catalog.TypeDate && !d.Equal(d.Truncate(24*time.Hour)) {
				return fmt.Errorf("date %v is not midnight", d)
			}
			if d.Before(firstDay) || !d.Before(lastDay.AddDate(0, 0, 1)) {
				return fmt.Errorf("%v outside 2023-01-01..2026-10-31", d)
			}
		}
	case catalog.TypeGeoPoint:
		var p catalog.GeoPoint
		if p, ok = v.(catalog.GeoPoint); ok && (p.Lat < minLat || p.Lat > maxLat || p.Lon < minLon || p.Lon > maxLon) {
			return fmt.Errorf("point %+v outside the territory", p)
		}
	case catalog.TypeGeoShape, catalog.TypeJSON:
		var raw json.RawMessage
		if raw, ok = v.(json.RawMessage); ok {
			var g struct{ Type string }
			if err := json.Unmarshal(raw, &g); err != nil {
				return err
			}
			if f.Type == catalog.TypeGeoShape && g.Type == "" {
				return fmt.Errorf("geometry without type: %s", raw)
			}
		}
	default:
		return fmt.Errorf("unknown type %q", f.Type)
	}
	if !ok {
		return fmt.Errorf("%T for a %s field", v, f.Type)
	}
	return nil
}

func TestRowsMatchFields(t *testing.T) {
	for _, s := range New().Datasets {
		t.Run(s.Dataset.ID, func(t *testing.T) {
			fields := s.Dataset.Fields
			keys := map[string]bool{}
			each(t, s, func(i int, row catalog.Row) {
				if len(row) != len(fields) {
					t.Fatalf("row %d has %d values for %d fields", i, len(row), len(fields))
				}
				var key strings.Builder
				for j, v := range row {
					if err := checkValue(fields[j], v); err != nil {
						t.Fatalf("row %d, field %s: %v", i, fields[j].Name, err)
					}
					for _, k := range s.Keys {
						if k == fields[j].Name {
							fmt.Fprintf(&key, "%v|", v)
						}
					}
				}
				if len(s.Keys) > 0 {
					if keys[key.String()] {
						t.Fatalf("row %d repeats key %s", i, key.String())
					}
					keys[key.String()] = true
				}
			})
		})
	}
}

func TestRowCounts(t *testing.T) {
	want := map[string]int{ // the table in the package documentation
		"parkings-disponibilites":   25,
		"arrets-transport":          400,
		"arbres-remarquables":       1500,
		"equipements-publics":       600,
		"subventions-associations":  800,
		"qualite-air":               23040,
		"consommation-eau-communes": 432,
		"points-apport-dechets":     900,
		"eclairage-public-energie":  1440,
		"energie-batiments":         240,
		"frequentation-piscines":    2190,
		"perimetres-communes":       12,
		"licences-sportives":        288,
	}
	specs := New().Datasets
	if len(specs) != len(want) {
		t.Errorf("%d datasets, documented %d", len(specs), len(want))
	}
	for _, s := range specs {
		t.Run(s.Dataset.ID, func(t *testing.T) {
			if got := each(t, s, func(int, catalog.Row) {}); got != want[s.Dataset.ID] {
				t.Errorf("%d rows, documented %d", got, want[s.Dataset.ID])
			}
		})
	}
}

func TestDatasetShape(t *testing.T) {
	tr := New()
	orgs := map[string]catalog.OrgKind{}
	for _, o := range tr.Organizations {
		orgs[o.ID] = o.Kind
	}
	logins := map[string]bool{}
	for _, u := range tr.Users {
		logins[u.Login] = true
	}
	themes := map[string]bool{}
	for _, c := range strings.Fields("AGRI ECON EDUC ENER ENVI GOVE HEAL INTR JUST REGI SOCI TECH TRAN") {
		themes[c] = true
	}
	ids := map[string]bool{}
	for _, s := range tr.Datasets {
		d := s.Dataset
		t.Run(d.ID, func(t *testing.T) {
			if !slugRE.MatchString(d.ID) || ids[d.ID] {
				t.Errorf("ID %q is not a unique slug", d.ID)
			}
			ids[d.ID] = true
			if d.UID != "" || !d.Access.Valid() {
				t.Errorf("UID %q, access %q", d.UID, d.Access)
			}
			m := d.Meta
			if !m.Synthetic || !strings.HasSuffix(m.Title, TitleSuffix) || !strings.HasPrefix(m.Description, DescriptionPrefix) {
				t.Errorf("not labelled synthetic: %q / %q", m.Title, m.Description)
			}
			if _, ok := orgs[m.Publisher]; !ok {
				t.Errorf("publisher %q is no organization", m.Publisher)
			}
			if m.Language != "fr" || m.License == "" || m.Frequency == "" || len(m.Keywords) == 0 || m.ContactEmail == "" {
				t.Errorf("incomplete metadata: %+v", m)
			}
			if m.TemporalStart == nil || m.TemporalEnd == nil || m.TemporalEnd.Before(*m.TemporalStart) {
				t.Errorf("temporal coverage %v..%v", m.TemporalStart, m.TemporalEnd)
			}
			if len(m.Themes) == 0 {
				t.Error("no theme")
			}
			for _, th := range m.Themes {
				if !themes[th] {
					t.Errorf("theme %q is no EU data theme", th)
				}
			}
			for _, o := range m.AllowedOrgs {
				if _, ok := orgs[o]; !ok {
					t.Errorf("allowed org %q does not exist", o)
				}
			}
			for _, u := range m.AllowedUsers {
				if !logins[u] {
					t.Errorf("allowed user %q does not exist", u)
				}
			}
			if d.Access == catalog.AccessRestricted && len(m.AllowedOrgs)+len(m.AllowedUsers) == 0 {
				t.Error("restricted dataset readable by nobody")
			}
			names := map[string]bool{}
			for _, f := range d.Fields {
				if !fieldNameRE.MatchString(f.Name) || names[f.Name] || f.Name != catalog.NormalizeName(f.Name) {
					t.Errorf("field name %q is not a unique normalized name", f.Name)
				}
				names[f.Name] = true
				if f.Label == "" || !f.Type.Valid() {
					t.Errorf("field %q: label %q, type %q", f.Name, f.Label, f.Type)
				}
			}
			for _, k := range s.Keys {
				if !names[k] {
					t.Errorf("key %q is no field", k)
				}
			}
		})
	}
}

func TestAccessMix(t *testing.T) {
	count := map[catalog.Access]int{}
	for _, s := range New().Datasets {
		count[s.Dataset.Access]++
	}
	tests := []struct {
		access catalog.Access
		min    int
	}{
		{catalog.AccessPublic, 6},
		{catalog.AccessInternal, 1},
		{catalog.AccessRestricted, 2},
	}
	for _, tt := range tests {
		if count[tt.access] < tt.min {
			t.Errorf("%d %s datasets, want at least %d", count[tt.access], tt.access, tt.min)
		}
	}
	if n := len(New().Datasets); n < 10 {
		t.Errorf("%d datasets, want at least 10", n)
	}
}

func TestOrganizationsAndUsers(t *testing.T) {
	tr := New()
	orgs := map[string]bool{}
	kinds := map[catalog.OrgKind]int{}
	for _, o := range tr.Organizations {
		if !slugRE.MatchString(o.ID) || orgs[o.ID] || o.Name == "" || o.CreatedAt.IsZero() {
			t.Errorf("organization %+v: bad or repeated ID, or incomplete", o)
		}
		orgs[o.ID] = true
		kinds[o.Kind]++
	}
	want := map[catalog.OrgKind]int{catalog.OrgMetropolis: 1, catalog.OrgCommune: len(communes), catalog.OrgPartner: 2, catalog.OrgDelegate: 2}
	for k, n := range want {
		if kinds[k] < n {
			t.Errorf("%d organizations of kind %s, want at least %d", kinds[k], k, n)
		}
	}
	roles := map[string]bool{}
	for _, u := range tr.Users {
		if len(u.Password) < 12 || !orgs[u.Org] || u.Login == "" || u.Name == "" || roles[u.Role] {
			t.Errorf("user %+v: short password, unknown org or repeated role", u)
		}
		roles[u.Role] = true
	}
	for _, r := range []string{"admin", "steward", "producer", "agent", "partner"} {
		if !roles[r] {
			t.Errorf("no %s user", r)
		}
	}
}

func TestTerritory(t *testing.T) {
	pop, codes := 0, map[string]bool{}
	for _, c := range communes {
		pop += c.pop
		if !strings.HasPrefix(c.insee, "49") || len(c.insee) != 5 || codes[c.insee] {
			t.Errorf("%s: INSEE code %q", c.name, c.insee)
		}
		codes[c.insee] = true
		if c.lat < 47.40 || c.lat > 47.55 || c.lon < -0.65 || c.lon > -0.45 {
			t.Errorf("%s: centroid %v,%v outside the box", c.name, c.lat, c.lon)
		}
	}
	if pop < 280000 || pop > 320000 {
		t.Errorf("population %d, want about 300,000", pop)
	}
}

func TestSubsidiesFollowSCDL(t *testing.T) {
	var spec *DatasetSpec
	for _, s := range New().Datasets {
		if s.Dataset.ID == "subventions-associations" {
			spec = s
		}
	}
	scdl := strings.Fields("nomAttribuant idAttribuant dateConvention referenceDecision nomBeneficiaire idBeneficiaire rnaBeneficiaire objet montant nature conditionsVersement datesPeriodeVersement idRAE notificationUE pourcentageSubvention dispositifAide")
	if len(spec.Dataset.Fields) != len(scdl) {
		t.Fatalf("%d fields, SCDL has %d", len(spec.Dataset.Fields), len(scdl))
	}
	for i, n := range scdl {
		if got := spec.Dataset.Fields[i].Name; got != catalog.NormalizeName(n) {
			t.Errorf("field %d is %q, want %q", i, got, catalog.NormalizeName(n))
		}
	}
	if spec.Dataset.Meta.ConformsTo != "https://schema.data.gouv.fr/scdl/subventions/2.1.1/schema.json" {
		t.Errorf("ConformsTo %q", spec.Dataset.Meta.ConformsTo)
	}
	patterns := map[int]*regexp.Regexp{
		1:  regexp.MustCompile(`^\d{14}$`),
		5:  regexp.MustCompile(`^\d{14}$`),
		6:  regexp.MustCompile(`^W\d{9}$`),
		9:  regexp.MustCompile(`^(aide en numéraire|aide en nature|aide en numéraire;aide en nature|aide en nature;aide en numéraire)$`),
		11: regexp.MustCompile(`^\d{4}-\d{2}-\d{2}(/\d{4}-\d{2}-\d{2})?$`),
		12: regexp.MustCompile(`^\d{1,5}$`),
	}
	required := []int{0, 1, 2, 4, 7, 8, 9, 10, 11, 13, 14}
	each(t, spec, func(i int, row catalog.Row) {
		for j, re := range patterns {
			if s, ok := row[j].(string); ok && !re.MatchString(s) {
				t.Fatalf("row %d: %s = %q does not match %s", i, scdl[j], s, re)
			}
		}
		for _, j := range required {
			if row[j] == nil {
				t.Fatalf("row %d: required %s is null", i, scdl[j])
			}
		}
		if p := row[14].(float64); p < 0.01 || p > 1 {
			t.Fatalf("row %d: pourcentageSubvention %v", i, p)
		}
		if len([]rune(row[7].(string))) > 256 || len([]rune(row[10].(string))) > 256 {
			t.Fatalf("row %d: objet or conditionsVersement over 256 characters", i)
		}
	})
}

func TestLuhn(t *testing.T) {
	valid := func(s string) bool {
		sum := 0
		for i := len(s) - 1; i >= 0; i-- {
			d := int(s[i] - '0')
			if (len(s)-1-i)%2 == 1 {
				if d *= 2; d > 9 {
					d -= 9
				}
			}
			sum += d
		}
		return sum%10 == 0
	}
	tests := []string{siren(0), siren(200000), siret(siren(200000), 12), siret(siren(400037), 13), "73282932000074"}
	for _, s := range tests {
		if !valid(s) {
			t.Errorf("%s fails the Luhn check", s)
		}
	}
}

func BenchmarkGenerateAll(b *testing.B) {
	tr := New()
	b.ReportAllocs()
	for b.Loop() {
		n := 0
		for _, s := range tr.Datasets {
			n += each(b, s, func(int, catalog.Row) {})
		}
		b.ReportMetric(float64(n), "rows/op")
	}
}

func TestCheckValueRejects(t *testing.T) {
	tests := []struct {
		name string
		typ  catalog.FieldType
		v    any
	}{
		{"int as int", catalog.TypeInt, 3},
		{"double as float32", catalog.TypeDouble, float32(1)},
		{"NaN double", catalog.TypeDouble, math.NaN()},
		{"date not midnight", catalog.TypeDate, time.Date(2024, 1, 1, 3, 0, 0, 0, time.UTC)},
		{"datetime not UTC", catalog.TypeDateTime, time.Date(2024, 1, 1, 3, 0, 0, 0, time.FixedZone("CET", 3600))},
		{"date out of range", catalog.TypeDate, day(2027, 1, 1)},
		{"geo point as pointer", catalog.TypeGeoPoint, &catalog.GeoPoint{Lon: -0.55, Lat: 47.47}},
		{"geo point far away", catalog.TypeGeoPoint, catalog.GeoPoint{Lon: 2.35, Lat: 48.85}},
		{"geo shape as bytes", catalog.TypeGeoShape, []byte(`{"type":"Point","coordinates":[0,0]}`)},
		{"geo shape without type", catalog.TypeGeoShape, json.RawMessage(`{}`)},
		{"empty text", catalog.TypeText, ""},
		{"boolean as text", catalog.TypeBoolean, "true"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if checkValue(catalog.Field{Name: "x", Type: tt.typ}, tt.v) == nil {
				t.Errorf("%#v accepted for a %s field", tt.v, tt.typ)
			}
		})
	}
}
