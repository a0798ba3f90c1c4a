package errs

import (
	"errors"
	"fmt"
	"testing"
)

func TestKindsAndMessages(t *testing.T) {
	cause := errors.New("pq: relation r_x does not exist")
	cases := []struct {
		name    string
		err     error
		kind    Kind
		message string
		code    string
	}{
		{"plain errors are internal and hidden", cause, Internal, "internal error", ""},
		{"a kind survives wrapping", fmt.Errorf("load: %w", E(NotFound, "dataset %q not found", "x")), NotFound, `dataset "x" not found`, ""},
		{"the cause stays out of the message", Wrap(Invalid, cause, "bad file"), Invalid, "bad file", ""},
		{"internal errors never show their text", E(Internal, "secret detail"), Internal, "internal error", ""},
		{"codes are found through wrapping", fmt.Errorf("x: %w", WithCode(Invalid, "InvalidRESTParameterError", "limit")), Invalid, "limit", "InvalidRESTParameterError"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if KindOf(c.err) != c.kind || Message(c.err) != c.message || CodeOf(c.err) != c.code {
				t.Errorf("kind %v message %q code %q", KindOf(c.err), Message(c.err), CodeOf(c.err))
			}
		})
	}
	if !errors.Is(Wrap(Invalid, cause, "x"), cause) {
		t.Error("Wrap loses the cause for errors.Is")
	}
}
