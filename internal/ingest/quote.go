package ingest

import (
	"bytes"
	"fmt"
	"io"
	"unicode/utf8"
)

// bareQuote stands in for a quote inside an unquoted cell (5" pouces) while
// encoding/csv reads the stream in strict mode, which refuses such quotes. The
// decoded stream is valid UTF-8, where the byte 0xFF never occurs, so the
// substitution is reversible: every 0xFF in a cell was a bare quote.
const bareQuote = 0xFF

// quoteState is where quoteFilter stands in the CSV grammar.
type quoteState uint8

const (
	atCellStart  quoteState = iota // nothing of the cell read yet
	inUnquoted                     // in a cell that does not start with a quote
	inQuoted                       // in a quoted cell
	afterQuote                     // just after a quote in a quoted cell: closing or doubled
	afterQuoteCR                   // after a closing quote and a carriage return
	skipLine                       // after a stray quote, to the end of the line
)

// position is a place in the decoded text: 1-based line, 1-based character.
type position struct{ line, col int }

// quoteFilter sits between the decoded text and a strict encoding/csv reader,
// following the same grammar byte by byte. It does three things csv cannot:
//   - it replaces quotes inside unquoted cells by bareQuote, so that strict
//     mode tolerates them as lazy mode would;
//   - at the end of the stream inside a quoted cell, it fails with an
//     unclosedQuoteError naming where the cell opened, where csv's lazy mode
//     would return the rest of the file as one cell;
//   - it remembers where the first stray quote (a quote in a quoted cell
//     followed by neither a quote, the delimiter nor a line end) and its cell
//     started, so that csv's ErrQuote can be explained;
//
// and it refuses NUL bytes, which no text table holds and which Null uses.
//
// Its grammar must match encoding/csv's (Go 1.26 reader.go, readRecord):
// a cell is quoted when its first byte is a quote; "" inside it is a quote;
// a quote ends it when followed by the delimiter, a line feed, CR LF or the
// end of the stream; anything else after that quote is ErrQuote, after which
// csv drops the rest of the line. Empty lines need no case: a line feed at a
// cell start starts the next cell.
type quoteFilter struct {
	r     io.Reader
	delim []byte
	m     int // bytes of a multi-byte delimiter matched so far
	state quoteState
	pos   position // of the last byte scanned
	open  position // where the current or last quoted cell opened
	quote position // the last quote seen in a quoted cell

	stray      bool     // a stray quote was seen
	strayOpen  position // where the cell holding the first stray quote opened
	strayQuote position // and where that quote is
	bare       int      // bare quotes replaced so far
	err        error    // sticky: unclosedQuoteError or nulError
}

func newQuoteFilter(r io.Reader, delim rune) *quoteFilter {
	return &quoteFilter{r: r, delim: utf8.AppendRune(nil, delim), pos: position{line: 1}}
}

func (f *quoteFilter) Read(p []byte) (int, error) {
	if f.err != nil {
		return 0, f.err
	}
	n, err := f.r.Read(p)
	p = p[:n]
	if i := bytes.IndexByte(p, 0); i >= 0 {
		f.scan(p[:i])
		f.err = &nulError{line: f.pos.line}
		return i, f.err
	}
	f.scan(p)
	if err == io.EOF && f.state == inQuoted {
		f.err = &unclosedQuoteError{at: f.open}
		return n, f.err
	}
	return n, err
}

func (f *quoteFilter) scan(p []byte) {
	for i, b := range p {
		if b&0xC0 != 0x80 { // not a UTF-8 continuation byte: a new character
			f.pos.col++
		}
		switch f.state {
		case atCellStart, inUnquoted:
			switch {
			case f.state == atCellStart && b == '"':
				f.state, f.open = inQuoted, f.pos
			case f.delimEnds(b), b == '\n':
				f.state = atCellStart
			case b == '"':
				p[i] = bareQuote
				f.bare++
				f.state = inUnquoted
			default:
				f.state = inUnquoted
			}
		case inQuoted:
			if b == '"' {
				f.state, f.quote = afterQuote, f.pos
			}
		case afterQuote:
			switch {
			case b == '"':
				f.state = inQuoted
			case f.delimEnds(b), b == '\n':
				f.state = atCellStart
			case f.m > 0: // within a multi-byte delimiter
			case b == '\r':
				f.state = afterQuoteCR
			default:
				f.strayAfter()
			}
		case afterQuoteCR:
			if b == '\n' {
				f.state = atCellStart
			} else {
				f.strayAfter()
			}
		case skipLine:
			if b == '\n' {
				f.state = atCellStart
			}
		}
		if b == '\n' {
			f.pos.line++
			f.pos.col = 0
			f.m = 0
		}
	}
}

// delimEnds reports whether b completes the delimiter. Matching a multi-byte
// delimiter byte by byte is sound because the text is valid UTF-8: none of
// its bytes is a quote, a line end or the first byte of another character.
func (f *quoteFilter) delimEnds(b byte) bool {
	if len(f.delim) == 1 {
		return b == f.delim[0]
	}
	if b != f.delim[f.m] {
		f.m = 0
		if b != f.delim[0] {
			return false
		}
	}
	f.m++
	if f.m < len(f.delim) {
		return false
	}
	f.m = 0
	return true
}

// strayAfter records that the last quote of a quoted cell was stray.
func (f *quoteFilter) strayAfter() {
	if !f.stray {
		f.stray, f.strayOpen, f.strayQuote = true, f.open, f.quote
	}
	f.state = skipLine
}

// unclosedQuoteError is the end of the stream inside a quoted cell.
type unclosedQuoteError struct{ at position }

func (e *unclosedQuoteError) Error() string {
	return fmt.Sprintf("unclosed quote starting at line %d, column %d: the quoted cell runs to the end of the file", e.at.line, e.at.col)
}

// nulError is a NUL byte in the decoded text.
type nulError struct{ line int }

func (e *nulError) Error() string {
	return fmt.Sprintf("binary data (NUL bytes) at line %d: this is not a text file", e.line)
}

// strayQuoteMessage explains csv's ErrQuote from what the filter saw first.
func (f *quoteFilter) strayQuoteMessage() (string, bool) {
	if !f.stray {
		return "", false
	}
	at, open := f.strayQuote, f.strayOpen
	if open.line == at.line {
		return fmt.Sprintf(`line %d, column %d: unexpected quote inside a quoted cell: a quote inside quotes must be doubled ("")`, at.line, at.col), true
	}
	return fmt.Sprintf(`line %d, column %d: unexpected quote inside the quoted cell opened at line %d, column %d: that cell's closing quote is probably missing, or a quote inside it is not doubled ("")`, at.line, at.col, open.line, open.col), true
}
