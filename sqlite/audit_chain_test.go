package sqlite

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/socle/socle/internal/audit"
)

// TestMigrationChainsExistingEntries rolls a database back to before
// migration 0009 (entries without hashes), applies it again and checks that the
// migration chained the existing entries in order and that appends go on
// from there.
func TestMigrationChainsExistingEntries(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "socle.db")
	db, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	for _, actor := range []string{"a", "b", "c"} {
		if err := db.AppendAudit(ctx, &audit.Entry{Actor: actor, Action: "x", Target: "t", Detail: "é"}); err != nil {
			t.Fatal(err)
		}
	}
	for _, stmt := range []string{
		`DROP TRIGGER audit_log_chain`, `DROP TRIGGER audit_head_no_delete`, `DROP TRIGGER audit_log_no_update`,
		`DROP TABLE audit_head`, `DROP TABLE agreements`, `DROP TABLE agreement_usage`,
		`ALTER TABLE audit_log DROP COLUMN prev_hash`, `ALTER TABLE audit_log DROP COLUMN hash`,
		`CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log BEGIN SELECT RAISE(ABORT, 'audit log is append-only'); END`,
		`DELETE FROM schema_migrations WHERE version = 9`,
	} {
		if _, err := db.write.ExecContext(ctx, stmt); err != nil {
			t.Fatalf("%s: %v", stmt, err)
		}
	}
	// Later migrations are already there: apply 0009 alone, as an upgrade would.
	if err := db.applyMigration(ctx, "migrations/0009_trust.sql", 9); err != nil {
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

// BenchmarkAuditAppend compares an append to the chained log with the same
// insert into a table without the chain's trigger (the baseline).
func BenchmarkAuditAppend(b *testing.B) {
	db := openTest(b)
	defer db.Close()
	ctx := context.Background()
	if _, err := db.write.ExecContext(ctx, `CREATE TABLE audit_plain AS SELECT id, time, actor, action, target, records, detail FROM audit_log WHERE 0`); err != nil {
		b.Fatal(err)
	}
	e := &audit.Entry{Actor: "zoe", Action: "records.read", Target: "trees", Records: 20, Detail: "restricted"}
	b.Run("baseline", func(b *testing.B) {
		for b.Loop() {
			if _, err := db.write.ExecContext(ctx, `INSERT INTO audit_plain (time, actor, action, target, records, detail) VALUES (?, ?, ?, ?, ?, ?)`,
				fmtTime(e.Time), e.Actor, e.Action, e.Target, e.Records, e.Detail); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("chained", func(b *testing.B) {
		for b.Loop() {
			if err := db.AppendAudit(ctx, e); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkAuditVerify measures verification per entry.
func BenchmarkAuditVerify(b *testing.B) {
	db := openTest(b)
	defer db.Close()
	ctx := context.Background()
	for range 10000 {
		if err := db.AppendAudit(ctx, &audit.Entry{Actor: "zoe", Action: "records.read", Target: "trees", Records: 20}); err != nil {
			b.Fatal(err)
		}
	}
	for b.Loop() {
		if rep, err := db.VerifyAudit(ctx); err != nil || !rep.OK() {
			b.Fatal(rep, err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/10000, "ns/entry")
}
