package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"time"

	"github.com/socle/socle/internal/app"
	"github.com/socle/socle/internal/sensors"
)

// purgeEvery is how often `socle serve --raw-retention` purges raw data.
const purgeEvery = 6 * time.Hour

// retentionFlag is --raw-retention: "water=90d,air=365d,*=730d".
type retentionFlag struct{ r sensors.Retention }

func (f *retentionFlag) String() string { return f.r.String() }

func (f *retentionFlag) Set(s string) error {
	r, err := sensors.ParseRetention(s)
	if err != nil {
		return err
	}
	f.r = r
	return nil
}

// retentionUsage is the help of --raw-retention.
const retentionUsage = "how long raw sensor observations are kept per domain, e.g. water=90d,air=365d,*=730d (* for the other domains); hourly and daily roll-ups are kept forever; default: raw data kept forever"

// runTimeSeries runs the time series' one-shot jobs: `socle timeseries
// purge --raw-retention …` does once what the server's scheduler does, and
// `socle timeseries rollup --from … --to …` rebuilds roll-ups from the raw
// data kept.
func runTimeSeries(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	const usage = "usage: socle timeseries purge --raw-retention water=90d,… | rollup --from RFC3339 --to RFC3339 [--data DIR] [--db DSN]"
	if len(args) == 0 || args[0] != "purge" && args[0] != "rollup" {
		return fmt.Errorf("%s", usage)
	}
	var sf storeFlags
	var ret retentionFlag
	var from, to string
	fs := flag.NewFlagSet("timeseries "+args[0], flag.ContinueOnError)
	fs.SetOutput(stderr)
	sf.register(fs)
	if args[0] == "purge" {
		fs.Var(&ret, "raw-retention", retentionUsage)
	} else {
		fs.StringVar(&from, "from", "", "start of the range to rebuild (RFC 3339); default 48 hours ago")
		fs.StringVar(&to, "to", "", "end of the range to rebuild (RFC 3339); default now")
	}
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	if args[0] == "purge" && ret.r.Empty() {
		return fmt.Errorf("timeseries purge: --raw-retention is required")
	}
	a, err := sf.open(ctx, quietLogger())
	if err != nil {
		return err
	}
	defer a.Close()
	if args[0] == "purge" {
		rep, err := a.PurgeRaw(ctx, app.System, ret.r)
		if err != nil {
			return err
		}
		_, err = fmt.Fprintln(stdout, rep)
		return err
	}
	return rebuild(ctx, a, from, to, stdout)
}

func rebuild(ctx context.Context, a *app.App, from, to string, stdout io.Writer) error {
	now := a.Now()
	f, err := timeOr(from, now.Add(-48*time.Hour))
	if err != nil {
		return err
	}
	t, err := timeOr(to, now)
	if err != nil {
		return err
	}
	hours, err := a.RebuildRollups(ctx, app.System, f, t)
	if err != nil {
		return err
	}
	_, err = fmt.Fprintf(stdout, "%d series-hours rebuilt\n", hours)
	return err
}

func timeOr(s string, def time.Time) (time.Time, error) {
	if s == "" {
		return def, nil
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return t, fmt.Errorf("time %q: use RFC 3339, e.g. 2024-03-01T00:00:00Z", s)
	}
	return t, nil
}

// startRetention starts the raw-data purge when a retention is configured
// and returns its stop.
func startRetention(a *app.App, r sensors.Retention, logger *slog.Logger) func() {
	j := a.NewRetentionJob(r, purgeEvery) // datasets' retention too (app/retention.go)
	j.Start()
	logger.Info("retention job", "raw_sensor_data", r.String(), "every", purgeEvery)
	return j.Stop
}
