package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/socle/socle/internal/errs"
	"github.com/socle/socle/internal/schemas"
)

// SchemaCatalog returns the refreshed schema catalog (migration 0014).
// errs.NotFound before the first refresh.
func (db *DB) SchemaCatalog(ctx context.Context) (*schemas.Stored, error) {
	var body string
	err := db.read.QueryRowContext(ctx, `SELECT body FROM schema_catalog WHERE id = 1`).Scan(&body)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, errs.E(errs.NotFound, "no refreshed schema catalog")
	} else if err != nil {
		return nil, fmt.Errorf("schema catalog: %w", err)
	}
	var s schemas.Stored
	if err := json.Unmarshal([]byte(body), &s); err != nil {
		return nil, fmt.Errorf("schema catalog: %w", err)
	}
	s.RefreshedAt = s.RefreshedAt.UTC()
	return &s, nil
}

// PutSchemaCatalog replaces the refreshed schema catalog.
func (db *DB) PutSchemaCatalog(ctx context.Context, s *schemas.Stored) error {
	body, err := json.Marshal(s)
	if err != nil {
		return fmt.Errorf("put schema catalog: %w", err)
	}
	_, err = db.write.ExecContext(ctx, `INSERT INTO schema_catalog (id, body, source, refreshed_at) VALUES (1, ?, ?, ?)
		ON CONFLICT (id) DO UPDATE SET body = excluded.body, source = excluded.source, refreshed_at = excluded.refreshed_at`,
		string(body), s.Source, fmtOrdered(s.RefreshedAt))
	if err != nil {
		return fmt.Errorf("put schema catalog: %w", err)
	}
	return nil
}
