package ingest

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"github.com/socle/socle/internal/errs"
	"golang.org/x/text/transform"
)

// maxRecordBytes bounds one CSV record. An unclosed quote early in a large
// file makes the rest of it one cell until the next stray quote or the end;
// failing beats holding it all.
const maxRecordBytes = 64 << 20

// csvReader is the Reader for delimited text.
type csvReader struct {
	csv    *csv.Reader
	limit  *limitReader
	quotes *quoteFilter
	header []string
	line   int
	err    error // sticky: after a malformed stream, no record can be trusted
	closer io.Closer
}

// NewCSVReader reads delimited text from r, detecting what opts leaves open:
// encoding from the first megabyte, delimiter from the first 64 KiB. It reads
// the header before returning. It refuses what is evidently not a text table:
// a known binary signature or NUL bytes.
//
// Quoting is strict, as RFC 4180 has it, with one tolerance: a quote inside a
// cell that does not start with one is kept as text (5" pouces). A quoted
// cell that never closes, or a quote inside a quoted cell that is not
// doubled, is an error naming its line.
func NewCSVReader(r io.Reader, opts Options) (Reader, Info, error) {
	info := Info{Format: FormatCSV}
	// ReadAll grows the buffer, so a small stream does not cost a megabyte.
	sample, err := io.ReadAll(io.LimitReader(r, encodingSample))
	if err != nil {
		return nil, info, errs.Wrap(errs.Invalid, err, "cannot read the file")
	}
	if err := refuseBinary(sample, FormatCSV); err != nil {
		return nil, info, err
	}
	dec, bomLen, err := chooseDecoder(sample, len(sample) < encodingSample, opts.Encoding, &info)
	if err != nil {
		return nil, info, err
	}
	if i := nulOffset(sample[bomLen:], info.Encoding); i >= 0 {
		return nil, info, errs.E(errs.Invalid, "binary data (NUL bytes) at byte %d: this is not a text file", bomLen+i+1)
	}
	body := io.MultiReader(bytes.NewReader(sample[bomLen:]), r)
	limit := &limitReader{r: transform.NewReader(body, dec)}
	text := newBufReader(limit)

	info.Delimiter = opts.Delimiter
	if info.Delimiter == 0 {
		peek, err := text.Peek(64 << 10)
		info.Delimiter = detectDelimiter(string(peek), err == nil)
	}
	if !validDelimiter(info.Delimiter) {
		return nil, info, errs.E(errs.Invalid, "%q cannot be a CSV delimiter", info.Delimiter)
	}
	// The quote filter needs the delimiter, hence a second buffer after it
	// rather than one shared with the detection above.
	quotes := newQuoteFilter(text, info.Delimiter)
	cr := csv.NewReader(newBufReader(quotes))
	cr.Comma = info.Delimiter
	cr.FieldsPerRecord = -1
	c := &csvReader{csv: cr, limit: limit, quotes: quotes}
	if err := c.readHeader(); err != nil {
		return nil, info, err
	}
	return c, info, nil
}

// validDelimiter is encoding/csv's rule for Comma.
func validDelimiter(r rune) bool {
	return r != 0 && r != '"' && r != '\r' && r != '\n' && utf8.ValidRune(r) && r != utf8.RuneError
}

// chooseDecoder applies opts.Encoding or detects one, filling info.
func chooseDecoder(sample []byte, atEOF bool, forced string, info *Info) (transform.Transformer, int, error) {
	enc, bomLen, warn := detectEncoding(sample, atEOF)
	if forced != "" {
		enc = forced
		bomLen = 0
		for _, bom := range [][]byte{utf8BOM, utf16LEBOM, utf16BEBOM} {
			if bytes.HasPrefix(sample, bom) {
				bomLen = len(bom)
				break
			}
		}
		warn = ""
	}
	if warn != "" {
		info.Warnings = append(info.Warnings, warn)
	}
	dec, name, err := decoder(enc)
	info.Encoding, info.BOM = name, bomLen > 0
	return dec, bomLen, err
}

func (c *csvReader) readHeader() error {
	rec, err := c.read()
	if err == io.EOF {
		return errs.E(errs.Invalid, "the file has no header line: it is empty")
	}
	if err != nil {
		return err
	}
	c.line = 1
	c.header = make([]string, len(rec))
	blank := true
	for i, label := range rec {
		label = strings.TrimPrefix(label, "\uFEFF")
		if strings.TrimSpace(label) == "" {
			label = fmt.Sprintf("column_%d", i+1)
		} else {
			blank = false
		}
		c.header[i] = label
	}
	if blank {
		line, _ := c.csv.FieldPos(0)
		return errs.E(errs.Invalid, "the file has no header line: line %d holds no column names", line)
	}
	return nil
}

func (c *csvReader) Header() []string { return c.header }
func (c *csvReader) Line() int        { return c.line }

// Next returns the next record padded to the header's width. A record wider
// than the header is an error: dropping cells would lose data silently and
// shifting them is guesswork.
func (c *csvReader) Next() ([]string, error) {
	if c.err != nil {
		return nil, c.err
	}
	c.limit.n = 0
	rec, err := c.read()
	if err == io.EOF {
		return nil, io.EOF
	}
	c.line++
	if err != nil {
		return nil, err
	}
	if len(rec) > len(c.header) {
		return nil, errs.E(errs.Invalid, "line %d: %d cells but the header has %d columns", c.line, len(rec), len(c.header))
	}
	for len(rec) < len(c.header) {
		rec = append(rec, "")
	}
	return rec, nil
}

// read returns the next record with its bare quotes restored. An error other
// than io.EOF is classified and becomes sticky: once the stream is malformed
// no later record can be trusted.
func (c *csvReader) read() ([]string, error) {
	rec, err := c.csv.Read()
	if err == io.EOF {
		return nil, io.EOF
	}
	if err != nil {
		c.err = c.wrapErr(err)
		return nil, c.err
	}
	if c.quotes.bare > 0 {
		for i, cell := range rec {
			if strings.IndexByte(cell, bareQuote) >= 0 {
				rec[i] = strings.ReplaceAll(cell, "\xff", `"`)
			}
		}
	}
	return rec, nil
}

func (c *csvReader) wrapErr(err error) error {
	var u *InvalidUTF8Error
	var uq *unclosedQuoteError
	var nul *nulError
	var pe *csv.ParseError
	switch {
	case errors.As(err, &u):
		return errs.E(errs.Invalid, "%s", u.Error())
	case errors.As(err, &uq):
		return errs.E(errs.Invalid, "%s", uq.Error())
	case errors.As(err, &nul):
		return errs.E(errs.Invalid, "%s", nul.Error())
	case errors.Is(err, errRecordTooLarge) && c.quotes.state == inQuoted:
		at := c.quotes.open
		return errs.E(errs.Invalid, "unclosed quote starting at line %d, column %d: the quoted cell runs on for more than %d MiB", at.line, at.col, maxRecordBytes>>20)
	case errors.Is(err, errRecordTooLarge):
		return errs.E(errs.TooLarge, "line %d: record larger than %d MiB, probably an unbalanced quote", c.line+1, maxRecordBytes>>20)
	case errors.As(err, &pe) && errors.Is(pe.Err, csv.ErrQuote):
		if msg, ok := c.quotes.strayQuoteMessage(); ok {
			return errs.E(errs.Invalid, "%s", msg)
		}
		return errs.E(errs.Invalid, "line %d, column %d: unexpected or missing quote in a quoted cell", pe.Line, pe.Column)
	case errors.As(err, &pe):
		return errs.E(errs.Invalid, "line %d: %v", pe.Line, pe.Err)
	}
	return errs.Wrap(errs.Invalid, err, "line %d: cannot read the file", c.line+1)
}

func (c *csvReader) Close() error {
	if c.closer != nil {
		return c.closer.Close()
	}
	return nil
}

var errRecordTooLarge = errors.New("record too large")

// limitReader fails once more than maxRecordBytes were read since n was last
// reset, which Next does before every record.
type limitReader struct {
	r io.Reader
	n int
}

func (l *limitReader) Read(p []byte) (int, error) {
	if l.n > maxRecordBytes {
		return 0, errRecordTooLarge
	}
	n, err := l.r.Read(p)
	l.n += n
	return n, err
}
