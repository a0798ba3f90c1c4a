package agreements

import (
	"encoding/json"
	"testing"

	"github.com/socle/socle/internal/errs"
)

// FuzzAgreementJSON feeds arbitrary bodies, as the API receives them, to
// decoding and Validate: no panic, and every refusal is Invalid.
func FuzzAgreementJSON(f *testing.F) {
	good, _ := json.Marshal(valid())
	f.Add(string(good))
	f.Add(`{"id":"x","partner":"p","purpose":"a","legal_basis":"b","start":"2024-01-01T00:00:00Z","end":"2025-01-01T00:00:00Z","status":"active","datasets":[{"dataset":"d","filter":"a > 1 and search(*, \"x\")"}]}`)
	f.Add(`{"datasets":[{"dataset":"d","filter":"(((("}]}`)
	f.Add(`{}`)
	f.Fuzz(func(t *testing.T, body string) {
		var a Agreement
		if json.Unmarshal([]byte(body), &a) != nil {
			return
		}
		if err := a.Validate(); err != nil && errs.KindOf(err) != errs.Invalid {
			t.Fatalf("kind %s for %v", errs.KindOf(err), err)
		}
		_ = a.Active(a.Start)
		_ = a.Public()
	})
}
