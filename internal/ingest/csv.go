package ingest

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/socle/socle/internal/errs"
	"golang.org/x/text/transform"
)

// maxRecordBytes bounds one CSV record. A stray quote makes a lazy parser
// swallow the rest of the file into one cell; failing beats holding it all.
const maxRecordBytes = 64 << 20

// csvReader is the Reader for delimited text.
type csvReader struct {
	csv    *csv.Reader
	limit  *limitReader
	header []string
	line   int
	closer io.Closer
}

// NewCSVReader reads delimited text from r, detecting what opts leaves open:
// encoding from the first megabyte, delimiter from the first 64 KiB. It reads
// the header before returning.
func NewCSVReader(r io.Reader, opts Options) (Reader, Info, error) {
	info := Info{Format: FormatCSV}
	// ReadAll grows the buffer, so a small stream does not cost a megabyte.
	sample, err := io.ReadAll(io.LimitReader(r, encodingSample))
	if err != nil {
		return nil, info, errs.Wrap(errs.Invalid, err, "cannot read the file")
	}
	dec, bomLen, err := chooseDecoder(sample, len(sample) < encodingSample, opts.Encoding, &info)
	if err != nil {
		return nil, info, err
	}
	body := io.MultiReader(bytes.NewReader(sample[bomLen:]), r)
	limit := &limitReader{r: transform.NewReader(body, dec)}
	br := bufio.NewReaderSize(limit, 64<<10)

	info.Delimiter = opts.Delimiter
	if info.Delimiter == 0 {
		peek, err := br.Peek(64 << 10)
		info.Delimiter = detectDelimiter(string(peek), err == nil)
	}
	cr := csv.NewReader(br)
	cr.Comma = info.Delimiter
	cr.FieldsPerRecord = -1
	cr.LazyQuotes = true
	c := &csvReader{csv: cr, limit: limit}
	if err := c.readHeader(); err != nil {
		return nil, info, err
	}
	return c, info, nil
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
	rec, err := c.csv.Read()
	if err == io.EOF {
		return errs.E(errs.Invalid, "the file is empty: no header line")
	}
	if err != nil {
		return c.wrapErr(err)
	}
	c.line = 1
	c.header = make([]string, len(rec))
	for i, label := range rec {
		label = strings.TrimPrefix(label, "\uFEFF")
		if strings.TrimSpace(label) == "" {
			label = fmt.Sprintf("column_%d", i+1)
		}
		c.header[i] = label
	}
	return nil
}

func (c *csvReader) Header() []string { return c.header }
func (c *csvReader) Line() int        { return c.line }

// Next returns the next record padded to the header's width. A record wider
// than the header is an error: dropping cells would lose data silently and
// shifting them is guesswork.
func (c *csvReader) Next() ([]string, error) {
	c.limit.n = 0
	rec, err := c.csv.Read()
	if err == io.EOF {
		return nil, io.EOF
	}
	c.line++
	if err != nil {
		return nil, c.wrapErr(err)
	}
	if len(rec) > len(c.header) {
		return nil, errs.E(errs.Invalid, "line %d: %d cells but the header has %d columns", c.line, len(rec), len(c.header))
	}
	for len(rec) < len(c.header) {
		rec = append(rec, "")
	}
	return rec, nil
}

func (c *csvReader) wrapErr(err error) error {
	var u *InvalidUTF8Error
	var pe *csv.ParseError
	switch {
	case errors.As(err, &u):
		return errs.E(errs.Invalid, "%s", u.Error())
	case errors.Is(err, errRecordTooLarge):
		return errs.E(errs.TooLarge, "line %d: record larger than %d MiB, probably an unbalanced quote", c.line, maxRecordBytes>>20)
	case errors.As(err, &pe):
		return errs.E(errs.Invalid, "line %d: %v", c.line, pe.Err)
	}
	return errs.Wrap(errs.Invalid, err, "line %d: cannot read the file", c.line)
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
