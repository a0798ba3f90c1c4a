package app

import (
	"context"
	"strings"
	"time"

	"github.com/socle/socle/internal/audit"
	"github.com/socle/socle/internal/auth"
	"github.com/socle/socle/internal/errs"
	"github.com/socle/socle/internal/ngsild"
	"github.com/socle/socle/internal/sensors"
)

// The NGSI-LD use cases. Entities are sensor data seen through FIWARE:
// reading them takes CanSeeDevices (others get 404), writing them
// CanFeedSensors. A write stores the entities, their registry devices and
// its audit entry in one transaction, then the numeric Properties it
// carried as observations through the same path as every other ingestion
// (flags, latest state, live events, alerts), and notifies the
// subscriptions it concerns.

// canReadEntities answers a caller who may not read entities.
func canReadEntities(p auth.Principal) error {
	if !CanSeeDevices(p) {
		return errs.WithCode(errs.NotFound, "ResourceNotFound", "no such resource")
	}
	return nil
}

// WriteEntities applies one NGSI-LD write request as p. Per-entity
// refusals are in the outcomes; an error refuses the whole request.
func (a *App) WriteEntities(ctx context.Context, p auth.Principal, m ngsild.Mode, es []*ngsild.Entity) ([]ngsild.Outcome, error) {
	if !CanFeedSensors(p) {
		return nil, errs.E(errs.Forbidden, "this key may not write entities")
	}
	now := a.Now()
	entry := &audit.Entry{Time: now, Actor: p.Login(), Action: "ngsild.write", Target: "entities", Detail: modeName(m)}
	out, err := a.Store.WriteEntities(ctx, ngsild.Write{Mode: m, Entities: es, Devices: true, Now: now, Audit: entry})
	if err != nil {
		return nil, err
	}
	var obs []sensors.Observation
	written := 0
	for i, o := range out {
		if o.Err != nil {
			continue
		}
		written++
		eo := ngsild.Observations(o.ID, es[i].Attrs, now)
		a.flagObservations(ctx, eo)
		obs = append(obs, eo...)
	}
	if len(obs) > 0 {
		if _, err := a.store(ctx, sensors.Batch{Observations: obs}, IngestResult{}); err != nil {
			return nil, err
		}
	}
	if written > 0 {
		a.notifyWrites(ctx, es, out)
	}
	return out, nil
}

func modeName(m ngsild.Mode) string {
	return [...]string{"create", "replace", "upsert", "update", "append", "append-keep"}[m]
}

// Entity returns an entity p may see. errs.NotFound.
func (a *App) Entity(ctx context.Context, p auth.Principal, id string) (*ngsild.Entity, error) {
	if err := canReadEntities(p); err != nil {
		return nil, err
	}
	return a.Store.Entity(ctx, id)
}

// QueryEntities runs an entity query as p.
func (a *App) QueryEntities(ctx context.Context, p auth.Principal, q ngsild.Query) ([]*ngsild.Entity, int, error) {
	if err := canReadEntities(p); err != nil {
		return nil, 0, err
	}
	return a.Store.QueryEntities(ctx, q)
}

// EntityTypes lists the entity types p may see.
func (a *App) EntityTypes(ctx context.Context, p auth.Principal) ([]ngsild.TypeCount, error) {
	if err := canReadEntities(p); err != nil {
		return nil, err
	}
	return a.Store.EntityTypes(ctx)
}

// DeleteEntities deletes entities as p; the result says which existed.
// Their devices and time series stay: observations are history.
func (a *App) DeleteEntities(ctx context.Context, p auth.Principal, ids []string) ([]bool, error) {
	if !CanFeedSensors(p) {
		return nil, errs.E(errs.Forbidden, "this key may not delete entities")
	}
	gone, err := a.Store.DeleteEntities(ctx, ids)
	if err != nil {
		return nil, err
	}
	n := 0
	for _, g := range gone {
		if g {
			n++
		}
	}
	if n > 0 {
		a.Audit(ctx, p, "ngsild.delete", "entities", int64(n), strings.Join(ids[:min(len(ids), 10)], " "))
	}
	return gone, nil
}

// DeleteAttribute removes an attribute (expanded name) as p.
func (a *App) DeleteAttribute(ctx context.Context, p auth.Principal, id, attr string) error {
	if !CanFeedSensors(p) {
		return errs.E(errs.Forbidden, "this key may not write entities")
	}
	if err := a.Store.DeleteAttribute(ctx, id, attr, a.Now()); err != nil {
		return err
	}
	a.Audit(ctx, p, "ngsild.delete-attribute", id, 0, attr)
	return nil
}

// Temporal-API bounds of the time series read.
var (
	temporalStart = time.Date(1, 1, 1, 0, 0, 0, 0, time.UTC)
	temporalEnd   = time.Date(9999, 1, 1, 0, 0, 0, 0, time.UTC)
)

// TemporalEntity returns an entity p may see with its time series in
// tq's interval, rendered through c. errs.Forbidden (TooComplexQuery)
// past ngsild.MaxInstances observations.
func (a *App) TemporalEntity(ctx context.Context, p auth.Principal, id string, tq ngsild.TemporalQuery, c *ngsild.Context) (map[string]any, error) {
	e, err := a.Entity(ctx, p, id)
	if err != nil {
		return nil, err
	}
	return a.temporalOf(ctx, e, tq, c)
}

func (a *App) temporalOf(ctx context.Context, e *ngsild.Entity, tq ngsild.TemporalQuery, c *ngsild.Context) (map[string]any, error) {
	from, to := tq.From, tq.To
	if from.IsZero() {
		from = temporalStart
	}
	if to.IsZero() {
		to = temporalEnd
	}
	obs, err := a.Store.Observations(ctx, ngsild.DeviceID(e.ID), from, to, ngsild.MaxInstances+1)
	if err != nil {
		return nil, err
	}
	if len(obs) > ngsild.MaxInstances {
		return nil, errs.WithCode(errs.Forbidden, "TooComplexQuery", "more than %d instances in the interval: narrow it with timerel", ngsild.MaxInstances)
	}
	return ngsild.Temporal(e, obs, tq, c), nil
}

// TemporalEntities runs an entity query as p and returns each entity of
// the page with its time series.
func (a *App) TemporalEntities(ctx context.Context, p auth.Principal, q ngsild.Query, tq ngsild.TemporalQuery, c *ngsild.Context) ([]map[string]any, int, error) {
	es, total, err := a.QueryEntities(ctx, p, q)
	if err != nil {
		return nil, 0, err
	}
	out := make([]map[string]any, 0, len(es))
	for _, e := range es {
		t, err := a.temporalOf(ctx, e, tq, c)
		if err != nil {
			return nil, 0, err
		}
		out = append(out, t)
	}
	return out, total, nil
}
