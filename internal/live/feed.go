package live

import (
	"strings"
	"time"

	"github.com/socle/socle/internal/catalog"
	"github.com/socle/socle/internal/errs"
	"github.com/socle/socle/internal/sensors"
)

// Feed turns the latest state of a set of devices into a dataset, one
// record per device keyed by the device ID, kept current as observations
// arrive. Only what a mapping names is published, and mappings may name
// only attributes fit for opening: never a DevEUI, a model or an owner.
type Feed struct {
	DatasetID  string    `json:"dataset_id"`
	Domain     string    `json:"domain,omitempty"`      // devices of this domain…
	DeviceType string    `json:"device_type,omitempty"` // …and/or of this type
	Fields     []Mapping `json:"fields"`
	Actor      string    `json:"actor,omitempty"`
	UpdatedAt  time.Time `json:"updated_at"`
}

// Mapping fills one dataset field from a device.
type Mapping struct {
	Field string `json:"field"` // the dataset field's name
	Label string `json:"label,omitempty"`
	// From is one of: id, name, type, domain, commune, operator, status
	// (text), location (geo_point_2d), value:<property> (double, the
	// latest trusted value), time:<property> (datetime of that value),
	// observed (datetime of the device's newest value).
	From string `json:"from"`
	// Equals, with value:<property>, makes the field a boolean: whether the
	// latest value equals it (e.g. a parking spot is free when occupancy
	// equals 0).
	Equals *float64 `json:"equals,omitempty"`
}

// maxMappings bounds a feed's fields.
const maxMappings = 50

// textSources are the device attributes a feed may publish as text.
var textSources = map[string]bool{"id": true, "name": true, "type": true, "domain": true, "commune": true, "operator": true, "status": true}

// Validate checks f: a domain or device type, an id mapping (the key),
// fields with normalized, distinct names and known sources.
func (f *Feed) Validate() error {
	if f.Domain == "" && f.DeviceType == "" {
		return errs.E(errs.Invalid, "a live feed needs a domain or a device_type")
	}
	if len(f.Fields) == 0 || len(f.Fields) > maxMappings {
		return errs.E(errs.Invalid, "a live feed needs 1 to %d fields", maxMappings)
	}
	seen := map[string]bool{}
	for _, m := range f.Fields {
		if m.Field == "" || catalog.NormalizeName(m.Field) != m.Field || m.Field == "_id" || strings.HasPrefix(m.Field, "_socle") {
			return errs.E(errs.Invalid, "field name %q: use lower-case letters, digits and '_'", m.Field)
		}
		if seen[m.Field] {
			return errs.E(errs.Invalid, "field %q is mapped twice", m.Field)
		}
		seen[m.Field] = true
		if _, err := m.Type(); err != nil {
			return err
		}
	}
	if f.KeyField() == "" {
		return errs.E(errs.Invalid, "a live feed must publish the device id (from \"id\"): it is the record key")
	}
	return nil
}

// Type is the type of the field m fills, or errs.Invalid for an unknown
// source (or one not fit for opening, such as eui).
func (m Mapping) Type() (catalog.FieldType, error) {
	switch {
	case textSources[m.From]:
		return catalog.TypeText, nil
	case m.From == "location":
		return catalog.TypeGeoPoint, nil
	case m.From == "observed":
		return catalog.TypeDateTime, nil
	case strings.HasPrefix(m.From, "value:") && len(m.From) > len("value:"):
		if m.Equals != nil {
			return catalog.TypeBoolean, nil
		}
		return catalog.TypeDouble, nil
	case strings.HasPrefix(m.From, "time:") && len(m.From) > len("time:"):
		return catalog.TypeDateTime, nil
	}
	return "", errs.E(errs.Invalid, "field %q: unknown or unpublishable source %q (id, name, type, domain, commune, operator, status, location, observed, value:<property>, time:<property>)", m.Field, m.From)
}

// KeyField is the field holding the device ID, "" when none does.
func (f *Feed) KeyField() string {
	for _, m := range f.Fields {
		if m.From == "id" {
			return m.Field
		}
	}
	return ""
}

// DatasetFields returns the fields of the dataset f feeds. f must be valid.
func (f *Feed) DatasetFields() []catalog.Field {
	out := make([]catalog.Field, 0, len(f.Fields))
	for _, m := range f.Fields {
		t, _ := m.Type()
		label := m.Label
		if label == "" {
			label = m.Field
		}
		facet := m.From == "commune" || m.From == "type" || m.From == "domain" || m.From == "status" || t == catalog.TypeBoolean
		out = append(out, catalog.Field{Name: m.Field, Label: label, Type: t, Facet: facet})
	}
	return out
}

// Matches reports whether device d feeds f.
func (f *Feed) Matches(d *sensors.Device) bool {
	return (f.Domain == "" || d.Domain == f.Domain) && (f.DeviceType == "" || d.Type == f.DeviceType)
}

// Row builds the record of device d from its latest state (any order; other
// devices' entries are ignored). A property with no value yet is null.
func (f *Feed) Row(d *sensors.Device, latest []sensors.Latest) catalog.Row {
	byProp := map[string]sensors.Latest{}
	var newest time.Time
	for _, l := range latest {
		if l.Device != d.ID {
			continue
		}
		byProp[l.Property] = l
		if l.Time.After(newest) {
			newest = l.Time
		}
	}
	row := make(catalog.Row, len(f.Fields))
	for i, m := range f.Fields {
		row[i] = m.value(d, byProp, newest)
	}
	return row
}

func (m Mapping) value(d *sensors.Device, byProp map[string]sensors.Latest, newest time.Time) any {
	if prop, ok := strings.CutPrefix(m.From, "value:"); ok {
		l, ok := byProp[prop]
		switch {
		case !ok:
			return nil
		case m.Equals != nil:
			return l.Value == *m.Equals
		}
		return l.Value
	}
	if prop, ok := strings.CutPrefix(m.From, "time:"); ok {
		if l, ok := byProp[prop]; ok {
			return l.Time.UTC()
		}
		return nil
	}
	switch m.From {
	case "observed":
		if newest.IsZero() {
			return nil
		}
		return newest.UTC()
	case "location":
		if d.Location == nil {
			return nil
		}
		return *d.Location
	}
	return textOrNil(deviceText(d, m.From))
}

func deviceText(d *sensors.Device, from string) string {
	switch from {
	case "id":
		return d.ID
	case "name":
		return d.Name
	case "type":
		return d.Type
	case "domain":
		return d.Domain
	case "commune":
		return d.Commune
	case "operator":
		return d.Operator
	case "status":
		return d.Status
	}
	return ""
}

func textOrNil(s string) any {
	if s == "" {
		return nil
	}
	return s
}
