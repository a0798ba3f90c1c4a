package app_test

import (
	"testing"

	"github.com/socle/socle/internal/alerts"
	"github.com/socle/socle/internal/app"
	"github.com/socle/socle/internal/sensors"
)

// TestEventsFollowStoredData checks that stored observations and opened
// alerts reach the subscribers of their topics, and only those.
func TestEventsFollowStoredData(t *testing.T) {
	a, _ := alertSite(t)
	obs := a.Subscribe(app.TopicObservations)
	defer obs.Close()
	al := a.Subscribe(app.TopicAlert)
	defer al.Close()
	other := a.Subscribe(app.TopicDataset)
	defer other.Close()

	feed(t, a, 0, 900) // beyond the flow threshold for 15 minutes: one alert
	feed(t, a, 15, 900)
	select {
	case e := <-obs.C:
		if got := e.Data.([]sensors.Observation); len(got) == 0 || got[0].Device != "m1" {
			t.Fatalf("observations event %+v", e)
		}
	default:
		t.Fatal("no observations event")
	}
	select {
	case e := <-al.C:
		if got := e.Data.(*alerts.Alert); got.Device != "m1" || got.Status != alerts.StatusOpen {
			t.Fatalf("alert event %+v", got)
		}
	default:
		t.Fatal("no alert event")
	}
	select {
	case e := <-other.C:
		t.Fatalf("dataset subscriber got %+v", e)
	default:
	}
}

// TestSlowSubscriberLags checks that a subscriber that does not read never
// blocks publishing: it loses events and is told so.
func TestSlowSubscriberLags(t *testing.T) {
	a, _ := alertSite(t)
	s := a.Subscribe()
	for i := 0; i < 1000; i++ {
		a.Publish(app.Event{Topic: app.TopicDataset + "x"})
	}
	if !s.Lagged() {
		t.Fatal("a full subscriber was not marked lagged")
	}
	if s.Lagged() {
		t.Fatal("Lagged did not clear")
	}
	s.Close()
	n := 0
	for range s.C {
		n++
	}
	if n == 0 || n >= 1000 {
		t.Fatalf("buffered %d events, want some but not all", n)
	}
}
