package registers

import (
	"regexp"
	"strconv"
	"strings"

	"github.com/socle/socle/internal/errs"
)

// A processing's retention is free text ("2 ans", "Données brutes : 90
// jours (eau)…", "13 mois"); RetentionDays reads the first duration in it,
// so that a retention rule can take its duration from the register.

var durationText = regexp.MustCompile(`(?i)(\d{1,5})\s*(jours?|j\b|days?|d\b|semaines?|weeks?|mois|months?|ans?\b|années?|annees?|years?)`)

// RetentionDays is the first duration of a retention text in days (a month
// counts 30 days, a year 365). errs.Invalid when the text holds none.
func RetentionDays(text string) (int, error) {
	m := durationText.FindStringSubmatch(text)
	if m == nil {
		return 0, errs.E(errs.Invalid, "the retention %q states no duration (such as \"90 jours\" or \"2 ans\")", text)
	}
	n, _ := strconv.Atoi(m[1])
	unit := strings.ToLower(m[2])
	switch {
	case strings.HasPrefix(unit, "sem") || strings.HasPrefix(unit, "week"):
		n *= 7
	case unit == "mois" || strings.HasPrefix(unit, "month"):
		n *= 30
	case strings.HasPrefix(unit, "an") || strings.HasPrefix(unit, "ann") || strings.HasPrefix(unit, "year"):
		n *= 365
	}
	if n < 1 || n > 36500 {
		return 0, errs.E(errs.Invalid, "the retention %q: between 1 day and 100 years", text)
	}
	return n, nil
}
