package sobriety

import (
	"math"
	"testing"

	"github.com/socle/socle/internal/catalog"
	"github.com/socle/socle/internal/errs"
)

func TestParseModel(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want Model
		ok   bool
	}{
		{"", DefaultModel, true},
		{"carbon=80", Model{StorageKWhPerGBYear: 0.35, TransferKWhPerGB: 0.002, CarbonGPerKWh: 80}, true},
		{" storage = 1 , transfer=0.5,carbon=10 ", Model{1, 0.5, 10}, true},
		{"carbon=-1", DefaultModel, false},
		{"water=3", DefaultModel, false},
		{"storage", DefaultModel, false},
		{"storage=abc", DefaultModel, false},
	} {
		t.Run(tc.in, func(t *testing.T) {
			got, err := ParseModel(tc.in)
			if tc.ok && (err != nil || got != tc.want) || !tc.ok && !errs.Is(err, errs.Invalid) {
				t.Fatalf("ParseModel(%q) = %+v, %v", tc.in, got, err)
			}
			if tc.ok {
				back, err := ParseModel(got.String())
				if err != nil || back != got {
					t.Fatalf("String does not parse back: %q", got.String())
				}
			}
		})
	}
}

func TestEstimate(t *testing.T) {
	m := Model{StorageKWhPerGBYear: 0.5, TransferKWhPerGB: 0.01, CarbonGPerKWh: 50}
	got := m.Estimate(4e9, 100e9) // 4 GB kept a year, 100 GB served: 2 + 1 kWh
	if math.Abs(got.KWhPerYear-3) > 1e-9 || math.Abs(got.GCO2ePerYear-150) > 1e-9 {
		t.Fatalf("estimate %+v, want 3 kWh and 150 g", got)
	}
}

func TestPractices(t *testing.T) {
	long := "Localisation, espèce et hauteur des arbres d'alignement de la métropole, mises à jour chaque mois par le service."
	good := &catalog.Dataset{Access: catalog.AccessPublic, Meta: catalog.Metadata{Description: long, Keywords: []string{"arbres"},
		License: "etalab-2.0", Themes: []string{"ENVI"}, Frequency: "MONTHLY", ConformsTo: "https://schema.data.gouv.fr/x"}}
	for _, p := range Practices(good, false) {
		if !p.Met {
			t.Errorf("%s not met by a documented, standardised, public, read dataset", p.ID)
		}
	}
	bare := &catalog.Dataset{Access: catalog.AccessInternal, Meta: catalog.Metadata{Description: "court"}}
	unmet := map[string]bool{}
	for _, p := range Practices(bare, true) {
		if !p.Met {
			unmet[p.ID] = true
		}
	}
	for _, id := range []string{"BP3", "BP4", "BP5", "BP8", "BP9"} {
		if !unmet[id] {
			t.Errorf("%s met by an undocumented, unread, internal dataset", id)
		}
	}
}

func FuzzParseModel(f *testing.F) {
	for _, s := range []string{"", "storage=1,transfer=2,carbon=3", "carbon=", "=,=", "storage=1e400", "storage=NaN"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		m, err := ParseModel(s)
		if err != nil {
			if !errs.Is(err, errs.Invalid) {
				t.Fatalf("error of another kind: %v", err)
			}
			return
		}
		for _, v := range []float64{m.StorageKWhPerGBYear, m.TransferKWhPerGB, m.CarbonGPerKWh} {
			if v < 0 || math.IsNaN(v) || math.IsInf(v, 0) {
				t.Fatalf("accepted %q as %+v", s, m)
			}
		}
	})
}
