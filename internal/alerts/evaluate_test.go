package alerts

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/socle/socle/internal/errs"
	"github.com/socle/socle/internal/sensors"
)

var t0 = time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC)

// step is one observation (minutes after t0, value) and the action it must
// produce.
type step struct {
	min  int
	v    float64
	want Action
}

func TestEvaluate(t *testing.T) {
	above := &Rule{Kind: KindThreshold, Property: "flow", Op: ">", Threshold: 500, Hysteresis: 50}
	above10 := *above
	above10.For = Duration(10 * time.Minute)
	below := &Rule{Kind: KindThreshold, Property: "pressure", Op: "<", Threshold: 2, Hysteresis: 0.5}
	noBand := &Rule{Kind: KindThreshold, Property: "flow", Op: ">", Threshold: 500}
	for _, tc := range []struct {
		name  string
		rule  *Rule
		steps []step
	}{
		{"a value at the threshold opens nothing", above, []step{{0, 500, None}}},
		{"crossing the threshold opens at once when For is zero", above, []step{{0, 400, None}, {1, 501, Open}}},
		{"a second value beyond the threshold does not open a second alert", above, []step{{0, 620, Open}, {1, 700, None}, {2, 650, None}}},
		{"a value inside the hysteresis band keeps the alert", above, []step{{0, 620, Open}, {1, 499, None}, {2, 451, None}, {3, 460, None}}},
		{"a value at threshold minus hysteresis resolves", above, []step{{0, 620, Open}, {1, 450, Resolve}}},
		{"a value below the band resolves, the next crossing opens again", above, []step{{0, 620, Open}, {1, 400, Resolve}, {2, 420, None}, {3, 501, Open}}},
		{"without hysteresis the threshold itself clears", noBand, []step{{0, 501, Open}, {1, 500, Resolve}}},
		{"For not reached opens nothing", &above10, []step{{0, 600, None}, {5, 600, None}, {9, 600, None}}},
		{"For reached opens", &above10, []step{{0, 600, None}, {5, 650, None}, {10, 600, Open}, {11, 600, None}}},
		{"a dip under the threshold restarts For", &above10, []step{{0, 600, None}, {5, 480, None}, {10, 600, None}, {15, 600, None}, {20, 600, Open}}},
		{"a dip inside the band, under the threshold, also restarts For", &above10, []step{{0, 600, None}, {9, 470, None}, {12, 600, None}, {21, 600, None}, {22, 600, Open}}},
		{"clearing after For-opening resolves and forgets the pending time", &above10, []step{{0, 600, None}, {10, 600, Open}, {11, 300, Resolve}, {12, 600, None}, {21, 600, None}, {22, 600, Open}}},
		{"a late observation changes nothing", above, []step{{5, 400, None}, {4, 900, None}, {5, 900, None}, {6, 900, Open}}},
		{"a late clearing value does not resolve", above, []step{{5, 900, Open}, {3, 0, None}, {6, 460, None}, {7, 449, Resolve}}},
		{"below: crossing down opens", below, []step{{0, 2.5, None}, {1, 1.9, Open}}},
		{"below: the band keeps the alert", below, []step{{0, 1.9, Open}, {1, 2.4, None}}},
		{"below: threshold plus hysteresis resolves", below, []step{{0, 1.9, Open}, {1, 2.5, Resolve}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var s State
			for i, st := range tc.steps {
				o := sensors.Observation{Time: t0.Add(time.Duration(st.min) * time.Minute), Value: st.v}
				d := Evaluate(tc.rule, s, o)
				if d.Action != st.want {
					t.Fatalf("step %d (%d min, %v): action %d, want %d (state before %+v)", i, st.min, st.v, d.Action, st.want, s)
				}
				s = d.Next
			}
		})
	}
}

func TestEvaluateHeld(t *testing.T) {
	r := &Rule{Kind: KindThreshold, Property: "flow", Op: ">", Threshold: 500, For: Duration(10 * time.Minute)}
	s := Evaluate(r, State{}, sensors.Observation{Time: t0, Value: 600}).Next
	d := Evaluate(r, s, sensors.Observation{Time: t0.Add(12 * time.Minute), Value: 620})
	if d.Action != Open || d.Held != 12*time.Minute {
		t.Fatalf("got %+v, want Open after 12 min", d)
	}
	if got, want := ThresholdMessage(r, "m3/h", 620, d.Held), "Débit 620 m3/h au-dessus du seuil 500 depuis 12 min"; got != want {
		t.Errorf("message %q, want %q", got, want)
	}
}

func TestMessages(t *testing.T) {
	below := &Rule{Property: "pressure", Op: "<", Threshold: 2.5}
	for _, tc := range []struct{ got, want string }{
		{ThresholdMessage(below, "bar", 1.75, 0), "Pression 1,75 bar en dessous du seuil 2,5"},
		{ThresholdMessage(&Rule{Property: "x_custom", Op: ">", Threshold: 1}, "", 3, 3*time.Hour+5*time.Minute), "x_custom 3 au-dessus du seuil 1 depuis 3 h 5 min"},
		{SilenceMessage(&Rule{Periods: 3}, &sensors.Device{PeriodSeconds: 600}, 45*time.Minute), "Capteur hors ligne : aucune donnée depuis 45 min (3 périodes de 10 min attendues)"},
		{span(72 * time.Hour), "3 j"},
		{span(30 * time.Second), "30 s"},
	} {
		if tc.got != tc.want {
			t.Errorf("got %q, want %q", tc.got, tc.want)
		}
	}
}

func TestSilent(t *testing.T) {
	r := &Rule{Kind: KindSilence, Periods: 3}
	dev := func(period int, status string) *sensors.Device {
		return &sensors.Device{PeriodSeconds: period, Status: status}
	}
	for _, tc := range []struct {
		name string
		d    *sensors.Device
		ago  time.Duration
		want bool
	}{
		{"data within the periods: online", dev(600, sensors.StatusActive), 29 * time.Minute, false},
		{"exactly the periods: online", dev(600, sensors.StatusActive), 30 * time.Minute, false},
		{"beyond the periods: offline", dev(600, sensors.StatusActive), 31 * time.Minute, true},
		{"no declared period: never offline", dev(0, sensors.StatusActive), 1000 * time.Hour, false},
		{"in maintenance: never offline", dev(600, sensors.StatusMaintenance), 1000 * time.Hour, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got, _ := Silent(r, tc.d, t0.Add(-tc.ago), t0); got != tc.want {
				t.Errorf("Silent = %v, want %v", got, tc.want)
			}
		})
	}
}

func TestCanMove(t *testing.T) {
	all := []string{StatusOpen, StatusAcknowledged, StatusResolved}
	allowed := map[[2]string]bool{
		{StatusOpen, StatusAcknowledged}: true, {StatusOpen, StatusResolved}: true, {StatusAcknowledged, StatusResolved}: true,
	}
	for _, from := range all {
		for _, to := range all {
			if got := CanMove(from, to); got != allowed[[2]string{from, to}] {
				t.Errorf("CanMove(%s, %s) = %v", from, to, got)
			}
		}
	}
}

func TestRuleValidate(t *testing.T) {
	ok := Rule{ID: "flow-high", Name: "Débit fort", Kind: KindThreshold, Property: "flow", Op: ">", Threshold: 500}
	for _, tc := range []struct {
		name   string
		change func(r *Rule)
		valid  bool
	}{
		{"a complete threshold rule is valid and defaults to warning", func(r *Rule) {}, true},
		{"a silence rule needs periods", func(r *Rule) { r.Kind = KindSilence }, false},
		{"a silence rule with periods is valid", func(r *Rule) { r.Kind, r.Periods = KindSilence, 3 }, true},
		{"an upper-case ID is refused", func(r *Rule) { r.ID = "Flow" }, false},
		{"an unknown op is refused", func(r *Rule) { r.Op = ">=" }, false},
		{"an unknown kind is refused", func(r *Rule) { r.Kind = "rate" }, false},
		{"an unknown severity is refused", func(r *Rule) { r.Severity = "fatal" }, false},
		{"an unknown domain is refused", func(r *Rule) { r.Domain = "space" }, false},
		{"a negative hysteresis is refused", func(r *Rule) { r.Hysteresis = -1 }, false},
		{"a rule without name is refused", func(r *Rule) { r.Name = " " }, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := ok
			tc.change(&r)
			err := r.Validate()
			if tc.valid && err != nil {
				t.Fatalf("refused: %v", err)
			}
			if !tc.valid && errs.KindOf(err) != errs.Invalid {
				t.Fatalf("got %v, want Invalid", err)
			}
			if tc.valid && r.Severity != SeverityWarning {
				t.Errorf("severity %q, want the default warning", r.Severity)
			}
		})
	}
}

func TestRuleJSON(t *testing.T) {
	var r Rule
	if err := json.Unmarshal([]byte(`{"id":"a","for":"10m"}`), &r); err != nil || r.For != Duration(10*time.Minute) {
		t.Fatalf("for \"10m\": %v %v", r.For, err)
	}
	if err := json.Unmarshal([]byte(`{"id":"a","for":90}`), &r); err != nil || r.For != Duration(90*time.Second) {
		t.Fatalf("for 90: %v %v", r.For, err)
	}
	if err := json.Unmarshal([]byte(`{"for":"soon"}`), &r); err == nil {
		t.Fatal("for \"soon\" accepted")
	}
	b, _ := json.Marshal(Rule{For: Duration(10 * time.Minute)})
	if !strings.Contains(string(b), `"for":"10m0s"`) {
		t.Errorf("marshal: %s", b)
	}
}

func TestApplies(t *testing.T) {
	d := &sensors.Device{ID: "m1", Type: "WaterMeter", Domain: "water"}
	for _, tc := range []struct {
		r    Rule
		want bool
	}{
		{Rule{}, true},
		{Rule{Domain: "water"}, true},
		{Rule{Domain: "water", DeviceType: "WaterMeter", Device: "m1"}, true},
		{Rule{Domain: "air"}, false},
		{Rule{DeviceType: "Valve"}, false},
		{Rule{Domain: "water", Device: "m2"}, false},
	} {
		if got := tc.r.Applies(d); got != tc.want {
			t.Errorf("%+v applies: %v, want %v", tc.r, got, tc.want)
		}
	}
}
