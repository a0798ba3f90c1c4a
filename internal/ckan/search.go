package ckan

import (
	"cmp"
	"slices"
	"strings"

	"github.com/socle/socle/internal/errs"
	"github.com/socle/socle/internal/odsql"
)

// Limits of package_search, CKAN's defaults.
const (
	DefaultRows       = 10
	MaxRows           = 1000 // ckan.search.rows_max
	DefaultFacetLimit = 50
	maxQueryLen       = 2000
	maxClauses        = 50
	maxClauseValues   = 100
)

// QueryErrorType is the __type of a malformed q, fq or sort.
const QueryErrorType = "Search Query Error"

// Clause is one field:value condition of q or fq; Values are alternatives
// (field:(a OR b)), "*" matches any non-empty value.
type Clause struct {
	Field  string
	Values []string
	Negate bool
}

// Search is a parsed package_search query: free-text terms (all must
// match) and clauses (all must hold).
type Search struct {
	Terms   []string
	Clauses []Clause
}

// searchFields are the fields q and fq may name, with how to read them
// from a package.
var searchFields = map[string]func(p *Package) []string{
	"id":   func(p *Package) []string { return []string{p.ID} },
	"name": func(p *Package) []string { return []string{p.Name} },
	"organization": func(p *Package) []string {
		if p.Organization == nil {
			return nil
		}
		return []string{p.Organization.Name}
	},
	"owner_org": func(p *Package) []string {
		if p.OwnerOrg == nil {
			return nil
		}
		return []string{*p.OwnerOrg}
	},
	"tags": func(p *Package) []string {
		out := make([]string, len(p.Tags))
		for i, t := range p.Tags {
			out[i] = t.Name
		}
		return out
	},
	"groups": func(p *Package) []string {
		out := make([]string, len(p.Groups))
		for i, g := range p.Groups {
			out[i] = g.Name
		}
		return out
	},
	"license_id": func(p *Package) []string { return []string{p.LicenseID} },
	"res_format": func(p *Package) []string {
		out := make([]string, len(p.Resources))
		for i, r := range p.Resources {
			out[i] = r.Format
		}
		return out
	},
	"state":        func(p *Package) []string { return []string{p.State} },
	"type":         func(p *Package) []string { return []string{p.Type} },
	"dataset_type": func(p *Package) []string { return []string{p.Type} },
}

// queryError is a malformed q, fq or sort (HTTP 400 in CKAN).
func queryError(format string, args ...any) error {
	return errs.WithCode(errs.Invalid, QueryErrorType, format, args...)
}

// ParseSearch parses package_search's q (free text and field:value
// clauses; "*:*" or empty matches everything) and fq (clauses only) in the
// Solr syntax CKAN clients send: clauses separated by spaces or AND, "-" or
// NOT to negate, "+" ignored, values bare, "quoted" or a group (a OR b).
func ParseSearch(q, fq string) (Search, error) {
	var s Search
	if len(q) > maxQueryLen || len(fq) > maxQueryLen {
		return s, queryError("q and fq are limited to %d characters", maxQueryLen)
	}
	if err := s.parse(q, true); err != nil {
		return s, err
	}
	if err := s.parse(fq, false); err != nil {
		return s, err
	}
	if len(s.Clauses)+len(s.Terms) > maxClauses {
		return s, queryError("too many search terms (at most %d)", maxClauses)
	}
	return s, nil
}

func (s *Search) parse(src string, freeText bool) error {
	l := &lexer{src: src}
	negate := false
	for {
		tok, quoted := l.next()
		switch {
		case tok == "" && !quoted:
			if negate {
				return queryError("NOT at the end of the query")
			}
			return l.err
		case !quoted && (tok == "AND" || tok == "&&" || tok == "+"):
			continue
		case !quoted && (tok == "OR" || tok == "||"):
			return queryError("OR between clauses is not supported: use field:(a OR b)")
		case !quoted && (tok == "NOT" || tok == "-" || tok == "!"):
			negate = !negate
			continue
		case !quoted && tok == "*:*":
			if negate {
				return queryError("-*:* matches nothing")
			}
			continue
		}
		if !quoted && l.peekColon() {
			c, err := l.clause(tok, negate)
			if err != nil {
				return err
			}
			s.Clauses = append(s.Clauses, c)
		} else if freeText && !negate {
			for _, t := range strings.Fields(odsql.Fold(tok)) {
				s.Terms = append(s.Terms, t)
			}
		} else if freeText {
			return queryError("negated free-text terms are not supported")
		} else {
			return queryError("fq expects field:value clauses, found %q", tok)
		}
		negate = false
		if len(s.Clauses)+len(s.Terms) > maxClauses {
			return queryError("too many search terms (at most %d)", maxClauses)
		}
	}
}

// clause reads the value(s) after "field:".
func (l *lexer) clause(field string, negate bool) (Clause, error) {
	field = strings.TrimLeft(field, "+")
	if _, ok := searchFields[field]; !ok {
		return Clause{}, queryError("unknown search field %q (known: %s)", field, knownFields())
	}
	l.pos++ // the colon
	c := Clause{Field: field, Negate: negate}
	if l.pos < len(l.src) && l.src[l.pos] == '(' {
		l.pos++
		for {
			tok, quoted := l.next()
			switch {
			case tok == "" && !quoted:
				return c, cmp.Or(l.err, queryError("missing ) after %s:(", field))
			case !quoted && tok == ")":
				if len(c.Values) == 0 {
					return c, queryError("empty group after %s:", field)
				}
				return c, nil
			case !quoted && (tok == "OR" || tok == "||"):
				continue
			}
			c.Values = append(c.Values, tok)
			if len(c.Values) > maxClauseValues {
				return c, queryError("too many values for %s (at most %d)", field, maxClauseValues)
			}
		}
	}
	tok, quoted := l.next()
	if tok == "" && !quoted {
		return c, cmp.Or(l.err, queryError("missing value after %s:", field))
	}
	if !quoted && tok == ")" {
		return c, queryError("unexpected ) after %s:", field)
	}
	c.Values = []string{tok}
	return c, nil
}

func knownFields() string {
	names := make([]string, 0, len(searchFields))
	for k := range searchFields {
		names = append(names, k)
	}
	slices.Sort(names)
	return strings.Join(names, ", ")
}

// lexer splits a Solr query into words, "quoted strings", parentheses and
// a colon that binds a field name to its value.
type lexer struct {
	src string
	pos int
	err error
}

func (l *lexer) skipSpace() {
	for l.pos < len(l.src) && (l.src[l.pos] == ' ' || l.src[l.pos] == '\t' || l.src[l.pos] == '\n' || l.src[l.pos] == '\r') {
		l.pos++
	}
}

// next returns the next token; quoted reports a "string" (maybe empty).
// At the end it returns ("", false).
func (l *lexer) next() (string, bool) {
	l.skipSpace()
	if l.pos >= len(l.src) || l.err != nil {
		return "", false
	}
	switch c := l.src[l.pos]; {
	case c == '"':
		var b strings.Builder
		for i := l.pos + 1; i < len(l.src); i++ {
			switch l.src[i] {
			case '\\':
				if i+1 < len(l.src) {
					i++
					b.WriteByte(l.src[i])
				}
			case '"':
				l.pos = i + 1
				return b.String(), true
			default:
				b.WriteByte(l.src[i])
			}
		}
		l.err = queryError("unterminated quoted string")
		return "", false
	case c == '(' || c == ')':
		l.pos++
		return string(c), false
	case c == '-' || c == '!' || c == '+':
		if l.pos+1 < len(l.src) && l.src[l.pos+1] != ' ' {
			l.pos++
			return string(c), false
		}
	}
	start := l.pos
	for l.pos < len(l.src) {
		c := l.src[l.pos]
		if c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '(' || c == ')' || c == '"' {
			break
		}
		if c == ':' && l.pos > start && l.src[start:l.pos] != "*" {
			break
		}
		if c == '\\' && l.pos+1 < len(l.src) {
			l.pos++
		}
		l.pos++
	}
	if l.pos == start { // a lone ':' or a stray character
		l.pos++
		return l.src[start:l.pos], false
	}
	return strings.ReplaceAll(l.src[start:l.pos], `\`, ""), false
}

// peekColon reports whether the token just read is a field name.
func (l *lexer) peekColon() bool { return l.pos < len(l.src) && l.src[l.pos] == ':' }

// Match reports whether p satisfies s.
func (s Search) Match(p *Package) bool {
	for _, c := range s.Clauses {
		if c.holds(p) == c.Negate {
			return false
		}
	}
	if len(s.Terms) == 0 {
		return true
	}
	text := odsql.Fold(searchText(p))
	for _, t := range s.Terms {
		if !strings.Contains(text, t) {
			return false
		}
	}
	return true
}

func (c Clause) holds(p *Package) bool {
	for _, have := range searchFields[c.Field](p) {
		for _, want := range c.Values {
			if (want == "*" && have != "") || strings.EqualFold(have, want) {
				return true
			}
		}
	}
	return false
}

func searchText(p *Package) string {
	parts := []string{p.Name, p.Title, p.Notes}
	for _, t := range p.Tags {
		parts = append(parts, t.Name)
	}
	for _, g := range p.Groups {
		parts = append(parts, g.Title)
	}
	if p.Organization != nil {
		parts = append(parts, p.Organization.Title)
	}
	return strings.Join(parts, " ")
}
