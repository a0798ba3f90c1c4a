package ngsild

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/socle/socle/internal/errs"
)

// Subscription is an NGSI-LD subscription with HTTP notifications. Names
// (entity types, attributes, q) are kept as the client wrote them, with
// its Context, and expanded when matching.
type Subscription struct {
	ID                string            `json:"id"`
	Type              string            `json:"type"`
	Description       string            `json:"description,omitempty"`
	Entities          []EntitySelector  `json:"entities,omitempty"`
	WatchedAttributes []string          `json:"watchedAttributes,omitempty"`
	Q                 string            `json:"q,omitempty"`
	Throttling        float64           `json:"throttling,omitempty"` // seconds between two notifications
	IsActive          *bool             `json:"isActive,omitempty"`
	ExpiresAt         *time.Time        `json:"expiresAt,omitempty"`
	Notification      NotificationParam `json:"notification"`
	Status            string            `json:"status,omitempty"` // active, paused, expired (computed)
	Context           any               `json:"@context,omitempty"`
	CreatedAt         time.Time         `json:"createdAt"`
	ModifiedAt        time.Time         `json:"modifiedAt"`
}

// EntitySelector selects entities by ID, ID pattern and type.
type EntitySelector struct {
	ID        string `json:"id,omitempty"`
	IDPattern string `json:"idPattern,omitempty"`
	Type      string `json:"type"`
}

// NotificationParam says what to send where, and counts the results.
type NotificationParam struct {
	Attributes       []string   `json:"attributes,omitempty"`
	Format           string     `json:"format,omitempty"` // normalized (default) or keyValues
	Endpoint         Endpoint   `json:"endpoint"`
	Status           string     `json:"status,omitempty"` // ok or failed
	TimesSent        int        `json:"timesSent"`
	TimesFailed      int        `json:"timesFailed"`
	LastNotification *time.Time `json:"lastNotification,omitempty"`
	LastSuccess      *time.Time `json:"lastSuccess,omitempty"`
	LastFailure      *time.Time `json:"lastFailure,omitempty"`
}

// Endpoint is where notifications go.
type Endpoint struct {
	URI    string `json:"uri"`
	Accept string `json:"accept,omitempty"`
}

// maxSubscriptionBytes bounds a subscription body.
const maxSubscriptionBytes = 64 << 10

// ParseSubscription reads a subscription from a request body, with the
// request's context (ctxSrc, nil for the core one; a body @context wins).
// errs.Invalid (BadRequestData).
func ParseSubscription(body []byte, ctxSrc any, now time.Time) (*Subscription, error) {
	if len(body) > maxSubscriptionBytes {
		return nil, errs.E(errs.TooLarge, "a subscription is at most %d bytes", maxSubscriptionBytes)
	}
	s := &Subscription{}
	if err := json.Unmarshal(body, s); err != nil {
		return nil, errs.WithCode(errs.Invalid, "InvalidRequest", "the subscription is not valid JSON: %s", jsonError(err))
	}
	if s.Context == nil {
		s.Context = ctxSrc
	}
	if s.ID == "" {
		s.ID = "urn:ngsi-ld:Subscription:" + randomHex(8)
	}
	s.CreatedAt, s.ModifiedAt = now, now
	s.Notification.TimesSent, s.Notification.TimesFailed = 0, 0
	s.Notification.LastNotification, s.Notification.LastSuccess, s.Notification.LastFailure = nil, nil, nil
	s.Notification.Status = ""
	return s, s.Validate()
}

// Validate checks a subscription.
func (s *Subscription) Validate() error {
	bad := func(format string, args ...any) error {
		return errs.WithCode(errs.Invalid, "BadRequestData", "subscription: "+format, args...)
	}
	if err := CheckID(s.ID); err != nil {
		return bad("id %q is not a URI", truncate(s.ID, 80))
	}
	if s.Type != "Subscription" {
		return bad(`type must be "Subscription"`)
	}
	if len(s.Entities) == 0 && len(s.WatchedAttributes) == 0 {
		return bad("give entities or watchedAttributes")
	}
	if len(s.Entities) > 100 || len(s.WatchedAttributes) > 100 || len(s.Notification.Attributes) > 100 {
		return bad("at most 100 entities, watched or notified attributes")
	}
	for _, e := range s.Entities {
		if e.Type == "" {
			return bad("each entities item needs a type")
		}
		if e.IDPattern != "" {
			if _, err := regexp.Compile(e.IDPattern); err != nil || len(e.IDPattern) > 256 {
				return bad("idPattern %q is not a regular expression", truncate(e.IDPattern, 40))
			}
		}
	}
	if s.Q != "" {
		if _, err := ParseQ(s.Q); err != nil {
			return err
		}
	}
	if s.Throttling < 0 {
		return bad("throttling must be positive")
	}
	if f := s.Notification.Format; f != "" && f != "normalized" && f != "keyValues" {
		return bad("notification format must be normalized or keyValues")
	}
	u, err := url.Parse(s.Notification.Endpoint.URI)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || len(s.Notification.Endpoint.URI) > 2048 {
		return bad("notification.endpoint.uri must be an http or https URL")
	}
	if _, err := NewContext(s.Context); err != nil {
		return err
	}
	return nil
}

// Active reports whether the subscription notifies at now.
func (s *Subscription) Active(now time.Time) bool {
	return (s.IsActive == nil || *s.IsActive) && (s.ExpiresAt == nil || now.Before(*s.ExpiresAt))
}

// WithStatus sets the computed Status for display.
func (s *Subscription) WithStatus(now time.Time) *Subscription {
	c := *s
	switch {
	case s.ExpiresAt != nil && !now.Before(*s.ExpiresAt):
		c.Status = "expired"
	case s.IsActive != nil && !*s.IsActive:
		c.Status = "paused"
	default:
		c.Status = "active"
	}
	return &c
}

// Matcher is a subscription compiled for matching entities.
type Matcher struct {
	Sub     *Subscription
	Ctx     *Context
	types   []string
	ids     []string
	pats    []*regexp.Regexp
	watched []string
	q       *QExpr
	// Attrs are the expanded attributes to notify (nil: all).
	Attrs map[string]bool
}

// Compile prepares s for matching.
func (s *Subscription) Compile() (*Matcher, error) {
	c, err := NewContext(s.Context)
	if err != nil {
		return nil, err
	}
	m := &Matcher{Sub: s, Ctx: c}
	for _, e := range s.Entities {
		m.types = append(m.types, c.Expand(e.Type))
		m.ids = append(m.ids, e.ID)
		var re *regexp.Regexp
		if e.IDPattern != "" {
			re, _ = regexp.Compile(e.IDPattern)
		}
		m.pats = append(m.pats, re)
	}
	for _, w := range s.WatchedAttributes {
		m.watched = append(m.watched, c.Expand(w))
	}
	if s.Q != "" {
		if m.q, err = ParseQ(s.Q); err != nil {
			return nil, err
		}
		m.q.Expand(c)
	}
	if len(s.Notification.Attributes) > 0 {
		m.Attrs = map[string]bool{}
		for _, a := range s.Notification.Attributes {
			m.Attrs[c.Expand(a)] = true
		}
	}
	return m, nil
}

// Match reports whether a write of entity e that changed the attributes
// changed (expanded names) concerns the subscription.
func (m *Matcher) Match(e *Entity, changed []string) bool {
	if len(m.types) > 0 && !m.selects(e) {
		return false
	}
	if len(m.watched) > 0 && !slices.ContainsFunc(changed, func(a string) bool { return slices.Contains(m.watched, a) }) {
		return false
	}
	return m.q == nil || m.q.Match(e)
}

func (m *Matcher) selects(e *Entity) bool {
	for i, t := range m.types {
		if t != e.Type {
			continue
		}
		if m.ids[i] != "" && m.ids[i] != e.ID {
			continue
		}
		if m.pats[i] != nil && !m.pats[i].MatchString(e.ID) {
			continue
		}
		return true
	}
	return false
}

func randomHex(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// NotificationID is a fresh notification ID.
func NotificationID() string { return "urn:ngsi-ld:Notification:" + randomHex(8) }

// jsonError describes a JSON decoding error without echoing input.
func jsonError(err error) string {
	msg := err.Error()
	if i := strings.Index(msg, "json: "); i >= 0 {
		msg = msg[i+6:]
	}
	return truncate(msg, 120)
}

// Count records a notification's result in s's counters.
func Count(s *Subscription, ok bool, at time.Time) {
	n := &s.Notification
	at = at.UTC()
	n.TimesSent++
	n.LastNotification = &at
	if ok {
		n.LastSuccess, n.Status = &at, "ok"
	} else {
		n.TimesFailed++
		n.LastFailure, n.Status = &at, "failed"
	}
}
