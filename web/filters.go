package web

import (
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/socle/socle/internal/catalog"
	"github.com/socle/socle/internal/errs"
	"github.com/socle/socle/internal/odsql"
)

// filters is the record selection of a dataset page: a free ODSQL where
// the user may edit, ANDed with one filter per column ("f.<field>"). The
// column filters are compiled to ODSQL too, so the page can show (and let
// the user edit) the exact where clause that the API would take.
type filters struct {
	Where     string            // the free clause, as typed
	Cols      map[string]string // field name → filter text
	Effective string            // the whole clause
	Params    url.Values        // where and f.* to carry in links
}

// maxFilterLen bounds each filter value.
const maxFilterLen = 500

func parseFilters(d *catalog.Dataset, v url.Values) (*filters, error) {
	f := &filters{Where: strings.TrimSpace(v.Get("where")), Cols: map[string]string{}, Params: url.Values{}}
	var parts []string
	if f.Where != "" {
		if len(f.Where) > 4096 {
			return nil, errs.E(errs.Invalid, "la clause where est trop longue")
		}
		parts = append(parts, f.Where)
		f.Params.Set("where", f.Where)
	}
	for _, fd := range d.Fields {
		val := strings.TrimSpace(v.Get("f." + fd.Name))
		if val == "" {
			continue
		}
		if len(val) > maxFilterLen {
			return nil, errs.E(errs.Invalid, "le filtre de %s est trop long", fd.Label)
		}
		clause, err := columnClause(fd, val)
		if err != nil {
			return nil, err
		}
		f.Cols[fd.Name] = val
		f.Params.Set("f."+fd.Name, val)
		parts = append(parts, clause)
	}
	if len(parts) > 1 && f.Where != "" {
		parts[0] = "(" + parts[0] + ")"
	}
	f.Effective = strings.Join(parts, " AND ")
	if f.Effective != "" {
		if _, err := odsql.ParseWhere(f.Effective); err != nil {
			return nil, err
		}
	}
	return f, nil
}

// quote is an ODSQL string literal.
func quote(s string) string {
	return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(s) + `"`
}

// ident is an ODSQL field reference.
func ident(name string) string { return "`" + name + "`" }

// columnClause turns one column filter into ODSQL: text contains (accents
// and case folded), numbers with an optional comparison operator, dates by
// year, month or day, booleans by oui/non.
func columnClause(f catalog.Field, val string) (string, error) {
	id := ident(f.Name)
	switch f.Type {
	case catalog.TypeInt, catalog.TypeDouble:
		op, num := splitOperator(val)
		n := strings.Replace(num, ",", ".", 1)
		if _, err := strconv.ParseFloat(n, 64); err != nil {
			return "", errs.E(errs.Invalid, "filtre de « %s » : %q n'est pas un nombre (exemples : 12, >=3, <2,5)", f.Label, val)
		}
		return id + " " + op + " " + n, nil
	case catalog.TypeDate, catalog.TypeDateTime:
		return dateClause(f, id, val)
	case catalog.TypeBoolean:
		switch strings.ToLower(val) {
		case "oui", "vrai", "true", "1":
			return id + " = true", nil
		case "non", "faux", "false", "0":
			return id + " = false", nil
		}
		return "", errs.E(errs.Invalid, "filtre de « %s » : écrivez oui ou non", f.Label)
	case catalog.TypeGeoPoint, catalog.TypeGeoShape, catalog.TypeJSON:
		return "", errs.E(errs.Invalid, "le champ « %s » ne se filtre pas par valeur", f.Label)
	}
	return id + " like " + quote(val), nil
}

func splitOperator(val string) (string, string) {
	for _, op := range []string{">=", "<=", "!=", ">", "<", "="} {
		if strings.HasPrefix(val, op) {
			return op, strings.TrimSpace(val[len(op):])
		}
	}
	return "=", val
}

// dateClause filters a date on a year (2024), a month (2024-03) or a day
// (2024-03-15), as a half-open range so that indexes can serve it.
func dateClause(f catalog.Field, id, val string) (string, error) {
	var from, to time.Time
	var err error
	switch len(val) {
	case 4:
		from, err = time.Parse("2006", val)
		to = from.AddDate(1, 0, 0)
	case 7:
		from, err = time.Parse("2006-01", val)
		to = from.AddDate(0, 1, 0)
	case 10:
		from, err = time.Parse("2006-01-02", val)
		to = from.AddDate(0, 0, 1)
	default:
		err = errs.E(errs.Invalid, "bad length")
	}
	if err != nil {
		return "", errs.E(errs.Invalid, "filtre de « %s » : écrivez une année (2024), un mois (2024-03) ou un jour (2024-03-15)", f.Label)
	}
	return id + " >= date'" + from.Format("2006-01-02") + "' AND " + id + " < date'" + to.Format("2006-01-02") + "'", nil
}

// query returns the filter's where for the records API ("" = none).
func (f *filters) query() url.Values {
	v := url.Values{}
	if f.Effective != "" {
		v.Set("where", f.Effective)
	}
	return v
}
