package postgres

import (
	"context"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/socle/socle/internal/backup"
)

// TestBackupColumnsMatchSchema: backup.Columns, which tells SQLite's
// engine which of its INTEGER and TEXT columns hold times, dates, booleans,
// JSON or bytes, must list exactly the platform columns PostgreSQL declares
// with those types; a migration that adds one without listing it would
// make archives differ between engines.
func TestBackupColumnsMatchSchema(t *testing.T) {
	db := openTest(t)
	defer db.Close()
	ctx := context.Background()
	got := map[string]backup.Type{}
	err := db.BackupSnapshot(ctx, func(s backup.Snapshot) error {
		tables, err := s.Tables(ctx)
		if err != nil {
			return err
		}
		for _, tb := range tables {
			if tb.Kind != backup.Platform {
				continue
			}
			for _, c := range tb.Columns {
				switch c.Type {
				case backup.String, backup.Integer, backup.Number:
				default:
					got[tb.Name+"."+c.Name] = c.Type
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range got {
		if backup.Columns[k] != v {
			t.Errorf("column %s is %s in PostgreSQL; backup.Columns says %q", k, v, backup.Columns[k])
		}
	}
	for k, v := range backup.Columns {
		if got[k] == "" {
			t.Errorf("backup.Columns lists %s (%s), which PostgreSQL does not declare with that type", k, v)
		}
	}
}

// TestRestoreMovesSequences: after a restore, new rows get IDs past the
// restored ones.
func TestRestoreMovesSequences(t *testing.T) {
	db := openTest(t)
	defer db.Close()
	ctx := context.Background()
	err := db.Restore(ctx, func(w backup.Writer) error {
		users := backup.Table{Name: "users", Kind: backup.Platform, Columns: []backup.Column{
			{Name: "id", Type: backup.Integer}, {Name: "login", Type: backup.String}, {Name: "role", Type: backup.String},
			{Name: "created_at", Type: backup.DateTime}}}
		rows := func(fn func([]any) error) error {
			return fn([]any{int64(41), "restored", "admin", mustTime("2025-01-02T03:04:05.000000Z")})
		}
		if err := w.Insert(ctx, users, nil, rows); err != nil {
			return err
		}
		return w.Finish(ctx)
	})
	if err != nil {
		t.Fatal(err)
	}
	var id int64
	err = db.pool.with(ctx, func(c *pgx.Conn) error {
		return c.QueryRow(ctx, `INSERT INTO users (login, role, created_at) VALUES ('next', 'admin', now()) RETURNING id`).Scan(&id)
	})
	if err != nil || id != 42 {
		t.Errorf("next user id %d (%v), want 42", id, err)
	}
}

func mustTime(s string) any {
	v, err := backup.Decode(backup.DateTime, s)
	if err != nil {
		panic(err)
	}
	return v
}

// TestBackupOrderFollowsForeignKeys: a restore inserts the tables in the
// archive's order, so every referenced table must come before the tables
// that reference it.
func TestBackupOrderFollowsForeignKeys(t *testing.T) {
	db := openTest(t)
	defer db.Close()
	ctx := context.Background()
	pos := map[string]int{}
	err := db.BackupSnapshot(ctx, func(s backup.Snapshot) error {
		tables, err := s.Tables(ctx)
		for i, tb := range tables {
			pos[tb.Name] = i
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	type fk struct{ from, to string }
	var fks []fk
	err = db.pool.with(ctx, func(c *pgx.Conn) error {
		rows, err := c.Query(ctx, `SELECT conrelid::regclass::text, confrelid::regclass::text FROM pg_constraint
			WHERE contype = 'f' AND connamespace = current_schema()::regnamespace`)
		if err != nil {
			return err
		}
		fks, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (fk, error) {
			var x fk
			err := r.Scan(&x.from, &x.to)
			return x, err
		})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(fks) == 0 {
		t.Fatal("no foreign keys found")
	}
	for _, k := range fks {
		if _, ok := pos[k.from]; !ok {
			continue // a table that is not backed up (sessions)
		}
		if pos[k.to] >= pos[k.from] {
			t.Errorf("%s references %s but comes first (%d, %d)", k.from, k.to, pos[k.from], pos[k.to])
		}
	}
}
