package backup

import (
	"context"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/socle/socle/internal/errs"
)

// Options describe the instance being backed up.
type Options struct {
	Engine        string    // "sqlite" or "postgres", for the record
	SchemaVersion int       // the instance's migration version
	Now           time.Time // the archive's creation time
	// Extra adds files that are not tables (README, DCAT, metadata).
	Extra func(add func(path string, write func(io.Writer) error) error) error
}

// Backup writes the whole instance behind src to w as an archive.
func Backup(ctx context.Context, src Source, w io.Writer, o Options) (*Package, error) {
	aw := newArchiveWriter(w, o.Engine, o.SchemaVersion, o.Now)
	err := src.BackupSnapshot(ctx, func(s Snapshot) error {
		tables, err := s.Tables(ctx)
		if err != nil {
			return err
		}
		for _, t := range tables {
			rw, err := aw.begin(t)
			if err != nil {
				return err
			}
			if err := s.Rows(ctx, t, rw.row); err != nil {
				return fmt.Errorf("table %s: %w", t.Name, err)
			}
			if err := rw.end(); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if o.Extra != nil {
		if err := o.Extra(aw.addFile); err != nil {
			return nil, err
		}
	}
	if err := aw.addFile("README.md", func(w io.Writer) error { _, err := io.WriteString(w, readme); return err }); err != nil {
		return nil, err
	}
	return aw.close()
}

// Verify reads every resource of the archive through, checking its
// header, every value, its row count, size and SHA-256 against the
// manifest. A restore runs it before touching the target.
func (a *Archive) Verify() error {
	for _, res := range a.Package.Resources {
		sum, size, n, err := a.rows(res, nil)
		if err != nil {
			return errs.E(errs.Invalid, "archive corrupt: %s: %v", res.Path, err)
		}
		if sum != res.Hash || size != res.Bytes || n != res.Rows {
			return errs.E(errs.Invalid, "archive corrupt: %s does not match its checksum in datapackage.json", res.Path)
		}
	}
	return nil
}

// Restore verifies the archive and then writes it into the empty instance
// behind tgt, in one transaction.
func Restore(ctx context.Context, a *Archive, tgt Target) error {
	if err := a.Verify(); err != nil {
		return err
	}
	return tgt.Restore(ctx, func(w Writer) error {
		if err := w.CheckEmpty(ctx); err != nil {
			return err
		}
		for _, res := range a.Package.Resources {
			if Derived[res.Table] {
				continue
			}
			t := Table{Name: res.Table, Kind: res.Kind, Columns: columnsOf(res.Schema), Fields: res.Fields}
			if t.Kind == Records {
				if err := w.CreateRecordsTable(ctx, t); err != nil {
					return fmt.Errorf("table %s: %w", t.Name, err)
				}
			}
			rows := func(fn func([]any) error) error {
				_, _, _, err := a.rows(res, fn)
				return err
			}
			if err := w.Insert(ctx, t, res.TimeRange, rows); err != nil {
				return fmt.Errorf("table %s: %w", t.Name, err)
			}
		}
		if err := w.Finish(ctx); err != nil {
			return err
		}
		c, err := compare(ctx, w.Snapshot(), &a.Package)
		if err != nil {
			return err
		}
		if !c.OK() {
			for _, d := range c.Differences {
				if d.Resource == "audit_log" || Derived[d.Resource] {
					return errs.E(errs.Invalid, "the archive's audit log does not match its own hash chain (an entry was altered): nothing was restored")
				}
			}
			d := c.Differences[0]
			return errs.E(errs.Invalid, "restored table %s differs from the archive (%d rows for %d): nothing was restored",
				d.Resource, d.GotRows, d.WantRows)
		}
		return nil
	})
}

// Difference is one resource whose content differs from the manifest.
type Difference struct {
	Resource string `json:"resource"`
	WantRows int64  `json:"want_rows"`
	GotRows  int64  `json:"got_rows"`
	WantHash string `json:"want_hash"`
	GotHash  string `json:"got_hash"`
}

// Check is the result of comparing an instance with a manifest.
type Check struct {
	Resources   int          `json:"resources"`
	Rows        int64        `json:"rows"`
	Differences []Difference `json:"differences,omitempty"`
}

// OK reports whether the instance matched the manifest exactly.
func (c *Check) OK() bool { return len(c.Differences) == 0 }

// Compare backs up src in memory (hashes only) and compares every table,
// row count and checksum with pkg: the verification of a restore.
func Compare(ctx context.Context, src Source, pkg *Package) (*Check, error) {
	var c *Check
	err := src.BackupSnapshot(ctx, func(s Snapshot) (err error) {
		c, err = compare(ctx, s, pkg)
		return err
	})
	return c, err
}

func compare(ctx context.Context, s Snapshot, pkg *Package) (*Check, error) {
	want := map[string]Resource{}
	for _, r := range pkg.Resources {
		want[r.Table] = r
	}
	c := &Check{}
	tables, err := s.Tables(ctx)
	if err != nil {
		return nil, err
	}
	for _, t := range tables {
		rw, err := newResourceWriter(t, io.Discard)
		if err != nil {
			return nil, err
		}
		if err := s.Rows(ctx, t, rw.row); err != nil {
			return nil, fmt.Errorf("table %s: %w", t.Name, err)
		}
		if err := rw.end(); err != nil {
			return nil, err
		}
		w, ok := want[t.Name]
		delete(want, t.Name)
		c.Resources++
		c.Rows += rw.res.Rows
		if !ok || w.Hash != rw.res.Hash || w.Rows != rw.res.Rows {
			c.Differences = append(c.Differences, Difference{Resource: t.Name, WantRows: w.Rows, GotRows: rw.res.Rows,
				WantHash: w.Hash, GotHash: rw.res.Hash})
		}
	}
	for name, w := range want {
		c.Differences = append(c.Differences, Difference{Resource: name, WantRows: w.Rows, WantHash: w.Hash})
	}
	slices.SortFunc(c.Differences, func(a, b Difference) int { return strings.Compare(a.Resource, b.Resource) })
	return c, nil
}

const readme = `# Socle backup

This archive is a Frictionless Data Package (datapackage.json) holding the
whole of a Socle platform: every table as a CSV file with its Table Schema,
row count and SHA-256.

- platform/*.csv: Socle's own tables (catalog, users and API keys with
  hashed secrets, registers, agreements, the audit log and its hash chain,
  devices, observations and their roll-ups, alerts, work orders...).
- data/*.csv: the records of each kept dataset version (r_<uid>_<version>),
  whose fields are in the resource's socle:fields and in
  platform/dataset_versions.csv.
- metadata/: the catalog as DCAT-AP and JSON, for readers without Socle.

Missing values are written \N; datetimes are UTC with microseconds;
json columns hold canonical JSON (sorted keys); bytes are base64.

Restore with: socle restore --data DIR [--db DSN] --from THIS_FILE
(into an empty instance, SQLite or PostgreSQL). See docs/backup.md.
`
