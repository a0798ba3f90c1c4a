// Package jscodec runs LoRaWAN payload decoders written in JavaScript, in
// the codec format of the LoRaWAN device repository (The Things Stack's
// `decodeUplink(input)` returning `{data, warnings, errors}`) or in
// ChirpStack v3's (`Decode(fPort, bytes, variables)`), so that a device
// sending raw bytes gets its values read by its model's decoder.
//
// Decoders are code from vendors and contributors, run on every uplink:
// they run in a sandbox. Each runs in a goja interpreter (no file, network
// or process access: the interpreter has none to give) inside worker
// processes — the socle binary itself, started with SOCLE_JSCODEC_WORKER=1
// — whose address space the kernel bounds (RLIMIT_AS), with a time limit
// per call enforced twice: by interrupting the interpreter, and by killing
// the worker if it does not answer in time. A decoder that loops, recurses
// without end, allocates without bound or crashes costs one worker, which
// is started again; the uplink is reported as undecodable (errs.Invalid)
// and quarantined by the caller.
package jscodec

import (
	"context"
	"embed"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	"github.com/dop251/goja"

	"github.com/socle/socle/internal/errs"
)

// Limits of one decoding.
const (
	DefaultTimeout = 200 * time.Millisecond
	DefaultMemory  = 256 << 20 // bytes of address space a worker may add to what it has at start
	maxScript      = 1 << 20   // bytes of one decoder's source
	maxPayload     = 1024      // bytes of a payload (a LoRaWAN FRMPayload is at most 242)
	maxOutput      = 64 << 10
)

//go:embed codecs/*.js
var builtin embed.FS

// Config configures a Pool.
type Config struct {
	Dir     string        // a directory of <model>.js decoders, added to (and replacing) the built-in ones; "" for none
	Workers int           // worker processes; 2 by default
	Timeout time.Duration // per decoding; DefaultTimeout by default
	Memory  int64         // address space of a worker, bytes; DefaultMemory by default
	// Command is the worker program (os.Executable() by default); tests
	// and the binary both answer to workerEnv.
	Command string
}

var modelName = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$`)

// loadScripts reads the built-in decoders, then dir's, and compiles each
// once here so that a broken decoder is refused at start, with its name.
func loadScripts(dir string) (map[string]string, error) {
	scripts := map[string]string{}
	if err := readScripts(builtin, "codecs", scripts); err != nil {
		return nil, err
	}
	if dir != "" {
		if err := readScripts(os.DirFS(dir), ".", scripts); err != nil {
			return nil, err
		}
	}
	for model, src := range scripts {
		if _, err := goja.Compile(model+".js", src, false); err != nil {
			return nil, errs.E(errs.Invalid, "decoder %s: %v", model, err)
		}
	}
	return scripts, nil
}

func readScripts(fsys fs.FS, root string, into map[string]string) error {
	names, err := fs.Glob(fsys, filepath.ToSlash(filepath.Join(root, "*.js")))
	if err != nil {
		return err
	}
	for _, name := range names {
		model := strings.TrimSuffix(filepath.Base(name), ".js")
		if !modelName.MatchString(model) {
			return errs.E(errs.Invalid, "decoder file %s: the name must be the device model (letters, digits, '.', '-', '_')", name)
		}
		b, err := fs.ReadFile(fsys, name)
		if err != nil {
			return fmt.Errorf("decoder %s: %w", name, err)
		}
		if len(b) > maxScript {
			return errs.E(errs.Invalid, "decoder %s is larger than %d bytes", name, maxScript)
		}
		into[model] = string(b)
	}
	return nil
}

// Decoding is what a decoder returns.
type Decoding struct {
	Data     map[string]any `json:"data"`
	Warnings []string       `json:"warnings,omitempty"`
}

// Decode runs model's decoder on payload received on fPort. errs.NotFound
// when no decoder is known for model; errs.Invalid when the decoder fails,
// reports errors, returns something else than an object, or exceeds its
// limits.
func (p *Pool) Decode(ctx context.Context, model string, fPort int, payload []byte) (map[string]any, error) {
	if _, ok := p.scripts[model]; !ok {
		return nil, errs.E(errs.NotFound, "no payload decoder for model %q", model)
	}
	if len(payload) > maxPayload {
		return nil, errs.E(errs.Invalid, "payload of %d bytes: at most %d", len(payload), maxPayload)
	}
	d, err := p.call(ctx, request{Model: model, FPort: fPort, Bytes: payload})
	if err != nil {
		return nil, err
	}
	return d.Data, nil
}

// Models lists the models that have a decoder.
func (p *Pool) Models() []string {
	out := make([]string, 0, len(p.scripts))
	for m := range p.scripts {
		out = append(out, m)
	}
	return out
}
