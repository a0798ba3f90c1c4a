package main

import (
	"database/sql"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
	_ "github.com/mattn/go-sqlite3"
)

// TestAuditVerifyCatchesHandEdits appends entries through real use, then
// plays an attacker with database access who drops the append-only
// protection: an edited detail, a deleted entry and a forged one are each
// caught by `socle audit verify`, which names the entry; each undone edit
// makes the log verify again.
func TestAuditVerifyCatchesHandEdits(t *testing.T) {
	csvPath := filepath.Join(t.TempDir(), "a.csv")
	os.WriteFile(csvPath, []byte("nom;n\nalpha;1\nbeta;2\n"), 0o600)
	for _, e := range engines(t) {
		t.Run(e.name, func(t *testing.T) {
			e.t = t
			seedOrgs(t, e)
			for _, id := range []string{"a", "b", "c"} {
				e.mustRun("import", "--dataset", id, "--access", "restricted", "--org", "metropole", csvPath)
			}
			e.mustRun("user", "add", "--login", "steward", "--role", "steward", "--org", "metropole")
			e.mustRun("apikey", "create", "--login", "steward")
			out := e.mustRun("audit", "verify")
			n := 0
			if _, err := fmt.Sscanf(out, "audit log intact: %d entries", &n); err != nil || n < 4 {
				t.Fatalf("verify: %q (%v)", out, err)
			}
			db := attackerDB(t, e)
			tamper := func(sql string, args ...any) {
				t.Helper()
				if _, err := db.Exec(sql, args...); err != nil {
					t.Fatalf("%s: %v", sql, err)
				}
			}
			p := e.placeholders()
			var detail string
			if err := db.QueryRow(`SELECT detail FROM audit_log WHERE id = 2`).Scan(&detail); err != nil {
				t.Fatal(err)
			}
			tamper(`UPDATE audit_log SET detail = `+p(1)+` WHERE id = 2`, detail+" (edited)")
			wantBroken(t, e, 2, "content")
			tamper(`UPDATE audit_log SET detail = `+p(1)+` WHERE id = 2`, detail)
			e.mustRun("audit", "verify")

			row := make([]any, 9)
			ptrs := make([]any, 9)
			for i := range row {
				ptrs[i] = &row[i]
			}
			if err := db.QueryRow(`SELECT id, time, actor, action, target, records, detail, prev_hash, hash FROM audit_log WHERE id = 3`).Scan(ptrs...); err != nil {
				t.Fatal(err)
			}
			tamper(`DELETE FROM audit_log WHERE id = 3`)
			wantBroken(t, e, 4, "prev_hash")
			insert := `INSERT INTO audit_log (id, time, actor, action, target, records, detail, prev_hash, hash) VALUES (` +
				strings.Join([]string{p(1), p(2), p(3), p(4), p(5), p(6), p(7), p(8), p(9)}, ", ") + `)`
			tamper(insert, row...)
			e.mustRun("audit", "verify")

			var last int64
			var head string
			if err := db.QueryRow(`SELECT id, hash FROM audit_log ORDER BY id DESC LIMIT 1`).Scan(&last, &head); err != nil {
				t.Fatal(err)
			}
			tamper(insert, last+1, row[1], "mallory", "records.read", "a", 0, "", head, strings.Repeat("ab", 32))
			wantBroken(t, e, last+1, "content")
			tamper(`DELETE FROM audit_log WHERE id = `+p(1), last+1)
			e.mustRun("audit", "verify")
		})
	}
}

// wantBroken runs `socle audit verify` and requires exit 1 naming entry id.
func wantBroken(t *testing.T, e *env, id int64, reason string) {
	t.Helper()
	out, errOut, code := e.run("", "audit", "verify")
	want := regexp.MustCompile(fmt.Sprintf(`broken at entry %d: [^\n]*%s`, id, reason))
	if code != 1 || !want.MatchString(errOut) {
		t.Fatalf("audit verify: exit %d, want 1 naming entry %d (%s)\nstdout: %s\nstderr: %s", code, id, reason, out, errOut)
	}
}

// placeholders returns the engine's bind parameter syntax.
func (e *env) placeholders() func(int) string {
	if e.dsn != "" {
		return func(i int) string { return fmt.Sprintf("$%d", i) }
	}
	return func(int) string { return "?" }
}

// attackerDB opens the env's database directly and removes the audit log's
// append-only protection, as someone with access to the database could.
func attackerDB(t *testing.T, e *env) *sql.DB {
	t.Helper()
	if e.dsn == "" {
		db, err := sql.Open("sqlite3", filepath.Join(e.data, "socle.db"))
		if err != nil {
			t.Fatal(err)
		}
		db.SetMaxOpenConns(1)
		t.Cleanup(func() { db.Close() })
		for _, tr := range []string{"audit_log_no_update", "audit_log_no_delete", "audit_log_chain"} {
			if _, err := db.Exec(`DROP TRIGGER ` + tr); err != nil {
				t.Fatal(err)
			}
		}
		return db
	}
	u, err := url.Parse(e.dsn)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	schema := q.Get("schema")
	q.Del("schema")
	u.RawQuery = q.Encode()
	cfg, err := pgx.ParseConfig(u.String())
	if err != nil {
		t.Fatal(err)
	}
	cfg.RuntimeParams["search_path"] = schema
	db := stdlib.OpenDB(*cfg)
	t.Cleanup(func() { db.Close() })
	if _, err := db.Exec(`ALTER TABLE audit_log DISABLE TRIGGER USER`); err != nil {
		t.Fatal(err)
	}
	return db
}
