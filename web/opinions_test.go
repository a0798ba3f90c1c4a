package web

import (
	"testing"
	"time"
)

func TestFormToken(t *testing.T) {
	tr := &transparency{secret: []byte("0123456789abcdef0123456789abcdef")}
	now := time.Date(2026, 5, 1, 10, 0, 0, 0, time.UTC)
	tok := tr.formToken("cam-1", now)
	for _, tc := range []struct {
		name, token, device string
		at                  time.Time
		want                bool
	}{
		{"a fresh token is valid", tok, "cam-1", now, true},
		{"a token is valid until it expires", tok, "cam-1", now.Add(formTokenTTL), true},
		{"an expired token is refused", tok, "cam-1", now.Add(formTokenTTL + time.Second), false},
		{"another sensor's token is refused", tok, "cam-2", now, false},
		{"a token from the far future is refused", tr.formToken("cam-1", now.Add(24*time.Hour)), "cam-1", now, false},
		{"a token without a signature is refused", "1999999999.", "cam-1", now, false},
		{"garbage is refused", "garbage", "cam-1", now, false},
		{"a token of another secret is refused", (&transparency{secret: []byte("x")}).formToken("cam-1", now), "cam-1", now, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := tr.validToken(tc.token, tc.device, tc.at); got != tc.want {
				t.Fatalf("valid = %v, want %v", got, tc.want)
			}
		})
	}
}

func FuzzValidToken(f *testing.F) {
	tr := &transparency{secret: []byte("0123456789abcdef0123456789abcdef")}
	now := time.Date(2026, 5, 1, 10, 0, 0, 0, time.UTC)
	good := tr.formToken("cam-1", now)
	f.Add(good)
	f.Add("1777000000.AAAA")
	f.Add("-1.x")
	f.Fuzz(func(t *testing.T, token string) {
		if tr.validToken(token, "cam-1", now) && token != good {
			t.Fatalf("accepted a token that was not issued: %q", token)
		}
	})
}
