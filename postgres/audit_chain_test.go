package postgres

import (
	"context"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/socle/socle/internal/audit"
)

// TestMigrationChainsExistingEntries rolls a database back to before
// migration 0009 (entries without hashes), applies it again and checks that the
// migration chained the existing entries in order and that appends go on
// from there.
func TestMigrationChainsExistingEntries(t *testing.T) {
	ctx := context.Background()
	dsn, _ := testDSN(t)
	db, err := Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	for _, actor := range []string{"a", "b", "c"} {
		if err := db.AppendAudit(ctx, &audit.Entry{Actor: actor, Action: "x", Target: "t", Detail: "é"}); err != nil {
			t.Fatal(err)
		}
	}
	for _, stmt := range []string{
		`DROP TRIGGER audit_log_chain ON audit_log`, `DROP TABLE audit_head, agreements, agreement_usage`,
		`DROP FUNCTION audit_log_chain()`, `DROP FUNCTION audit_hash(bigint, timestamptz, text, text, text, bigint, text, text)`,
		`DROP FUNCTION audit_field(text)`, `ALTER TABLE audit_log DROP COLUMN prev_hash, DROP COLUMN hash`,
		`DELETE FROM schema_migrations WHERE version = 9`,
	} {
		if err := db.exec(ctx, stmt); err != nil {
			t.Fatalf("%s: %v", stmt, err)
		}
	}
	// Later migrations are already there: apply 0009 alone, as an upgrade would.
	err = db.inTx(ctx, pgx.TxOptions{}, func(tx pgx.Tx) error {
		return applyMigration(ctx, tx, "migrations/0009_trust.sql", 9)
	})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := db.AppendAudit(ctx, &audit.Entry{Actor: "d", Action: "x", Target: "t"}); err != nil {
		t.Fatal(err)
	}
	rep, err := db.VerifyAudit(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if !rep.OK() || rep.Entries != 4 {
		t.Fatalf("after the migration: %+v %+v", rep, rep.Broken)
	}
}
