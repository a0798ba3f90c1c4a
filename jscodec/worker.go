package jscodec

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/dop251/goja"
)

// workerEnv marks a process started as a decoder worker; memoryEnv gives
// it its address-space limit.
const (
	workerEnv = "SOCLE_JSCODEC_WORKER"
	memoryEnv = "SOCLE_JSCODEC_MEMORY"
)

// IsWorker reports whether this process was started as a decoder worker:
// the socle binary (and a test binary) calls it first thing in main and,
// if so, runs RunWorker instead.
func IsWorker() bool { return os.Getenv(workerEnv) == "1" }

// initMsg is the first line a worker reads: every decoder, and the time
// limit of one call.
type initMsg struct {
	Scripts   map[string]string `json:"scripts"`
	TimeoutMS int64             `json:"timeout_ms"`
}

// request is one decoding asked of a worker.
type request struct {
	Model string `json:"model"`
	FPort int    `json:"fport"`
	Bytes []byte `json:"bytes"`
}

// response is a worker's answer: a Decoding, or an error for errs.Invalid.
type response struct {
	Decoding
	Error string `json:"error,omitempty"`
}

// RunWorker serves decodings on stdin and stdout until stdin ends, under
// the memory limit of memoryEnv. It returns the process's exit code.
func RunWorker() int {
	if mem, err := strconv.ParseInt(os.Getenv(memoryEnv), 10, 64); err == nil && mem > 0 {
		limitMemory(mem)
	}
	if err := serveWorker(os.Stdin, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "jscodec worker:", err)
		return 1
	}
	return 0
}

// limitMemory bounds the process's address space to what it uses now
// (the Go runtime reserves over a gigabyte of address space it never
// touches) plus mem: a decoder allocating without end makes this process
// fail, not the server. (No soft limit for the garbage collector: near
// it, collection would slow the decoder down instead of stopping it.)
func limitMemory(mem int64) {
	limit := uint64(mem) + addressSpace()
	if err := syscall.Setrlimit(syscall.RLIMIT_AS, &syscall.Rlimit{Cur: limit, Max: limit}); err != nil {
		fmt.Fprintln(os.Stderr, "jscodec worker: cannot limit memory:", err)
		os.Exit(2) // never run decoders without the limit
	}
}

// addressSpace is the process's virtual memory size (VmSize), in bytes.
func addressSpace() uint64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmSize:"); ok {
			kb, _ := strconv.ParseUint(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")), 10, 64)
			return kb << 10
		}
	}
	return 0
}

func serveWorker(in io.Reader, out io.Writer) error {
	dec := json.NewDecoder(bufio.NewReader(in))
	w := bufio.NewWriter(out)
	enc := json.NewEncoder(w)
	var init initMsg
	if err := dec.Decode(&init); err != nil {
		return fmt.Errorf("init: %w", err)
	}
	progs := map[string]*goja.Program{}
	for model, src := range init.Scripts {
		p, err := goja.Compile(model+".js", src, false)
		if err != nil {
			return fmt.Errorf("decoder %s: %w", model, err)
		}
		progs[model] = p
	}
	timeout := time.Duration(init.TimeoutMS) * time.Millisecond
	for {
		var req request
		if err := dec.Decode(&req); err == io.EOF {
			return nil
		} else if err != nil {
			return fmt.Errorf("request: %w", err)
		}
		if err := enc.Encode(decodeOne(progs[req.Model], req, timeout)); err != nil {
			return err
		}
		if err := w.Flush(); err != nil {
			return err
		}
	}
}

// decodeOne runs a decoder in a fresh interpreter, so that no call sees
// what another left behind.
func decodeOne(p *goja.Program, req request, timeout time.Duration) (resp response) {
	if p == nil {
		return response{Error: "no decoder for model " + req.Model}
	}
	vm := goja.New()
	vm.SetMaxCallStackSize(512)
	timer := time.AfterFunc(timeout, func() { vm.Interrupt("time limit exceeded") })
	defer timer.Stop()
	defer func() {
		if r := recover(); r != nil {
			resp = response{Error: fmt.Sprintf("decoder crashed: %v", r)}
		}
	}()
	if _, err := vm.RunProgram(p); err != nil {
		return response{Error: jsError(err)}
	}
	v, err := call(vm, req)
	if err != nil {
		return response{Error: jsError(err)}
	}
	return toResponse(v)
}

// call invokes decodeUplink(input) (the device repository's format), or
// else Decode(fPort, bytes, variables) (ChirpStack v3's).
func call(vm *goja.Runtime, req request) (goja.Value, error) {
	bytes := make([]any, len(req.Bytes))
	for i, b := range req.Bytes {
		bytes[i] = int64(b)
	}
	if fn, ok := goja.AssertFunction(vm.Get("decodeUplink")); ok {
		input := vm.NewObject()
		_ = input.Set("bytes", vm.NewArray(bytes...))
		_ = input.Set("fPort", req.FPort)
		return fn(goja.Undefined(), input)
	}
	if fn, ok := goja.AssertFunction(vm.Get("Decode")); ok {
		v, err := fn(goja.Undefined(), vm.ToValue(req.FPort), vm.NewArray(bytes...), vm.NewObject())
		if err != nil {
			return nil, err
		}
		wrapped := vm.NewObject()
		_ = wrapped.Set("data", v)
		return wrapped, nil
	}
	return nil, fmt.Errorf("the decoder defines neither decodeUplink(input) nor Decode(fPort, bytes, variables)")
}

// toResponse checks a decoder's result: an object with a data object and
// no errors, of bounded size.
func toResponse(v goja.Value) response {
	var out struct {
		Data     any      `json:"data"`
		Warnings []string `json:"warnings"`
		Errors   []string `json:"errors"`
	}
	b, err := json.Marshal(v.Export())
	if err != nil || len(b) > maxOutput {
		return response{Error: fmt.Sprintf("the decoder's result is not JSON of at most %d bytes", maxOutput)}
	}
	if err := json.Unmarshal(b, &out); err != nil {
		return response{Error: "the decoder's result is not an object {data, warnings, errors}"}
	}
	if len(out.Errors) > 0 {
		return response{Error: "the decoder reported: " + out.Errors[0]}
	}
	data, ok := out.Data.(map[string]any)
	if !ok {
		return response{Error: "the decoder's data is not an object"}
	}
	return response{Decoding: Decoding{Data: data, Warnings: out.Warnings}}
}

// jsError is a decoder's failure as a one-line message.
func jsError(err error) string {
	if ie, ok := err.(*goja.InterruptedError); ok {
		return fmt.Sprint(ie.Value())
	}
	var so *goja.StackOverflowError
	if errors.As(err, &so) {
		return "call stack limit exceeded"
	}
	if ex, ok := err.(*goja.Exception); ok {
		return "decoder error: " + ex.Value().String()
	}
	return "decoder error: " + err.Error()
}
