package httpapi

import (
	"strings"
	"testing"

	"github.com/socle/socle/internal/errs"
)

func FuzzParseDeployment(f *testing.F) {
	f.Add(`{"name":"Place","devices":["a"],"chain":{"accountable":[{"kind":"institution","name":"V"}],"purpose":["mobility"],"tech":["radar"],"retention":"no_data_retained"}}`)
	f.Add(`{"name":"x","x":1}`)
	f.Add(`[]`)
	f.Fuzz(func(t *testing.T, s string) {
		d, err := parseDeployment(strings.NewReader(s))
		if err != nil {
			if k := errs.KindOf(err); k != errs.Invalid && k != errs.TooLarge {
				t.Fatalf("error of kind %s: %v", k, err)
			}
			return
		}
		d.Validate() // may refuse, must not panic (a nil chain included)
	})
}

func TestParseDeploymentRefusesOversizedBodies(t *testing.T) {
	_, err := parseDeployment(strings.NewReader(`{"name":"` + strings.Repeat("a", maxDeploymentBody) + `"}`))
	if errs.KindOf(err) != errs.TooLarge {
		t.Fatalf("got %v", err)
	}
}
