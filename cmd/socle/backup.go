package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"time"

	"github.com/socle/socle/internal/app"
	"github.com/socle/socle/internal/backup"
	"github.com/socle/socle/internal/errs"
)

// runBackup is `socle backup --to FILE`: the whole platform as one archive
// (internal/backup, docs/backup.md), written beside FILE and renamed into
// place once complete, so a failed backup never leaves a truncated file.
func runBackup(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var sf storeFlags
	fs := flag.NewFlagSet("backup", flag.ContinueOnError)
	fs.SetOutput(stderr)
	sf.register(fs)
	to := fs.String("to", "", "archive file to write (required)")
	base := fs.String("base-url", "http://localhost:8080", "the portal's public address, for the archive's DCAT catalog")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *to == "" {
		return errs.E(errs.Invalid, "usage: socle backup [--data DIR] [--db DSN] --to FILE")
	}
	a, err := sf.open(ctx, quietLogger())
	if err != nil {
		return err
	}
	defer a.Close()
	start := time.Now()
	pkg, err := backupTo(ctx, a, *to, *base)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "backup written to %s: %s in %s\n", *to, summary(pkg), time.Since(start).Round(time.Millisecond))
	return nil
}

func backupTo(ctx context.Context, a *app.App, path, baseURL string) (*backup.Package, error) {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".socle-backup-*")
	if err != nil {
		return nil, err
	}
	defer os.Remove(tmp.Name())
	pkg, err := a.Backup(ctx, tmp, baseURL)
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), path)
	}
	return pkg, err
}

func summary(pkg *backup.Package) string {
	var rows, size int64
	for _, r := range pkg.Resources {
		rows += r.Rows
		size += r.Bytes
	}
	return fmt.Sprintf("%d tables, %d rows, %.1f MB of CSV", len(pkg.Resources), rows, float64(size)/1e6)
}

// runPlatformRestore is `socle restore --from FILE` into an empty instance.
func runPlatformRestore(ctx context.Context, sf storeFlags, from string, stdout io.Writer) error {
	store, err := openStore(ctx, sf.data, sf.dsn)
	if err != nil {
		return err
	}
	defer store.Close()
	start := time.Now()
	pkg, err := app.RestoreArchive(ctx, store, from)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "restored from %s (%s backup of %s): %s in %s, checked against the archive\n",
		from, pkg.Engine, pkg.Created.Format(time.RFC3339), summary(pkg), time.Since(start).Round(time.Millisecond))
	return nil
}

// drillReport is what `socle drill` prints (as JSON with --json).
type drillReport struct {
	Archive   string        `json:"archive"`
	Target    string        `json:"target"`
	Tables    int           `json:"tables"`
	Rows      int64         `json:"rows"`
	Bytes     int64         `json:"archive_bytes"`
	BackupMs  int64         `json:"backup_ms"`
	RestoreMs int64         `json:"restore_ms"`
	VerifyMs  int64         `json:"verify_ms"`
	TotalMs   int64         `json:"total_ms"`
	Check     *backup.Check `json:"check"`
}

// runDrill is the restore drill: back up the instance, restore the
// archive into an empty instance (a fresh SQLite file, or --into a
// PostgreSQL DSN whose schema must be empty: the state after a wipe), and
// verify every table's count and checksum against the archive, timing
// each step.
func runDrill(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var sf storeFlags
	fs := flag.NewFlagSet("drill", flag.ContinueOnError)
	fs.SetOutput(stderr)
	sf.register(fs)
	into := fs.String("into", "", "empty instance to restore into: postgres://…, or an SQLite file (default: a temporary SQLite file)")
	keep := fs.String("keep", "", "keep the archive at this path (default: a temporary file, removed)")
	asJSON := fs.Bool("json", false, "print the report as JSON")
	if err := fs.Parse(args); err != nil {
		return err
	}
	work, err := os.MkdirTemp("", "socle-drill-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(work)
	archive := *keep
	if archive == "" {
		archive = filepath.Join(work, "backup.zip")
	}
	target := *into
	if target == "" {
		target = "sqlite:" + filepath.Join(work, "restored.db")
	}
	rep, err := drill(ctx, sf, archive, target)
	if err != nil {
		return err
	}
	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(rep); err != nil {
			return err
		}
	} else {
		fmt.Fprintf(stdout, "restore drill: %d tables, %d rows, archive %.1f MB\n", rep.Tables, rep.Rows, float64(rep.Bytes)/1e6)
		fmt.Fprintf(stdout, "  backup %d ms, restore (with its check) %d ms, verify %d ms, total %d ms\n",
			rep.BackupMs, rep.RestoreMs, rep.VerifyMs, rep.TotalMs)
	}
	if !rep.Check.OK() {
		return fmt.Errorf("restore drill: %d tables differ from the archive, first %s", len(rep.Check.Differences), rep.Check.Differences[0].Resource)
	}
	fmt.Fprintln(stderr, "restore drill: every table's count and checksum match the archive")
	return nil
}

func drill(ctx context.Context, sf storeFlags, archive, target string) (*drillReport, error) {
	rep := &drillReport{Archive: archive, Target: redactDSN(target)}
	t0 := time.Now()
	a, err := sf.open(ctx, quietLogger())
	if err != nil {
		return nil, err
	}
	pkg, err := backupTo(ctx, a, archive, "http://localhost:8080")
	a.Close()
	if err != nil {
		return nil, fmt.Errorf("backup: %w", err)
	}
	t1 := time.Now()
	dst, err := openStore(ctx, filepath.Dir(archive), target)
	if err != nil {
		return nil, err
	}
	defer dst.Close()
	if _, err := app.RestoreArchive(ctx, dst, archive); err != nil {
		return nil, fmt.Errorf("restore: %w", err)
	}
	t2 := time.Now()
	if rep.Check, err = backup.Compare(ctx, dst, pkg); err != nil {
		return nil, fmt.Errorf("verify: %w", err)
	}
	t3 := time.Now()
	for _, r := range pkg.Resources {
		rep.Rows += r.Rows
	}
	if st, err := os.Stat(archive); err == nil {
		rep.Bytes = st.Size()
	}
	rep.Tables = len(pkg.Resources)
	rep.BackupMs, rep.RestoreMs, rep.VerifyMs = t1.Sub(t0).Milliseconds(), t2.Sub(t1).Milliseconds(), t3.Sub(t2).Milliseconds()
	rep.TotalMs = t3.Sub(t0).Milliseconds()
	return rep, nil
}

// redactDSN hides a password in a DSN before it is printed.
func redactDSN(dsn string) string {
	if u, err := url.Parse(dsn); err == nil && u.User != nil {
		if _, ok := u.User.Password(); ok {
			u.User = url.UserPassword(u.User.Username(), "xxxxx")
			return u.String()
		}
	}
	return dsn
}
