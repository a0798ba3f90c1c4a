package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"github.com/socle/socle/internal/backup"
	"github.com/socle/socle/internal/sqlrows"
)

// The engine's side of backup.Source and backup.Target. A backup reads one
// WAL snapshot; a restore is one write transaction that also reads its own
// result back (backup.Restore compares it with the archive before commit).

// queryer is what both *sql.Tx and *sql.Conn offer.
type queryer interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
}

// BackupSnapshot runs fn on one read transaction.
func (db *DB) BackupSnapshot(ctx context.Context, fn func(backup.Snapshot) error) error {
	tx, err := db.read.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return fmt.Errorf("begin backup: %w", err)
	}
	defer tx.Rollback()
	return fn(snap{tx})
}

type snap struct{ q queryer }

type colInfo struct {
	name, decl string
	pk         int
}

func tableInfo(ctx context.Context, q queryer, table string) ([]colInfo, error) {
	rows, err := q.QueryContext(ctx, `SELECT name, upper(type), pk FROM pragma_table_info(?)`, table)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []colInfo
	for rows.Next() {
		var c colInfo
		if err := rows.Scan(&c.name, &c.decl, &c.pk); err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

func plainType(decl string) backup.Type {
	switch {
	case strings.Contains(decl, "INT"):
		return backup.Integer
	case strings.Contains(decl, "REAL"), strings.Contains(decl, "FLOA"), strings.Contains(decl, "DOUB"):
		return backup.Number
	case strings.Contains(decl, "BLOB"):
		return backup.Bytes
	}
	return backup.String
}

func (s snap) Tables(ctx context.Context) ([]backup.Table, error) {
	names, err := stringsOf(ctx, s.q, `SELECT name FROM sqlite_master WHERE type = 'table'
		AND name NOT LIKE 'sqlite\_%' ESCAPE '\' AND name NOT LIKE 'r\_%' ESCAPE '\'`)
	if err != nil {
		return nil, err
	}
	var out []backup.Table
	for _, name := range backup.OrderTables(names) {
		info, err := tableInfo(ctx, s.q, name)
		if err != nil {
			return nil, err
		}
		t := backup.Table{Name: name, Kind: backup.Platform}
		for _, c := range info {
			t.Columns = append(t.Columns, backup.Column{Name: c.name, Type: sqlrows.PlatformType(name, c.name, plainType(c.decl))})
		}
		sortColumns(t.Columns)
		out = append(out, t)
	}
	rows, err := s.q.QueryContext(ctx, `SELECT v.table_name, v.fields FROM dataset_versions v
		WHERE EXISTS (SELECT 1 FROM sqlite_master m WHERE m.type = 'table' AND m.name = v.table_name)
		ORDER BY v.table_name`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var name, fields string
		if err := rows.Scan(&name, &fields); err != nil {
			return nil, err
		}
		t, _, err := sqlrows.RecordsTable(name, []byte(fields))
		if err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	return out, rows.Err()
}

func sortColumns(cols []backup.Column) {
	for i := 1; i < len(cols); i++ {
		for j := i; j > 0 && cols[j].Name < cols[j-1].Name; j-- {
			cols[j], cols[j-1] = cols[j-1], cols[j]
		}
	}
}

func stringsOf(ctx context.Context, q queryer, query string, args ...any) ([]string, error) {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	return collect(rows, func(r scanner) (string, error) {
		var s string
		err := r.Scan(&s)
		return s, err
	})
}

// orderBy is the primary key (records: _id), else every column: the same
// order on both engines (SQLite compares text bytewise, as COLLATE "C").
func orderBy(ctx context.Context, q queryer, t backup.Table) (string, error) {
	if t.Kind == backup.Records {
		return `"_id"`, nil
	}
	info, err := tableInfo(ctx, q, t.Name)
	if err != nil {
		return "", err
	}
	pk := make([]string, 0, 3)
	for n := 1; ; n++ {
		found := false
		for _, c := range info {
			if c.pk == n {
				pk, found = append(pk, quoteIdent(c.name)), true
			}
		}
		if !found {
			break
		}
	}
	if len(pk) == 0 {
		for _, c := range t.Columns {
			pk = append(pk, quoteIdent(c.Name))
		}
	}
	return strings.Join(pk, ", "), nil
}

func (s snap) Rows(ctx context.Context, t backup.Table, fn func([]any) error) error {
	order, err := orderBy(ctx, s.q, t)
	if err != nil {
		return err
	}
	names := make([]string, len(t.Columns))
	for i, c := range t.Columns {
		names[i] = c.Name
	}
	rows, err := s.q.QueryContext(ctx, `SELECT `+quoteList(names)+` FROM `+quoteIdent(t.Name)+` ORDER BY `+order)
	if err != nil {
		return err
	}
	defer rows.Close()
	vals := make([]any, len(names))
	ptrs := make([]any, len(names))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			return err
		}
		if err := fn(vals); err != nil {
			return err
		}
	}
	return rows.Err()
}

// Restore runs fn in one write transaction.
func (db *DB) Restore(ctx context.Context, fn func(backup.Writer) error) error {
	tx, err := db.write.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin restore: %w", err)
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, `PRAGMA defer_foreign_keys = ON`); err != nil {
		return err
	}
	if err := fn(restorer{tx}); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit restore: %w", err)
	}
	return nil
}

type restorer struct{ tx *sql.Tx }

func (r restorer) Snapshot() backup.Snapshot { return snap{r.tx} }

func (r restorer) CheckEmpty(ctx context.Context) error {
	names, err := stringsOf(ctx, r.tx, `SELECT name FROM sqlite_master WHERE type = 'table'
		AND name NOT LIKE 'sqlite\_%' ESCAPE '\' ORDER BY name`)
	if err != nil {
		return err
	}
	return backup.CheckEmpty(names, func(n string) (bool, error) {
		var any bool
		err := r.tx.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM `+quoteIdent(n)+`)`).Scan(&any)
		return any, err
	})
}

func (r restorer) CreateRecordsTable(ctx context.Context, t backup.Table) error {
	stmts, err := sqlrows.RecordsDDL(t, createTableSQL)
	if err != nil {
		return err
	}
	for _, q := range stmts {
		if _, err := r.tx.ExecContext(ctx, q); err != nil {
			return err
		}
	}
	return nil
}

func (r restorer) Insert(ctx context.Context, t backup.Table, _ *backup.TimeRange, rows func(func([]any) error) error) error {
	info, err := tableInfo(ctx, r.tx, t.Name)
	if err != nil {
		return err
	}
	decl := map[string]string{}
	for _, c := range info {
		decl[c.name] = c.decl
	}
	names, idx, err := sqlrows.InsertColumns(t, func(c string) bool { _, ok := decl[c]; return ok })
	if err != nil {
		return err
	}
	if backup.Seeded[t.Name] {
		if _, err := r.tx.ExecContext(ctx, `DELETE FROM `+quoteIdent(t.Name)); err != nil {
			return err
		}
	}
	stmt, err := r.tx.PrepareContext(ctx, `INSERT INTO `+quoteIdent(t.Name)+` (`+quoteList(names)+`) VALUES (`+
		strings.TrimSuffix(strings.Repeat("?, ", len(names)), ", ")+`)`)
	if err != nil {
		return err
	}
	defer stmt.Close()
	args := make([]any, len(names))
	return rows(func(vals []any) error {
		for j, i := range idx {
			args[j] = toStored(t, t.Columns[i], decl[t.Columns[i].Name], vals[i])
		}
		_, err := stmt.ExecContext(ctx, args...)
		return err
	})
}

// toStored turns a neutral value into this engine's representation of the
// column: times as Unix milliseconds in INTEGER columns, else as text
// (records: the fixed-width layout their queries compare; platform tables:
// what fmtTime writes), booleans as 0/1.
func toStored(t backup.Table, c backup.Column, decl string, v any) any {
	switch x := v.(type) {
	case time.Time:
		switch {
		case c.Type == backup.Date:
			return x.Format(time.DateOnly)
		case strings.Contains(decl, "INT"):
			return x.UnixMilli()
		case t.Kind == backup.Records:
			return x.UTC().Format(datetimeLayout)
		}
		return fmtTime(x)
	case bool:
		if x {
			return int64(1)
		}
		return int64(0)
	}
	return v
}

func (r restorer) Finish(context.Context) error { return nil }

// SchemaVersion is the newest migration applied.
func (db *DB) SchemaVersion(ctx context.Context) (int, error) {
	var v int
	err := db.read.QueryRowContext(ctx, `SELECT coalesce(max(version), 0) FROM schema_migrations`).Scan(&v)
	return v, err
}
