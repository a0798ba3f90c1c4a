// Package annual is the shape of the platform's annual public report: what
// was opened, updated and used, the sensors in the public space by purpose
// and personal-data colour, citizens' opinions and the answers given, the
// data-sharing agreements and their use, the registers in summary, the
// incidents (alerts) and purges, and the sobriety figures — every number
// computed from live data by internal/app (annual.go). It imports no
// infrastructure.
package annual

import "time"

// Count is a labelled number, for lists and bar charts.
type Count struct {
	Key string `json:"key"`
	N   int64  `json:"n"`
}

// Report is one year's report.
type Report struct {
	Year      int       `json:"year"`
	From      time.Time `json:"from"` // 1 January, 00:00 UTC
	To        time.Time `json:"to"`   // the next 1 January (exclusive), or now for the current year
	Generated time.Time `json:"generated"`

	Datasets struct {
		Total    int     `json:"total"`     // at the end of the period
		Opened   int     `json:"opened"`    // first published during the year
		Updated  int     `json:"updated"`   // last modified during the year
		ByAccess []Count `json:"by_access"` // at the end of the period
		Records  int64   `json:"records"`
	} `json:"datasets"`

	Use struct {
		Views     int64   `json:"views"`
		Downloads int64   `json:"downloads"`
		Top       []Count `json:"top"` // the most downloaded datasets (views + downloads)
	} `json:"use"`

	Sensors struct {
		Public    int     `json:"public"` // devices and deployments shown to the public
		ByPurpose []Count `json:"by_purpose"`
		ByColour  []Count `json:"by_colour"` // white, blue, yellow
		Devices   int     `json:"devices"`   // in the registry
		ByDomain  []Count `json:"by_domain"`
	} `json:"sensors"`

	Opinions struct {
		Received  int `json:"received"`
		Published int `json:"published"`
		Rejected  int `json:"rejected"`
		Pending   int `json:"pending"`
		Answered  int `json:"answered"` // with a steward's public reply
	} `json:"opinions"`

	Agreements struct {
		InForce  int   `json:"in_force"` // active at some point of the year
		Requests int64 `json:"requests"` // all-time use of those agreements
		Records  int64 `json:"records"`
	} `json:"agreements"`

	Registers struct {
		Processings        int `json:"processings"`
		Algorithms         int `json:"algorithms"`
		PlatformAlgorithms int `json:"platform_algorithms"`
	} `json:"registers"`

	Incidents struct {
		Alerts     int     `json:"alerts"` // opened during the year
		BySeverity []Count `json:"by_severity"`
		Resolved   int     `json:"resolved"`
		Purges     int     `json:"purges"`      // retention purges run
		PurgedRows int64   `json:"purged_rows"` // raw observations they removed
	} `json:"incidents"`

	Sobriety struct {
		Measured     bool    `json:"measured"`
		TotalBytes   int64   `json:"total_bytes"`
		KWhPerYear   float64 `json:"kwh_per_year"`
		GCO2ePerYear float64 `json:"gco2e_per_year"`
		Unread       int     `json:"unread_12_months"`
		Duplicates   int     `json:"duplicates"`
	} `json:"sobriety"`
}

// Year returns the bounds of year: to is the next 1 January, or now when
// the year is not over.
func Year(year int, now time.Time) (from, to time.Time) {
	from = time.Date(year, time.January, 1, 0, 0, 0, 0, time.UTC)
	to = from.AddDate(1, 0, 0)
	if now.Before(to) {
		to = now
	}
	return from, to
}

// In reports whether t is in [from, to).
func In(t, from, to time.Time) bool { return !t.Before(from) && t.Before(to) }
