package odsql

import (
	"strconv"
	"strings"
	"time"
)

// Expr is a node of an ODSQL expression. Every node records the byte offset
// of its first token in the parameter it was parsed from.
type Expr interface {
	Pos() int
	String() string // canonical text, used to match select items to group keys
}

// Ident names a field or an alias.
type Ident struct {
	Name   string
	Quoted bool // written `backquoted`
	P      int
}

// Star is the "*" of select, count(*) or search(*, …).
type Star struct{ P int }

// LitKind tells the kinds of literal apart.
type LitKind int

// The literal kinds.
const (
	LitNull     LitKind = iota
	LitString           // Str
	LitInt              // Int
	LitFloat            // Float
	LitBool             // Bool
	LitDate             // Time; DateOnly when the text had no time part
	LitGeom             // Geom (lon, lat of a point) or GeoJSON raw text in Str
	LitQuantity         // Float with a Unit: "5km", "1 day"
)

// Literal is a constant.
type Literal struct {
	Kind     LitKind
	Str      string
	Int      int64
	Float    float64
	Bool     bool
	Time     time.Time // LitDate: wall clock as written; zone applied at compile time
	DateOnly bool
	Zoned    bool // LitDate text carried an explicit offset or Z
	Lon, Lat float64
	Unit     string // LitQuantity: lower-case unit
	Raw      string // source text
	P        int
}

// Unary is NOT x or -x.
type Unary struct {
	Op string // "NOT" or "-"
	X  Expr
	P  int
}

// Binary is a binary operation: AND OR = != < <= > >= + - * / LIKE and the
// "f:v" shorthand (Op ":").
type Binary struct {
	Op   string
	L, R Expr
	P    int
}

// In is x [NOT] IN (list).
type In struct {
	X    Expr
	List []Expr
	Not  bool
	P    int
}

// Between is x IN [lo..hi], ]lo..hi[ and friends; nil bounds are open.
type Between struct {
	X              Expr
	Lo, Hi         Expr
	LoIncl, HiIncl bool
	P              int
}

// IsNull is x IS [NOT] NULL.
type IsNull struct {
	X   Expr
	Not bool
	P   int
}

// IsBool is x IS [NOT] TRUE|FALSE.
type IsBool struct {
	X     Expr
	Value bool
	Not   bool
	P     int
}

// Call is a function, aggregate or predicate call. Name is lower case.
type Call struct {
	Name     string
	Args     []Expr
	Distinct bool // count(distinct f)
	P        int
}

func (e *Ident) Pos() int   { return e.P }
func (e *Star) Pos() int    { return e.P }
func (e *Literal) Pos() int { return e.P }
func (e *Unary) Pos() int   { return e.P }
func (e *Binary) Pos() int  { return e.P }
func (e *In) Pos() int      { return e.P }
func (e *Between) Pos() int { return e.P }
func (e *IsNull) Pos() int  { return e.P }
func (e *IsBool) Pos() int  { return e.P }
func (e *Call) Pos() int    { return e.P }

func (e *Ident) String() string { return e.Name }
func (e *Star) String() string  { return "*" }
func (e *Literal) String() string {
	switch e.Kind {
	case LitNull:
		return "null"
	case LitString:
		return strconv.Quote(e.Str)
	case LitInt:
		return strconv.FormatInt(e.Int, 10)
	case LitFloat:
		return strconv.FormatFloat(e.Float, 'g', -1, 64)
	case LitBool:
		return strconv.FormatBool(e.Bool)
	case LitDate:
		return "date'" + e.Raw + "'"
	case LitGeom:
		return "geom'" + e.Raw + "'"
	case LitQuantity:
		return strconv.FormatFloat(e.Float, 'g', -1, 64) + " " + e.Unit
	}
	return e.Raw
}
func (e *Unary) String() string {
	if e.Op == "-" {
		return "-" + e.X.String()
	}
	return "NOT (" + e.X.String() + ")"
}
func (e *Binary) String() string { return "(" + e.L.String() + " " + e.Op + " " + e.R.String() + ")" }
func (e *In) String() string {
	op := " IN ("
	if e.Not {
		op = " NOT IN ("
	}
	return e.X.String() + op + joinExprs(e.List) + ")"
}
func (e *Between) String() string {
	var b strings.Builder
	b.WriteString(e.X.String())
	b.WriteString(" IN ")
	b.WriteString(map[bool]string{true: "[", false: "]"}[e.LoIncl])
	if e.Lo != nil {
		b.WriteString(e.Lo.String())
	}
	b.WriteString("..")
	if e.Hi != nil {
		b.WriteString(e.Hi.String())
	}
	b.WriteString(map[bool]string{true: "]", false: "["}[e.HiIncl])
	return b.String()
}
func (e *IsNull) String() string {
	if e.Not {
		return e.X.String() + " IS NOT NULL"
	}
	return e.X.String() + " IS NULL"
}
func (e *IsBool) String() string {
	s := e.X.String() + " IS "
	if e.Not {
		s += "NOT "
	}
	return s + strings.ToUpper(strconv.FormatBool(e.Value))
}
func (e *Call) String() string {
	d := ""
	if e.Distinct {
		d = "distinct "
	}
	return e.Name + "(" + d + joinExprs(e.Args) + ")"
}

func joinExprs(es []Expr) string {
	parts := make([]string, len(es))
	for i, e := range es {
		parts[i] = e.String()
	}
	return strings.Join(parts, ", ")
}

// SelectKind tells a select item's form.
type SelectKind int

// The select item forms.
const (
	SelectExpr    SelectKind = iota // Expr [AS Alias]
	SelectAll                       // *
	SelectInclude                   // include(patterns)
	SelectExclude                   // exclude(patterns)
)

// SelectItem is one comma-separated item of select.
type SelectItem struct {
	Kind     SelectKind
	Expr     Expr
	Alias    string
	Text     string   // source text of the expression, the output name when unaliased
	Patterns []string // include/exclude field-name patterns, '*' = any run
	Pos      int
}

// GroupItem is one item of group_by.
type GroupItem struct {
	Expr  Expr
	Alias string
	Text  string
	Pos   int
}

// OrderItem is one item of order_by.
type OrderItem struct {
	Expr Expr
	Desc bool
	Text string
	Pos  int
}

// Refine is one refine= or exclude= value: Facet:Value.
type Refine struct {
	Facet string
	Value string
}
