package storetest

import (
	"fmt"
	"reflect"
	"sync"
	"testing"
	"time"

	"github.com/socle/socle/internal/alerts"
	"github.com/socle/socle/internal/errs"
)

// flowRule is a threshold rule on the flow of water meters.
func flowRule(id string) *alerts.Rule {
	return &alerts.Rule{ID: id, Name: "Débit fort", Kind: alerts.KindThreshold, Domain: "water", DeviceType: "WaterMeter",
		Property: "flow", Op: ">", Threshold: 500, Hysteresis: 50, For: alerts.Duration(10 * time.Minute),
		Severity: alerts.SeverityCritical, Enabled: true}
}

func testRules(t *testing.T, s Store) {
	r := flowRule("flow-high")
	must(t, s.PutRule(ctx, r))
	silence := &alerts.Rule{ID: "a-offline", Name: "Hors ligne", Kind: alerts.KindSilence, Periods: 3, Severity: alerts.SeverityWarning, Enabled: true}
	must(t, s.PutRule(ctx, silence))
	got, err := s.Rule(ctx, "flow-high")
	must(t, err)
	if !reflect.DeepEqual(got, r) {
		t.Errorf("rule %+v, want %+v", got, r)
	}
	changed := *r
	changed.Threshold, changed.Enabled = 600, false
	must(t, s.PutRule(ctx, &changed))
	rules, err := s.Rules(ctx)
	must(t, err)
	if len(rules) != 2 || rules[0].ID != "a-offline" || !reflect.DeepEqual(rules[1], &changed) {
		t.Errorf("rules %+v, want a-offline then the replaced flow-high", rules)
	}
	_, err = s.Rule(ctx, "unknown")
	wantKind(t, err, errs.NotFound)
}

// openFlowAlert opens an alert of rule flow-high on device.
func openFlowAlert(t *testing.T, s Store, device string, at time.Time) (*alerts.Alert, bool) {
	t.Helper()
	a := &alerts.Alert{RuleID: "flow-high", Device: device, Severity: alerts.SeverityCritical, OpenedAt: at, Value: 620,
		Message: "Débit 620 m3/h au-dessus du seuil 500 depuis 10 min"}
	created, err := s.OpenAlert(ctx, a)
	must(t, err)
	return a, created
}

func testOpenAlert(t *testing.T, s Store) {
	must(t, s.PutRule(ctx, flowRule("flow-high")))
	opened := ts("2026-03-01T08:10:00Z")
	a, created := openFlowAlert(t, s, "wm-1", opened)
	if !created || a.ID == 0 || a.Status != alerts.StatusOpen {
		t.Fatalf("first open: created %v, %+v", created, a)
	}
	got, err := s.Alert(ctx, a.ID)
	must(t, err)
	want := alerts.Alert{ID: a.ID, RuleID: "flow-high", Device: "wm-1", Status: alerts.StatusOpen, Severity: alerts.SeverityCritical,
		OpenedAt: opened, Value: 620, Message: a.Message,
		History: []alerts.Event{{At: opened, Actor: alerts.SystemActor, Action: alerts.ActionOpen, Note: a.Message}}}
	if !reflect.DeepEqual(*got, want) || !sameValue(got.OpenedAt, opened) {
		t.Errorf("stored alert\n%+v, want\n%+v", *got, want)
	}

	again, created := openFlowAlert(t, s, "wm-1", opened.Add(time.Minute))
	if created || again.ID != a.ID || !again.OpenedAt.Equal(opened) {
		t.Errorf("second open of the same rule and device: created %v, %+v; want the first alert", created, again)
	}
	other, created := openFlowAlert(t, s, "wm-2", opened)
	if !created || other.ID == a.ID {
		t.Errorf("another device: created %v, id %d", created, other.ID)
	}
	_, err = s.OpenAlert(ctx, &alerts.Alert{RuleID: "no-such-rule", Device: "wm-1", Severity: alerts.SeverityInfo, OpenedAt: opened})
	wantKind(t, err, errs.NotFound)

	// Once resolved, the next occurrence is a new alert.
	_, err = s.UpdateAlert(ctx, a.ID, alerts.Update{Status: alerts.StatusResolved,
		Event: alerts.Event{At: opened.Add(time.Hour), Actor: alerts.SystemActor, Action: alerts.ActionResolve}})
	must(t, err)
	next, created := openFlowAlert(t, s, "wm-1", opened.Add(2*time.Hour))
	if !created || next.ID == a.ID {
		t.Errorf("open after resolve: created %v, id %d (resolved one %d)", created, next.ID, a.ID)
	}
}

func testOpenAlertConcurrently(t *testing.T, s Store) {
	must(t, s.PutRule(ctx, flowRule("flow-high")))
	const n = 8
	var wg sync.WaitGroup
	ids := make([]int64, n)
	createdCount := make([]bool, n)
	errc := make(chan error, n)
	for i := range n {
		wg.Go(func() {
			a := &alerts.Alert{RuleID: "flow-high", Device: "wm-1", Severity: alerts.SeverityWarning, OpenedAt: ts("2026-03-01T08:00:00Z"), Message: fmt.Sprint(i)}
			created, err := s.OpenAlert(ctx, a)
			if err != nil {
				errc <- err
				return
			}
			ids[i], createdCount[i] = a.ID, created
		})
	}
	wg.Wait()
	close(errc)
	for err := range errc {
		t.Fatal(err)
	}
	created := 0
	for i := range n {
		if createdCount[i] {
			created++
		}
		if ids[i] != ids[0] {
			t.Errorf("concurrent opens got IDs %v, want one", ids)
			break
		}
	}
	if created != 1 {
		t.Errorf("%d of %d concurrent opens created an alert, want 1", created, n)
	}
	list, err := s.Alerts(ctx, alerts.Filter{Limit: -1})
	must(t, err)
	if len(list) != 1 {
		t.Errorf("%d alerts stored, want 1", len(list))
	}
}

func testAlertLifecycle(t *testing.T, s Store) {
	must(t, s.PutRule(ctx, flowRule("flow-high")))
	opened := ts("2026-03-01T08:10:00Z")
	a, _ := openFlowAlert(t, s, "wm-1", opened)
	acked := opened.Add(5 * time.Minute)
	got, err := s.UpdateAlert(ctx, a.ID, alerts.Update{Status: alerts.StatusAcknowledged,
		Event: alerts.Event{At: acked, Actor: "agent", Action: alerts.ActionAck}})
	must(t, err)
	if got.Status != alerts.StatusAcknowledged || got.AckedAt == nil || !sameValue(*got.AckedAt, acked) || got.ResolvedAt != nil {
		t.Errorf("after ack: %+v", got)
	}
	_, err = s.UpdateAlert(ctx, a.ID, alerts.Update{Status: alerts.StatusAcknowledged, Event: alerts.Event{At: acked, Actor: "agent", Action: alerts.ActionAck}})
	wantKind(t, err, errs.Conflict)

	who := "plombier"
	_, err = s.UpdateAlert(ctx, a.ID, alerts.Update{Assignee: &who, Event: alerts.Event{At: acked.Add(time.Minute), Actor: "agent", Action: alerts.ActionAssign, Note: who}})
	must(t, err)
	must(t, s.AddComment(ctx, a.ID, alerts.Event{At: acked.Add(2 * time.Minute), Actor: who, Note: "Vanne fermée, intervention à 14 h"}))
	resolved := acked.Add(time.Hour)
	v := 400.0
	got, err = s.UpdateAlert(ctx, a.ID, alerts.Update{Status: alerts.StatusResolved, Value: &v,
		Event: alerts.Event{At: resolved, Actor: alerts.SystemActor, Action: alerts.ActionResolve, Note: "400"}})
	must(t, err)
	if got.Status != alerts.StatusResolved || got.Assignee != who || got.Value != 400 || got.ResolvedAt == nil || !sameValue(*got.ResolvedAt, resolved) {
		t.Errorf("after resolve: %+v", got)
	}
	var actions []string
	for _, e := range got.History {
		actions = append(actions, e.Actor+":"+e.Action)
	}
	if want := []string{"system:open", "agent:ack", "agent:assign", "plombier:comment", "system:resolve"}; !reflect.DeepEqual(actions, want) {
		t.Errorf("history %v, want %v", actions, want)
	}
	if c := got.History[3]; c.Note != "Vanne fermée, intervention à 14 h" || !sameValue(c.At, acked.Add(2*time.Minute)) {
		t.Errorf("comment %+v", c)
	}

	// A resolved alert is final; unknown alerts are not found.
	_, err = s.UpdateAlert(ctx, a.ID, alerts.Update{Assignee: &who, Event: alerts.Event{Actor: "agent", Action: alerts.ActionAssign}})
	wantKind(t, err, errs.Conflict)
	_, err = s.UpdateAlert(ctx, a.ID+100, alerts.Update{Status: alerts.StatusResolved, Event: alerts.Event{Actor: "agent", Action: alerts.ActionResolve}})
	wantKind(t, err, errs.NotFound)
	wantKind(t, s.AddComment(ctx, a.ID+100, alerts.Event{Actor: "agent", Note: "?"}), errs.NotFound)
	_, err = s.Alert(ctx, a.ID+100)
	wantKind(t, err, errs.NotFound)
	again, err := s.Alert(ctx, a.ID)
	must(t, err)
	if len(again.History) != 5 {
		t.Errorf("refused updates changed the history: %+v", again.History)
	}
}

func testAlertsList(t *testing.T, s Store) {
	must(t, s.PutRule(ctx, flowRule("flow-high")))
	must(t, s.PutRule(ctx, flowRule("flow-very-high")))
	base := ts("2026-03-01T08:00:00Z")
	var ids []int64
	for i, dev := range []string{"wm-1", "wm-2", "wm-3"} {
		a, _ := openFlowAlert(t, s, dev, base.Add(time.Duration(i)*time.Hour))
		ids = append(ids, a.ID)
	}
	// Same opening time as wm-3's: the higher ID comes first.
	late := &alerts.Alert{RuleID: "flow-very-high", Device: "wm-1", Severity: alerts.SeverityCritical, OpenedAt: base.Add(2 * time.Hour), Message: "m"}
	_, err := s.OpenAlert(ctx, late)
	must(t, err)
	_, err = s.UpdateAlert(ctx, ids[1], alerts.Update{Status: alerts.StatusAcknowledged, Event: alerts.Event{Actor: "agent", Action: alerts.ActionAck}})
	must(t, err)
	for _, tc := range []struct {
		name string
		f    alerts.Filter
		want []int64
	}{
		{"every alert, newest first", alerts.Filter{Limit: -1}, []int64{late.ID, ids[2], ids[1], ids[0]}},
		{"open ones", alerts.Filter{Status: alerts.StatusOpen, Limit: 10}, []int64{late.ID, ids[2], ids[0]}},
		{"acknowledged ones", alerts.Filter{Status: alerts.StatusAcknowledged, Limit: 10}, []int64{ids[1]}},
		{"resolved ones: none", alerts.Filter{Status: alerts.StatusResolved, Limit: 10}, nil},
		{"one device", alerts.Filter{Device: "wm-1", Limit: 10}, []int64{late.ID, ids[0]}},
		{"one device and rule", alerts.Filter{Device: "wm-1", RuleID: "flow-high", Limit: 10}, []int64{ids[0]}},
		{"at most limit", alerts.Filter{Limit: 2}, []int64{late.ID, ids[2]}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			list, err := s.Alerts(ctx, tc.f)
			must(t, err)
			var got []int64
			for _, a := range list {
				got = append(got, a.ID)
				if a.History != nil {
					t.Errorf("alert %d listed with its history", a.ID)
				}
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("got %v, want %v", got, tc.want)
			}
		})
	}
}
