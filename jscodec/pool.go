package jscodec

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strconv"
	"sync"
	"syscall"
	"time"

	"github.com/socle/socle/internal/errs"
)

// Pool hands decodings to a few worker processes, one decoding at a time
// each. It is safe for concurrent use; Close it once.
type Pool struct {
	cfg     Config
	scripts map[string]string
	init    []byte        // the init line every worker reads first
	idle    chan *worker  // workers free to take a decoding (nil: start one)
	closing chan struct{} // closed by Close
	once    sync.Once
}

// worker is one running worker process.
type worker struct {
	cmd    *exec.Cmd
	stdin  io.WriteCloser
	out    *bufio.Reader
	stderr *headBuffer
}

// New loads the decoders and returns a pool; workers start on first use.
// errs.Invalid when a decoder does not compile.
func New(cfg Config) (*Pool, error) {
	scripts, err := loadScripts(cfg.Dir)
	if err != nil {
		return nil, err
	}
	cfg.Workers = max(cfg.Workers, 0)
	if cfg.Workers == 0 {
		cfg.Workers = 2
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = DefaultTimeout
	}
	if cfg.Memory <= 0 {
		cfg.Memory = DefaultMemory
	}
	if cfg.Command == "" {
		if cfg.Command, err = os.Executable(); err != nil {
			return nil, fmt.Errorf("jscodec: %w", err)
		}
	}
	init, err := json.Marshal(initMsg{Scripts: scripts, TimeoutMS: cfg.Timeout.Milliseconds()})
	if err != nil {
		return nil, err
	}
	p := &Pool{cfg: cfg, scripts: scripts, init: append(init, '\n'),
		idle: make(chan *worker, cfg.Workers), closing: make(chan struct{})}
	for range cfg.Workers {
		p.idle <- nil
	}
	return p, nil
}

// call runs req on a worker, starting one when needed, and gives the
// worker back unless it failed (then it is killed; the next call starts
// another).
func (p *Pool) call(ctx context.Context, req request) (Decoding, error) {
	var w *worker
	select {
	case w = <-p.idle:
	case <-ctx.Done():
		return Decoding{}, errs.Wrap(errs.Unavailable, ctx.Err(), "payload decoders busy")
	case <-p.closing:
		return Decoding{}, errs.E(errs.Unavailable, "payload decoders stopped")
	}
	if w == nil {
		var err error
		if w, err = p.start(); err != nil {
			p.idle <- nil
			return Decoding{}, err
		}
	}
	resp, err := w.do(req, p.cfg.Timeout+time.Second)
	if err != nil {
		w.kill()
		p.idle <- nil
		return Decoding{}, errs.E(errs.Invalid, "decoder %s: %s", req.Model, err)
	}
	p.idle <- w
	if resp.Error != "" {
		return Decoding{}, errs.E(errs.Invalid, "decoder %s: %s", req.Model, resp.Error)
	}
	return resp.Decoding, nil
}

// start runs a worker process: the same program, in worker mode, with
// nothing of this process's environment but what the Go runtime needs,
// killed by the kernel should this process die.
func (p *Pool) start() (*worker, error) {
	cmd := exec.Command(p.cfg.Command)
	cmd.Env = []string{workerEnv + "=1", memoryEnv + "=" + strconv.FormatInt(p.cfg.Memory, 10), "GOMAXPROCS=1"}
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return nil, err
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	w := &worker{cmd: cmd, stdin: stdin, out: bufio.NewReader(stdout), stderr: &headBuffer{max: 4096}}
	cmd.Stderr = w.stderr
	if err := cmd.Start(); err != nil {
		return nil, errs.Wrap(errs.Unavailable, err, "cannot start a payload decoder worker")
	}
	if _, err := stdin.Write(p.init); err != nil {
		w.kill()
		return nil, errs.Wrap(errs.Unavailable, err, "payload decoder worker")
	}
	return w, nil
}

// do sends req and reads the answer, giving up after limit.
func (w *worker) do(req request, limit time.Duration) (response, error) {
	line, err := json.Marshal(req)
	if err != nil {
		return response{}, err
	}
	type result struct {
		resp response
		err  error
	}
	done := make(chan result, 1)
	go func() {
		if _, err := w.stdin.Write(append(line, '\n')); err != nil {
			done <- result{err: err}
			return
		}
		b, err := w.out.ReadBytes('\n')
		if err != nil {
			done <- result{err: err}
			return
		}
		var r response
		done <- result{resp: r, err: json.Unmarshal(b, &r)}
	}()
	timer := time.NewTimer(limit)
	defer timer.Stop()
	select {
	case r := <-done:
		if r.err != nil {
			return response{}, w.failure()
		}
		return r.resp, nil
	case <-timer.C:
		return response{}, fmt.Errorf("no answer within %s: stopped", limit)
	}
}

// failure explains why a worker stopped answering: out of memory, or a
// crash.
func (w *worker) failure() error {
	_ = w.cmd.Wait()
	if b := w.stderr.Bytes(); bytes.Contains(b, []byte("out of memory")) || bytes.Contains(b, []byte("cannot allocate memory")) {
		return fmt.Errorf("memory limit exceeded: stopped")
	}
	return fmt.Errorf("the decoder worker stopped")
}

func (w *worker) kill() {
	_ = w.stdin.Close()
	if w.cmd.Process != nil {
		_ = w.cmd.Process.Kill()
	}
	go func() { _ = w.cmd.Wait() }() // reap it
}

// Close stops the workers.
func (p *Pool) Close() error {
	p.once.Do(func() {
		close(p.closing)
		for range p.cfg.Workers {
			if w := <-p.idle; w != nil {
				_ = w.stdin.Close() // the worker ends at EOF
				go func() { _ = w.cmd.Wait() }()
			}
		}
	})
	return nil
}

// headBuffer keeps the first max bytes written to it: where the Go
// runtime says why it stopped.
type headBuffer struct {
	mu  sync.Mutex
	max int
	b   []byte
}

func (h *headBuffer) Write(p []byte) (int, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if room := h.max - len(h.b); room > 0 {
		h.b = append(h.b, p[:min(room, len(p))]...)
	}
	return len(p), nil
}

func (h *headBuffer) Bytes() []byte {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]byte(nil), h.b...)
}
