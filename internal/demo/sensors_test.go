package demo

import (
	"cmp"
	"encoding/json"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/socle/socle/internal/alerts"
	"github.com/socle/socle/internal/sensors/lorawan"
)

// TestDemoSensorsDeterministic checks that the fleet, the rules and the uplinks
// are identical on every call, and that the uplinks only depend on now
// truncated to the period grid.
func TestDemoSensorsDeterministic(t *testing.T) {
	a, b := New(), New()
	if !reflect.DeepEqual(a.Devices(), b.Devices()) || !reflect.DeepEqual(a.Rules(), b.Rules()) {
		t.Fatal("two territories differ in devices or rules")
	}
	now := time.Date(2026, time.November, 27, 14, 52, 31, 0, time.UTC)
	ua, ub := a.Uplinks(now), b.Uplinks(now.Add(time.Second))
	if !reflect.DeepEqual(ua, ub) {
		t.Fatal("two calls of Uplinks differ")
	}
	if n := len(ua); n < 50000 || n > 100000 {
		t.Errorf("%d uplinks, want some tens of thousands", n)
	}
	since := now.Add(-2 * time.Hour)
	var tail []SimUplink
	for _, u := range ua {
		if u.Time.After(since) {
			tail = append(tail, u)
		}
	}
	if got := a.UplinksSince(since, now); !reflect.DeepEqual(got, tail) {
		t.Fatalf("UplinksSince gave %d uplinks, want the %d of Uplinks after since", len(got), len(tail))
	}
}

// TestDemoSensorFleet checks the registry: unique IDs and DevEUIs, valid rules,
// every location in the territory.
func TestDemoSensorFleet(t *testing.T) {
	terr := New()
	devs := terr.Devices()
	if len(devs) < 2000 || len(devs) > 5000 {
		t.Errorf("%d devices, want a few thousand", len(devs))
	}
	eui := regexp.MustCompile(`^[0-9a-f]{16}$`)
	ids, euis := map[string]bool{}, map[string]bool{}
	for _, d := range devs {
		if ids[d.ID] || euis[d.EUI] || !eui.MatchString(d.EUI) {
			t.Errorf("device %s: duplicate ID or bad/duplicate DevEUI %q", d.ID, d.EUI)
		}
		ids[d.ID], euis[d.EUI] = true, true
		if d.Org != MetropolisID || d.Location == nil || d.Location.Lat < minLat || d.Location.Lat > maxLat ||
			d.Location.Lon < minLon || d.Location.Lon > maxLon || d.PeriodSeconds <= 0 || len(d.Properties) != 1 {
			t.Errorf("device %+v", d)
		}
	}
	an := terr.Anomalies()
	for _, id := range []string{an.Leak, an.Full[0], an.Full[1], an.Dark, an.Silent, an.NightLeak, an.Filling} {
		if !ids[id] {
			t.Errorf("planted device %s is not in the fleet", id)
		}
	}
	for _, r := range terr.Rules() {
		if err := r.Validate(); err != nil {
			t.Error(err)
		}
	}
}

// TestDemoSensorAnomalies parses every uplink as the MQTT path does and checks
// that the planted anomalies are there, and only there.
func TestDemoSensorAnomalies(t *testing.T) {
	terr := New()
	now := time.Date(2026, time.November, 27, 14, 52, 31, 0, time.UTC)
	byEUI := map[string]string{}
	period := map[string]time.Duration{}
	for _, d := range terr.Devices() {
		byEUI[d.EUI] = d.ID
		period[d.ID] = time.Duration(d.PeriodSeconds) * time.Second
	}
	type point struct {
		at time.Time
		v  float64
	}
	series := map[string][]point{}
	var last time.Time
	for _, u := range terr.Uplinks(now) {
		up, err := lorawan.ParseChirpStack(u.Topic, u.Body)
		if err != nil {
			t.Fatalf("%s: %v", u.Topic, err)
		}
		id := byEUI[up.DevEUI]
		history := 25 * time.Hour
		if strings.HasPrefix(id, "compteur-eau") {
			history += nightHistory // the nights the leak rule learns from
		}
		if up.Time.Before(last) || up.Time.After(now) || up.Time.Before(now.Add(-history)) {
			t.Fatalf("uplink at %v out of order or out of the last %v", up.Time, history)
		}
		last = up.Time
		if id == "" || up.DeviceID != id || len(up.Object) != 1 {
			t.Fatalf("uplink %s: unknown device or bad object %v", u.Body, up.Object)
		}
		for _, v := range up.Object {
			series[id] = append(series[id], point{up.Time, v.(float64)})
		}
		var raw map[string]any
		if err := json.Unmarshal(u.Body, &raw); err != nil || raw["deduplicationId"] == "" {
			t.Fatalf("body %s", u.Body)
		}
	}
	an := terr.Anomalies()
	for id, s := range series {
		lastV := s[len(s)-1].v
		maxV := slices.MaxFunc(s, func(a, b point) int { return cmp.Compare(a.v, b.v) }).v
		switch {
		case id == an.Leak:
			if lastV < 180 || s[len(s)-3].v < 180 || s[len(s)-4].v > 120 {
				t.Errorf("leak meter %s: %v", id, s)
			}
		case id == an.Full[0] || id == an.Full[1]:
			if lastV <= 95 {
				t.Errorf("full container %s ends at %v", id, lastV)
			}
		case id == an.Filling:
			if lastV >= 95 || lastV < 75 || s[len(s)-1].v-s[len(s)-2].v != 6 {
				t.Errorf("filling container %s ends at %v, %v", id, lastV, s[len(s)-2:])
			}
		case id == an.NightLeak:
			var at []time.Time
			var vs []float64
			for _, p := range s {
				at, vs = append(at, p.at), append(vs, p.v)
			}
			if nights := nightMinimums(at, vs); len(nights) < 5 || nights[len(nights)-1] < nights[0]+10 || nights[len(nights)-2] < nights[0]+10 {
				t.Errorf("night-leak meter %s: night minimums %v, want the last two 12 higher", id, nights)
			}
		case id == an.Dark:
			if maxV != 0 {
				t.Errorf("dark streetlight %s drew %v W", id, maxV)
			}
		case id == an.Silent:
			if q := now.Sub(s[len(s)-1].at); q < 6*time.Hour || q > 7*time.Hour {
				t.Errorf("silent station %s last reported %v ago", id, q)
			}
		default:
			if q := now.Sub(s[len(s)-1].at); q >= period[id] {
				t.Errorf("device %s last reported %v ago, period %v", id, q, period[id])
			}
			if len(s) < 24 {
				t.Errorf("device %s: %d uplinks", id, len(s))
			}
			switch id[:4] {
			case "comp":
				if maxV > 100 {
					t.Errorf("meter %s reaches %v m3/h", id, maxV)
				}
			case "cont":
				if maxV > 85 {
					t.Errorf("container %s reaches %v %%", id, maxV)
				}
			case "cand":
				if maxV < 20 {
					t.Errorf("streetlight %s never lit: max %v W", id, maxV)
				}
			}
		}
	}
	if len(series) != len(terr.Devices()) {
		t.Errorf("%d devices report, %d in the fleet", len(series), len(terr.Devices()))
	}
}

// nightMinimums returns a meter's lowest value of each local night
// (01:00–05:00), in date order, from its values at their times.
func nightMinimums(at []time.Time, v []float64) []float64 {
	var out []float64
	var night time.Time
	for i, t := range at {
		l := t.In(alerts.Local)
		if l.Hour() < 1 || l.Hour() >= 5 {
			continue
		}
		if d := time.Date(l.Year(), l.Month(), l.Day(), 0, 0, 0, 0, alerts.Local); !d.Equal(night) {
			night = d
			out = append(out, v[i])
		}
		out[len(out)-1] = min(out[len(out)-1], v[i])
	}
	return out
}

// TestDemoRegisters checks that the demo's register entries are valid and
// that the platform's own algorithms are all in the register.
func TestDemoRegisters(t *testing.T) {
	terr := New()
	for _, p := range terr.Processings() {
		if err := p.Validate(); err != nil {
			t.Error(err)
		}
	}
	platform := 0
	for _, a := range terr.Algorithms() {
		if err := a.Validate(); err != nil {
			t.Error(err)
		}
		if a.PlatformFunction {
			platform++
		}
	}
	if platform < 3 {
		t.Errorf("%d platform algorithms, want leak detection, container forecasts and round ordering at least", platform)
	}
}
