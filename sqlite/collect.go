package sqlite

import "database/sql"

// collect scans every row of rows with scan, then closes rows: the loop
// each list query would otherwise write again (pgx has CollectRows).
func collect[T any](rows *sql.Rows, scan func(scanner) (T, error)) ([]T, error) {
	defer rows.Close()
	var out []T
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}
