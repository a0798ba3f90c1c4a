package maintenance

import (
	"testing"
	"time"

	"github.com/socle/socle/internal/errs"
)

func TestCanMove(t *testing.T) {
	for _, tc := range []struct {
		from, to string
		want     bool
	}{
		{StatusOpen, StatusAssigned, true},
		{StatusOpen, StatusInProgress, true},
		{StatusAssigned, StatusDone, true},
		{StatusInProgress, StatusCancelled, true},
		{StatusAssigned, StatusOpen, false},
		{StatusOpen, StatusOpen, false},
		{StatusDone, StatusCancelled, false},
		{StatusCancelled, StatusOpen, false},
		{StatusOpen, "lost", false},
	} {
		name := "moves"
		if !tc.want {
			name = "refused"
		}
		t.Run(tc.from+" to "+tc.to+" "+name, func(t *testing.T) {
			if got := CanMove(tc.from, tc.to); got != tc.want {
				t.Errorf("CanMove(%s, %s) = %v", tc.from, tc.to, got)
			}
		})
	}
}

func TestApply(t *testing.T) {
	at := time.Date(2026, 5, 1, 8, 0, 0, 0, time.UTC)
	bob := "bob"
	for _, tc := range []struct {
		name       string
		status     string
		u          Update
		wantStatus string
		wantEvents int
		wantErr    errs.Kind // Internal: no error
	}{
		{"assigning an open order makes it assigned", StatusOpen, Update{Assignee: &bob}, StatusAssigned, 2, errs.Internal},
		{"starting an assigned order moves it", StatusAssigned, Update{Status: StatusInProgress}, StatusInProgress, 1, errs.Internal},
		{"the same status changes nothing", StatusAssigned, Update{Status: StatusAssigned}, StatusAssigned, 0, errs.Internal},
		{"going back is a conflict", StatusInProgress, Update{Status: StatusOpen}, "", 0, errs.Conflict},
		{"a done order is final", StatusDone, Update{Assignee: &bob}, "", 0, errs.Conflict},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := &WorkOrder{ID: 1, Status: tc.status}
			tc.u.At, tc.u.Actor = at, "alice"
			evs, err := Apply(w, tc.u)
			if tc.wantErr != errs.Internal {
				if errs.KindOf(err) != tc.wantErr {
					t.Fatalf("got %v, want %s", err, tc.wantErr)
				}
				return
			}
			if err != nil || w.Status != tc.wantStatus || len(evs) != tc.wantEvents {
				t.Fatalf("got %v, status %s, %d events; want %s, %d events", err, w.Status, len(evs), tc.wantStatus, tc.wantEvents)
			}
		})
	}
}

func TestWebhookValidate(t *testing.T) {
	for _, tc := range []struct {
		name string
		h    Webhook
		ok   bool
	}{
		{"an https URL with known events is valid", Webhook{URL: "https://example.org/hook", Events: []string{EventAlertOpened, EventWorkOrderAll}}, true},
		{"a file URL is refused", Webhook{URL: "file:///etc/passwd", Events: []string{EventAlertOpened}}, false},
		{"a relative URL is refused", Webhook{URL: "/hook", Events: []string{EventAlertOpened}}, false},
		{"credentials in the URL are refused", Webhook{URL: "https://a:b@example.org/", Events: []string{EventAlertOpened}}, false},
		{"no event is refused", Webhook{URL: "https://example.org/"}, false},
		{"an unknown event is refused", Webhook{URL: "https://example.org/", Events: []string{"device.deleted"}}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if err := tc.h.Validate(); (err == nil) != tc.ok {
				t.Errorf("Validate() = %v", err)
			}
		})
	}
	h := Webhook{Events: []string{EventWorkOrderAll}, Secret: "whsec_0123456789"}
	if !h.Wants(EventWorkOrderUpdated) || h.Wants(EventAlertOpened) {
		t.Errorf("workorder.* filter wants the wrong events")
	}
	if got := h.Masked().Secret; got != "…6789" {
		t.Errorf("masked secret %q", got)
	}
}
