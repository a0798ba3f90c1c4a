package app_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
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
