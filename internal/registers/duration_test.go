package registers

import "testing"

func TestRetentionDaysReadsTheFirstDuration(t *testing.T) {
	for _, tc := range []struct {
		text string
		want int
	}{
		{"90 jours", 90},
		{"Données brutes : 90 jours (eau), 730 jours (autres)", 90},
		{"2 ans", 730},
		{"1 an après la fin du contrat", 365},
		{"13 mois", 390},
		{"6 semaines", 42},
		{"30d", 30},
		{"Commentaires : 2 années", 730},
		{"3 years", 1095},
	} {
		t.Run(tc.text, func(t *testing.T) {
			if got, err := RetentionDays(tc.text); err != nil || got != tc.want {
				t.Errorf("got %d, %v; want %d", got, err, tc.want)
			}
		})
	}
	for _, text := range []string{"Durée de l'accord", "", "0 jours", "99999 ans"} {
		t.Run("refused "+text, func(t *testing.T) {
			if _, err := RetentionDays(text); err == nil {
				t.Errorf("%q accepted", text)
			}
		})
	}
}

// FuzzRetentionDays: any text gives a duration within bounds or an error.
func FuzzRetentionDays(f *testing.F) {
	f.Add("2 ans")
	f.Add("Données brutes : 90 jours")
	f.Fuzz(func(t *testing.T, s string) {
		if n, err := RetentionDays(s); err == nil && (n < 1 || n > 36500) {
			t.Fatalf("%q: %d days", s, n)
		}
	})
}
