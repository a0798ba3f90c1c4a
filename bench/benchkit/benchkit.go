// Package benchkit is what Socle's benchmark programs (bench/ingest,
// bench/ngsild) share: a work directory, fresh instances (a data directory
// and, for PostgreSQL, a private schema), `socle serve` run as a separate
// process, medians, and a clean-up that leaves nothing behind, even when
// a measure fails.
package benchkit

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"log"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/socle/socle/internal/app"
	"github.com/socle/socle/internal/auth"
	"github.com/socle/socle/internal/sensors"
	"github.com/socle/socle/postgres"
	"github.com/socle/socle/sqlite"
)

// Kit is one benchmark program's run.
type Kit struct {
	Work    string // the work directory
	Socle   string // the socle binary
	PG      string // PostgreSQL base DSN; "" when PostgreSQL is not measured
	Profile string // directory for the servers' CPU profiles; "" for none
	Keep    bool   // keep the work directory
	name    string

	mu        sync.Mutex
	schemas   []string
	servers   []*Server
	onCleanup []func()
	seq       atomic.Int64
}

// New creates the work directory and builds socle into it unless socle
// names a binary.
func New(name, socle, pg, profile string, keep bool) *Kit {
	log.SetFlags(log.Ltime)
	k := &Kit{Socle: socle, PG: pg, Profile: profile, Keep: keep, name: name}
	var err error
	k.Work, err = os.MkdirTemp("", "socle-bench-"+name+".")
	k.Check(err)
	if k.Socle == "" {
		k.Socle = filepath.Join(k.Work, "socle")
		log.Printf("building socle")
		if out, err := exec.Command("go", "build", "-o", k.Socle, "./cmd/socle").CombinedOutput(); err != nil {
			k.Fatalf("go build: %v\n%s", err, out)
		}
	}
	return k
}

// Seq returns a number unique in this run.
func (k *Kit) Seq() int64 { return k.seq.Add(1) }

// OnCleanup runs f at clean-up (before the servers are stopped).
func (k *Kit) OnCleanup(f func()) {
	k.mu.Lock()
	k.onCleanup = append(k.onCleanup, f)
	k.mu.Unlock()
}

// Instance is one fresh Socle installation.
type Instance struct {
	Data, DSN, Schema string
	kit               *Kit
}

// Instance returns a fresh data directory, and a fresh PostgreSQL schema
// for the postgres engine.
func (k *Kit) Instance(eng string) Instance {
	n := k.Seq()
	in := Instance{Data: filepath.Join(k.Work, fmt.Sprintf("data%d", n)), kit: k}
	if eng == "postgres" {
		in.Schema = fmt.Sprintf("socle_bench_%s_%d_%d", k.name, os.Getpid(), n)
		sep := "?"
		if strings.Contains(k.PG, "?") {
			sep = "&"
		}
		in.DSN = k.PG + sep + "schema=" + in.Schema
		k.mu.Lock()
		k.schemas = append(k.schemas, in.Schema)
		k.mu.Unlock()
	}
	return in
}

// Open opens the instance's store.
func (in Instance) Open(ctx context.Context) app.Store {
	if in.DSN != "" {
		s, err := postgres.Open(ctx, in.DSN)
		in.kit.Check(err)
		return s
	}
	in.kit.Check(os.MkdirAll(in.Data, 0o750))
	s, err := sqlite.Open(ctx, filepath.Join(in.Data, "socle.db"))
	in.kit.Check(err)
	return s
}

// Setup registers devs and an admin's API key, and returns the key.
func (in Instance) Setup(devs []*sensors.Device) string {
	ctx := context.Background()
	st := in.Open(ctx)
	a := app.New(st, slog.New(slog.NewTextHandler(io.Discard, nil)))
	defer a.Close() // closes the store
	in.kit.Check(a.AddUser(ctx, &auth.User{Login: "bench", Role: auth.RoleAdmin}, ""))
	key, _, err := a.CreateAPIKey(ctx, "bench", "bench")
	in.kit.Check(err)
	for _, d := range devs {
		in.kit.Check(st.PutDevice(ctx, d))
	}
	return key
}

// Server is a running `socle serve`.
type Server struct {
	cmd  *exec.Cmd
	Base string // its HTTP URL
	Log  string // its stderr, a file
	kit  *Kit
}

// StartServer runs socle serve on a free port for in, with more flags,
// and waits until it serves HTTP.
func (k *Kit) StartServer(in Instance, name string, extra ...string) *Server {
	s := &Server{Log: filepath.Join(k.Work, name+".log"), kit: k}
	args := append([]string{"serve", "--data", in.Data, "--addr", "127.0.0.1:0"}, extra...)
	if in.DSN != "" {
		args = append(args, "--db", in.DSN)
	}
	s.cmd = exec.Command(k.Socle, args...)
	s.cmd.Env = os.Environ()
	if k.Profile != "" {
		k.Check(os.MkdirAll(k.Profile, 0o755))
		s.cmd.Env = append(s.cmd.Env, "SOCLE_CPUPROFILE="+filepath.Join(k.Profile, name+".pprof"))
	}
	lf, err := os.Create(s.Log)
	k.Check(err)
	s.cmd.Stderr = lf
	out, err := s.cmd.StdoutPipe()
	k.Check(err)
	k.Check(s.cmd.Start())
	lf.Close()
	k.mu.Lock()
	k.servers = append(k.servers, s)
	k.mu.Unlock()
	line, _ := bufio.NewReader(out).ReadString('\n')
	go io.Copy(io.Discard, out)
	i := strings.Index(line, "http://")
	if i < 0 {
		b, _ := os.ReadFile(s.Log)
		k.Fatalf("socle serve did not start: %q\n%s", line, b)
	}
	s.Base = strings.Fields(line[i:])[0]
	return s
}

// Stop ends the server with SIGTERM (so that a CPU profile is written).
func (s *Server) Stop() {
	if s.cmd.ProcessState != nil {
		return
	}
	s.cmd.Process.Signal(syscall.SIGTERM)
	done := make(chan struct{})
	go func() { s.cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(60 * time.Second):
		s.cmd.Process.Kill()
		<-done
	}
}

// WaitLog waits until the server's log holds what.
func (s *Server) WaitLog(what string, d time.Duration) []byte {
	deadline := time.Now().Add(d)
	for {
		b, _ := os.ReadFile(s.Log)
		if bytes.Contains(b, []byte(what)) {
			return b
		}
		if time.Now().After(deadline) {
			s.kit.Fatalf("server log never showed %s:\n%s", what, b)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// Cleanup stops the servers, drops the schemas and removes the work
// directory (unless Keep).
func (k *Kit) Cleanup() {
	k.mu.Lock()
	fs, servers, schemas := k.onCleanup, k.servers, k.schemas
	k.onCleanup, k.servers, k.schemas = nil, nil, nil
	k.mu.Unlock()
	for _, f := range fs {
		f()
	}
	for _, s := range servers {
		s.Stop()
	}
	if len(schemas) > 0 {
		ctx := context.Background()
		if conn, err := pgx.Connect(ctx, k.PG); err == nil {
			for _, s := range schemas {
				conn.Exec(ctx, "DROP SCHEMA IF EXISTS "+pgx.Identifier{s}.Sanitize()+" CASCADE")
			}
			conn.Close(ctx)
		}
	}
	if k.Keep {
		log.Printf("work directory kept: %s", k.Work)
	} else {
		os.RemoveAll(k.Work)
	}
}

// Check stops the program on an error.
func (k *Kit) Check(err error) {
	if err != nil {
		k.Fatalf("%v", err)
	}
}

// Fatalf logs, cleans up and exits 1.
func (k *Kit) Fatalf(format string, args ...any) {
	log.Printf(format, args...)
	k.Cleanup()
	os.Exit(1)
}

// Median is the median of v.
func Median(v []float64) float64 {
	s := slices.Clone(v)
	slices.Sort(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}
