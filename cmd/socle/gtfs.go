package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/socle/socle/gtfsrt"
	"github.com/socle/socle/internal/app"
	"github.com/socle/socle/internal/catalog"
	"github.com/socle/socle/internal/transit"
)

// runGTFS runs `socle gtfs import` (publish a static feed) and `socle gtfs
// pull` (apply a GTFS-Realtime feed once, what serve does on a schedule).
func runGTFS(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	const usage = "usage: socle gtfs import --file FEED.zip --prefix NAME [--org ORG] | socle gtfs pull --prefix NAME --url URL"
	if len(args) == 0 {
		return fmt.Errorf(usage)
	}
	var sf storeFlags
	fs := flag.NewFlagSet("gtfs "+args[0], flag.ContinueOnError)
	fs.SetOutput(stderr)
	sf.register(fs)
	file := fs.String("file", "", "GTFS zip (import)")
	prefix := fs.String("prefix", "", "prefix of the datasets: NAME-arrets, NAME-lignes, NAME-horaires, NAME-prochains-passages")
	org := fs.String("org", "", "publishing organization ID (import)")
	access := fs.String("access", "public", "access level of new datasets (import)")
	feedURL := fs.String("url", "", "GTFS-Realtime TripUpdates URL (pull)")
	maxAge := fs.Duration("max-age", app.DefaultRealtimeMaxAge, "a realtime feed older than this is stale (pull)")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	switch {
	case args[0] == "import" && *file != "" && *prefix != "":
	case args[0] == "pull" && *feedURL != "" && *prefix != "":
	default:
		return fmt.Errorf(usage)
	}
	a, err := sf.open(ctx, quietLogger())
	if err != nil {
		return err
	}
	defer a.Close()
	if args[0] == "pull" {
		f := app.RealtimeFeed{Prefix: *prefix, MaxAge: *maxAge, Fetch: (&gtfsrt.Fetcher{URL: *feedURL}).Fetch}
		return a.PullRealtime(ctx, f)
	}
	sum, err := importGTFSFile(ctx, a, *file, app.GTFSImport{Prefix: *prefix, Org: *org, Access: catalog.Access(*access)})
	if err != nil {
		return err
	}
	enc := json.NewEncoder(stdout)
	enc.SetIndent("", "  ")
	return enc.Encode(sum)
}

// importGTFSFile opens the zip at path under the default limits and
// imports it as the system.
func importGTFSFile(ctx context.Context, a *app.App, path string, req app.GTFSImport) (*app.GTFSSummary, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, err
	}
	arch, err := transit.OpenArchive(f, st.Size(), transit.DefaultLimits)
	if err != nil {
		return nil, err
	}
	return a.ImportGTFS(ctx, app.System, arch, req)
}

// gtfsRTFlag is --gtfs-rt PREFIX=URL, repeatable: a GTFS-Realtime
// TripUpdates feed that serve pulls for the static feed imported under
// PREFIX.
type gtfsRTFlag struct {
	feeds  []app.RealtimeFeed
	every  time.Duration // --gtfs-rt-interval
	maxAge time.Duration // --gtfs-rt-max-age
}

func (g *gtfsRTFlag) register(fs *flag.FlagSet) {
	fs.Var(g, "gtfs-rt", gtfsRTUsage)
	fs.DurationVar(&g.every, "gtfs-rt-interval", app.DefaultRealtimeEvery, "how often the GTFS-Realtime feeds are pulled")
	fs.DurationVar(&g.maxAge, "gtfs-rt-max-age", app.DefaultRealtimeMaxAge, "a GTFS-Realtime feed whose header is older is stale and not applied")
}

// configured returns the feeds with the interval and maximum age.
func (g *gtfsRTFlag) configured() []app.RealtimeFeed {
	out := make([]app.RealtimeFeed, len(g.feeds))
	for i, f := range g.feeds {
		f.Every, f.MaxAge = g.every, g.maxAge
		out[i] = f
	}
	return out
}

func (g *gtfsRTFlag) String() string { return "" }

func (g *gtfsRTFlag) Set(s string) error {
	prefix, raw, ok := strings.Cut(s, "=")
	u, err := url.Parse(raw)
	if !ok || prefix == "" || err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("want PREFIX=URL with an http(s) URL, got %q", s)
	}
	g.feeds = append(g.feeds, app.RealtimeFeed{Prefix: prefix, Fetch: (&gtfsrt.Fetcher{URL: raw}).Fetch})
	return nil
}

const gtfsRTUsage = "pull the GTFS-Realtime TripUpdates feed at URL into the live dataset PREFIX-prochains-passages, for the GTFS imported under PREFIX (PREFIX=URL, repeatable; docs/transit.md)"

// startRealtime starts the GTFS-Realtime pulls; the returned function stops them.
func startRealtime(a *app.App, feeds []app.RealtimeFeed, logger *slog.Logger) func() {
	if len(feeds) == 0 {
		return func() {}
	}
	logger.Info("GTFS-Realtime feeds pulled", "feeds", len(feeds))
	return a.StartRealtime(feeds)
}
