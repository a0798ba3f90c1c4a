package lorawan

import (
	"bytes"
	"testing"

	"github.com/socle/socle/internal/errs"
	"github.com/socle/socle/internal/sensors"
)

// fuzzParser checks what must hold for any input: no panic; an error is an
// Invalid (or TooLarge) *errs.Error; an accepted message gives a
// well-formed Uplink of the parser's source.
func fuzzParser(f *testing.F, parse Parser, source string, cases []parseCase) {
	for _, c := range cases {
		f.Add(c.topic, []byte(c.body))
	}
	f.Fuzz(func(t *testing.T, topic string, body []byte) {
		u, err := parse(topic, body)
		if err != nil {
			if k := errs.KindOf(err); k != errs.Invalid && k != errs.TooLarge {
				t.Fatalf("error of kind %v: %v", k, err)
			}
			if errs.Message(err) == "" {
				t.Fatal("error without a message")
			}
			return
		}
		checkUplink(t, u, source, body)
	})
}

func checkUplink(t *testing.T, u sensors.Uplink, source string, body []byte) {
	t.Helper()
	if u.Source != source {
		t.Fatalf("source %q, want %q", u.Source, source)
	}
	if !bytes.Equal(u.Raw, body) {
		t.Fatal("Raw is not the body")
	}
	if len(body) > MaxBody {
		t.Fatalf("accepted a body of %d bytes", len(body))
	}
	if u.FPort < 0 || u.FPort > 255 {
		t.Fatalf("fPort %d", u.FPort)
	}
	if len(u.Key) > maxID+1+maxKey {
		t.Fatalf("key of %d bytes", len(u.Key))
	}
	if source == SourceNative {
		if u.DeviceID == "" || len(u.Object) == 0 {
			t.Fatalf("native uplink without device or values: %+v", u)
		}
		for name, v := range u.Object {
			if _, ok := v.(float64); !ok {
				t.Fatalf("value %s is %T", name, v)
			}
		}
		return
	}
	if eui, err := NormalizeEUI(u.DevEUI); err != nil || eui != u.DevEUI {
		t.Fatalf("DevEUI %q not normalised", u.DevEUI)
	}
	if u.FCnt == nil || u.Key == "" {
		t.Fatalf("LoRaWAN uplink without fCnt or key: %+v", u)
	}
}

func FuzzParseChirpStack(f *testing.F) {
	fuzzParser(f, ParseChirpStack, SourceChirpStack, chirpStackCases)
}
func FuzzParseTTS(f *testing.F)    { fuzzParser(f, ParseTTS, SourceTTS, ttsCases) }
func FuzzParseNative(f *testing.F) { fuzzParser(f, ParseNative, SourceNative, nativeCases) }

// FuzzRoute feeds any topic to the parser Route picks: Route and the
// parsers must agree on the topic shapes.
func FuzzRoute(f *testing.F) {
	for _, cases := range [][]parseCase{chirpStackCases, ttsCases, nativeCases} {
		for _, c := range cases {
			f.Add(c.topic, []byte(c.body))
		}
	}
	f.Fuzz(func(t *testing.T, topic string, body []byte) {
		parse, ok := Route(topic)
		if !ok {
			return
		}
		source, _ := SourceOf(topic)
		u, err := parse(topic, body)
		if err != nil {
			if k := errs.KindOf(err); k != errs.Invalid && k != errs.TooLarge {
				t.Fatalf("error of kind %v: %v", k, err)
			}
			return
		}
		checkUplink(t, u, source, body)
	})
}
