package app

import (
	"slices"

	"github.com/socle/socle/internal/auth"
	"github.com/socle/socle/internal/catalog"
	"github.com/socle/socle/internal/errs"
)

// Personal data in datasets: the fields a steward tags as personal
// (Meta.PersonalFields) are seen by the dataset's writers only. Anyone
// else gets a view of the dataset without them — the same view machinery
// agreements use (catalog.SharedView, applied to every query by
// shareStore), with no agreement and no row filter — so that the API,
// exports, facets, search, the record by ID and the portal all leave them
// out, and a query naming one is refused as naming an unknown field.

// personalView is d as p may see it: whole for its writers, without its
// personal fields for everyone else.
func personalView(p auth.Principal, d *catalog.Dataset) *catalog.Dataset {
	if len(d.Meta.PersonalFields) == 0 || auth.CanWrite(p, d) {
		return d
	}
	v := *d
	v.Shared = &catalog.SharedView{AllFields: d.Fields}
	v.Fields = withoutPersonal(d)
	return &v
}

// withoutPersonal lists d's fields but its personal ones.
func withoutPersonal(d *catalog.Dataset) []catalog.Field {
	out := make([]catalog.Field, 0, len(d.Fields))
	for _, f := range d.Fields {
		if !slices.Contains(d.Meta.PersonalFields, f.Name) {
			out = append(out, f)
		}
	}
	return out
}

// checkPersonalFields refuses a tag naming no field of d.
func checkPersonalFields(d *catalog.Dataset) error {
	for _, name := range d.Meta.PersonalFields {
		if _, ok := d.Field(name); !ok && len(d.Fields) > 0 {
			return errs.E(errs.Invalid, "personal_fields: dataset %q has no field %q", d.ID, name)
		}
	}
	return nil
}
