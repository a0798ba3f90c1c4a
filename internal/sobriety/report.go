package sobriety

import (
	"time"

	"github.com/socle/socle/internal/catalog"
)

// Practice is one OpenDataFrance Green Data practice checked on a dataset.
type Practice struct {
	ID  string `json:"id"` // BP3, BP4…
	Met bool   `json:"met"`
}

// DatasetFootprint is what one dataset costs.
type DatasetFootprint struct {
	ID             string     `json:"id"`
	Title          string     `json:"title"`
	Access         string     `json:"access"`
	Rows           int64      `json:"rows"`
	Bytes          int64      `json:"bytes"` // current and previous versions, indexes included; -1 when not measured
	Views          int64      `json:"views"`
	Downloads      int64      `json:"downloads"`
	TransferBytes  int64      `json:"transfer_bytes"` // estimated: downloads × the size of a CSV export
	LastUsed       *time.Time `json:"last_used,omitempty"`
	Unread12Months bool       `json:"unread_12_months"`
	DuplicateOf    []string   `json:"duplicate_of,omitempty"` // datasets holding the very same records
	Practices      []Practice `json:"practices"`
	Estimate       Estimate   `json:"estimate"`
}

// Report is the platform's footprint.
type Report struct {
	At                time.Time          `json:"at"`
	Model             Model              `json:"model"`
	Measured          bool               `json:"measured"` // storage bytes measured by the engine
	TotalBytes        int64              `json:"total_bytes"`
	DatasetBytes      int64              `json:"dataset_bytes"`
	SensorRawBytes    int64              `json:"sensor_raw_bytes"`
	SensorRollupBytes int64              `json:"sensor_rollup_bytes"`
	RawRows           int64              `json:"raw_rows"`
	HourlyRows        int64              `json:"hourly_rows"`
	DailyRows         int64              `json:"daily_rows"`
	Downloads         int64              `json:"downloads"`
	TransferBytes     int64              `json:"transfer_bytes"`
	Unread            int                `json:"unread_12_months"`
	Duplicates        int                `json:"duplicates"`
	Estimate          Estimate           `json:"estimate"`
	Datasets          []DatasetFootprint `json:"datasets"`
}

// Practices checks the Green Data practices Socle can judge from a
// dataset's metadata and use: standardised (BP3: a Table Schema or a
// declared standard), documented (BP4: a description of some length,
// keywords, a licence), granularity stated (BP5: spatial or temporal
// coverage, or a frequency), light formats (BP6: Parquet and compressed
// exports are always offered by Socle), API access (BP7: always),
// discoverable (BP8: public, with themes), archiving (BP9: not read in 12
// months means it should be archived), hosting controlled (BP10: Socle is
// self-hosted).
func Practices(d *catalog.Dataset, unread bool) []Practice {
	m := d.Meta
	return []Practice{
		{"BP3", m.TableSchemaJSON != "" || m.ConformsTo != ""},
		{"BP4", len([]rune(m.Description)) >= 80 && len(m.Keywords) > 0 && m.License != ""},
		{"BP5", m.Spatial != "" || m.TemporalStart != nil || m.Frequency != ""},
		{"BP6", true},
		{"BP7", true},
		{"BP8", d.Access == catalog.AccessPublic && len(m.Themes) > 0},
		{"BP9", !unread},
		{"BP10", true},
	}
}
