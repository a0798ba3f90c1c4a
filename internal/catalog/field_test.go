package catalog

import (
	"strings"
	"testing"
)

func TestNormalizeName(t *testing.T) {
	cases := []struct{ in, want string }{
		{"Nom de la commune", "nom_de_la_commune"},
		{"Notification à la commission Européenne", "notification_a_la_commission_europeenne"},
		{"  idBeneficiaire ", "idbeneficiaire"},
		{"2019", "f_2019"},
		{"Surface (m²)", "surface_m"},
		{"", "field"},
		{"€€€", "field"},
		{"a--b__c", "a_b_c"},
	}
	for _, c := range cases {
		t.Run(c.in, func(t *testing.T) {
			if got := NormalizeName(c.in); got != c.want {
				t.Errorf("NormalizeName(%q) = %q, want %q", c.in, got, c.want)
			}
		})
	}
}

func TestUniqueNamesFitPostgresIdentifiers(t *testing.T) {
	long := strings.Repeat("coordonnées géographiques du point ", 5)
	names := UniqueNames([]string{long, long, "id", "ID", "_id", "nom"})
	seen := map[string]bool{}
	for _, n := range names {
		if seen[n] {
			t.Errorf("duplicate name %q in %v", n, names)
		}
		seen[n] = true
		if len(n+"__lat") > 63 {
			t.Errorf("%q with a geo suffix exceeds 63 bytes", n)
		}
		if n == "_id" {
			t.Errorf("reserved name used: %v", names)
		}
	}
}
