package odsql

import (
	"strings"
)

// tokKind classifies a lexical token.
type tokKind int

const (
	tEOF    tokKind = iota
	tIdent          // bare or backquoted identifier (quoted tells which)
	tString         // '…' or "…", unescaped in text
	tNumber         // decimal number, raw in text
	tDate           // date'…'
	tGeom           // geom'…'
	tOp             // punctuation and operators
)

type token struct {
	kind   tokKind
	text   string // identifier, unescaped string, number or operator
	pos    int    // byte offset of the token's first byte
	end    int    // byte offset just past the token
	quoted bool   // backquoted identifier: never a keyword
}

// lexer turns an ODSQL parameter into tokens, all at once.
type lexer struct {
	src string
	pos int
}

func isIdentStart(c byte) bool {
	return c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= 0x80
}

func isIdentChar(c byte) bool { return isIdentStart(c) || c >= '0' && c <= '9' }

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// tokenize returns the tokens of src ending with tEOF, or a *ParseError.
func tokenize(src string) ([]token, *ParseError) {
	lx := &lexer{src: src}
	var toks []token
	for {
		t, err := lx.next()
		if err != nil {
			return nil, err
		}
		toks = append(toks, t)
		if t.kind == tEOF {
			return toks, nil
		}
	}
}

func (lx *lexer) errAt(pos int, msg string) *ParseError {
	return &ParseError{Pos: pos, Msg: msg}
}

func (lx *lexer) next() (token, *ParseError) {
	s := lx.src
	for lx.pos < len(s) && strings.IndexByte(" \t\r\n", s[lx.pos]) >= 0 {
		lx.pos++
	}
	start := lx.pos
	if start >= len(s) {
		return token{kind: tEOF, pos: start, end: start}, nil
	}
	c := s[start]
	switch {
	case c == '"' || c == '\'':
		str, end, err := lx.quoted(start, c)
		if err != nil {
			return token{}, err
		}
		lx.pos = end
		return token{kind: tString, text: str, pos: start, end: end}, nil
	case c == '`':
		str, end, err := lx.quoted(start, c)
		if err != nil {
			return token{}, err
		}
		if str == "" {
			return token{}, lx.errAt(start, "empty identifier")
		}
		lx.pos = end
		return token{kind: tIdent, text: str, pos: start, end: end, quoted: true}, nil
	case isDigit(c) || c == '.' && start+1 < len(s) && isDigit(s[start+1]):
		return lx.number(start), nil
	case isIdentStart(c):
		end := start
		for end < len(s) && isIdentChar(s[end]) {
			end++
		}
		word := s[start:end]
		lw := strings.ToLower(word)
		if (lw == "date" || lw == "geom") && end < len(s) && (s[end] == '\'' || s[end] == '"') {
			str, qend, err := lx.quoted(end, s[end])
			if err != nil {
				return token{}, err
			}
			lx.pos = qend
			k := tDate
			if lw == "geom" {
				k = tGeom
			}
			return token{kind: k, text: str, pos: start, end: qend}, nil
		}
		lx.pos = end
		return token{kind: tIdent, text: word, pos: start, end: end}, nil
	}
	for _, op := range []string{"<=", ">=", "!=", "<>", "..", "=", "<", ">", "(", ")", ",", "+", "-", "*", "/", "[", "]", ":", "|", "%"} {
		if strings.HasPrefix(s[start:], op) {
			lx.pos = start + len(op)
			return token{kind: tOp, text: op, pos: start, end: lx.pos}, nil
		}
	}
	return token{}, lx.errAt(start, "unexpected character "+quoteRune(s[start:]))
}

func quoteRune(s string) string {
	for _, r := range s {
		return "'" + string(r) + "'"
	}
	return "''"
}

// quoted reads a string delimited by q starting at start (on the opening
// quote), handling backslash escapes. It returns the unescaped text and the
// offset past the closing quote.
func (lx *lexer) quoted(start int, q byte) (string, int, *ParseError) {
	s := lx.src
	var b strings.Builder
	for i := start + 1; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '\\' && i+1 < len(s):
			i++
			switch s[i] {
			case 'n':
				b.WriteByte('\n')
			case 't':
				b.WriteByte('\t')
			case 'r':
				b.WriteByte('\r')
			default:
				b.WriteByte(s[i])
			}
		case c == q:
			return b.String(), i + 1, nil
		default:
			b.WriteByte(c)
		}
	}
	return "", 0, lx.errAt(start, "unterminated string")
}

// number reads digits with an optional fraction and exponent. "1..5" lexes
// as 1, "..", 5 for ranges.
func (lx *lexer) number(start int) token {
	s := lx.src
	i := start
	for i < len(s) && isDigit(s[i]) {
		i++
	}
	if i < len(s) && s[i] == '.' && !(i+1 < len(s) && s[i+1] == '.') {
		i++
		for i < len(s) && isDigit(s[i]) {
			i++
		}
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		j := i + 1
		if j < len(s) && (s[j] == '+' || s[j] == '-') {
			j++
		}
		if j < len(s) && isDigit(s[j]) {
			for j < len(s) && isDigit(s[j]) {
				j++
			}
			i = j
		}
	}
	lx.pos = i
	return token{kind: tNumber, text: s[start:i], pos: start, end: i}
}
