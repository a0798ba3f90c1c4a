package jscodec

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/dop251/goja"

	"github.com/socle/socle/internal/errs"
)

// TestMain lets the test binary serve as its own decoder worker, as the
// socle binary does.
func TestMain(m *testing.M) {
	if IsWorker() {
		os.Exit(RunWorker())
	}
	os.Exit(m.Run())
}

func newPool(t *testing.T, cfg Config) *Pool {
	t.Helper()
	p, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.Close() })
	return p
}

// TestBuiltinDecodersReadVendorValues decodes the raw bytes of real
// uplinks with Socle's decoders and compares with the values the vendors'
// own decoders read (in the test data).
func TestBuiltinDecodersReadVendorValues(t *testing.T) {
	p := newPool(t, Config{})
	for model, file := range map[string]string{"milesight-am103": "milesight-am103", "elsys-ers-co2": "elsys-ers2-co2"} {
		t.Run(model, func(t *testing.T) {
			var up struct {
				FPort int    `json:"fPort"`
				Data  string `json:"data"`
			}
			readJSON(t, file+"-chirpstack-payload.json", &up)
			var want struct {
				Telemetry []struct{ Values map[string]float64 } `json:"telemetry"`
			}
			readJSON(t, file+"-chirpstack-result.json", &want)
			raw, err := base64.StdEncoding.DecodeString(up.Data)
			if err != nil {
				t.Fatal(err)
			}
			got, err := p.Decode(context.Background(), model, up.FPort, raw)
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != len(want.Telemetry[0].Values) {
				t.Errorf("got %v, want %v", got, want.Telemetry[0].Values)
			}
			for k, v := range want.Telemetry[0].Values {
				if g, ok := got[k].(float64); !ok || g != v {
					t.Errorf("%s = %v, want %v", k, got[k], v)
				}
			}
		})
	}
}

func readJSON(t *testing.T, name string, v any) {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatal(err)
	}
}

// TestSandboxLimits runs decoders that misbehave: each is stopped and
// reported as errs.Invalid, and the pool keeps decoding afterwards.
func TestSandboxLimits(t *testing.T) {
	dir := t.TempDir()
	bad := map[string]string{
		"loop":      `function decodeUplink(i) { for(;;) {} }`,
		"recursion": `function f(n) { return f(n+1) + 1 } function decodeUplink(i) { return {data: {v: f(0)}} }`,
		"memory":    `function decodeUplink(i) { var a = []; for(;;) a.push(new Array(10000000).fill(i.bytes[0])); }`,
		"bigstring": `function decodeUplink(i) { return {data: {s: "x".repeat(1 << 29)}} }`,
		"throws":    `function decodeUplink(i) { throw new Error("bad frame") }`,
		"errors":    `function decodeUplink(i) { return {errors: ["unknown fPort"]} }`,
		"notobject": `function decodeUplink(i) { return {data: 42} }`,
		"nofunc":    `var x = 1`,
		"exit":      `function decodeUplink(i) { return {data: {t: typeof require + typeof process + typeof fetch}} }`,
		"v3":        `function Decode(fPort, bytes, variables) { return {port: fPort, first: bytes[0]} }`,
	}
	for name, src := range bad {
		if err := os.WriteFile(filepath.Join(dir, name+".js"), []byte(src), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	p := newPool(t, Config{Dir: dir, Workers: 1, Timeout: 100 * time.Millisecond, Memory: 128 << 20})
	for _, tc := range []struct{ model, want string }{
		{"loop", "time limit exceeded"}, // the interpreter interrupted,
		{"recursion", "call stack limit exceeded"},
		// A native builtin (fill) over ten million items cannot be
		// interrupted: the memory limit or the parent's deadline stops it.
		{"memory", "stopped"},
		{"bigstring", "memory limit exceeded"}, // the kernel's limit,
		{"throws", "bad frame"},
		{"errors", "the decoder reported: unknown fPort"},
		{"notobject", "data is not an object"},
		{"nofunc", "neither decodeUplink"},
	} {
		t.Run(tc.model+" is stopped", func(t *testing.T) {
			_, err := p.Decode(context.Background(), tc.model, 1, []byte{7})
			if !errs.Is(err, errs.Invalid) || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("got %v, want Invalid with %q", err, tc.want)
			}
			// The pool still works after each failure.
			got, err := p.Decode(context.Background(), "v3", 9, []byte{7})
			if err != nil || got["port"] != 9.0 || got["first"] != 7.0 {
				t.Fatalf("after %s: %v %v", tc.model, got, err)
			}
		})
	}
	t.Run("no host objects are reachable", func(t *testing.T) {
		got, err := p.Decode(context.Background(), "exit", 1, nil)
		if err != nil || got["t"] != "undefinedundefinedundefined" {
			t.Fatalf("%v %v", got, err)
		}
	})
	t.Run("unknown model is not found", func(t *testing.T) {
		if _, err := p.Decode(context.Background(), "nope", 1, nil); !errs.Is(err, errs.NotFound) {
			t.Fatal(err)
		}
	})
	t.Run("oversized payload is refused", func(t *testing.T) {
		if _, err := p.Decode(context.Background(), "v3", 1, make([]byte, 2000)); !errs.Is(err, errs.Invalid) {
			t.Fatal(err)
		}
	})
}

func TestBrokenDecoderRefusedAtStart(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "broken.js"), []byte(`function decodeUplink(i) {`), 0o600)
	if _, err := New(Config{Dir: dir}); !errs.Is(err, errs.Invalid) || !strings.Contains(err.Error(), "broken") {
		t.Fatalf("got %v", err)
	}
	os.Remove(filepath.Join(dir, "broken.js"))
	os.WriteFile(filepath.Join(dir, "bad name!.js"), []byte(`var x`), 0o600)
	if _, err := New(Config{Dir: dir}); !errs.Is(err, errs.Invalid) {
		t.Fatalf("got %v", err)
	}
}

// BenchmarkDecode measures a decoding through a worker (a pipe round trip
// and a fresh interpreter), against the baseline of the same decoder run
// in-process with no sandbox.
func BenchmarkDecode(b *testing.B) {
	p, err := New(Config{Workers: 1})
	if err != nil {
		b.Fatal(err)
	}
	defer p.Close()
	raw, _ := base64.StdEncoding.DecodeString("AXVkA2cYAQRobQd9xQE=")
	b.Run("sandboxed", func(b *testing.B) {
		for b.Loop() {
			if _, err := p.Decode(context.Background(), "milesight-am103", 85, raw); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("in-process baseline", func(b *testing.B) {
		// The same decoder, compiled once, in a fresh interpreter per call
		// as in the worker, without the process boundary.
		prog, err := goja.Compile("m.js", p.scripts["milesight-am103"], false)
		if err != nil {
			b.Fatal(err)
		}
		for b.Loop() {
			if r := decodeOne(prog, request{Model: "m", FPort: 85, Bytes: raw}, time.Second); r.Error != "" {
				b.Fatal(r.Error)
			}
		}
	})
}
