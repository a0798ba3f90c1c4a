package odsql

import (
	"strconv"
	"strings"
)

// Dialect selects the SQL flavour Compile emits. Use the SQLite and
// Postgres values.
type Dialect interface {
	Name() string
	pg() bool
}

type dialect struct {
	name     string
	postgres bool
}

func (d dialect) Name() string { return d.name }
func (d dialect) pg() bool     { return d.postgres }

// The dialects.
var (
	SQLite   Dialect = dialect{name: "sqlite"}
	Postgres Dialect = dialect{name: "postgres", postgres: true}
)

// quoteIdent quotes a SQL identifier.
func quoteIdent(s string) string { return `"` + strings.ReplaceAll(s, `"`, `""`) + `"` }

// quoteTable quotes a possibly schema-qualified table name.
func quoteTable(s string) string {
	parts := strings.Split(s, ".")
	for i, p := range parts {
		parts[i] = quoteIdent(p)
	}
	return strings.Join(parts, ".")
}

// numberPlaceholders rewrites the compiler's '?' placeholders as $1, $2…
// for PostgreSQL. The compiler never emits '?' other than as a placeholder:
// user text only ever travels in arguments.
func numberPlaceholders(sql string, d Dialect) string {
	if !d.pg() {
		return sql
	}
	var b strings.Builder
	n := 0
	for i := 0; i < len(sql); i++ {
		if sql[i] == '?' {
			n++
			b.WriteByte('$')
			b.WriteString(strconv.Itoa(n))
			continue
		}
		b.WriteByte(sql[i])
	}
	return b.String()
}
