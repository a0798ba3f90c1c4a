package pdfdoc

import (
	"bytes"
	"compress/zlib"
	"io"
	"strings"

	"golang.org/x/text/encoding/charmap"
)

// MaxTextStream bounds what Text inflates of one stream.
const MaxTextStream = 8 << 20

// Text returns the text the documents' content streams show with Tj, one
// string a line, decoded from cp1252: what the tests read back from the
// PDFs fpdf writes (poppler's pdftotext is not always installed). It reads
// the simple streams fpdf writes, Flate-compressed or not; it is not a
// general PDF reader.
func Text(pdf []byte) string {
	var out strings.Builder
	for rest := pdf; ; {
		i := bytes.Index(rest, []byte("stream\n"))
		if i < 0 {
			break
		}
		rest = rest[i+len("stream\n"):]
		j := bytes.Index(rest, []byte("\nendstream"))
		if j < 0 {
			break
		}
		data := rest[:j]
		rest = rest[j+len("\nendstream"):] // past "endstream", which holds "stream"
		if zr, err := zlib.NewReader(bytes.NewReader(data)); err == nil {
			inflated, err := io.ReadAll(io.LimitReader(zr, MaxTextStream))
			if err != nil {
				continue // an image or a broken stream: no text
			}
			data = inflated
		}
		showStrings(&out, data)
	}
	return out.String()
}

// showStrings appends the literal strings of content that a Tj operator
// follows.
func showStrings(out *strings.Builder, content []byte) {
	for i := 0; i < len(content); i++ {
		if content[i] != '(' {
			continue
		}
		s, end := literal(content, i+1)
		if end < 0 {
			return
		}
		i = end
		if bytes.HasPrefix(bytes.TrimLeft(content[end+1:], " \r\n"), []byte("Tj")) {
			text, _ := charmap.Windows1252.NewDecoder().Bytes(s)
			out.Write(text)
			out.WriteByte('\n')
		}
	}
}

// literal reads a PDF literal string from b[i:] (after its opening
// parenthesis) and returns its bytes and the index of its closing
// parenthesis, or -1 when it does not end.
func literal(b []byte, i int) ([]byte, int) {
	var s []byte
	depth := 0
	for ; i < len(b); i++ {
		c := b[i]
		switch {
		case c == '\\' && i+1 < len(b):
			i++
			switch e := b[i]; e {
			case 'n':
				s = append(s, '\n')
			case 'r':
				s = append(s, '\r')
			case 't':
				s = append(s, '\t')
			case '0', '1', '2', '3', '4', '5', '6', '7':
				v := 0
				for k := 0; k < 3 && i < len(b) && b[i] >= '0' && b[i] <= '7'; k++ {
					v = v*8 + int(b[i]-'0')
					i++
				}
				i--
				s = append(s, byte(v))
			default:
				s = append(s, e)
			}
		case c == '(':
			depth++
			s = append(s, c)
		case c == ')':
			if depth == 0 {
				return s, i
			}
			depth--
			s = append(s, c)
		default:
			s = append(s, c)
		}
	}
	return nil, -1
}
