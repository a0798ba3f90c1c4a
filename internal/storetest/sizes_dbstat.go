//go:build sqlite_dbstat

package storetest

// sizesMeasured: built with the sqlite_dbstat tag (make test), SQLite
// measures its tables, so every engine must.
const sizesMeasured = true
