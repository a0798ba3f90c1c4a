package export

import (
	"bufio"
	"io"
	"strings"
	"unicode/utf8"

	"github.com/socle/socle/internal/catalog"
	"github.com/socle/socle/internal/errs"
)

// bufferSize is the output buffer of the text formats.
const bufferSize = 64 << 10

// csvWriter writes RFC 4180 CSV with LF line ends (as encoding/csv does by
// default; every CSV reader in use accepts them). A field is quoted when
// QuoteAll is set or when it holds the delimiter, a quote, CR or LF, or
// starts with a space; quotes are doubled. Output re-reads with
// encoding/csv to the same cells, except that CRLF inside a value reads
// back as LF (encoding/csv normalizes it).
type csvWriter struct {
	w      *bufio.Writer
	fields []catalog.Field
	delim  rune
	quote  bool
	// special holds the characters that force quoting.
	special string
}

func newCSVWriter(w io.Writer, fields []catalog.Field, opts Options) (*csvWriter, error) {
	delim := opts.Delimiter
	if delim == 0 {
		delim = ';'
	}
	if delim == '"' || delim == '\r' || delim == '\n' || delim == utf8.RuneError || !utf8.ValidRune(delim) {
		return nil, errs.E(errs.Invalid, "invalid CSV delimiter %q", delim)
	}
	c := &csvWriter{
		w:       bufio.NewWriterSize(w, bufferSize),
		fields:  fields,
		delim:   delim,
		quote:   opts.QuoteAll,
		special: string(delim) + "\"\r\n",
	}
	if opts.WithBOM {
		c.w.WriteString("\uFEFF")
	}
	header := make([]string, len(fields))
	for i, f := range fields {
		header[i] = f.Name
	}
	return c, c.writeRecord(header)
}

func (c *csvWriter) Write(row catalog.Row) error {
	if err := checkRow(row, c.fields); err != nil {
		return err
	}
	for i, v := range row {
		if i > 0 {
			c.w.WriteRune(c.delim)
		}
		c.writeField(TextValue(c.fields[i].Type, v))
	}
	_, err := c.w.WriteString("\n")
	return err
}

func (c *csvWriter) writeRecord(cells []string) error {
	for i, s := range cells {
		if i > 0 {
			c.w.WriteRune(c.delim)
		}
		c.writeField(s)
	}
	_, err := c.w.WriteString("\n")
	return err
}

func (c *csvWriter) writeField(s string) {
	// A lone empty cell would make an empty line, which readers skip.
	needs := c.quote || (s == "" && len(c.fields) == 1) ||
		strings.ContainsAny(s, c.special) || (s != "" && (s[0] == ' ' || s[0] == '\t'))
	if !needs {
		c.w.WriteString(s)
		return
	}
	c.w.WriteByte('"')
	for {
		i := strings.IndexByte(s, '"')
		if i < 0 {
			break
		}
		c.w.WriteString(s[:i+1])
		c.w.WriteByte('"')
		s = s[i+1:]
	}
	c.w.WriteString(s)
	c.w.WriteByte('"')
}

func (c *csvWriter) Close() error { return c.w.Flush() }
