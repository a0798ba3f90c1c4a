package app

import (
	"github.com/socle/socle/internal/catalog"
	"github.com/socle/socle/internal/errs"
	"github.com/socle/socle/internal/odsql"
)

// The engines compile a query against every stored field, so a view that
// hides fields rewrites what would otherwise reach them: "*" in select,
// and full-text search, which by default spans every text field.

// visibleSelect expands "*" to the visible fields; include() and
// exclude() are refused rather than matched against hidden names.
func visibleSelect(visible []catalog.Field, items []odsql.SelectItem) ([]odsql.SelectItem, error) {
	var out []odsql.SelectItem
	for _, it := range items {
		switch it.Kind {
		case odsql.SelectAll:
			out = append(out, fieldItems(visible)...)
		case odsql.SelectInclude, odsql.SelectExclude:
			return nil, errs.E(errs.Invalid, "include() and exclude() are not available on this dataset: name the fields")
		default:
			out = append(out, it)
		}
	}
	return out, nil
}

// fieldItems selects fields by name.
func fieldItems(fields []catalog.Field) []odsql.SelectItem {
	out := make([]odsql.SelectItem, 0, len(fields))
	for _, f := range fields {
		out = append(out, odsql.SelectItem{Kind: odsql.SelectExpr, Expr: &odsql.Ident{Name: f.Name, Quoted: true}, Text: f.Name})
	}
	return out
}

// narrowSearch rewrites, in condition position, a bare string (full-text
// search) and search()/suggest() over "*" or no field into search() over
// the visible text fields; with none, into false.
func narrowSearch(e odsql.Expr, visible []catalog.Field) odsql.Expr {
	switch x := e.(type) {
	case *odsql.Literal:
		if x.Kind == odsql.LitString {
			return searchVisible("search", x, visible)
		}
	case *odsql.Unary:
		if x.Op == "NOT" {
			return &odsql.Unary{Op: x.Op, X: narrowSearch(x.X, visible), P: x.P}
		}
	case *odsql.Binary:
		if x.Op == "AND" || x.Op == "OR" {
			return &odsql.Binary{Op: x.Op, L: narrowSearch(x.L, visible), R: narrowSearch(x.R, visible), P: x.P}
		}
	case *odsql.Call:
		if (x.Name == "search" || x.Name == "suggest") && len(x.Args) > 0 && spansAll(x) {
			if lit, ok := x.Args[len(x.Args)-1].(*odsql.Literal); ok {
				return searchVisible(x.Name, lit, visible)
			}
		}
	}
	return e
}

// spansAll reports whether a search() call covers every text field.
func spansAll(x *odsql.Call) bool {
	if len(x.Args) == 1 {
		return true
	}
	for _, a := range x.Args[:len(x.Args)-1] {
		if _, ok := a.(*odsql.Star); ok {
			return true
		}
	}
	return false
}

func searchVisible(name string, text *odsql.Literal, visible []catalog.Field) odsql.Expr {
	var args []odsql.Expr
	for _, f := range visible {
		if f.Type == catalog.TypeText {
			args = append(args, &odsql.Ident{Name: f.Name, Quoted: true, P: text.P})
		}
	}
	if len(args) == 0 {
		return &odsql.Literal{Kind: odsql.LitBool, Bool: false, Raw: "false", P: text.P}
	}
	return &odsql.Call{Name: name, Args: append(args, text), P: text.P}
}
