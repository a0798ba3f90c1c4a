package ngsild

import (
	"strings"
	"testing"

	"github.com/socle/socle/internal/sensors"
)

func TestDeviceID(t *testing.T) {
	for id, want := range map[string]string{
		"urn:ngsi-ld:WasteContainer:angers:42": "ngsi.wastecontainer.angers.42",
		"urn:ngsi-ld:ParkingSpot:p1":           "ngsi.parkingspot.p1",
		"urn:other:X_1":                        "ngsi.urn.other.x_1",
		"urn:ngsi-ld:T:a/b":                    "ngsi.t.a.b.794ea749a5936ab5",
	} {
		if got := DeviceID(id); got != want {
			t.Errorf("DeviceID(%s) = %s, want %s", id, got, want)
		}
	}
	long := DeviceID("urn:ngsi-ld:T:" + strings.Repeat("a", 200))
	if len(long) > 100 || long == DeviceID("urn:ngsi-ld:T:"+strings.Repeat("a", 199)) {
		t.Errorf("long IDs: %s", long)
	}
}

func TestDeviceOfAndMerge(t *testing.T) {
	e := testEntity(t)
	d := DeviceOf(e)
	if d.ID != "ngsi.wastecontainer.angers.1" || d.Domain != "waste" || d.Type != "WasteContainer" || d.Location == nil ||
		len(d.Properties) != 1 || d.Properties[0] != (sensors.Property{Name: "fillingLevel", Unit: "P1"}) {
		t.Fatalf("device %+v", d)
	}
	old := &sensors.Device{ID: d.ID, EUI: "0011223344556677", Name: "Bac 1", Domain: "other",
		Properties: []sensors.Property{{Name: "battery", Unit: "V"}}}
	m, changed := MergeDevice(old, d)
	if !changed || m.EUI != old.EUI || m.Name != "Bac 1" || m.Domain != "waste" || len(m.Properties) != 2 {
		t.Fatalf("merged %+v", m)
	}
	if _, changed := MergeDevice(m, d); changed {
		t.Error("merging the same device again changes it")
	}
	obs := Observations(e.ID, e.Attrs, e.CreatedAt)
	if len(obs) != 1 || obs[0].Value != 0.8 || obs[0].Time.Format(TimeLayout) != "2025-01-01T12:00:00.000Z" {
		t.Errorf("observations %+v", obs)
	}
}

func TestDeviceSignatureFollowsTheDerivedDevice(t *testing.T) {
	e := testEntity(t)
	sig := DeviceSignature(e)
	e.Attrs[DefaultContext+"status"] = Attribute{"type": "Property", "value": "lidOpen"}
	if DeviceSignature(e) != sig {
		t.Error("a text attribute changed the device")
	}
	for iri, a := range e.Attrs {
		if a.Kind() == KindProperty && a["unitCode"] != nil {
			a["unitCode"] = "CEL"
			e.Attrs[iri] = a
		}
	}
	if DeviceSignature(e) == sig {
		t.Error("a new unit did not change the device")
	}
}
