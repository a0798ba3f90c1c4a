package sqlrows

import (
	"encoding/json"
	"fmt"

	"github.com/socle/socle/internal/backup"
	"github.com/socle/socle/internal/catalog"
	"github.com/socle/socle/internal/errs"
)

// RecordsTable describes a dataset version's records table for a backup:
// _id, then the storage columns of its fields (fields is the JSON kept in
// dataset_versions).
func RecordsTable(name string, fields []byte) (backup.Table, []catalog.Field, error) {
	var fs []catalog.Field
	if err := json.Unmarshal(fields, &fs); err != nil {
		return backup.Table{}, nil, fmt.Errorf("fields of %s: %w", name, err)
	}
	cols := []backup.Column{{Name: "_id", Type: backup.Integer}}
	for _, f := range fs {
		t := backupType(f.Type)
		for _, c := range ColumnNames([]catalog.Field{f}) {
			cols = append(cols, backup.Column{Name: c, Type: t})
		}
	}
	return backup.Table{Name: name, Kind: backup.Records, Columns: cols, Fields: json.RawMessage(fields)}, fs, nil
}

// backupType is the archive type of a field's storage columns. GeoJSON
// shapes and JSON fields are text on both engines and stay as written.
func backupType(t catalog.FieldType) backup.Type {
	switch t {
	case catalog.TypeInt:
		return backup.Integer
	case catalog.TypeDouble, catalog.TypeGeoPoint:
		return backup.Number
	case catalog.TypeBoolean:
		return backup.Boolean
	case catalog.TypeDate:
		return backup.Date
	case catalog.TypeDateTime:
		return backup.DateTime
	}
	return backup.String
}

// PlatformType is the archive type of a platform column given the type an
// engine reports when the column is not in backup.Columns.
func PlatformType(table, column string, plain backup.Type) backup.Type {
	if t, ok := backup.Columns[table+"."+column]; ok {
		return t
	}
	return plain
}

// SealedColumn reports the columns a restore leaves to the database: the
// audit log's hash chain, which its trigger recomputes as the entries are
// inserted in order (and backup.Restore then compares with the archive).
func SealedColumn(table, column string) bool {
	return table == "audit_log" && (column == "hash" || column == "prev_hash")
}

// RecordsDDL returns the statements that create a restored records table
// with the engine's own layout (create) and the fields' indexes.
func RecordsDDL(t backup.Table, create func(table string, fields []catalog.Field) string) ([]string, error) {
	_, fields, err := RecordsTable(t.Name, t.Fields)
	if err != nil {
		return nil, err
	}
	return append([]string{create(t.Name, fields)}, IndexSQL(t.Name, fields)...), nil
}

// InsertColumns picks the archive columns a restore writes: all of them
// (each must exist in the target, has tells) except those the database
// seals itself. idx maps each picked name to its position in t.Columns.
func InsertColumns(t backup.Table, has func(column string) bool) (names []string, idx []int, err error) {
	for i, c := range t.Columns {
		if !has(c.Name) {
			return nil, nil, errs.E(errs.Invalid, "column %s.%s does not exist in this version of Socle", t.Name, c.Name)
		}
		if SealedColumn(t.Name, c.Name) {
			continue
		}
		names, idx = append(names, c.Name), append(idx, i)
	}
	return names, idx, nil
}
