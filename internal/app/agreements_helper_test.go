package app_test

import (
	"context"
	"path/filepath"

	"github.com/socle/socle/sqlite"
)

func openSQLite(dir string) (*sqlite.DB, error) {
	return sqlite.Open(context.Background(), filepath.Join(dir, "socle.db"))
}
