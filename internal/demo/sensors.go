package demo

import (
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"hash/fnv"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"time"

	"github.com/socle/socle/internal/alerts"
	"github.com/socle/socle/internal/sensors"
)

// The demo's sensor fleet: a few thousand devices spread over the
// communes (water meters, waste containers, parking spots, streetlight
// controllers, air-quality stations), the alert rules a steward would
// write for them, and the last 24 hours of their ChirpStack v4 uplinks, in
// which a few anomalies are planted (see SensorAnomalies).

// fleet is one kind of device of the demo fleet.
type fleet struct {
	prefix   string // device ID prefix
	label    string // French display name
	domain   string
	typ      string // Smart Data Models type
	model    string
	operator string
	prop     sensors.Property
	period   int // seconds
	count    int
	appID    string // ChirpStack application ID (a UUID)
	// transport is how the running demo's simulator sends this fleet's
	// live data: TransportMQTT, TransportNGSILD or TransportHTTP.
	transport string
}

// The live simulation's transports, one per kind of integration a
// territory has: LoRaWAN network servers publishing ChirpStack uplinks to
// the broker, a FIWARE platform upserting NGSI-LD entities, an operator's
// backend posting readings.
const (
	TransportMQTT   = "mqtt"
	TransportNGSILD = "ngsi-ld"
	TransportHTTP   = "http"
)

func bound(x float64) *float64 { return &x }

// fleets of the demo, in generation order.
var fleets = []fleet{
	{"compteur-eau", "Compteur de sectorisation", "water", "WaterMeter", "VDL-Flow-DN150", orgWater,
		sensors.Property{Name: "flow", Unit: "m3/h", Min: bound(0), Max: bound(500)}, 600, 200,
		"6e1c2a10-0000-4000-8000-000000000001", TransportMQTT},
	{"conteneur", "Sonde de remplissage", "waste", "WasteContainer", "VDL-Fill-US", MetropolisID,
		sensors.Property{Name: "fillingLevel", Unit: "%", Min: bound(0), Max: bound(100)}, 3600, 800,
		"6e1c2a10-0000-4000-8000-000000000002", TransportMQTT},
	{"place", "Capteur de place", "parking", "ParkingSpot", "VDL-Park-Mag", orgParking,
		sensors.Property{Name: "occupancy", Unit: "", Min: bound(0), Max: bound(1)}, 900, 1000,
		"6e1c2a10-0000-4000-8000-000000000003", TransportHTTP},
	{"candelabre", "Contrôleur d'éclairage", "lighting", "Streetlight", "VDL-Lum-NEMA", MetropolisID,
		sensors.Property{Name: "power", Unit: "W", Min: bound(0), Max: bound(400)}, 3600, 600,
		"6e1c2a10-0000-4000-8000-000000000004", TransportMQTT},
	// The air stations come through a FIWARE platform: their IDs are those
	// Socle derives from their NGSI-LD entity IDs (NGSIEntityID).
	{"ngsi.airqualityobserved.air", "Micro-station NO2", "air", "AirQualityObserved", "VDL-Air-EC", orgAir,
		sensors.Property{Name: "no2", Unit: "µg/m3", Min: bound(0), Max: bound(1000)}, 3600, 60,
		"6e1c2a10-0000-4000-8000-000000000005", TransportNGSILD},
}

// NGSIEntityID is the NGSI-LD entity ID of an air station of the demo
// (ngsi.airqualityobserved.air-001 → urn:ngsi-ld:AirQualityObserved:air-001).
func NGSIEntityID(deviceID string) string {
	return "urn:ngsi-ld:AirQualityObserved:" + strings.TrimPrefix(deviceID, "ngsi.airqualityobserved.")
}

// SensorAnomalies names the devices whose simulated data holds an anomaly,
// each of which the demo's rules turn into an open alert.
type SensorAnomalies struct {
	Leak   string    // water meter at ~200 m3/h for the last 2 hours
	Full   [2]string // containers above 95 % at the end
	Dark   string    // streetlight drawing 0 W all day and night
	Silent string    // air station silent for the last 6 hours
	// NightLeak is a water meter leaking 12 m3/h more for the last two
	// nights (the leak rule's streak), above the baseline of the nights
	// before; Filling is a container filling at 6 %/h, forecast full
	// before the next 3-hourly round.
	NightLeak, Filling string
}

// Anomalies returns the devices of the planted anomalies.
func (t *Territory) Anomalies() SensorAnomalies {
	return SensorAnomalies{
		Leak:      deviceID(0, 7),
		Full:      [2]string{deviceID(1, 3), deviceID(1, 41)},
		Dark:      deviceID(3, 12),
		Silent:    deviceID(4, 2),
		NightLeak: deviceID(0, 21),
		Filling:   deviceID(1, 17),
	}
}

func deviceID(fleetIndex, n int) string {
	return fmt.Sprintf("%s-%03d", fleets[fleetIndex].prefix, n+1)
}

// deviceEUI is a DevEUI unique in the fleet: a fixed prefix, the fleet and
// the device's number.
func deviceEUI(fleetIndex, n int) string { return fmt.Sprintf("50c1e0%02x%08x", fleetIndex+1, n+1) }

// Devices returns the demo's sensor fleet (2,660 devices), identical on
// every call.
func (t *Territory) Devices() []*sensors.Device {
	r := newRand("sensors")
	var out []*sensors.Device
	installed := day(2024, time.March, 1)
	for fi, f := range fleets {
		for n := range f.count {
			c := weightedCommune(r)
			p := c.near(r, 0.8)
			at := installed.AddDate(0, 0, r.IntN(600))
			out = append(out, &sensors.Device{
				ID: deviceID(fi, n), EUI: deviceEUI(fi, n),
				Name: fmt.Sprintf("%s %d, %s", f.label, n+1, c.name),
				Type: f.typ, Model: f.model, Domain: f.domain, Location: &p,
				Commune: c.insee, Org: MetropolisID, Operator: f.operator,
				Properties: []sensors.Property{f.prop}, PeriodSeconds: f.period,
				InstalledAt: &at, Status: sensors.StatusActive,
			})
		}
	}
	return out
}

// Rules returns the demo's alert rules.
func (t *Territory) Rules() []*alerts.Rule {
	return []*alerts.Rule{
		{ID: "fuite-reseau", Name: "Fuite probable sur le réseau d'eau", Kind: alerts.KindThreshold,
			Domain: "water", DeviceType: "WaterMeter", Property: "flow", Op: ">", Threshold: 120, Hysteresis: 20,
			For: alerts.Duration(30 * time.Minute), Severity: alerts.SeverityCritical, Enabled: true},
		// The night flow of a sector meter against the median of the 3
		// nights before, 2 nights in a row (the simulated history has 6).
		{ID: "fuite-nocturne", Name: "Fuite probable (débit de nuit)", Kind: alerts.KindLeak,
			Domain: "water", DeviceType: "WaterMeter", Property: "flow",
			Params:   alerts.Params{Nights: 2, BaselineNights: 3, Factor: 1.5, Margin: 3},
			Severity: alerts.SeverityCritical, Enabled: true},
		// Full, or full before the next round (every 3 hours): the rounds
		// pick their containers from these alerts. 95 %: a container the
		// simulation empties at 80 % (3 %/h at most) is never forecast to
		// reach it before the next round.
		{ID: "conteneur-plein", Name: "Conteneur plein ou plein avant la collecte", Kind: alerts.KindContainerForecast,
			Domain: "waste", DeviceType: "WasteContainer", Property: "fillingLevel", Threshold: 95, Hysteresis: 15,
			Params:   alerts.Params{RoundEvery: alerts.Duration(demoRoundEvery)},
			Severity: alerts.SeverityWarning, Enabled: true},
		// Lamps are off by day: a controller drawing nothing for 20 hours
		// (longer than any day in France) missed a whole night.
		{ID: "panne-eclairage", Name: "Candélabre éteint la nuit", Kind: alerts.KindThreshold,
			Domain: "lighting", DeviceType: "Streetlight", Property: "power", Op: "<", Threshold: 5, Hysteresis: 5,
			For: alerts.Duration(20 * time.Hour), Severity: alerts.SeverityWarning, Enabled: true},
		{ID: "capteur-muet", Name: "Capteur muet", Kind: alerts.KindSilence, Periods: 3,
			Severity: alerts.SeverityWarning, Enabled: true},
	}
}

// SimUplink is one simulated ChirpStack v4 "up" event as the MQTT
// integration publishes it, with what it carries for the simulator's other
// transports.
type SimUplink struct {
	Topic string
	Body  []byte
	Time  time.Time

	Transport string // TransportMQTT, TransportNGSILD or TransportHTTP
	Device    *sensors.Device
	Value     float64 // of the device's one property
}

// simHistory is how far back the simulated uplinks go; water meters also
// report the night hours (local 01:00–05:00) of the nightHistory before,
// from which the leak rule learns their night flow.
const (
	simHistory   = 24 * time.Hour
	nightHistory = 6 * 24 * time.Hour
)

// demoRoundEvery is the period of the demo's waste collection rounds.
const demoRoundEvery = 3 * time.Hour

// Uplinks returns the last 24 hours of the fleet's uplinks before now,
// oldest first, identical for the same now. Each device reports hourly
// (its real period is often shorter: the history is sampled to stay a few
// thousand messages), on a grid ending at now truncated to its period, so
// that no device but the planted silent one looks offline at now. A
// value depends only on the device and its time, so two histories
// overlap consistently.
func (t *Territory) Uplinks(now time.Time) []SimUplink { return t.UplinksSince(time.Time{}, now) }

// UplinksSince returns the uplinks of Uplinks(now) after since: what has
// come due since the simulation last fed the fleet.
func (t *Territory) UplinksSince(since, now time.Time) []SimUplink {
	now = now.UTC()
	an := t.Anomalies()
	var out []SimUplink
	for _, d := range t.Devices() {
		fi := slices.IndexFunc(fleets, func(f fleet) bool { return f.typ == d.Type })
		f := fleets[fi]
		period := time.Duration(d.PeriodSeconds) * time.Second
		end := now.Truncate(period)
		for k := int((simHistory + nightHistory) / time.Hour); k >= 0; k-- {
			at := end.Add(-time.Duration(k) * time.Hour)
			if !at.After(since) || d.ID == an.Silent && end.Sub(at) < 6*time.Hour || end.Sub(at) > simHistory && !nightHour(d, at) {
				continue
			}
			v := simValue(d, an, at, end)
			out = append(out, SimUplink{Topic: "application/" + f.appID + "/device/" + d.EUI + "/event/up",
				Body: chirpStackBody(d, f, at, v), Time: at, Transport: f.transport, Device: d, Value: v})
		}
	}
	slices.SortStableFunc(out, func(a, b SimUplink) int {
		if c := a.Time.Compare(b.Time); c != 0 {
			return c
		}
		return strings.Compare(a.Topic, b.Topic)
	})
	return out
}

// deviceRand returns the random stream of one device at one time.
func deviceRand(id string, at time.Time) *rand.Rand {
	h := fnv.New64a()
	h.Write([]byte("uplink:" + id))
	return rand.New(rand.NewPCG(Seed^h.Sum64(), uint64(at.Unix())))
}

// deviceTrait returns a uniform number in [0, 1) fixed for a device.
func deviceTrait(id string) float64 { return deviceRand(id, time.Time{}).Float64() }

// localHour is the hour of the day in metropolitan France (UTC+1, winter
// time all year: close enough for a simulation).
func localHour(at time.Time) float64 {
	l := at.Add(time.Hour)
	return float64(l.Hour()) + float64(l.Minute())/60
}

// simValue is the value a device reports at at; end is its last report.
func simValue(d *sensors.Device, an SensorAnomalies, at, end time.Time) float64 {
	r := deviceRand(d.ID, at)
	trait := deviceTrait(d.ID)
	h := localHour(at)
	switch d.Type {
	case "WaterMeter":
		if d.ID == an.Leak && end.Sub(at) <= 2*time.Hour {
			return round(between(r, 195, 210), 1)
		}
		base := 10 + 45*trait // district consumption, m3/h
		// Low at night, peaks in the morning and the evening.
		diurnal := 0.75 + 0.35*math.Exp(-sq(h-8)/6) + 0.25*math.Exp(-sq(h-19)/8) - 0.45*math.Exp(-sq(h-3.5)/6)
		leak := 0.0
		if d.ID == an.NightLeak && !at.Before(nightLeakFrom(end)) {
			leak = 12
		}
		return round(base*diurnal*between(r, 0.93, 1.07)+leak, 1)
	case "WasteContainer":
		if i := slices.Index(an.Full[:], d.ID); i >= 0 {
			hoursBefore := end.Sub(at).Hours()
			return round(max(8, 97+2*float64(i)-2.5*hoursBefore), 1)
		}
		if d.ID == an.Filling {
			// 6 %/h, 99 % at the next round after end.
			demo := alerts.Rule{Params: alerts.Params{RoundEvery: alerts.Duration(demoRoundEvery)}}
			return round(max(8, 99-6*demo.NextRound(end).Sub(at).Hours()), 1)
		}
		// Filled at a steady rate, emptied when around 80 %.
		rate := 0.8 + 2.2*trait // %/h
		cycle := 75 / rate
		hours := float64(at.Unix())/3600 + trait*cycle
		return round(5+rate*math.Mod(hours, cycle)+between(r, -1, 1), 1)
	case "ParkingSpot":
		busy := 0.25 + 0.55*math.Exp(-sq(h-11)/10) + 0.4*math.Exp(-sq(h-17)/6)
		if chance(r, min(busy, 0.95)) {
			return 1
		}
		return 0
	case "Streetlight":
		if d.ID == an.Dark || h >= 8 && h < 17.5 {
			return 0
		}
		rated := 40 + 20*math.Floor(trait*6) // 40 to 140 W LED lanterns
		if h >= 23 || h < 5 {
			rated *= 0.5 // dimmed in the middle of the night
		}
		return round(rated*between(r, 0.97, 1.03), 1)
	case "AirQualityObserved":
		traffic := 15 + 20*trait
		peaks := 1 + 0.9*math.Exp(-sq(h-8.5)/3) + 0.7*math.Exp(-sq(h-18)/4)
		return round(traffic*peaks*between(r, 0.8, 1.2), 1)
	}
	return 0
}

func sq(x float64) float64 { return x * x }

// chirpStackBody is a ChirpStack v4 "up" event, JSON-encoded, with the
// decoded value in object and its raw form (value × 10, big-endian) in data.
func chirpStackBody(d *sensors.Device, f fleet, at time.Time, v float64) []byte {
	r := deviceRand(d.ID+":meta", at)
	var dedup [16]byte
	for i := range dedup {
		dedup[i] = byte(r.UintN(256))
	}
	dedup[6] = dedup[6]&0x0f | 0x40 // a version 4 UUID
	dedup[8] = dedup[8]&0x3f | 0x80
	var raw [4]byte
	binary.BigEndian.PutUint32(raw[:], uint32(math.Round(v*10)))
	fcnt := uint32(at.Unix() / int64(d.PeriodSeconds))
	body := map[string]any{
		"deduplicationId": fmt.Sprintf("%x-%x-%x-%x-%x", dedup[0:4], dedup[4:6], dedup[6:8], dedup[8:10], dedup[10:16]),
		"time":            at.Format(time.RFC3339Nano),
		"deviceInfo": map[string]any{
			"tenantId":          "52f14cd4-c6f1-4fbd-8f87-4025e1d49242",
			"tenantName":        metropolisName,
			"applicationId":     f.appID,
			"applicationName":   f.label,
			"deviceProfileName": f.model,
			"deviceName":        d.ID,
			"devEui":            d.EUI,
		},
		"devAddr": fmt.Sprintf("%08x", uint32(fnvHash(d.EUI))),
		"adr":     true,
		"dr":      5,
		"fCnt":    fcnt,
		"fPort":   2,
		"data":    base64.StdEncoding.EncodeToString(raw[:]),
		"object":  map[string]any{f.prop.Name: v},
		"rxInfo": []map[string]any{{
			"gatewayId": "50c1e0fffe000001", "rssi": -70 - r.IntN(45), "snr": round(between(r, -5, 10), 1),
		}},
		"txInfo": map[string]any{"frequency": 868100000 + 200000*r.IntN(3)},
	}
	b, err := json.Marshal(body)
	if err != nil {
		panic(err) // maps of plain values always marshal
	}
	return b
}

func fnvHash(s string) uint64 {
	h := fnv.New64a()
	h.Write([]byte(s))
	return h.Sum64()
}

// nightHour reports whether a water meter reports at at beyond the last
// 24 hours: the local night hours the leak rule reads.
func nightHour(d *sensors.Device, at time.Time) bool {
	h := at.In(alerts.Local).Hour()
	return d.Type == "WaterMeter" && h >= 1 && h < 5
}

// nightLeakFrom is when the planted night leak starts: the local midnight
// before the night preceding the last night complete at end, so that the
// last two nights are high.
func nightLeakFrom(end time.Time) time.Time {
	r := alerts.Rule{Params: alerts.Params{NightTo: 5}}
	return r.LastNight(end).AddDate(0, 0, -1)
}
