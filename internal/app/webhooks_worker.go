package app

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"sync"
	"time"

	"github.com/socle/socle/internal/alerts"
	"github.com/socle/socle/internal/errs"
	"github.com/socle/socle/internal/maintenance"
)

// Webhook deliveries. A subscriber to the alert and work order events
// writes each event to the outbox (one pending delivery per interested
// webhook) first; a sender then POSTs the due deliveries, a few at a
// time, and records every attempt: 2xx delivers, anything else (another
// status, a timeout, a refused connection, a redirect, which is never
// followed) retries with exponential backoff until webhookMaxAttempts.
// A delivery pending when the server stops is sent after the restart: at
// least once, so receivers deduplicate on X-Socle-Delivery. The headers
// and the signature are documented in docs/webhooks.md.

// Delivery tuning.
const (
	webhookTimeout     = 10 * time.Second
	webhookMaxAttempts = 8
	webhookBackoff     = 2 * time.Second // the first retry's wait; doubles each time
	webhookMaxBackoff  = 10 * time.Minute
	webhookPoll        = time.Second // how often due retries are looked for
	webhookBatch       = 32          // due deliveries taken at once
	webhookSenders     = 4           // concurrent POSTs
	webhookMaxResponse = 64 << 10    // response bytes read (then dropped)
)

// webhookPayload is the JSON body of a delivery.
type webhookPayload struct {
	Event string    `json:"event"`
	At    time.Time `json:"created_at"`
	Data  any       `json:"data"`
}

// StartWebhooks starts the webhook deliveries; the returned function
// stops them, after the events already published are in the outbox.
func (a *App) StartWebhooks() (stop func()) {
	sub := a.Subscribe(TopicAlert, TopicWorkOrder)
	ctx, cancel := context.WithCancel(context.Background())
	wake := make(chan struct{}, 1)
	client := &http.Client{Timeout: webhookTimeout,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	var wg sync.WaitGroup
	wg.Add(2)
	go func() { defer wg.Done(); a.webhookOutbox(sub, wake) }()
	go func() { defer wg.Done(); a.webhookSender(ctx, client, wake) }()
	return func() {
		sub.Close() // the outbox writer drains what is buffered, then ends
		cancel()
		wg.Wait()
	}
}

// webhookOutbox writes each event to the outbox and wakes the sender.
func (a *App) webhookOutbox(sub *Subscription, wake chan<- struct{}) {
	for e := range sub.C {
		if sub.Lagged() {
			a.Logger.Warn("webhooks fell behind the events: some were not delivered")
		}
		name, ok := webhookEvent(e)
		if !ok {
			continue
		}
		at := a.Now()
		body, err := json.Marshal(webhookPayload{Event: name, At: at, Data: webhookData(e)})
		if err == nil {
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			_, err = a.Store.EnqueueDelivery(ctx, name, body, at)
			cancel()
		}
		if err != nil {
			a.Logger.Error("webhook outbox write failed", "event", name, "err", err)
			continue
		}
		select {
		case wake <- struct{}{}:
		default:
		}
	}
}

// webhookEvent names an event for the webhooks.
func webhookEvent(e Event) (string, bool) {
	switch d := e.Data.(type) {
	case *alerts.Alert:
		switch {
		case d.Status == alerts.StatusResolved:
			return maintenance.EventAlertResolved, true
		case len(d.History) == 1 && d.History[0].Action == alerts.ActionOpen:
			return maintenance.EventAlertOpened, true
		}
		return maintenance.EventAlertUpdated, true
	case WorkOrderChange:
		if d.Created {
			return maintenance.EventWorkOrderCreated, true
		}
		return maintenance.EventWorkOrderUpdated, true
	}
	return "", false
}

func webhookData(e Event) any {
	if c, ok := e.Data.(WorkOrderChange); ok {
		return c.WorkOrder
	}
	return e.Data
}

// webhookSender sends due deliveries when woken and every webhookPoll.
func (a *App) webhookSender(ctx context.Context, client *http.Client, wake <-chan struct{}) {
	tick := time.NewTicker(webhookPoll)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-wake:
		case <-tick.C:
		}
		for a.sendDue(ctx, client) == webhookBatch {
		}
	}
}

// sendDue sends one batch of due deliveries and returns its size.
func (a *App) sendDue(ctx context.Context, client *http.Client) int {
	due, err := a.Store.DueDeliveries(ctx, a.Now(), webhookBatch)
	if err != nil {
		if ctx.Err() == nil {
			a.Logger.Error("webhook deliveries", "err", err)
		}
		return 0
	}
	if len(due) == 0 {
		return 0
	}
	hooks, err := a.Store.Webhooks(ctx)
	if err != nil {
		return 0
	}
	byID := map[int64]*maintenance.Webhook{}
	for _, h := range hooks {
		byID[h.ID] = h
	}
	sem := make(chan struct{}, webhookSenders)
	var wg sync.WaitGroup
	for _, d := range due {
		h := byID[d.Webhook]
		if h == nil {
			continue // deleted meanwhile: DeleteWebhook failed the delivery
		}
		sem <- struct{}{}
		wg.Add(1)
		go func() {
			defer func() { <-sem; wg.Done() }()
			a.deliver(ctx, client, h, d)
		}()
	}
	wg.Wait()
	return len(due)
}

// deliver makes one attempt and records it, unless the server is stopping
// (the delivery then stays due, for the next start).
func (a *App) deliver(ctx context.Context, client *http.Client, h *maintenance.Webhook, d *maintenance.Delivery) {
	at := a.Now()
	code, err := post(ctx, client, h, d, at)
	if ctx.Err() != nil {
		return
	}
	att := maintenance.Attempt{At: at, Code: code, OK: err == nil}
	if err != nil {
		att.Error = err.Error()
		if d.Attempts+1 < webhookMaxAttempts {
			next := at.Add(backoff(d.Attempts))
			att.NextAt = &next
		}
	}
	rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
	defer cancel()
	if err := a.Store.RecordAttempt(rctx, d.ID, att); err != nil && !errs.Is(err, errs.NotFound) {
		a.Logger.Error("webhook attempt not recorded", "delivery", d.ID, "err", err)
	}
}

// backoff is the wait after the attempts-th failed attempt (from 0).
func backoff(attempts int) time.Duration {
	wait := webhookBackoff << attempts
	if wait <= 0 || wait > webhookMaxBackoff {
		return webhookMaxBackoff
	}
	return wait
}

// post sends d to h, signed; an error is short, for the delivery log.
func post(ctx context.Context, client *http.Client, h *maintenance.Webhook, d *maintenance.Delivery, at time.Time) (int, error) {
	u, err := url.Parse(h.URL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") {
		return 0, errors.New("not an http(s) URL")
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, h.URL, bytes.NewReader(d.Body))
	if err != nil {
		return 0, errors.New("bad request")
	}
	ts := strconv.FormatInt(at.Unix(), 10)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "Socle-Webhooks/1")
	req.Header.Set("X-Socle-Event", d.Event)
	req.Header.Set("X-Socle-Delivery", strconv.FormatInt(d.ID, 10))
	req.Header.Set("X-Socle-Timestamp", ts)
	req.Header.Set("X-Socle-Signature", maintenance.Signature(h.Secret, ts, d.Body))
	resp, err := client.Do(req)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) && ue.Timeout() {
			return 0, errors.New("timeout")
		}
		return 0, errors.New("connection failed")
	}
	io.Copy(io.Discard, io.LimitReader(resp.Body, webhookMaxResponse))
	resp.Body.Close()
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return resp.StatusCode, fmt.Errorf("HTTP %d", resp.StatusCode)
	}
	return resp.StatusCode, nil
}
