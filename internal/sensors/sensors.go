// Package sensors is the domain of the city's sensors: the device registry,
// observations (time series), their latest state and aggregates, and the
// quarantine where data from unknown devices waits for a steward. It
// imports no infrastructure: storage engines implement Store, and the
// ingestion paths (HTTP, MQTT, NGSI-LD) go through Service.
package sensors

import (
	"context"
	"time"

	"github.com/socle/socle/internal/catalog"
)

// Domains group devices by the public service they serve.
var Domains = []string{"water", "waste", "parking", "lighting", "buildings", "air", "mobility", "other"}

// Device statuses.
const (
	StatusActive      = "active"
	StatusMaintenance = "maintenance"
	StatusRetired     = "retired"
)

// Device is one sensor (or meter, or controller) of the registry.
type Device struct {
	ID            string            `json:"id"`            // slug, unique
	EUI           string            `json:"eui,omitempty"` // LoRaWAN DevEUI, 16 lower-case hex digits, unique when set
	Name          string            `json:"name"`
	Type          string            `json:"type"`  // e.g. WaterMeter, WasteContainer (Smart Data Models names)
	Model         string            `json:"model"` // manufacturer model, selects a payload decoder
	Domain        string            `json:"domain"`
	Location      *catalog.GeoPoint `json:"location,omitempty"`
	Commune       string            `json:"commune,omitempty"`
	Org           string            `json:"org,omitempty"` // owning organization
	Operator      string            `json:"operator,omitempty"`
	Properties    []Property        `json:"properties"`
	PeriodSeconds int               `json:"period_seconds"` // expected reporting period
	InstalledAt   *time.Time        `json:"installed_at,omitempty"`
	Status        string            `json:"status"`
	CreatedAt     time.Time         `json:"created_at"`
}

// Property is a quantity a device measures, with its unit and the range a
// real value can take: values outside it are flagged, not stored as truth.
type Property struct {
	Name string   `json:"name"`
	Unit string   `json:"unit,omitempty"` // UN/CEFACT or SI symbol
	Min  *float64 `json:"min,omitempty"`
	Max  *float64 `json:"max,omitempty"`
}

// Property returns the device's property named name.
func (d *Device) Property(name string) (Property, bool) {
	for _, p := range d.Properties {
		if p.Name == name {
			return p, true
		}
	}
	return Property{}, false
}

// Flag qualifies an observation that is kept but not trusted.
type Flag string

// Flags. The empty flag is a trusted value.
const (
	FlagNone       Flag = ""
	FlagFuture     Flag = "future"       // time too far ahead of the server clock
	FlagOutOfRange Flag = "out_of_range" // outside the property's physical range
)

// Observation is one value of one property of one device at one time.
type Observation struct {
	Device   string    `json:"device"`
	Property string    `json:"property"`
	Time     time.Time `json:"time"`
	Value    float64   `json:"value"`
	Flag     Flag      `json:"flag,omitempty"`
}

// Latest is the newest trusted value of a device's property.
type Latest struct {
	Device   string    `json:"device"`
	Property string    `json:"property"`
	Time     time.Time `json:"time"`
	Value    float64   `json:"value"`
}

// Bucket is the aggregate of a property's trusted values over [Start,
// Start+width).
type Bucket struct {
	Start time.Time `json:"start"`
	Count int64     `json:"count"`
	Min   float64   `json:"min"`
	Max   float64   `json:"max"`
	Avg   float64   `json:"avg"`
	Sum   float64   `json:"sum"`
}

// AggregateQuery asks for the buckets of one property of one device.
type AggregateQuery struct {
	Device, Property string
	From, To         time.Time     // half-open
	Width            time.Duration // bucket width; buckets are aligned on the Unix epoch (UTC days for 24h)
}

// Quarantined is data that could not be attributed to a device, kept for a
// steward to assign or discard.
type Quarantined struct {
	ID        int64     `json:"id"`
	Source    string    `json:"source"`     // http, mqtt:chirpstack, mqtt:tts, webhook:…
	DeviceRef string    `json:"device_ref"` // the identifier the data carried (DevEUI, device id)
	Reason    string    `json:"reason"`
	Payload   string    `json:"payload"` // the raw message, truncated to 64 KiB
	Received  time.Time `json:"received"`
}

// Batch is what one message or request brings: observations, and an
// optional deduplication key (ChirpStack's deduplicationId, or DevEUI and
// frame counter) that makes the whole batch idempotent.
type Batch struct {
	Key          string
	Observations []Observation
}

// Store persists devices and observations. AppendBatch commits before it
// returns: whatever it acknowledges survives a crash.
type Store interface {
	// PutDevice inserts or replaces a device (CreatedAt kept on replace).
	// errs.Conflict when its EUI belongs to another device.
	PutDevice(ctx context.Context, d *Device) error
	// Device returns a device by ID; DeviceByEUI by DevEUI. errs.NotFound.
	Device(ctx context.Context, id string) (*Device, error)
	DeviceByEUI(ctx context.Context, eui string) (*Device, error)
	// Devices lists devices by ID, of one domain when domain != "".
	Devices(ctx context.Context, domain string) ([]*Device, error)

	// AppendBatch stores b's observations in one transaction. A batch whose
	// non-empty Key was stored before is a duplicate: nothing is written
	// and dup is true. An observation with the same device, property and
	// time as a stored one is ignored (a resend). Trusted observations
	// newer than the latest state replace it. inserted counts new rows.
	// Times are kept to the millisecond (two times within one are the
	// same). errs.Invalid for a NaN or infinite value: nothing is written.
	AppendBatch(ctx context.Context, b Batch) (inserted int, dup bool, err error)
	// Latest returns the latest state of the given devices (all when ids is
	// nil), ordered by device then property (byte order).
	Latest(ctx context.Context, ids []string) ([]Latest, error)
	// Aggregate returns the non-empty buckets of q in time order; flagged
	// observations are left out. errs.Invalid unless q.Width is a positive
	// whole number of seconds.
	Aggregate(ctx context.Context, q AggregateQuery) ([]Bucket, error)
	// Observations returns raw observations of a device in [from, to), in
	// time order (then by property), at most limit (all when negative;
	// flagged ones included).
	Observations(ctx context.Context, device string, from, to time.Time, limit int) ([]Observation, error)

	// AddQuarantine keeps unattributable data and sets its ID.
	AddQuarantine(ctx context.Context, q *Quarantined) error
	// QuarantineList returns the newest quarantined items (the latest added
	// first among equal times), at most limit (all when negative).
	QuarantineList(ctx context.Context, limit int) ([]*Quarantined, error)

	// TimeSeriesStore purges raw data and rebuilds roll-ups (rollup.go).
	TimeSeriesStore
}
