package live

import (
	"testing"
	"time"

	"github.com/socle/socle/internal/catalog"
	"github.com/socle/socle/internal/errs"
	"github.com/socle/socle/internal/sensors"
)

func parkingFeed() *Feed {
	free := 0.0
	return &Feed{DatasetID: "places", Domain: "parking", DeviceType: "ParkingSpot", Fields: []Mapping{
		{Field: "place", From: "id"}, {Field: "nom", From: "name"}, {Field: "lieu", From: "location"},
		{Field: "libre", From: "value:occupancy", Equals: &free}, {Field: "occupation", From: "value:occupancy"},
		{Field: "mesure", From: "time:occupancy"}, {Field: "vu", From: "observed"}, {Field: "commune", From: "commune"},
	}}
}

func TestFeedValidate(t *testing.T) {
	if err := parkingFeed().Validate(); err != nil {
		t.Fatalf("a valid feed: %v", err)
	}
	for _, tc := range []struct {
		name   string
		change func(f *Feed)
	}{
		{"no domain nor type is refused", func(f *Feed) { f.Domain, f.DeviceType = "", "" }},
		{"no id mapping is refused (it is the key)", func(f *Feed) { f.Fields = f.Fields[1:] }},
		{"the DevEUI is unpublishable", func(f *Feed) { f.Fields[1].From = "eui" }},
		{"the owning organization is unpublishable", func(f *Feed) { f.Fields[1].From = "org" }},
		{"a property source needs a name", func(f *Feed) { f.Fields[1].From = "value:" }},
		{"a field mapped twice is refused", func(f *Feed) { f.Fields[1].Field = "place" }},
		{"a field name that is not normalized is refused", func(f *Feed) { f.Fields[1].Field = "Nom du capteur" }},
		{"a reserved field name is refused", func(f *Feed) { f.Fields[1].Field = "_id" }},
		{"no fields are refused", func(f *Feed) { f.Fields = nil }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := parkingFeed()
			tc.change(f)
			if err := f.Validate(); errs.KindOf(err) != errs.Invalid {
				t.Fatalf("got %v, want Invalid", err)
			}
		})
	}
}

func TestFeedRow(t *testing.T) {
	f := parkingFeed()
	want := []catalog.FieldType{catalog.TypeText, catalog.TypeText, catalog.TypeGeoPoint, catalog.TypeBoolean,
		catalog.TypeDouble, catalog.TypeDateTime, catalog.TypeDateTime, catalog.TypeText}
	for i, fd := range f.DatasetFields() {
		if fd.Type != want[i] {
			t.Errorf("field %s is %s, want %s", fd.Name, fd.Type, want[i])
		}
	}
	if f.KeyField() != "place" {
		t.Errorf("key field %q", f.KeyField())
	}
	at := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	d := &sensors.Device{ID: "p1", EUI: "70b3d57ed0000001", Name: "Place 1", Type: "ParkingSpot", Domain: "parking",
		Location: &catalog.GeoPoint{Lon: 4.8, Lat: 45.7}}
	t.Run("a device without values has nulls for them", func(t *testing.T) {
		row := f.Row(d, nil)
		if row[0] != "p1" || row[3] != nil || row[4] != nil || row[5] != nil || row[6] != nil || row[7] != nil {
			t.Errorf("row %v", row)
		}
	})
	t.Run("latest values fill the row and other devices' are ignored", func(t *testing.T) {
		row := f.Row(d, []sensors.Latest{{Device: "p2", Property: "occupancy", Time: at.Add(time.Hour), Value: 0},
			{Device: "p1", Property: "occupancy", Time: at, Value: 1}, {Device: "p1", Property: "battery", Time: at.Add(time.Minute), Value: 3.1}})
		if row[2] != (catalog.GeoPoint{Lon: 4.8, Lat: 45.7}) || row[3] != false || row[4] != 1.0 || row[5] != at || row[6] != at.Add(time.Minute) {
			t.Errorf("row %v", row)
		}
		if err := CheckRow(f.DatasetFields(), row); err != nil {
			t.Errorf("the row does not fit the fields: %v", err)
		}
	})
	if !f.Matches(d) || f.Matches(&sensors.Device{Domain: "parking", Type: "ParkingLot"}) {
		t.Error("Matches")
	}
}
