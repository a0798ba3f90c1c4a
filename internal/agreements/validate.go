package agreements

import (
	"regexp"
	"strings"
	"unicode/utf8"

	"github.com/socle/socle/internal/errs"
	"github.com/socle/socle/internal/odsql"
)

// Limits on what an agreement holds.
const (
	MaxDatasets   = 100
	MaxFields     = 500
	MaxList       = 50   // conditions, signatories
	MaxText       = 2000 // purpose, legal basis, each condition, signatory
	MaxNotes      = 20000
	MaxFilterText = 4000
)

var idPattern = regexp.MustCompile(`^[a-z0-9][a-z0-9_-]{0,99}$`)

// Validate checks an agreement's own fields (not whether its datasets
// exist: the use case does that) and parses its row filters.
func (a *Agreement) Validate() error {
	switch {
	case !idPattern.MatchString(a.ID):
		return errs.E(errs.Invalid, "invalid agreement id %q: use lower-case letters, digits, '-' and '_'", a.ID)
	case a.Partner == "" || a.Owner == "":
		return errs.E(errs.Invalid, "an agreement needs the organization owning the data and a partner organization")
	case a.Purpose == "" || a.LegalBasis == "":
		return errs.E(errs.Invalid, "an agreement needs a purpose and a legal basis")
	case a.Start.IsZero() || a.End.IsZero() || !a.Start.Before(a.End):
		return errs.E(errs.Invalid, "an agreement needs a start date before its end date")
	case !a.Status.Valid():
		return errs.E(errs.Invalid, "unknown agreement status %q", a.Status)
	case len(a.Datasets) == 0 || len(a.Datasets) > MaxDatasets:
		return errs.E(errs.Invalid, "an agreement covers 1 to %d datasets", MaxDatasets)
	case len(a.Conditions) > MaxList || len(a.Signatories) > MaxList:
		return errs.E(errs.Invalid, "at most %d conditions and %d signatories", MaxList, MaxList)
	case utf8.RuneCountInString(a.Notes) > MaxNotes:
		return errs.E(errs.Invalid, "notes are limited to %d characters", MaxNotes)
	}
	for _, s := range append([]string{a.Purpose, a.LegalBasis}, append(a.Conditions, a.Signatories...)...) {
		if utf8.RuneCountInString(s) > MaxText || strings.TrimSpace(s) == "" {
			return errs.E(errs.Invalid, "texts of an agreement are 1 to %d characters", MaxText)
		}
	}
	seen := map[string]bool{}
	for _, s := range a.Datasets {
		if seen[s.Dataset] {
			return errs.E(errs.Invalid, "dataset %q is listed twice", s.Dataset)
		}
		seen[s.Dataset] = true
		if err := s.validate(); err != nil {
			return err
		}
	}
	return nil
}

func (s *Scope) validate() error {
	if s.Dataset == "" || len(s.Fields) > MaxFields {
		return errs.E(errs.Invalid, "each dataset of an agreement needs an ID and at most %d fields", MaxFields)
	}
	if s.Filter == "" {
		return nil
	}
	if len(s.Filter) > MaxFilterText {
		return errs.E(errs.Invalid, "a row filter is at most %d bytes", MaxFilterText)
	}
	if _, err := odsql.ParseWhere(s.Filter); err != nil {
		return errs.Wrap(errs.Invalid, err, "row filter of %q: %v", s.Dataset, err)
	}
	return nil
}
