package importer

import (
	"os"
	"path/filepath"

	"github.com/socle/socle/internal/catalog"
	"github.com/socle/socle/internal/errs"
)

// SampleSize is how many records a Preview keeps, as read.
const SampleSize = 10

// Plan is what the first pass learned about a file, for a person to check
// before publishing: the fields an import would load (Summary.Fields), the
// source, warnings, the number of records (Summary.Rows), the validation
// report when a schema was given, and the first records as read.
type Plan struct {
	Summary
	Header []string   // the column labels of the source
	Sample [][]string // up to SampleSize first records, aligned with Header
}

// Preview runs the first pass of req only (inference, or validation against
// req.Schema) and publishes nothing. Overrides are applied, so that a
// preview shows what an import of the same request would load. On a
// refusal the plan may still carry the validation report.
func Preview(req Request) (*Plan, error) {
	if _, err := os.Stat(req.Path); err != nil {
		return nil, errs.Wrap(errs.Invalid, err, "cannot read %s", filepath.Base(req.Path))
	}
	pl := &Plan{Summary: Summary{Dataset: req.Dataset.ID}}
	fp, err := analyseSample(req, &pl.Summary, SampleSize)
	if fp != nil {
		pl.Header, pl.Sample, pl.Rows = fp.header, fp.sample, fp.rows
	}
	if err != nil {
		return pl, err
	}
	if err := applyOverrides(fp.fields, req.Overrides, req.Schema != nil); err != nil {
		return pl, err
	}
	pl.Fields = fp.fields
	return pl, nil
}

// applyOverrides changes fields as overrides say. A Table Schema fixes the
// types, so with one only labels and descriptions may change.
func applyOverrides(fields []catalog.Field, overrides map[string]FieldOverride, schema bool) error {
	for i := range fields {
		o, ok := overrides[fields[i].Name]
		if !ok {
			continue
		}
		f := &fields[i]
		if o.Type != "" && o.Type != f.Type {
			if !o.Type.Valid() {
				return errs.E(errs.Invalid, "field %s: unknown type %q", f.Name, o.Type)
			}
			if schema {
				return errs.E(errs.Invalid, "field %s: its type is set by the Table Schema", f.Name)
			}
			f.Type = o.Type
			if f.Type == catalog.TypeDouble || f.Type == catalog.TypeInt || f.Type == catalog.TypeGeoShape || f.Type == catalog.TypeJSON {
				f.Facet = false // inference decided facets for the inferred type
			}
		}
		if o.Label != "" {
			f.Label = o.Label
		}
		if o.Description != "" {
			f.Description = o.Description
		}
	}
	return nil
}
