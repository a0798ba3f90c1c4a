package main

import (
	"context"
	"flag"
	"fmt"
	"io"

	"github.com/socle/socle/internal/errs"
)

// runAudit dispatches the audit log's subcommands (verify).
func runAudit(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] != "verify" {
		return errs.E(errs.Invalid, "usage: socle audit verify [--data DIR] [--db DSN]")
	}
	return runAuditVerify(ctx, args[1:], stdout, stderr)
}

// runAuditVerify recomputes the audit log's hash chain. Exit status 0: intact
// (the count and the head hash are printed); 1: broken, naming the first
// entry that does not match and why.
func runAuditVerify(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var sf storeFlags
	fs := flag.NewFlagSet("audit verify", flag.ContinueOnError)
	fs.SetOutput(stderr)
	sf.register(fs)
	if err := fs.Parse(args); err != nil {
		return err
	}
	store, err := openStore(ctx, sf.data, sf.dsn)
	if err != nil {
		return err
	}
	defer store.Close()
	rep, err := store.VerifyAudit(ctx)
	if err != nil {
		return err
	}
	if !rep.OK() {
		return errs.E(errs.Invalid, "audit log broken at entry %d: %s (%d entries intact before it)", rep.Broken.ID, rep.Broken.Reason, rep.Entries)
	}
	fmt.Fprintf(stdout, "audit log intact: %d entries, head %s\n", rep.Entries, rep.Head)
	return nil
}
