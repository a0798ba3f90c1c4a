package main

import (
	"context"
	"flag"
	"fmt"
	"io"

	"github.com/socle/socle/internal/app"
)

// runRetention runs the datasets' retention once (`socle retention
// purge`), as the server's retention job does every 6 hours: records older
// than their dataset's retention are deleted, unless under legal hold, and
// each purge is audited; then the retention rules per device property
// (property_retention.go).
func runRetention(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	a, err := openJob(ctx, "retention", "purge", args, stderr)
	if err != nil {
		return err
	}
	defer a.Close()
	purges, err := a.PurgeDatasets(ctx, app.System)
	for _, p := range purges {
		if p.Held {
			fmt.Fprintf(stdout, "%s: legal hold, nothing deleted\n", p.Dataset)
		} else {
			fmt.Fprintf(stdout, "%s: %d records before %s deleted\n", p.Dataset, p.Deleted, p.Before)
		}
	}
	if err != nil {
		return err
	}
	return purgeProperties(ctx, a, stdout)
}

// openJob opens the store for a one-shot job `socle CMD SUB [--data DIR]
// [--db DSN]`, which takes no other flag.
func openJob(ctx context.Context, cmd, sub string, args []string, stderr io.Writer) (*app.App, error) {
	if len(args) == 0 || args[0] != sub {
		return nil, fmt.Errorf("usage: socle %s %s [--data DIR] [--db DSN]", cmd, sub)
	}
	var sf storeFlags
	fs := flag.NewFlagSet(cmd+" "+sub, flag.ContinueOnError)
	fs.SetOutput(stderr)
	sf.register(fs)
	if err := fs.Parse(args[1:]); err != nil {
		return nil, err
	}
	return sf.open(ctx, quietLogger())
}
