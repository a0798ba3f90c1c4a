package sqlite

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/socle/socle/internal/sensors"
)

// Retention rules per device property: one JSON document per rule in
// register_entries (kind property_retention), beside the RGPD register
// whose retention they may take; no table of their own.

const kindPropertyRule = "property_retention"

// PutPropertyRule inserts or replaces a rule, its creation time kept.
func (db *DB) PutPropertyRule(ctx context.Context, r *sensors.PropertyRule) error {
	created, err := db.putEntry(ctx, kindPropertyRule, r.ID, r, r.Updated)
	r.Created = created
	return err
}

// PropertyRule returns a rule. errs.NotFound.
func (db *DB) PropertyRule(ctx context.Context, id string) (*sensors.PropertyRule, error) {
	var r sensors.PropertyRule
	created, err := db.getEntry(ctx, kindPropertyRule, id, &r)
	r.Created = created
	return &r, err
}

// PropertyRules lists the rules by ID.
func (db *DB) PropertyRules(ctx context.Context) ([]*sensors.PropertyRule, error) {
	var out []*sensors.PropertyRule
	err := db.eachEntry(ctx, kindPropertyRule, func(body []byte, created time.Time) error {
		var r sensors.PropertyRule
		out = append(out, &r)
		err := json.Unmarshal(body, &r)
		r.Created = created
		return err
	})
	return out, err
}

// DeletePropertyRule removes a rule. errs.NotFound.
func (db *DB) DeletePropertyRule(ctx context.Context, id string) error {
	return db.deleteEntry(ctx, kindPropertyRule, id)
}

// PurgeProperty deletes, device by device (one short transaction each, so
// that ingestion waits at most one device's delete), the property's
// observations before the cutoff, and with rollups its roll-ups.
func (db *DB) PurgeProperty(ctx context.Context, devices []string, property string, before time.Time, rollups bool) (sensors.PropertyPurgeReport, error) {
	var rep sensors.PropertyPurgeReport
	cut := before.UnixMilli()
	for _, id := range devices {
		tx, err := db.write.BeginTx(ctx, nil)
		if err != nil {
			return rep, fmt.Errorf("purge %s %s: %w", id, property, err)
		}
		res, err := tx.ExecContext(ctx, `DELETE FROM observations WHERE device = ? AND property = ? AND t < ?`, id, property, cut)
		if err == nil {
			n, _ := res.RowsAffected()
			rep.Raw += n
		}
		for _, table := range []string{"obs_hourly", "obs_daily"} {
			if err != nil || !rollups {
				break
			}
			if res, err = tx.ExecContext(ctx, `DELETE FROM `+table+` WHERE device = ? AND property = ? AND t < ?`, id, property, cut); err == nil {
				n, _ := res.RowsAffected()
				rep.Rollups += n
			}
		}
		if err == nil {
			err = tx.Commit()
		}
		if err != nil {
			tx.Rollback()
			return rep, fmt.Errorf("purge %s %s: %w", id, property, err)
		}
	}
	return rep, nil
}
