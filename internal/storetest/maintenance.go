package storetest

import (
	"reflect"
	"testing"
	"time"

	"github.com/socle/socle/internal/errs"
	"github.com/socle/socle/internal/maintenance"
)

// runMaintenance runs the conformance tests of maintenance.Store: work
// orders with their history, webhooks and their delivery outbox.
func runMaintenance(t *testing.T, fresh func(t *testing.T) Store) {
	for _, tc := range []struct {
		name string
		fn   func(t *testing.T, s Store)
	}{
		{"a work order is created from an alert, found with its history, and unknown ones are not found", testCreateWorkOrder},
		{"a work order moves forward with its history, then is final", testWorkOrderLifecycle},
		{"work orders list newest first by device and status, at most limit, without history", testWorkOrdersList},
		{"webhooks are created, listed and deleted, failing their pending deliveries", testWebhooks},
		{"deliveries are enqueued per interested webhook, come due, retry and are logged newest first", testDeliveries},
	} {
		t.Run(tc.name, func(t *testing.T) { tc.fn(t, fresh(t)) })
	}
}

func newWorkOrder(t *testing.T, s Store, device string, at time.Time) *maintenance.WorkOrder {
	t.Helper()
	w := &maintenance.WorkOrder{Device: device, Title: "Vérifier le compteur", Priority: maintenance.PriorityHigh,
		Status: maintenance.StatusOpen, CreatedAt: at, CreatedBy: "alice"}
	must(t, s.CreateWorkOrder(ctx, w))
	return w
}

func testCreateWorkOrder(t *testing.T, s Store) {
	must(t, s.PutRule(ctx, flowRule("flow-high")))
	a, _ := openFlowAlert(t, s, "wm-1", ts("2026-03-01T08:10:00Z"))
	due := day(2026, time.March, 3)
	w := &maintenance.WorkOrder{Device: "wm-1", AlertID: &a.ID, Title: "Fuite probable", Description: "Débit de nuit anormal",
		Priority: maintenance.PriorityUrgent, Status: maintenance.StatusAssigned, Assignee: "bob", Due: &due,
		CreatedAt: ts("2026-03-01T08:15:00.123456Z"), CreatedBy: "alice"}
	must(t, s.CreateWorkOrder(ctx, w))
	if w.ID == 0 {
		t.Fatal("no ID set")
	}
	got, err := s.WorkOrder(ctx, w.ID)
	must(t, err)
	if !reflect.DeepEqual(got, w) {
		t.Errorf("work order\n got %+v\nwant %+v", got, w)
	}
	_, err = s.WorkOrder(ctx, w.ID+100)
	wantKind(t, err, errs.NotFound)
	missing := int64(9999)
	err = s.CreateWorkOrder(ctx, &maintenance.WorkOrder{Device: "wm-1", AlertID: &missing, Title: "x", Priority: "normal", Status: "open", CreatedBy: "alice"})
	wantKind(t, err, errs.NotFound)
}

func testWorkOrderLifecycle(t *testing.T, s Store) {
	w := newWorkOrder(t, s, "wm-1", ts("2026-03-01T08:00:00Z"))
	bob := "bob"
	got, err := s.UpdateWorkOrder(ctx, w.ID, maintenance.Update{Assignee: &bob, At: ts("2026-03-01T09:00:00Z"), Actor: "alice"})
	must(t, err)
	if got.Status != maintenance.StatusAssigned || got.Assignee != "bob" || !got.UpdatedAt.Equal(ts("2026-03-01T09:00:00Z")) {
		t.Errorf("after assign: %+v", got)
	}
	_, err = s.UpdateWorkOrder(ctx, w.ID, maintenance.Update{Status: maintenance.StatusOpen, At: ts("2026-03-01T09:30:00Z"), Actor: "bob"})
	wantKind(t, err, errs.Conflict)
	must(t, s.CommentWorkOrder(ctx, w.ID, maintenance.Event{At: ts("2026-03-01T10:00:00Z"), Actor: "bob", Note: "Sur place"}))
	got, err = s.UpdateWorkOrder(ctx, w.ID, maintenance.Update{Status: maintenance.StatusDone, At: ts("2026-03-01T11:00:00Z"), Actor: "bob"})
	must(t, err)
	var actions []string
	for _, e := range got.History {
		actions = append(actions, e.Action+":"+e.Note)
	}
	want := []string{"create:Vérifier le compteur", "assign:bob", "status:assigned", "comment:Sur place", "status:done"}
	if !reflect.DeepEqual(actions, want) {
		t.Errorf("history %v, want %v", actions, want)
	}
	_, err = s.UpdateWorkOrder(ctx, w.ID, maintenance.Update{Status: maintenance.StatusCancelled, At: ts("2026-03-01T12:00:00Z"), Actor: "bob"})
	wantKind(t, err, errs.Conflict)
	_, err = s.UpdateWorkOrder(ctx, w.ID+1, maintenance.Update{Status: maintenance.StatusDone})
	wantKind(t, err, errs.NotFound)
	wantKind(t, s.CommentWorkOrder(ctx, w.ID+1, maintenance.Event{Actor: "bob", Note: "?"}), errs.NotFound)
}

func testWorkOrdersList(t *testing.T, s Store) {
	a := newWorkOrder(t, s, "wm-1", ts("2026-03-01T08:00:00Z"))
	b := newWorkOrder(t, s, "wm-2", ts("2026-03-01T09:00:00Z"))
	c := newWorkOrder(t, s, "wm-1", ts("2026-03-01T10:00:00Z"))
	_, err := s.UpdateWorkOrder(ctx, c.ID, maintenance.Update{Status: maintenance.StatusDone, At: ts("2026-03-01T11:00:00Z"), Actor: "bob"})
	must(t, err)
	for _, tc := range []struct {
		name string
		f    maintenance.Filter
		want []int64
	}{
		{"all", maintenance.Filter{Limit: -1}, []int64{c.ID, b.ID, a.ID}},
		{"by device", maintenance.Filter{Device: "wm-1", Limit: 10}, []int64{c.ID, a.ID}},
		{"by status", maintenance.Filter{Status: maintenance.StatusOpen, Limit: 10}, []int64{b.ID, a.ID}},
		{"at most limit", maintenance.Filter{Limit: 1}, []int64{c.ID}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			list, err := s.WorkOrders(ctx, tc.f)
			must(t, err)
			var ids []int64
			for _, w := range list {
				ids = append(ids, w.ID)
				if w.History != nil {
					t.Errorf("work order %d listed with its history", w.ID)
				}
			}
			if !reflect.DeepEqual(ids, tc.want) {
				t.Errorf("ids %v, want %v", ids, tc.want)
			}
		})
	}
}

func newWebhook(t *testing.T, s Store, events ...string) *maintenance.Webhook {
	t.Helper()
	h := &maintenance.Webhook{URL: "https://example.org/hook", Secret: "whsec_abcdef", Events: events,
		CreatedAt: ts("2026-03-01T08:00:00Z"), CreatedBy: "admin"}
	must(t, s.CreateWebhook(ctx, h))
	return h
}

func testWebhooks(t *testing.T, s Store) {
	a := newWebhook(t, s, maintenance.EventAlertOpened)
	b := newWebhook(t, s, maintenance.EventWorkOrderAll)
	list, err := s.Webhooks(ctx)
	must(t, err)
	if len(list) != 2 || !reflect.DeepEqual(list[0], a) || !reflect.DeepEqual(list[1], b) {
		t.Fatalf("webhooks %+v, want %+v and %+v", list, a, b)
	}
	n, err := s.EnqueueDelivery(ctx, maintenance.EventAlertOpened, []byte(`{"id":1}`), ts("2026-03-01T09:00:00Z"))
	must(t, err)
	if n != 1 {
		t.Fatalf("enqueued %d deliveries, want 1", n)
	}
	must(t, s.DeleteWebhook(ctx, a.ID))
	wantKind(t, s.DeleteWebhook(ctx, a.ID), errs.NotFound)
	list, err = s.Webhooks(ctx)
	must(t, err)
	if len(list) != 1 || list[0].ID != b.ID {
		t.Errorf("after delete: %+v", list)
	}
	due, err := s.DueDeliveries(ctx, ts("2026-03-01T10:00:00Z"), 10)
	must(t, err)
	if len(due) != 0 {
		t.Errorf("a deleted webhook's delivery is still due: %+v", due[0])
	}
	log, err := s.Deliveries(ctx, a.ID, 10)
	must(t, err)
	if len(log) != 1 || log[0].Status != maintenance.DeliveryFailed {
		t.Errorf("the deleted webhook's log %+v", log)
	}
}

func testDeliveries(t *testing.T, s Store) {
	h := newWebhook(t, s, maintenance.EventAlertOpened, maintenance.EventAlertResolved)
	newWebhook(t, s, maintenance.EventWorkOrderAll)
	at := ts("2026-03-01T09:00:00Z")
	for i, ev := range []string{maintenance.EventAlertOpened, maintenance.EventAlertUpdated, maintenance.EventAlertResolved} {
		_, err := s.EnqueueDelivery(ctx, ev, []byte(`{"n":`+string(rune('0'+i))+`}`), at.Add(time.Duration(i)*time.Second))
		must(t, err)
	}
	due, err := s.DueDeliveries(ctx, at, 10)
	must(t, err)
	if len(due) != 1 || due[0].Event != maintenance.EventAlertOpened || string(due[0].Body) != `{"n":0}` || due[0].Webhook != h.ID {
		t.Fatalf("due at %v: %+v", at, due)
	}
	retry := at.Add(time.Minute)
	must(t, s.RecordAttempt(ctx, due[0].ID, maintenance.Attempt{At: at, Code: 500, Error: "HTTP 500", NextAt: &retry}))
	due, err = s.DueDeliveries(ctx, at.Add(30*time.Second), 10)
	must(t, err)
	if len(due) != 1 || due[0].Event != maintenance.EventAlertResolved {
		t.Fatalf("due before the retry: %+v", due)
	}
	must(t, s.RecordAttempt(ctx, due[0].ID, maintenance.Attempt{At: at.Add(30 * time.Second), Code: 204, OK: true}))
	due, err = s.DueDeliveries(ctx, retry, 10)
	must(t, err)
	if len(due) != 1 || due[0].Attempts != 1 || due[0].LastCode != 500 {
		t.Fatalf("due at the retry: %+v", due)
	}
	must(t, s.RecordAttempt(ctx, due[0].ID, maintenance.Attempt{At: retry, Error: "timeout"}))
	wantKind(t, s.RecordAttempt(ctx, due[0].ID, maintenance.Attempt{At: retry, OK: true}), errs.NotFound)
	log, err := s.Deliveries(ctx, h.ID, 10)
	must(t, err)
	var got []string
	for _, d := range log {
		got = append(got, d.Event+":"+d.Status)
	}
	want := []string{"alert.resolved:delivered", "alert.opened:failed"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("log %v, want %v", got, want)
	}
	if log[0].DeliveredAt == nil || !log[0].DeliveredAt.Equal(at.Add(30*time.Second)) || log[1].Attempts != 2 {
		t.Errorf("log details %+v %+v", log[0], log[1])
	}
	_, err = s.Deliveries(ctx, 9999, 10)
	wantKind(t, err, errs.NotFound)
}
