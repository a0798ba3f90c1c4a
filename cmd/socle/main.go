// Command socle is the Socle territorial data platform in one binary:
// the server, the demo, and the one-shot commands (import, validate,
// export, users and keys) that cron jobs and operators use.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime/pprof"
	"syscall"

	"github.com/socle/socle/internal/errs"
	"github.com/socle/socle/jscodec"
)

// version is set at build time with -ldflags "-X main.version=…".
var version = "dev"

// command is one subcommand.
type command struct {
	name    string
	summary string
	run     func(ctx context.Context, args []string, stdout, stderr io.Writer) error
}

func commands() []command {
	return []command{
		{"serve", "run the server", runServe},
		{"demo", "create the synthetic demo territory (first run) and serve it", runDemo},
		{"import", "create or update a dataset from a file", runImport},
		{"validate", "validate a file against a Table Schema", runValidate},
		{"export", "write a dataset to stdout in an open format", runExport},
		{"restore", "make a dataset's previous version current again (--dataset), or restore a backup (--from FILE)", runRestore},
		{"backup", "write the whole platform to an open archive (backup --to FILE)", runBackup},
		{"drill", "restore drill: back up, restore into an empty instance, verify counts and checksums, with timings", runDrill},
		{"user", "manage users (user add)", runUser},
		{"apikey", "manage API keys (apikey create|revoke)", runAPIKey},
		{"devices", "import or export the sensor registry (devices import|export)", runDevices},
		{"alerts", "run the alerts' jobs once (alerts check: silent devices)", runAlerts},
		{"timeseries", "run the time series' jobs once (timeseries purge|rollup)", runTimeSeries},
		{"report", "print the annual public report of a year (report --year YYYY [--format json|text|pdf] [--out FILE])", runReport},
		{"retention", "apply the datasets' retention once (retention purge)", runRetention},
		{"derive", "derive a dataset for opening: pseudonymise, generalise, aggregate under statistical secrecy (derive --spec FILE)", runDerive},
		{"harvest", "harvest a remote catalog once (harvest --source URL --type ckan|dcat|ods)", runHarvest},
		{"gtfs", "publish a GTFS feed (gtfs import --file FEED.zip --prefix NAME) or apply a GTFS-Realtime feed once (gtfs pull)", runGTFS},
		{"schemas", "refresh the local copy of the schema.data.gouv.fr catalog (schemas refresh --from URL|FILE) or list it (schemas list)", runSchemas},
		{"audit", "check the audit log's hash chain (audit verify)", runAudit},
		{"version", "print the version", func(_ context.Context, _ []string, stdout, _ io.Writer) error {
			_, err := fmt.Fprintln(stdout, "socle", version)
			return err
		}},
	}
}

func main() {
	if jscodec.IsWorker() { // a payload decoder's sandbox process (see package jscodec)
		os.Exit(jscodec.RunWorker())
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	stopProfile := startProfile(os.Getenv("SOCLE_CPUPROFILE"))
	code := Main(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stopProfile()
	os.Exit(code)
}

// startProfile writes a CPU profile of the whole command to path, when set:
// a diagnostic for slow imports and exports (see docs/benchmarks.md).
func startProfile(path string) func() {
	if path == "" {
		return func() {}
	}
	f, err := os.Create(path)
	if err != nil {
		fmt.Fprintln(os.Stderr, "socle: cpu profile:", err)
		return func() {}
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		fmt.Fprintln(os.Stderr, "socle: cpu profile:", err)
		f.Close()
		return func() {}
	}
	return func() {
		pprof.StopCPUProfile()
		f.Close()
	}
}

// Main runs one command and returns the process exit status: 0 on success,
// 1 for a refused input (invalid file, failed validation), 2 for usage
// errors and other failures.
func Main(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		usage(stderr)
		if len(args) == 0 {
			return 2
		}
		return 0
	}
	for _, c := range commands() {
		if c.name == args[0] {
			return exitStatus(c.run(ctx, args[1:], stdout, stderr), stderr)
		}
	}
	fmt.Fprintf(stderr, "socle: unknown command %q\n\n", args[0])
	usage(stderr)
	return 2
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "Usage: socle <command> [flags]\n\nCommands:")
	for _, c := range commands() {
		fmt.Fprintf(w, "  %-10s %s\n", c.name, c.summary)
	}
	fmt.Fprintln(w, "\nRun 'socle <command> -h' for the flags of a command.")
}

// errValidationFailed reports a refused file whose report was already printed.
var errValidationFailed = errors.New("validation failed")

func exitStatus(err error, stderr io.Writer) int {
	switch {
	case err == nil:
		return 0
	case errors.Is(err, flag.ErrHelp):
		return 0
	case errors.Is(err, errValidationFailed):
		return 1
	}
	fmt.Fprintln(stderr, "socle:", errorText(err))
	if errs.KindOf(err) == errs.Invalid || errs.KindOf(err) == errs.NotFound {
		return 1
	}
	return 2
}

// errorText shows the operator the whole chain: the CLI user is the
// operator, unlike API clients who only see the safe message.
func errorText(err error) string { return err.Error() }
