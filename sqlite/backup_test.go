package sqlite

import (
	"context"
	"strings"
	"testing"

	"github.com/socle/socle/internal/backup"
)

// TestBackupColumnsExist: every column backup.Columns types exists in
// SQLite with a storage class that can hold its type (PostgreSQL's tests
// check the list is complete).
func TestBackupColumnsExist(t *testing.T) {
	db := openTest(t)
	defer db.Close()
	ctx := context.Background()
	decl := map[string]string{}
	err := db.BackupSnapshot(ctx, func(s backup.Snapshot) error {
		names, err := stringsOf(ctx, s.(snap).q, `SELECT name FROM sqlite_master WHERE type = 'table'`)
		if err != nil {
			return err
		}
		for _, n := range names {
			info, err := tableInfo(ctx, s.(snap).q, n)
			if err != nil {
				return err
			}
			for _, c := range info {
				decl[n+"."+c.name] = c.decl
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for col, typ := range backup.Columns {
		d, ok := decl[col]
		switch {
		case !ok:
			t.Errorf("%s (%s) does not exist in SQLite", col, typ)
		case typ == backup.Boolean && !strings.Contains(d, "INT"),
			typ == backup.Bytes && d != "BLOB",
			(typ == backup.JSON || typ == backup.Date) && d != "TEXT",
			typ == backup.DateTime && d != "TEXT" && !strings.Contains(d, "INT"):
			t.Errorf("%s (%s) is declared %s in SQLite", col, typ, d)
		}
	}
}
