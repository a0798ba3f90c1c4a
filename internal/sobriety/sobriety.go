// Package sobriety measures what the platform's data costs to keep and to
// serve (the "Green Data" practices of OpenDataFrance): storage per
// dataset and for the platform, rows, downloads and the transfer they
// make, datasets nobody read in twelve months, identical content stored
// twice, raw sensor data against its roll-ups, and an energy and carbon
// estimate from a documented, configurable model. It imports no
// infrastructure: engines implement Store.
package sobriety

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/socle/socle/internal/catalog"
	"github.com/socle/socle/internal/errs"
)

// Model turns bytes into energy and energy into carbon. The defaults are
// orders of magnitude, documented in docs/sobriety.md; a territory sets
// its host's own figures with --sobriety-model.
type Model struct {
	StorageKWhPerGBYear float64 `json:"storage_kwh_per_gb_year"`
	TransferKWhPerGB    float64 `json:"transfer_kwh_per_gb"`
	CarbonGPerKWh       float64 `json:"carbon_g_per_kwh"`
}

// DefaultModel: storage 0.35 kWh per GB and year (a 200 W storage server,
// cooling included, holding 10 TB, every byte stored twice); transfer
// 0.002 kWh per GB (Aslan et al. 2018, 0.06 kWh/GB in 2015, halving every
// two years); 52 gCO2e per kWh (ADEME Base Empreinte, French electricity,
// average mix).
var DefaultModel = Model{StorageKWhPerGBYear: 0.35, TransferKWhPerGB: 0.002, CarbonGPerKWh: 52}

// ParseModel reads "storage=0.35,transfer=0.002,carbon=52" over the
// defaults; "" is the default model. errs.Invalid.
func ParseModel(s string) (Model, error) {
	m := DefaultModel
	if strings.TrimSpace(s) == "" {
		return m, nil
	}
	for _, part := range strings.Split(s, ",") {
		k, v, ok := strings.Cut(strings.TrimSpace(part), "=")
		f, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
		if !ok || err != nil || !(f >= 0 && f <= 1e6) { // NaN fails both
			return m, errs.E(errs.Invalid, "sobriety model %q: use storage=KWH_PER_GB_YEAR,transfer=KWH_PER_GB,carbon=G_PER_KWH", part)
		}
		switch strings.TrimSpace(k) {
		case "storage":
			m.StorageKWhPerGBYear = f
		case "transfer":
			m.TransferKWhPerGB = f
		case "carbon":
			m.CarbonGPerKWh = f
		default:
			return m, errs.E(errs.Invalid, "sobriety model: unknown term %q (storage, transfer, carbon)", k)
		}
	}
	return m, nil
}

// String is the model in ParseModel's form.
func (m Model) String() string {
	return fmt.Sprintf("storage=%g,transfer=%g,carbon=%g", m.StorageKWhPerGBYear, m.TransferKWhPerGB, m.CarbonGPerKWh)
}

const gb = 1e9

// Estimate is a yearly energy and carbon estimate.
type Estimate struct {
	KWhPerYear   float64 `json:"kwh_per_year"`
	GCO2ePerYear float64 `json:"gco2e_per_year"`
}

// Estimate is the yearly cost of keeping stored bytes and of transferring
// transferred bytes a year.
func (m Model) Estimate(stored, transferredPerYear int64) Estimate {
	kwh := float64(stored)/gb*m.StorageKWhPerGBYear + float64(transferredPerYear)/gb*m.TransferKWhPerGB
	return Estimate{KWhPerYear: kwh, GCO2ePerYear: kwh * m.CarbonGPerKWh}
}

// Store measures what the engines hold.
type Store interface {
	// TableBytes returns the bytes each table takes on disk, its indexes
	// included, by table name (partitions counted in their parent).
	// errs.Unavailable when the engine cannot measure them (SQLite built
	// without its dbstat table).
	TableBytes(ctx context.Context) (map[string]int64, error)
	// LastUsed returns, per dataset ID, the last day its page was viewed or
	// it was downloaded.
	LastUsed(ctx context.Context) (map[string]time.Time, error)
	// SensorRows counts raw observations and hourly and daily roll-up rows.
	SensorRows(ctx context.Context) (raw, hourly, daily int64, err error)
	// UsageBetween sums the views and downloads of the UTC days in
	// [from, to), per dataset ID (datasets without any are absent).
	UsageBetween(ctx context.Context, from, to time.Time) (map[string]catalog.Usage, error)
}
