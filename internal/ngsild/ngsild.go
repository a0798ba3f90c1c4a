// Package ngsild is the NGSI-LD domain (ETSI GS CIM 009, the subset a city
// needs, OASC MIM1): entities and their attributes, the JSON-LD @context
// rules Socle implements (terms expanded to IRIs on the way in, compacted on
// the way out, contexts served from embedded documents only), the query
// language (q), geo-queries, ISO 8601 durations for temporal aggregation,
// subscriptions, ProblemDetails error types, and the Store that engines
// implement. It imports no infrastructure.
//
// Entities are stored with their type and attribute names expanded to
// IRIs, attributes in the normalized form, so that a client using another
// context for the same vocabulary sees the same data.
package ngsild

import (
	"context"
	"encoding/json"
	"time"

	"github.com/socle/socle/internal/audit"
)

// Limits of the API.
const (
	MaxLimit       = 1000 // entities in one page
	DefaultLimit   = 20   // entities in a page when limit is not given
	MaxBatch       = 1000 // entities in one entityOperations request
	MaxAttrs       = 200  // attributes of one entity
	MaxIDLength    = 256  // bytes of an entity ID
	MaxQueryLength = 4096 // bytes of a q or coordinates parameter
	MaxScan        = 100_000
)

// Attribute is one attribute in the normalized form: a JSON object with a
// "type" (Property, Relationship, GeoProperty, LanguageProperty,
// VocabularyProperty), its value under "value", "object", "languageMap" or
// "vocab", and sub-attributes (observedAt, unitCode, …), with names
// expanded to IRIs except the core keywords.
type Attribute map[string]any

// Kind is the attribute's NGSI-LD type.
func (a Attribute) Kind() string { s, _ := a["type"].(string); return s }

// Value is what the attribute holds: the value of a Property, the object
// of a Relationship, the language map of a LanguageProperty.
func (a Attribute) Value() any {
	for _, k := range []string{"value", "object", "languageMap", "vocab"} {
		if v, ok := a[k]; ok {
			return v
		}
	}
	return nil
}

// ObservedAt is the attribute's observedAt, or the zero time.
func (a Attribute) ObservedAt() time.Time {
	s, _ := a["observedAt"].(string)
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}
	}
	return t.UTC()
}

// Entity is an NGSI-LD entity: Type and the keys of Attrs are expanded
// IRIs. Location is the point geo-queries use (the location GeoProperty,
// reduced to a point by LocationOf), nil without one.
type Entity struct {
	ID         string
	Type       string
	Attrs      map[string]Attribute
	Location   *Point
	CreatedAt  time.Time
	ModifiedAt time.Time
}

// Point is a WGS 84 position.
type Point struct{ Lon, Lat float64 }

// Mode is how a write combines an incoming entity with a stored one.
type Mode int

// Write modes.
const (
	Create     Mode = iota // refuse an existing entity (errs.Conflict)
	Replace                // create, or replace every attribute
	Upsert                 // create, or merge: incoming attributes replace stored ones
	Update                 // merge into an existing entity (errs.NotFound otherwise)
	Append                 // like Update (POST …/attrs)
	AppendKeep             // Append with options=noOverwrite
)

// Write is one request's entities. The store writes them, the registry
// devices derived from the results (DeviceOf, merged into the registered
// ones with MergeDevice) when Devices is set, and the Audit entry (its
// Records set to the entities written; none when nothing was) in one
// transaction: one commit per request.
type Write struct {
	Mode     Mode
	Entities []*Entity
	Devices  bool
	Now      time.Time // createdAt and modifiedAt of what is written
	Audit    *audit.Entry
}

// Written counts the outcomes without error.
func Written(out []Outcome) int {
	n := 0
	for _, o := range out {
		if o.Err == nil {
			n++
		}
	}
	return n
}

// Outcome is what a write did to one entity.
type Outcome struct {
	ID      string
	Created bool
	Err     error // errs.Conflict, errs.NotFound, errs.Invalid: this entity only
	// Entity is the stored entity after the write (nil on error).
	Entity *Entity
}

// Query selects entities. Types and IDs are OR-ed lists (expanded types);
// Match applies what SQL does not (idPattern, q, geo).
type Query struct {
	Types     []string
	IDs       []string
	IDPattern string
	Q         *QExpr
	Geo       *GeoQuery
	Offset    int
	Limit     int
	Count     bool
}

// Store persists entities and subscriptions.
type Store interface {
	// WriteEntities applies w in one transaction and returns one outcome
	// per entity in order. A per-entity refusal is in its Outcome; an
	// error is a failure of the whole write, of which nothing is kept.
	WriteEntities(ctx context.Context, w Write) ([]Outcome, error)
	// Entity returns an entity by ID. errs.NotFound.
	Entity(ctx context.Context, id string) (*Entity, error)
	// DeleteEntities deletes entities by ID; the result says which
	// existed, in order.
	DeleteEntities(ctx context.Context, ids []string) ([]bool, error)
	// DeleteAttribute removes an attribute (expanded name). errs.NotFound
	// when the entity or the attribute does not exist.
	DeleteAttribute(ctx context.Context, id, attr string, at time.Time) error
	// QueryEntities returns the page of q, ordered by ID, and the number
	// of matches when q.Count. errs.Forbidden (TooComplexQuery) when more
	// than MaxScan candidates would have to be examined.
	QueryEntities(ctx context.Context, q Query) ([]*Entity, int, error)
	// EntityTypes lists the distinct types with their entity count,
	// ordered by type.
	EntityTypes(ctx context.Context) ([]TypeCount, error)

	// PutSubscription inserts or replaces a subscription.
	PutSubscription(ctx context.Context, s *Subscription) error
	// Subscription returns a subscription by ID. errs.NotFound.
	Subscription(ctx context.Context, id string) (*Subscription, error)
	// Subscriptions lists subscriptions by ID.
	Subscriptions(ctx context.Context) ([]*Subscription, error)
	// DeleteSubscription deletes a subscription. errs.NotFound.
	DeleteSubscription(ctx context.Context, id string) error
	// RecordNotification updates a subscription's counters after a
	// notification: timesSent, and lastSuccess or timesFailed and
	// lastFailure. A deleted subscription is ignored.
	RecordNotification(ctx context.Context, id string, ok bool, at time.Time) error
}

// TypeCount is a type and how many entities have it.
type TypeCount struct {
	Type  string
	Count int
}

// UnmarshalAttrs decodes stored attributes.
func UnmarshalAttrs(b []byte) (map[string]Attribute, error) {
	var m map[string]Attribute
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, err
	}
	if m == nil {
		m = map[string]Attribute{}
	}
	return m, nil
}
