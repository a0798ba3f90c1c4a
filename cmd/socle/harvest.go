package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"time"

	"github.com/socle/socle/harvester"
	"github.com/socle/socle/internal/app"
	"github.com/socle/socle/internal/auth"
	"github.com/socle/socle/internal/catalog"
	"github.com/socle/socle/internal/errs"
	"github.com/socle/socle/internal/harvest"
	"github.com/socle/socle/internal/importer"
	"github.com/socle/socle/internal/ingest"
)

// harvestTick is how often serve looks for sources whose schedule is due.
const harvestTick = time.Minute

// wireHarvest gives a the protocol clients and the import use case its
// harvest runs need (app cannot import package importer, which imports app).
func wireHarvest(a *app.App, c *harvester.Client) {
	a.Harvesting.Lister = func(src *harvest.Source) (harvest.Lister, error) { return harvester.New(src, c) }
	a.Harvesting.Import = func(ctx context.Context, p auth.Principal, d *catalog.Dataset, dl *harvest.Download, fields []catalog.Field) error {
		over := map[string]importer.FieldOverride{}
		for _, f := range fields {
			if name := catalog.NormalizeName(f.Name); name != "" {
				over[name] = importer.FieldOverride{Label: f.Label, Type: f.Type, Description: f.Description}
			}
		}
		_, err := importer.Import(ctx, a, p, importer.Request{Path: dl.Path, Options: ingest.Options{Format: ingest.Format(dl.Format)},
			Dataset: *d, Mode: catalog.ModeReplace, Overrides: over, Source: "harvest"})
		return err
	}
}

// startHarvest wires harvesting and starts the schedule; it returns its stop.
func startHarvest(a *app.App, logger *slog.Logger) func() {
	wireHarvest(a, nil)
	j := a.NewHarvestJob(harvestTick)
	j.Start()
	logger.Debug("harvest schedule", "tick", harvestTick)
	return func() {
		j.Stop()
		a.StopHarvests() // runs started from the API or the back-office
	}
}

// runHarvest harvests one source by hand (`socle harvest --source URL
// --type ods`) and prints the run's report. The source is recorded on the
// first run, so that later runs, by hand or scheduled, update the same
// datasets.
func runHarvest(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var sf storeFlags
	fs := flag.NewFlagSet("harvest", flag.ContinueOnError)
	fs.SetOutput(stderr)
	sf.register(fs)
	source := fs.String("source", "", "the portal's root URL (ckan, ods) or the catalog document's URL (dcat)")
	kind := fs.String("type", "", "ckan, dcat or ods")
	org := fs.String("org", "", "local organization publishing the harvested datasets (first run)")
	prefix := fs.String("prefix", "", "prefix of the local dataset IDs (first run; default the type, - for none: the remote IDs)")
	asJSON := fs.Bool("json", false, "print the report as JSON")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *source == "" || *kind == "" || fs.NArg() != 0 {
		return errs.E(errs.Invalid, "usage: socle harvest [--data DIR] [--db DSN] --source URL --type ckan|dcat|ods [--org ORG] [--prefix P] [--json]")
	}
	a, err := sf.open(ctx, quietLogger())
	if err != nil {
		return err
	}
	defer a.Close()
	wireHarvest(a, nil)
	src, err := a.SourceByURL(ctx, app.System, *source, harvest.Kind(*kind), *org, *prefix)
	if err != nil {
		return err
	}
	run, err := a.Harvest(ctx, src)
	if err != nil {
		return err
	}
	printRun(stdout, run, *asJSON)
	if run.Status != harvest.StatusOK {
		return fmt.Errorf("harvest %s: %s", run.Status, orElse(run.Error, fmt.Sprintf("%d datasets failed", run.Failed)))
	}
	return nil
}

func printRun(w io.Writer, r *harvest.Run, asJSON bool) {
	if asJSON {
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		enc.Encode(r)
		return
	}
	fmt.Fprintf(w, "run %d: %s (%s)\n", r.ID, r.Status, r.Finished.Sub(r.Started).Round(time.Millisecond))
	fmt.Fprintf(w, "created %d, updated %d, unchanged %d, missing %d, archived %d, failed %d\n",
		r.Created, r.Updated, r.Unchanged, r.Missing, r.Archived, r.Failed)
	if r.Error != "" {
		fmt.Fprintln(w, "listing stopped:", r.Error)
	}
	for _, e := range r.Errors {
		fmt.Fprintf(w, "  %s %s: %s\n", e.RemoteID, e.LocalID, e.Message)
	}
}

func orElse(s, def string) string {
	if s == "" {
		return def
	}
	return s
}
