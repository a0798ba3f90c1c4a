package importer

import (
	"context"
	"fmt"
	"io"

	"github.com/socle/socle/internal/app"
	"github.com/socle/socle/internal/auth"
	"github.com/socle/socle/internal/catalog"
	"github.com/socle/socle/internal/errs"
	"github.com/socle/socle/internal/ingest"
	"github.com/socle/socle/internal/pipe"
	"github.com/socle/socle/internal/tableschema"
)

// load is the second pass: cast every row and hand it to the store.
func load(ctx context.Context, a *app.App, p auth.Principal, req Request, pl *firstPass, ds *catalog.Dataset) (*catalog.VersionRef, error) {
	r, _, err := ingest.Open(req.Path, req.Options)
	if err != nil {
		return nil, err
	}
	defer r.Close()
	src := &source{r: r}
	if req.Schema != nil {
		src.schema = tableschema.NewValidator(req.Schema, tableschema.Options{})
	} else {
		src.caster = ingest.NewCaster(pl.fields, pl.header, pl.info.Delimiter)
		src.fields, src.header, src.delim = pl.fields, pl.header, pl.info.Delimiter
	}
	rows := pipe.New(src.Next)
	defer rows.Close()
	ref, err := a.Store.LoadVersion(ctx, catalog.LoadRequest{
		DatasetID: ds.ID,
		Fields:    pl.fields,
		Mode:      req.Mode,
		Keys:      pl.keys,
		Rows:      rows,
		Actor:     p.Login(),
		Now:       a.Now(),
		Progress: func(n int64) {
			if req.Progress != nil {
				req.Progress("load", n)
			}
		},
	})
	if err != nil {
		return nil, err
	}
	a.Audit(ctx, p, "dataset.import", ds.ID, ref.Records, fmt.Sprintf("version %d, mode %s", ref.Version, req.Mode))
	return ref, nil
}

// source adapts a Reader plus a Caster (or a schema Validator) to
// catalog.RowSource.
type source struct {
	r      ingest.Reader
	caster *ingest.Caster
	schema *tableschema.Validator
	n      int
	// for CastError: what the caster was built from
	fields []catalog.Field
	header []string
	delim  rune
}

func (s *source) Next() (catalog.Row, error) {
	cells, err := s.r.Next()
	if err == io.EOF {
		return nil, io.EOF
	} else if err != nil {
		return nil, readError(err)
	}
	s.n++
	if s.schema != nil {
		row, rowErrs := s.schema.Row(s.n+1, cells)
		if len(rowErrs) > 0 {
			return nil, errs.E(errs.Invalid, "row %d: %s", s.n+1, rowErrs[0].Message)
		}
		return row, nil
	}
	row, err := s.caster.Cast(cells)
	if err != nil {
		return nil, errs.Wrap(errs.Invalid, s.castError(cells, err), "line %d: %v", s.r.Line(), err)
	}
	return row, nil
}

// CastError is a value that does not fit its field's type. It stops the
// import, which publishes nothing; callers find it with errors.As to
// explain the refusal in their own words.
type CastError struct {
	Line  int // the record number in the file, the CSV header being 1
	Field catalog.Field
	Value string
}

func (e *CastError) Error() string {
	return fmt.Sprintf("line %d, field %s: %q is not a valid %s", e.Line, e.Field.Name, e.Value, e.Field.Type)
}

// castError finds which field of cells failed to cast. It runs only on the
// failing row, casting one field at a time; err is returned when no single
// field fails (which a Caster never does).
func (s *source) castError(cells []string, err error) error {
	names := catalog.UniqueNames(s.header)
	for _, f := range s.fields {
		if _, ferr := ingest.NewCaster([]catalog.Field{f}, s.header, s.delim).Cast(cells); ferr == nil {
			continue
		}
		e := &CastError{Line: s.r.Line(), Field: f}
		for i, n := range names {
			if n == f.Name && i < len(cells) {
				e.Value = cells[i]
			}
		}
		if r := []rune(e.Value); len(r) > 100 {
			e.Value = string(r[:100]) + "…"
		}
		return e
	}
	return err
}
