package tableschema

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/transform"
)

// maxCellBytes bounds one cell, so that a stray quote cannot make the
// reader swallow a whole file into memory.
const maxCellBytes = 16 << 20

// csvReader reads RFC 4180 CSV leniently, like Python's csv module that
// Frictionless uses: unlike encoding/csv it returns empty lines as empty
// records (they are blank rows), accepts stray quotes inside cells, and
// ends records on LF, CRLF or a lone CR.
type csvReader struct {
	r     *bufio.Reader
	delim byte
	// wasEmptyLine: the last cell read was a line end and nothing else.
	wasEmptyLine bool
}

// Read returns the next record, or io.EOF.
func (c *csvReader) Read() ([]string, error) {
	if _, err := c.r.Peek(1); err == io.EOF {
		return nil, io.EOF
	}
	record := []string{}
	for {
		cell, end, err := c.cell()
		if err != nil {
			return nil, err
		}
		record = append(record, cell)
		if end {
			if len(record) == 1 && record[0] == "" && c.wasEmptyLine {
				return []string{}, nil
			}
			return record, nil
		}
	}
}

// cell reads one cell; end reports that it closed the record.
func (c *csvReader) cell() (cell string, end bool, err error) {
	var b bytes.Buffer
	c.wasEmptyLine = false
	first, err := c.r.ReadByte()
	if err == io.EOF {
		return "", true, nil
	}
	if first == '"' {
		if err := c.quoted(&b); err != nil {
			return "", false, err
		}
	} else {
		c.r.UnreadByte()
	}
	for {
		ch, err := c.r.ReadByte()
		switch {
		case err == io.EOF:
			return b.String(), true, nil
		case ch == c.delim:
			return b.String(), false, nil
		case ch == '\n' || ch == '\r':
			c.endLine(ch)
			c.wasEmptyLine = b.Len() == 0 && first == ch
			return b.String(), true, nil
		}
		b.WriteByte(ch)
		if b.Len() > maxCellBytes {
			return "", false, errors.New("a cell is larger than 16 MiB (unbalanced quote?)")
		}
	}
}

// quoted reads up to the closing quote; "" stands for one quote. Text after
// the closing quote is kept, as Python's csv does.
func (c *csvReader) quoted(b *bytes.Buffer) error {
	for {
		ch, err := c.r.ReadByte()
		if err == io.EOF {
			return nil // unterminated: keep what was read
		}
		if ch == '"' {
			next, err := c.r.Peek(1)
			if err != nil || next[0] != '"' {
				return nil
			}
			c.r.ReadByte()
		}
		b.WriteByte(ch)
		if b.Len() > maxCellBytes {
			return errors.New("a cell is larger than 16 MiB (unbalanced quote?)")
		}
	}
}

// endLine swallows the LF of a CRLF.
func (c *csvReader) endLine(ch byte) {
	if ch == '\r' {
		if next, err := c.r.Peek(1); err == nil && next[0] == '\n' {
			c.r.ReadByte()
		}
	}
}

// sniffDelimiter picks the most frequent of , ; tab | outside quotes in
// the header line; a comma when none occurs.
func sniffDelimiter(headerLine []byte) byte {
	counts := map[byte]int{}
	inQuotes := false
	for _, ch := range headerLine {
		switch {
		case ch == '"':
			inQuotes = !inQuotes
		case !inQuotes && strings.IndexByte(",;\t|", ch) >= 0:
			counts[ch]++
		}
	}
	best := byte(',')
	for _, d := range []byte(";\t|") {
		if counts[d] > counts[best] {
			best = d
		}
	}
	return best
}

// firstLine returns the bytes up to the first line end (at most 64 KiB).
func firstLine(r *bufio.Reader) []byte {
	buf, _ := r.Peek(64 << 10)
	if i := bytes.IndexAny(buf, "\r\n"); i >= 0 {
		return buf[:i]
	}
	return buf
}

var utf8BOM = []byte{0xEF, 0xBB, 0xBF}

// invalidUTF8 scans r and returns the offset and value of the first byte
// that is not valid UTF-8, or -1.
func invalidUTF8(r io.Reader) (int64, byte, error) {
	br := bufio.NewReaderSize(r, 64<<10)
	var off int64
	for {
		ch, size, err := br.ReadRune()
		if err == io.EOF {
			return -1, 0, nil
		}
		if err != nil {
			return 0, 0, err
		}
		if ch == utf8.RuneError && size == 1 {
			br.UnreadRune()
			b, _ := br.ReadByte()
			return off, b, nil
		}
		off += int64(size)
	}
}

// decoder returns r decoded to UTF-8 from the named encoding.
func decoder(r io.Reader, encoding string) (io.Reader, error) {
	switch strings.ToLower(strings.ReplaceAll(encoding, "_", "-")) {
	case "utf-8", "utf8", "":
		return r, nil
	case "windows-1252", "cp1252":
		return transform.NewReader(r, charmap.Windows1252.NewDecoder()), nil
	case "iso-8859-1", "latin1", "latin-1":
		return transform.NewReader(r, charmap.ISO8859_1.NewDecoder()), nil
	case "iso-8859-15", "latin9":
		return transform.NewReader(r, charmap.ISO8859_15.NewDecoder()), nil
	}
	return nil, fmt.Errorf("unsupported encoding %q", encoding)
}
