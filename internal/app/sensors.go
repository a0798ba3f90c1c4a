package app

import (
	"context"
	"encoding/json"
	"math"
	"regexp"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/socle/socle/internal/auth"
	"github.com/socle/socle/internal/errs"
	"github.com/socle/socle/internal/sensors"
)

// The sensors use cases: the device registry, and the ingestion every path
// (HTTP, MQTT, webhooks) goes through, so that they all validate, flag,
// deduplicate and quarantine alike.

var deviceID = regexp.MustCompile(`^[a-z0-9][a-z0-9_.-]{0,99}$`)

// maxFuture is how far ahead of the server clock an observation may be
// before it is flagged: device clocks drift, but not by hours.
const maxFuture = 5 * time.Minute

// maxQuarantinePayload bounds what is kept of an unattributable message.
const maxQuarantinePayload = 64 << 10

// CanSeeDevices reports whether p may read the sensor registry and its
// data: agents of the collectivity (its own organizations), not partners
// nor anonymous callers.
func CanSeeDevices(p auth.Principal) bool {
	return p.User != nil && (p.Is(auth.RoleAdmin) || p.OrgKind.Internal() && !p.Is(auth.RolePartner))
}

// CanFeedSensors reports whether p may send observations (a gateway's or a
// network server's API key belongs to such a user).
func CanFeedSensors(p auth.Principal) bool {
	return p.User != nil && p.Is(auth.RoleAdmin, auth.RoleSteward, auth.RoleProducer)
}

// PutDevice registers or replaces a device; stewards and admins only.
func (a *App) PutDevice(ctx context.Context, p auth.Principal, d *sensors.Device) error {
	if !p.Is(auth.RoleAdmin, auth.RoleSteward) {
		return errs.E(errs.Forbidden, "only stewards register devices")
	}
	if err := validDevice(d); err != nil {
		return err
	}
	err := a.Store.PutDevice(ctx, d)
	a.forgetDevices()
	if err != nil {
		return err
	}
	return a.Audit(ctx, p, "device.put", "device:"+d.ID, 0, d.Domain)
}

func validDevice(d *sensors.Device) error {
	d.EUI = strings.ToLower(strings.TrimSpace(d.EUI))
	switch {
	case !deviceID.MatchString(d.ID):
		return errs.E(errs.Invalid, "invalid device id %q: use lower-case letters, digits, '.', '-' and '_'", d.ID)
	case d.EUI != "" && !isEUI(d.EUI):
		return errs.E(errs.Invalid, "device %s: DevEUI %q is not 16 hexadecimal digits", d.ID, d.EUI)
	case !slices.Contains(sensors.Domains, d.Domain):
		return errs.E(errs.Invalid, "device %s: unknown domain %q (%s)", d.ID, d.Domain, strings.Join(sensors.Domains, ", "))
	case d.PeriodSeconds < 0:
		return errs.E(errs.Invalid, "device %s: negative reporting period", d.ID)
	}
	if d.Status == "" {
		d.Status = sensors.StatusActive
	}
	seen := map[string]bool{}
	for _, pr := range d.Properties {
		if pr.Name == "" || seen[pr.Name] {
			return errs.E(errs.Invalid, "device %s: property names must be unique and not empty", d.ID)
		}
		if pr.Min != nil && pr.Max != nil && *pr.Min > *pr.Max {
			return errs.E(errs.Invalid, "device %s: property %s has min > max", d.ID, pr.Name)
		}
		seen[pr.Name] = true
	}
	return nil
}

func isEUI(s string) bool {
	if len(s) != 16 {
		return false
	}
	for _, c := range s {
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
			return false
		}
	}
	return true
}

// IngestResult counts what an ingestion did.
type IngestResult struct {
	Inserted    int  `json:"inserted"`
	Flagged     int  `json:"flagged"`
	Ignored     int  `json:"ignored"` // values of properties the device does not declare
	Quarantined int  `json:"quarantined"`
	Duplicate   bool `json:"duplicate,omitempty"`
}

// IngestUplink implements sensors.Ingester: it attributes the uplink to its
// device (by DevEUI, else by ID), maps the decoded values to the device's
// properties and stores them; an unknown device, or an uplink with no value
// Socle can read, is quarantined. A nil error means durably kept.
func (a *App) IngestUplink(ctx context.Context, u sensors.Uplink) error {
	_, err := a.ingestUplink(ctx, u)
	return err
}

func (a *App) ingestUplink(ctx context.Context, u sensors.Uplink) (IngestResult, error) {
	d, err := a.uplinkDevice(ctx, u)
	if errs.Is(err, errs.NotFound) {
		return IngestResult{Quarantined: 1}, a.quarantine(ctx, u, "unknown device")
	} else if err != nil {
		return IngestResult{}, err
	}
	when := u.Time
	if when.IsZero() {
		when = a.Now()
	}
	if len(u.Object) == 0 && len(u.Payload) > 0 {
		if reason, err := a.decode(ctx, d, &u); err != nil {
			return IngestResult{}, err
		} else if reason != "" {
			return IngestResult{Quarantined: 1}, a.quarantine(ctx, u, reason)
		}
	}
	var res IngestResult
	var obs []sensors.Observation
	for _, kv := range flatten(u.Object) {
		pr, ok := d.Property(kv.name)
		if !ok {
			res.Ignored++
			continue
		}
		o := sensors.Observation{Device: d.ID, Property: pr.Name, Time: when.UTC(), Value: kv.value}
		a.flag(&o, pr)
		obs = append(obs, o)
	}
	if len(obs) == 0 {
		return IngestResult{Quarantined: 1}, a.quarantine(ctx, u, "no value of a declared property (a raw payload needs the model's decoder)")
	}
	return a.store(ctx, sensors.Batch{Key: u.Key, Observations: obs}, res)
}

func (a *App) uplinkDevice(ctx context.Context, u sensors.Uplink) (*sensors.Device, error) {
	if u.DevEUI != "" {
		return a.deviceByEUI(ctx, strings.ToLower(u.DevEUI))
	}
	if u.DeviceID == "" {
		return nil, errs.E(errs.NotFound, "no device identifier")
	}
	return a.device(ctx, u.DeviceID)
}

// decode reads u's raw payload with the decoder of d's model into
// u.Object, or says why it cannot (the uplink is then quarantined). An
// error means the decoders could not be reached: nothing is kept, the
// sender retries.
func (a *App) decode(ctx context.Context, d *sensors.Device, u *sensors.Uplink) (string, error) {
	if a.Decoder == nil || d.Model == "" {
		return "raw payload and no decoder for the device's model", nil
	}
	obj, err := a.Decoder.Decode(ctx, d.Model, u.FPort, u.Payload)
	switch k := errs.KindOf(err); {
	case err == nil:
		u.Object = obj
		return "", nil
	case k == errs.NotFound:
		return "raw payload and no decoder for model " + d.Model, nil
	case k == errs.Invalid:
		return errs.Message(err), nil
	default:
		return "", err
	}
}

// flag marks o when it cannot be trusted: too far in the future, or out of
// the property's physical range.
func (a *App) flag(o *sensors.Observation, pr sensors.Property) {
	switch {
	case o.Time.After(a.Now().Add(maxFuture)):
		o.Flag = sensors.FlagFuture
	case pr.Min != nil && o.Value < *pr.Min, pr.Max != nil && o.Value > *pr.Max:
		o.Flag = sensors.FlagOutOfRange
	}
}

func (a *App) store(ctx context.Context, b sensors.Batch, res IngestResult) (IngestResult, error) {
	for _, o := range b.Observations {
		if o.Flag != sensors.FlagNone {
			res.Flagged++
		}
	}
	n, dup, err := a.appendBatch(ctx, b)
	if err != nil {
		return IngestResult{}, err
	}
	res.Inserted, res.Duplicate = n, dup
	if !dup && n > 0 {
		a.Publish(Event{Topic: TopicObservations, Data: b.Observations})
	}
	a.evaluateAlerts(ctx, b)
	return res, nil
}

// quarantine keeps an uplink no device can take.
func (a *App) quarantine(ctx context.Context, u sensors.Uplink, reason string) error {
	ref := u.DevEUI
	if ref == "" {
		ref = u.DeviceID
	}
	return a.QuarantineRaw(ctx, u.Source, ref, u.Raw, reason)
}

// QuarantineRaw keeps a message that could not be attributed or read.
func (a *App) QuarantineRaw(ctx context.Context, source, ref string, raw []byte, reason string) error {
	if len(raw) > maxQuarantinePayload {
		raw = raw[:maxQuarantinePayload]
	}
	return a.Store.AddQuarantine(ctx, &sensors.Quarantined{Source: source, DeviceRef: ref, Reason: reason,
		Payload: strings.ToValidUTF8(string(raw), "\uFFFD"), Received: a.Now()})
}

// keyValue is one numeric value of a decoded payload.
type keyValue struct {
	name  string
	value float64
}

// flatten lists the numeric values of a decoded payload, nested objects
// named with dots ("battery.voltage"), booleans as 0 and 1, in name order.
// Strings, lists, NaN and infinities are not observations.
func flatten(obj map[string]any) []keyValue {
	var out []keyValue
	var walk func(prefix string, m map[string]any)
	walk = func(prefix string, m map[string]any) {
		for k, v := range m {
			name := prefix + k
			switch x := v.(type) {
			case float64:
				if !math.IsNaN(x) && !math.IsInf(x, 0) {
					out = append(out, keyValue{name, x})
				}
			case int:
				out = append(out, keyValue{name, float64(x)})
			case int64:
				out = append(out, keyValue{name, float64(x)})
			case bool:
				out = append(out, keyValue{name, map[bool]float64{false: 0, true: 1}[x]})
			case map[string]any:
				walk(name+".", x)
			}
		}
	}
	walk("", obj)
	sort.Slice(out, func(i, j int) bool { return out[i].name < out[j].name })
	return out
}

// Reading is one observation as the native HTTP API receives it.
type Reading struct {
	Device   string    `json:"device"`
	Property string    `json:"property"`
	Time     time.Time `json:"time"`
	Value    *float64  `json:"value"`
}

// IngestReadings stores native observations as p in one transaction, so
// that a request is stored whole or not at all and costs one commit.
// Readings of unknown devices are quarantined first.
func (a *App) IngestReadings(ctx context.Context, p auth.Principal, rs []Reading) (IngestResult, error) {
	if !CanFeedSensors(p) {
		return IngestResult{}, errs.E(errs.Forbidden, "this key may not send observations")
	}
	byDevice := map[string][]Reading{}
	var order []string
	for i, r := range rs {
		if r.Device == "" || r.Property == "" || r.Value == nil {
			return IngestResult{}, errs.E(errs.Invalid, "observation %d: device, property and a numeric value are required", i)
		}
		if _, ok := byDevice[r.Device]; !ok {
			order = append(order, r.Device)
		}
		byDevice[r.Device] = append(byDevice[r.Device], r)
	}
	var res IngestResult
	var obs []sensors.Observation
	for _, id := range order {
		o, err := a.readingsOf(ctx, id, byDevice[id], &res)
		if err != nil {
			return IngestResult{}, err
		}
		obs = append(obs, o...)
	}
	if len(obs) == 0 {
		return res, nil
	}
	return a.store(ctx, sensors.Batch{Observations: obs}, res)
}

// readingsOf turns one device's readings into observations, counting in
// res what is ignored or quarantined.
func (a *App) readingsOf(ctx context.Context, id string, rs []Reading, res *IngestResult) ([]sensors.Observation, error) {
	d, err := a.device(ctx, id)
	if errs.Is(err, errs.NotFound) {
		raw, _ := json.Marshal(rs)
		res.Quarantined += len(rs)
		return nil, a.QuarantineRaw(ctx, "http", id, raw, "unknown device")
	} else if err != nil {
		return nil, err
	}
	obs := make([]sensors.Observation, 0, len(rs))
	for _, r := range rs {
		pr, ok := d.Property(r.Property)
		if !ok {
			res.Ignored++
			continue
		}
		when := r.Time
		if when.IsZero() {
			when = a.Now()
		}
		o := sensors.Observation{Device: d.ID, Property: pr.Name, Time: when.UTC(), Value: *r.Value}
		a.flag(&o, pr)
		obs = append(obs, o)
	}
	return obs, nil
}
