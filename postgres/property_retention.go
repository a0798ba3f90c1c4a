package postgres

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

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

// PurgeProperty deletes, device by device (one short transaction each),
// the property's observations before the cutoff, and with rollups its
// roll-ups.
func (db *DB) PurgeProperty(ctx context.Context, devices []string, property string, before time.Time, rollups bool) (sensors.PropertyPurgeReport, error) {
	var rep sensors.PropertyPurgeReport
	for _, id := range devices {
		var one sensors.PropertyPurgeReport // counted once committed
		err := db.pool.with(ctx, func(c *pgx.Conn) error {
			return pgx.BeginFunc(ctx, c, func(tx pgx.Tx) error {
				tag, err := tx.Exec(ctx, `DELETE FROM observations WHERE device = $1 AND property = $2 AND t < $3`, id, property, before)
				if err != nil {
					return err
				}
				one.Raw = tag.RowsAffected()
				if !rollups {
					return nil
				}
				for _, table := range []string{"obs_hourly", "obs_daily"} {
					tag, err := tx.Exec(ctx, `DELETE FROM `+table+` WHERE device = $1 AND property = $2 AND t < $3`, id, property, before)
					if err != nil {
						return err
					}
					one.Rollups += tag.RowsAffected()
				}
				return nil
			})
		})
		if err != nil {
			return rep, fmt.Errorf("purge %s %s: %w", id, property, err)
		}
		rep.Raw += one.Raw
		rep.Rollups += one.Rollups
	}
	return rep, nil
}
