package postgres

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/socle/socle/internal/backup"
	"github.com/socle/socle/internal/sqlrows"
)

// The engine's side of backup.Source and backup.Target. A backup reads one
// REPEATABLE READ snapshot; a restore is one transaction (PostgreSQL's DDL
// is transactional, so created tables and partitions go away with it) that
// reads its own result back before commit. Rows are written with COPY.

// BackupSnapshot runs fn on one read-only REPEATABLE READ transaction.
func (db *DB) BackupSnapshot(ctx context.Context, fn func(backup.Snapshot) error) error {
	return db.pool.with(ctx, func(c *pgx.Conn) error {
		tx, err := c.BeginTx(ctx, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly})
		if err != nil {
			return fmt.Errorf("begin backup: %w", err)
		}
		defer tx.Rollback(context.Background())
		if _, err := tx.Exec(ctx, `SET LOCAL statement_timeout = 0`); err != nil {
			return err
		}
		return fn(pgSnap{tx})
	})
}

type pgSnap struct{ tx pgx.Tx }

type pgCol struct {
	name, typ string
}

func pgColumns(ctx context.Context, tx pgx.Tx, table string) ([]pgCol, error) {
	rows, err := tx.Query(ctx, `SELECT column_name, data_type FROM information_schema.columns
		WHERE table_schema = current_schema() AND table_name = $1 ORDER BY column_name COLLATE "C"`, table)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (pgCol, error) {
		var c pgCol
		err := r.Scan(&c.name, &c.typ)
		return c, err
	})
}

// pgType is the archive type of a PostgreSQL column type.
func pgType(typ string) backup.Type {
	switch typ {
	case "bigint", "integer", "smallint":
		return backup.Integer
	case "double precision", "real", "numeric":
		return backup.Number
	case "boolean":
		return backup.Boolean
	case "timestamp with time zone", "timestamp without time zone":
		return backup.DateTime
	case "date":
		return backup.Date
	case "jsonb", "json":
		return backup.JSON
	case "bytea":
		return backup.Bytes
	}
	return backup.String
}

func (s pgSnap) Tables(ctx context.Context) ([]backup.Table, error) {
	names, err := platformTables(ctx, s.tx)
	if err != nil {
		return nil, err
	}
	var out []backup.Table
	for _, name := range backup.OrderTables(names) {
		cols, err := pgColumns(ctx, s.tx, name)
		if err != nil {
			return nil, err
		}
		t := backup.Table{Name: name, Kind: backup.Platform}
		for _, c := range cols {
			t.Columns = append(t.Columns, backup.Column{Name: c.name, Type: pgType(c.typ)})
		}
		out = append(out, t)
	}
	rows, err := s.tx.Query(ctx, `SELECT v.table_name, v.fields::text FROM dataset_versions v
		WHERE to_regclass(quote_ident(v.table_name)) IS NOT NULL ORDER BY v.table_name COLLATE "C"`)
	if err != nil {
		return nil, err
	}
	type ref struct{ name, fields string }
	refs, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (ref, error) {
		var x ref
		err := r.Scan(&x.name, &x.fields)
		return x, err
	})
	if err != nil {
		return nil, err
	}
	for _, x := range refs {
		t, _, err := sqlrows.RecordsTable(x.name, []byte(x.fields))
		if err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	return out, nil
}

// platformTables lists the schema's tables except the records tables and
// the observations' partitions (their rows are the parent's).
func platformTables(ctx context.Context, tx pgx.Tx) ([]string, error) {
	rows, err := tx.Query(ctx, `SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
		WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p') AND NOT c.relispartition
		AND c.relname NOT LIKE 'r\_%' ORDER BY 1`)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, pgx.RowTo[string])
}

// orderBy is the primary key (records: _id), text compared bytewise as
// SQLite does, so that both engines write rows in the same order.
func (s pgSnap) orderBy(ctx context.Context, t backup.Table) (string, error) {
	if t.Kind == backup.Records {
		return `"_id"`, nil
	}
	rows, err := s.tx.Query(ctx, `SELECT a.attname, format_type(a.atttypid, a.atttypmod) FROM pg_index i
		JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY (i.indkey)
		WHERE i.indrelid = to_regclass(quote_ident($1)) AND i.indisprimary
		ORDER BY array_position(i.indkey, a.attnum)`, t.Name)
	if err != nil {
		return "", err
	}
	cols, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (pgCol, error) {
		var c pgCol
		err := r.Scan(&c.name, &c.typ)
		return c, err
	})
	if err != nil {
		return "", err
	}
	if len(cols) == 0 {
		for _, c := range t.Columns {
			cols = append(cols, pgCol{name: c.Name, typ: string(c.Type)})
		}
	}
	parts := make([]string, len(cols))
	for i, c := range cols {
		parts[i] = quoteIdent(c.name)
		if c.typ == "text" || c.typ == string(backup.String) {
			parts[i] += ` COLLATE "C"`
		}
		parts[i] += " NULLS FIRST"
	}
	return strings.Join(parts, ", "), nil
}

func (s pgSnap) Rows(ctx context.Context, t backup.Table, fn func([]any) error) error {
	order, err := s.orderBy(ctx, t)
	if err != nil {
		return err
	}
	sel := make([]string, len(t.Columns))
	for i, c := range t.Columns {
		sel[i] = quoteIdent(c.Name)
		if c.Type == backup.JSON {
			sel[i] += "::text" // the text, not pgx's decoded map
		}
	}
	rows, err := s.tx.Query(ctx, `SELECT `+strings.Join(sel, ", ")+` FROM `+quoteIdent(t.Name)+` ORDER BY `+order)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		vals, err := rows.Values()
		if err != nil {
			return err
		}
		if err := fn(vals); err != nil {
			return err
		}
	}
	return rows.Err()
}

// Restore runs fn in one transaction.
func (db *DB) Restore(ctx context.Context, fn func(backup.Writer) error) error {
	return db.inTx(ctx, pgx.TxOptions{}, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `SET LOCAL statement_timeout = 0`); err != nil {
			return err
		}
		return fn(pgRestorer{db: db, tx: tx})
	})
}

type pgRestorer struct {
	db *DB
	tx pgx.Tx
}

func (r pgRestorer) Snapshot() backup.Snapshot { return pgSnap{r.tx} }

func (r pgRestorer) CheckEmpty(ctx context.Context) error {
	names, err := platformTables(ctx, r.tx)
	if err != nil {
		return err
	}
	return backup.CheckEmpty(names, func(n string) (bool, error) {
		var any bool
		err := r.tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM `+quoteIdent(n)+`)`).Scan(&any)
		return any, err
	})
}

func (r pgRestorer) CreateRecordsTable(ctx context.Context, t backup.Table) error {
	stmts, err := sqlrows.RecordsDDL(t, createTableSQL)
	if err != nil {
		return err
	}
	for _, q := range stmts {
		if _, err := r.tx.Exec(ctx, q); err != nil {
			return err
		}
	}
	return nil
}

// copyBatch is how many rows one COPY carries.
const copyBatch = 10_000

func (r pgRestorer) Insert(ctx context.Context, t backup.Table, hint *backup.TimeRange, rows func(func([]any) error) error) error {
	cols, err := pgColumns(ctx, r.tx, t.Name)
	if err != nil {
		return err
	}
	have := map[string]bool{}
	for _, c := range cols {
		have[c.name] = true
	}
	names, idx, err := sqlrows.InsertColumns(t, func(c string) bool { return have[c] })
	if err != nil {
		return err
	}
	if backup.Seeded[t.Name] {
		if _, err := r.tx.Exec(ctx, `DELETE FROM `+quoteIdent(t.Name)); err != nil {
			return err
		}
	}
	if t.Name == "observations" && hint != nil {
		if err := r.partitions(ctx, hint); err != nil {
			return err
		}
	}
	batch := make([][]any, 0, copyBatch)
	flush := func() error {
		if len(batch) == 0 {
			return nil
		}
		_, err := r.tx.CopyFrom(ctx, pgx.Identifier{t.Name}, names, pgx.CopyFromRows(batch))
		batch = batch[:0]
		return err
	}
	err = rows(func(vals []any) error {
		row := make([]any, len(idx))
		for j, i := range idx {
			row[j] = vals[i]
		}
		batch = append(batch, row)
		if len(batch) == copyBatch {
			return flush()
		}
		return nil
	})
	if err != nil {
		return err
	}
	return flush()
}

// partitions creates, in the restore's transaction, the monthly
// partitions of the observations' time range (the same window as
// AppendBatch's), before any row could land in the default partition.
func (r pgRestorer) partitions(ctx context.Context, hint *backup.TimeRange) error {
	last := month(time.Now()).AddDate(0, 1, 0)
	for m := month(hint.Min); !m.After(month(hint.Max)); m = m.AddDate(0, 1, 0) {
		if m.Before(partitionsFrom) || m.After(last) {
			continue
		}
		stmt := fmt.Sprintf(`CREATE TABLE IF NOT EXISTS %s PARTITION OF observations FOR VALUES FROM ('%s') TO ('%s')`,
			quoteIdent("observations_"+m.Format("2006_01")), m.Format(time.RFC3339), m.AddDate(0, 1, 0).Format(time.RFC3339))
		if _, err := r.tx.Exec(ctx, stmt); err != nil {
			return fmt.Errorf("partition %s: %w", m.Format("2006-01"), err)
		}
	}
	return nil
}

// Finish moves every identity sequence past the restored IDs.
func (r pgRestorer) Finish(ctx context.Context) error {
	rows, err := r.tx.Query(ctx, `SELECT table_name, column_name FROM information_schema.columns
		WHERE table_schema = current_schema() AND (is_identity = 'YES' OR column_default LIKE 'nextval(%')`)
	if err != nil {
		return err
	}
	seqs, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (pgCol, error) {
		var c pgCol
		err := r.Scan(&c.name, &c.typ)
		return c, err
	})
	if err != nil {
		return err
	}
	for _, s := range seqs {
		q := fmt.Sprintf(`SELECT setval(pg_get_serial_sequence($1, $2), coalesce(max(%s), 0) + 1, false) FROM %s`,
			quoteIdent(s.typ), quoteIdent(s.name))
		if _, err := r.tx.Exec(ctx, q, quoteIdent(s.name), s.typ); err != nil {
			return fmt.Errorf("sequence of %s.%s: %w", s.name, s.typ, err)
		}
	}
	return nil
}

// SchemaVersion is the newest migration applied.
func (db *DB) SchemaVersion(ctx context.Context) (int, error) {
	var v int
	err := db.pool.with(ctx, func(c *pgx.Conn) error {
		return c.QueryRow(ctx, `SELECT coalesce(max(version), 0) FROM schema_migrations`).Scan(&v)
	})
	return v, err
}
