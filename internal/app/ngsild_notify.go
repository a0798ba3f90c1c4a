package app

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"sync"
	"time"

	"github.com/socle/socle/internal/auth"
	"github.com/socle/socle/internal/errs"
	"github.com/socle/socle/internal/ngsild"
)

// NGSI-LD subscriptions and their HTTP notifications. After a write, each
// active subscription whose entities, watchedAttributes and q match a
// written entity gets one notification with those entities, unless its
// throttling interval has not elapsed since the last one. Notifications
// are POSTed by at most notifyWorkers goroutines at once, each with a
// timeout; one that finds no free worker is counted as failed rather than
// queued without bound. Subscriptions are cached for subscriptionsTTL, so
// that a write costs no query for them, and the cache is dropped when
// this node changes a subscription.

// MaxSubscriptions bounds the subscriptions of an installation: each is
// matched against every write.
const MaxSubscriptions = 1000

const (
	notifyWorkers    = 16
	notifyTimeout    = 5 * time.Second
	subscriptionsTTL = 10 * time.Second
)

// ngsiState is the App's NGSI-LD state: notifications, and the cache of
// device ranges.
type ngsiState struct {
	once     sync.Once
	sem      chan struct{}
	client   *http.Client
	mu       sync.Mutex
	matchers []*ngsild.Matcher
	loaded   time.Time
	last     map[string]time.Time // subscription → last notification (throttling)

	rangesMu sync.Mutex
	ranges   map[string]rangeEntry // device → properties (ngsild_ranges.go)
}

func (a *App) ngsiInit() *ngsiState {
	s := &a.ngsi
	s.once.Do(func() {
		s.sem = make(chan struct{}, notifyWorkers)
		s.client = &http.Client{Timeout: notifyTimeout, CheckRedirect: func(*http.Request, []*http.Request) error {
			return http.ErrUseLastResponse // a notification is not redirected
		}}
		s.last = map[string]time.Time{}
	})
	return s
}

// matchers returns the compiled subscriptions, from the cache when fresh.
func (a *App) matchers(ctx context.Context) []*ngsild.Matcher {
	s := a.ngsiInit()
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.loaded.IsZero() && time.Since(s.loaded) < subscriptionsTTL {
		return s.matchers
	}
	subs, err := a.Store.Subscriptions(ctx)
	if err != nil {
		a.Logger.Error("ngsi-ld subscriptions", "err", err)
		return s.matchers
	}
	s.matchers = s.matchers[:0]
	for _, sub := range subs {
		m, err := sub.Compile()
		if err != nil {
			a.Logger.Warn("ngsi-ld subscription skipped", "subscription", sub.ID, "err", err)
			continue
		}
		s.matchers = append(s.matchers, m)
	}
	s.loaded = time.Now()
	return s.matchers
}

func (a *App) dropSubscriptionCache() {
	s := a.ngsiInit()
	s.mu.Lock()
	s.loaded = time.Time{}
	s.mu.Unlock()
}

// notifyWrites sends the notifications a write calls for.
func (a *App) notifyWrites(ctx context.Context, in []*ngsild.Entity, out []ngsild.Outcome) {
	ms := a.matchers(ctx)
	if len(ms) == 0 {
		return
	}
	now := a.Now()
	for _, m := range ms {
		if !m.Sub.Active(now) {
			continue
		}
		var data []any
		for i, o := range out {
			if o.Err != nil {
				continue
			}
			changed := make([]string, 0, len(in[i].Attrs))
			for k := range in[i].Attrs {
				changed = append(changed, k)
			}
			if m.Match(o.Entity, changed) {
				data = append(data, ngsild.Render(o.Entity, m.Ctx, ngsild.Options{KeyValues: m.Sub.Notification.Format == "keyValues", Attrs: m.Attrs}))
			}
		}
		if len(data) > 0 && a.takeTurn(m.Sub, now) {
			a.sendNotification(m, data, now)
		}
	}
}

// takeTurn reports whether sub may notify at now (throttling) and, if so,
// records now as its last notification.
func (a *App) takeTurn(sub *ngsild.Subscription, now time.Time) bool {
	s := a.ngsiInit()
	s.mu.Lock()
	defer s.mu.Unlock()
	last, ok := s.last[sub.ID]
	if !ok && sub.Notification.LastNotification != nil {
		last, ok = *sub.Notification.LastNotification, true
	}
	if ok && sub.Throttling > 0 && now.Sub(last) < time.Duration(sub.Throttling*float64(time.Second)) {
		return false
	}
	s.last[sub.ID] = now
	return true
}

// sendNotification POSTs a notification on a free worker.
func (a *App) sendNotification(m *ngsild.Matcher, data []any, now time.Time) {
	s := a.ngsiInit()
	body, err := json.Marshal(map[string]any{"id": ngsild.NotificationID(), "type": "Notification",
		"subscriptionId": m.Sub.ID, "notifiedAt": now.UTC().Format(ngsild.TimeLayout), "data": data})
	if err != nil {
		a.Logger.Error("ngsi-ld notification", "subscription", m.Sub.ID, "err", err)
		return
	}
	select {
	case s.sem <- struct{}{}:
	default:
		a.Logger.Warn("ngsi-ld notification dropped: every worker is busy", "subscription", m.Sub.ID)
		a.recordNotification(m.Sub.ID, false, now)
		return
	}
	go func() {
		defer func() { <-s.sem }()
		ok := a.post(m, body)
		a.recordNotification(m.Sub.ID, ok, a.Now())
	}()
}

func (a *App) post(m *ngsild.Matcher, body []byte) bool {
	ctx, cancel := context.WithTimeout(context.Background(), notifyTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, m.Sub.Notification.Endpoint.URI, bytes.NewReader(body))
	if err != nil {
		return false
	}
	req.Header.Set("Content-Type", "application/json")
	if ctxURL, ok := m.Ctx.ResponseContext().(string); ok {
		req.Header.Set("Link", ngsild.LinkHeader(ctxURL))
	}
	resp, err := a.ngsiInit().client.Do(req)
	if err != nil {
		a.Logger.Warn("ngsi-ld notification failed", "subscription", m.Sub.ID, "err", err)
		return false
	}
	resp.Body.Close()
	return resp.StatusCode >= 200 && resp.StatusCode < 300
}

func (a *App) recordNotification(id string, ok bool, at time.Time) {
	ctx, cancel := context.WithTimeout(context.Background(), notifyTimeout)
	defer cancel()
	if err := a.Store.RecordNotification(ctx, id, ok, at); err != nil {
		a.Logger.Error("ngsi-ld notification counters", "subscription", id, "err", err)
	}
}

// canSubscribe answers a caller who may not manage subscriptions: they
// carry entity data, so only those who may read entities may.
func canSubscribe(p auth.Principal) error {
	if !CanSeeDevices(p) {
		return errs.WithCode(errs.NotFound, "ResourceNotFound", "no such resource")
	}
	return nil
}

// CreateSubscription stores a new subscription. errs.Conflict
// (AlreadyExists) when its ID is taken.
func (a *App) CreateSubscription(ctx context.Context, p auth.Principal, s *ngsild.Subscription) error {
	if err := canSubscribe(p); err != nil {
		return err
	}
	if _, err := a.Store.Subscription(ctx, s.ID); err == nil {
		return errs.WithCode(errs.Conflict, "AlreadyExists", "subscription %s already exists", s.ID)
	} else if !errs.Is(err, errs.NotFound) {
		return err
	}
	if subs, err := a.Store.Subscriptions(ctx); err != nil {
		return err
	} else if len(subs) >= MaxSubscriptions {
		return errs.E(errs.Forbidden, "at most %d subscriptions: delete unused ones", MaxSubscriptions)
	}
	if err := a.Store.PutSubscription(ctx, s); err != nil {
		return err
	}
	a.dropSubscriptionCache()
	a.Audit(ctx, p, "ngsild.subscribe", s.ID, 0, s.Notification.Endpoint.URI)
	return nil
}

// Subscription returns a subscription p may see, with its status.
func (a *App) Subscription(ctx context.Context, p auth.Principal, id string) (*ngsild.Subscription, error) {
	if err := canSubscribe(p); err != nil {
		return nil, err
	}
	s, err := a.Store.Subscription(ctx, id)
	if err != nil {
		return nil, err
	}
	return s.WithStatus(a.Now()), nil
}

// Subscriptions lists the subscriptions with their status.
func (a *App) Subscriptions(ctx context.Context, p auth.Principal) ([]*ngsild.Subscription, error) {
	if err := canSubscribe(p); err != nil {
		return nil, err
	}
	subs, err := a.Store.Subscriptions(ctx)
	for i, s := range subs {
		subs[i] = s.WithStatus(a.Now())
	}
	return subs, err
}

// UpdateSubscription merges patch (top-level members) into a
// subscription; its ID, counters and creation time stay.
func (a *App) UpdateSubscription(ctx context.Context, p auth.Principal, id string, patch map[string]json.RawMessage) error {
	if err := canSubscribe(p); err != nil {
		return err
	}
	s, err := a.Store.Subscription(ctx, id)
	if err != nil {
		return err
	}
	cur, err := json.Marshal(s)
	if err != nil {
		return err
	}
	var merged map[string]json.RawMessage
	if err := json.Unmarshal(cur, &merged); err != nil {
		return err
	}
	for k, v := range patch {
		switch k {
		case "id", "createdAt", "status":
			continue
		}
		merged[k] = v
	}
	b, _ := json.Marshal(merged)
	next := &ngsild.Subscription{}
	if err := json.Unmarshal(b, next); err != nil {
		return errs.WithCode(errs.Invalid, "BadRequestData", "the patch does not make a valid subscription")
	}
	next.ID, next.CreatedAt, next.ModifiedAt = s.ID, s.CreatedAt, a.Now()
	counters := s.Notification
	counters.Attributes, counters.Format, counters.Endpoint = next.Notification.Attributes, next.Notification.Format, next.Notification.Endpoint
	next.Notification, next.Status = counters, ""
	if err := next.Validate(); err != nil {
		return err
	}
	if err := a.Store.PutSubscription(ctx, next); err != nil {
		return err
	}
	a.dropSubscriptionCache()
	a.Audit(ctx, p, "ngsild.subscription-update", id, 0, "")
	return nil
}

// DeleteSubscription deletes a subscription. errs.NotFound.
func (a *App) DeleteSubscription(ctx context.Context, p auth.Principal, id string) error {
	if err := canSubscribe(p); err != nil {
		return err
	}
	if err := a.Store.DeleteSubscription(ctx, id); err != nil {
		return err
	}
	a.dropSubscriptionCache()
	a.Audit(ctx, p, "ngsild.unsubscribe", id, 0, "")
	return nil
}
