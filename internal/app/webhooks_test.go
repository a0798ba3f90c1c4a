package app_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/socle/socle/internal/app"
	"github.com/socle/socle/internal/auth"
	"github.com/socle/socle/internal/catalog"
	"github.com/socle/socle/internal/errs"
	"github.com/socle/socle/internal/maintenance"
)

// received is one request a test endpoint got.
type received struct {
	header http.Header
	body   []byte
}

func TestWebhookDeliversSignedAlertEvents(t *testing.T) {
	a, _ := alertSite(t)
	ctx := context.Background()
	got := make(chan received, 10)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		got <- received{r.Header.Clone(), b}
		w.WriteHeader(http.StatusNoContent)
	}))
	defer srv.Close()
	agent := auth.Principal{User: &auth.User{Login: "agent", Role: auth.RoleAgent}, OrgKind: catalog.OrgMetropolis}
	h := &maintenance.Webhook{URL: srv.URL + "/hook", Events: []string{maintenance.EventAlertOpened}}
	if err := a.CreateWebhook(ctx, agent, h); errs.KindOf(err) != errs.NotFound {
		t.Fatalf("an agent registered a webhook: %v", err)
	}
	if err := a.CreateWebhook(ctx, app.System, h); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(h.Secret, "whsec_") || len(h.Secret) != 70 {
		t.Fatalf("secret %q", h.Secret)
	}
	list, err := a.Webhooks(ctx, app.System)
	if err != nil || len(list) != 1 || strings.Contains(list[0].Secret, h.Secret[:20]) {
		t.Fatalf("listing %v shows the secret: %+v", err, list)
	}
	stop := a.StartWebhooks()
	defer stop()
	feed(t, a, 0, 600)
	feed(t, a, 10, 620)
	select {
	case r := <-got:
		ts := r.header.Get("X-Socle-Timestamp")
		if want := maintenance.Signature(h.Secret, ts, r.body); r.header.Get("X-Socle-Signature") != want {
			t.Errorf("signature %q, want %q", r.header.Get("X-Socle-Signature"), want)
		}
		var p struct {
			Event string                  `json:"event"`
			Data  struct{ Device string } `json:"data"`
		}
		if err := json.Unmarshal(r.body, &p); err != nil || p.Event != "alert.opened" || p.Data.Device != "m1" ||
			r.header.Get("X-Socle-Event") != "alert.opened" || r.header.Get("X-Socle-Delivery") == "" {
			t.Errorf("delivery %v %s %v", err, r.body, r.header)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("no delivery within 10 s")
	}
}

func TestWebhookDeliversWorkOrderEvents(t *testing.T) {
	a, _ := alertSite(t)
	ctx := context.Background()
	got := make(chan received, 10)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		got <- received{r.Header.Clone(), b}
	}))
	defer srv.Close()
	h := &maintenance.Webhook{URL: srv.URL, Events: []string{maintenance.EventWorkOrderAll}}
	if err := a.CreateWebhook(ctx, app.System, h); err != nil {
		t.Fatal(err)
	}
	stop := a.StartWebhooks()
	defer stop()
	w := &maintenance.WorkOrder{Device: "m1", Title: "Relever le compteur"}
	if err := a.CreateWorkOrder(ctx, app.System, w); err != nil {
		t.Fatal(err)
	}
	if _, err := a.UpdateWorkOrder(ctx, app.System, w.ID, maintenance.StatusCancelled, nil); err != nil {
		t.Fatal(err)
	}
	events := map[string]bool{}
	for range 2 { // deliveries are concurrent: their order is not promised
		select {
		case r := <-got:
			events[r.header.Get("X-Socle-Event")] = true
			if !strings.Contains(string(r.body), `"title":"Relever le compteur"`) {
				t.Errorf("delivery %s", r.body)
			}
		case <-time.After(10 * time.Second):
			t.Fatalf("deliveries within 10 s: %v", events)
		}
	}
	if !events["workorder.created"] || !events["workorder.updated"] {
		t.Errorf("events %v, want workorder.created and workorder.updated", events)
	}
	deadline := time.Now().Add(5 * time.Second)
	for {
		log, err := a.WebhookDeliveries(ctx, app.System, h.ID, 0)
		if err != nil {
			t.Fatal(err)
		}
		if len(log) == 2 && log[0].Status == maintenance.DeliveryDelivered && log[1].Status == maintenance.DeliveryDelivered {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("delivery log %+v", log)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// A delivery pending when the server stops is sent by the next start:
// the outbox is in the database.
func TestWebhookOutboxSurvivesARestart(t *testing.T) {
	a, path := alertSite(t)
	ctx := context.Background()
	var up atomic.Bool
	got := make(chan string, 10)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !up.Load() {
			got <- "refused"
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		got <- r.Header.Get("X-Socle-Delivery")
	}))
	defer srv.Close()
	h := &maintenance.Webhook{URL: srv.URL, Events: []string{maintenance.EventAlertOpened}}
	if err := a.CreateWebhook(ctx, app.System, h); err != nil {
		t.Fatal(err)
	}
	stop := a.StartWebhooks()
	feed(t, a, 0, 600)
	feed(t, a, 10, 620)
	if r := <-got; r != "refused" {
		t.Fatalf("first attempt: %s", r)
	}
	stop() // the server stops; its App stays open until the test ends, unused

	up.Store(true)
	b := openAt(t, path)
	b.Now = time.Now // the retry comes due in real time
	defer b.StartWebhooks()()
	select {
	case id := <-got:
		if id == "" || id == "refused" {
			t.Errorf("after the restart: %q", id)
		}
	case <-time.After(15 * time.Second):
		t.Fatal("the pending delivery was not sent after the restart")
	}
}
