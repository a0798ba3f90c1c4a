package ngsild

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"math"
	"reflect"
	"slices"
	"strings"
	"time"

	"github.com/socle/socle/internal/catalog"
	"github.com/socle/socle/internal/sensors"
)

// NGSI-LD entities are the city's sensors seen through FIWARE: each
// entity is also a device of the registry, and each numeric Property
// written to it an observation of that device, so that the hyperviseur's
// map, alerts and aggregates work for NGSI-LD data too.

// DevicePrefix starts the IDs of devices derived from entities.
const DevicePrefix = "ngsi."

// maxDeviceID is the length of a device ID (app's deviceID pattern).
const maxDeviceID = 100

// DeviceID is the device ID of an entity: "ngsi." and a slug of the URN
// without its "urn:ngsi-ld:" prefix (urn:ngsi-ld:WasteContainer:angers:42
// → ngsi.wastecontainer.angers.42). When characters other than ':' had
// to be replaced, or the slug is too long, it is cut and suffixed with a
// hash of the whole ID, so that such entities do not share a device. IDs
// are case-folded: two entities whose IDs differ only by case share one.
func DeviceID(entityID string) string {
	s := strings.TrimPrefix(strings.ToLower(entityID), "urn:ngsi-ld:")
	var b strings.Builder
	b.WriteString(DevicePrefix)
	dot, lossy := true, false
	for _, c := range s {
		switch {
		case c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_' || c == '-':
			b.WriteRune(c)
			dot = false
		case c != ':':
			lossy = true
			fallthrough
		case !dot:
			if !dot {
				b.WriteByte('.')
			}
			dot = true
		}
	}
	out := strings.TrimRight(b.String(), ".")
	if lossy || len(out) > maxDeviceID {
		sum := sha256.Sum256([]byte(entityID))
		out = out[:min(len(out), maxDeviceID-17)] + "." + hex.EncodeToString(sum[:8])
	}
	return out
}

// DomainOf is the registry domain of a Smart Data Models type.
func DomainOf(typ string) string {
	switch LocalName(typ) {
	case "WaterMeter", "WaterObserved", "WaterConsumptionObserved", "WaterQualityObserved":
		return "water"
	case "WasteContainer", "WasteContainerIsle":
		return "waste"
	case "ParkingSpot", "OffStreetParking", "ParkingGroup":
		return "parking"
	case "Streetlight", "StreetlightGroup", "StreetlightControlCabinet":
		return "lighting"
	case "AirQualityObserved":
		return "air"
	case "IndoorEnvironmentObserved":
		return "buildings"
	case "TrafficFlowObserved":
		return "mobility"
	}
	return "other"
}

// numeric returns the value of a numeric Property.
func numeric(a Attribute) (float64, bool) {
	if a.Kind() != KindProperty {
		return 0, false
	}
	f, ok := a["value"].(float64)
	return f, ok && !math.IsNaN(f) && !math.IsInf(f, 0)
}

// DeviceOf derives the registry device of an entity: its numeric
// Properties (by local name, with their unitCode) are the device's.
func DeviceOf(e *Entity) *sensors.Device {
	d := &sensors.Device{ID: DeviceID(e.ID), Name: e.ID, Type: LocalName(e.Type), Domain: DomainOf(e.Type),
		Status: sensors.StatusActive}
	if e.Location != nil {
		d.Location = &catalog.GeoPoint{Lon: e.Location.Lon, Lat: e.Location.Lat}
	}
	for iri, a := range e.Attrs {
		if _, ok := numeric(a); ok {
			unit, _ := a["unitCode"].(string)
			d.Properties = append(d.Properties, sensors.Property{Name: LocalName(iri), Unit: unit})
		}
	}
	slices.SortFunc(d.Properties, func(a, b sensors.Property) int { return strings.Compare(a.Name, b.Name) })
	return d
}

// MergeDevice combines a derived device with the registered one (nil when
// there is none): the registry keeps what a steward set (EUI, name, model,
// commune, ranges…) and gets the entity's type, domain, location and any
// new property. changed is false when nothing would change.
func MergeDevice(old, derived *sensors.Device) (*sensors.Device, bool) {
	if old == nil {
		return derived, true
	}
	out := *old
	out.Properties = slices.Clone(old.Properties)
	out.Type, out.Domain = derived.Type, derived.Domain
	if derived.Location != nil {
		out.Location = derived.Location
	}
	for _, p := range derived.Properties {
		i := slices.IndexFunc(out.Properties, func(q sensors.Property) bool { return q.Name == p.Name })
		switch {
		case i < 0:
			out.Properties = append(out.Properties, p)
		case p.Unit != "":
			out.Properties[i].Unit = p.Unit
		}
	}
	out.CreatedAt = old.CreatedAt
	return &out, !reflect.DeepEqual(old, &out)
}

// Observations are the values of the numeric Properties in written (the
// attributes a request wrote, expanded names) of the device of entity id,
// at their observedAt or else at now.
func Observations(id string, written map[string]Attribute, now time.Time) []sensors.Observation {
	var out []sensors.Observation
	dev := DeviceID(id)
	for iri, a := range written {
		v, ok := numeric(a)
		if !ok {
			continue
		}
		t := a.ObservedAt()
		if t.IsZero() {
			t = now
		}
		out = append(out, sensors.Observation{Device: dev, Property: LocalName(iri), Time: t, Value: v})
	}
	slices.SortFunc(out, func(a, b sensors.Observation) int { return strings.Compare(a.Property, b.Property) })
	return out
}

// DeviceSignature is a digest of the device derived from e: engines keep
// it with the entity and merge the device into the registry only when a
// write changes it, which is what makes repeated updates of the same
// sensors cheap.
func DeviceSignature(e *Entity) string {
	d := DeviceOf(e)
	h := sha256.New()
	fmt.Fprintf(h, "%s\x00%s\x00%s\x00", d.ID, d.Type, d.Domain)
	if d.Location != nil {
		fmt.Fprintf(h, "%g,%g", d.Location.Lon, d.Location.Lat)
	}
	for _, p := range d.Properties {
		fmt.Fprintf(h, "\x00%s\x00%s", p.Name, p.Unit)
	}
	return hex.EncodeToString(h.Sum(nil)[:12])
}
