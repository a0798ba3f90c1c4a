//go:build !sqlite_dbstat

package storetest

// sizesMeasured: built without the sqlite_dbstat tag, SQLite cannot
// measure its tables and says so (errs.Unavailable); PostgreSQL still must.
const sizesMeasured = false
