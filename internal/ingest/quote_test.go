package ingest

import (
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/socle/socle/internal/errs"
)

func TestCSVQuotesAccepted(t *testing.T) {
	tests := []struct {
		name  string
		input []byte
		opts  Options
		want  [][]string
	}{
		{"bare quote in an unquoted cell is kept", []byte("a;b\n5\" pouces;2\n"), Options{}, [][]string{{`5" pouces`, "2"}}},
		{"quoted words inside an unquoted cell are kept", []byte("a;b\nle \"petit\" prince;2\n"), Options{}, [][]string{{`le "petit" prince`, "2"}}},
		{"bare quote at the end of a line does not open a cell", []byte("a;b\n1;x\"\n\"2\";3\n"), Options{}, [][]string{{"1", `x"`}, {"2", "3"}}},
		{"doubled quotes inside quotes are one quote", []byte("a;b\n\"dit \"\"oui\"\"\";2\n"), Options{}, [][]string{{`dit "oui"`, "2"}}},
		{"quoted cell closed at the end of the file", []byte("a;b\n1;\"x\""), Options{}, [][]string{{"1", "x"}}},
		{"quoted cell closed before a final CR", []byte("a;b\r\n1;\"x\"\r"), Options{}, [][]string{{"1", "x"}}},
		{"quoted delimiter and line feed stay in the cell", []byte("a;b\r\n\"x;\ny\";2\r\n"), Options{}, [][]string{{"x;\ny", "2"}}},
		{"multi-byte delimiter", []byte("a§b\n\"x§y\"§5\" z\n"), Options{Delimiter: '§'}, [][]string{{"x§y", `5" z`}}},
		{"bare quote in windows-1252", []byte("nom;taille\nT\xe9l\xe9 55\";2\n"), Options{}, [][]string{{`Télé 55"`, "2"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, _, err := NewCSVReader(bytes.NewReader(tt.input), tt.opts)
			if err != nil {
				t.Fatal(err)
			}
			got := readAll(t, r)
			if len(got) != len(tt.want) {
				t.Fatalf("got %q, want %q", got, tt.want)
			}
			for i := range got {
				if strings.Join(got[i], "|") != strings.Join(tt.want[i], "|") {
					t.Errorf("record %d = %q, want %q", i, got[i], tt.want[i])
				}
			}
		})
	}
}

func TestCSVBareQuoteInHeaderIsKept(t *testing.T) {
	r, _ := openString(t, "taille 5\";b\n1;2\n", Options{})
	if got := r.Header()[0]; got != `taille 5"` {
		t.Errorf("header %q", got)
	}
}

func TestCSVQuotesRefused(t *testing.T) {
	tests := []struct {
		name  string
		input []byte
		want  string // the whole message
	}{
		{"unclosed quote swallowing the end of the file",
			[]byte("a;b\n3;\"unterminated\n4;5\n"),
			"unclosed quote starting at line 2, column 3: the quoted cell runs to the end of the file"},
		{"unclosed quote in the last record without a line end",
			[]byte("a;b\n1;2\n3;\"x"),
			"unclosed quote starting at line 3, column 3: the quoted cell runs to the end of the file"},
		{"unclosed quote in UTF-16",
			utf16LE("a;b\r\n\"x;1\r\n", true),
			"unclosed quote starting at line 2, column 1: the quoted cell runs to the end of the file"},
		{"text after a closing quote",
			[]byte("a;b\n\"abc\"def;2\n"),
			`line 2, column 5: unexpected quote inside a quoted cell: a quote inside quotes must be doubled ("")`},
		{"quote inside quotes not doubled",
			[]byte("a,b\n\"Le \"Petit\" prince\",2\n"),
			`line 2, column 5: unexpected quote inside a quoted cell: a quote inside quotes must be doubled ("")`},
		{"columns count characters, not bytes",
			[]byte("a;b\né;\"x\"y\n"),
			`line 2, column 5: unexpected quote inside a quoted cell: a quote inside quotes must be doubled ("")`},
		{"unclosed quote found at a later quote",
			[]byte("a;b\n3;\"unterminated\n4;5\n6;\"x\"\n"),
			`line 4, column 3: unexpected quote inside the quoted cell opened at line 2, column 3: that cell's closing quote is probably missing, or a quote inside it is not doubled ("")`},
		{"carriage return after a closing quote",
			[]byte("a;b\n\"x\"\ry;2\n"),
			`line 2, column 3: unexpected quote inside a quoted cell: a quote inside quotes must be doubled ("")`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := drain(t, tt.input)
			if err.Error() != tt.want {
				t.Errorf("error\n%v\nwant\n%v", err, tt.want)
			}
		})
	}
}

func TestCSVUnclosedQuoteInHeader(t *testing.T) {
	_, _, err := NewCSVReader(strings.NewReader("\"a;b\n1;2\n"), Options{})
	if errs.KindOf(err) != errs.Invalid || !strings.Contains(err.Error(), "unclosed quote starting at line 1, column 1") {
		t.Errorf("err = %v", err)
	}
}

func TestCSVQuoteErrorsAreSticky(t *testing.T) {
	r, _ := openString(t, "a;b\n\"x\"y;1\n2;3\n4;5\n", Options{})
	_, first := r.Next()
	if first == nil {
		t.Fatal("no error for the stray quote")
	}
	for range 3 {
		if _, err := r.Next(); err != first {
			t.Fatalf("next call returned %v, want the first error again", err)
		}
	}
}

func TestCSVOverlongQuotedCellIsUnclosed(t *testing.T) {
	if testing.Short() {
		t.Skip("reads 64 MiB")
	}
	filler := strings.Repeat("x", 1<<20-1) + "\n"
	body := io.MultiReader(strings.NewReader("a;b\n1;\"open\n"), &repeatReader{s: filler, n: 70})
	r, _, err := NewCSVReader(body, Options{})
	if err != nil {
		t.Fatal(err)
	}
	_, err = r.Next()
	const want = "unclosed quote starting at line 2, column 3: the quoted cell runs on for more than 64 MiB"
	if err == nil || err.Error() != want || errs.KindOf(err) != errs.Invalid {
		t.Errorf("err = %v (%v), want %q", err, errs.KindOf(err), want)
	}
}

// repeatReader yields s n times.
type repeatReader struct {
	s   string
	n   int
	cur *strings.Reader
}

func (r *repeatReader) Read(p []byte) (int, error) {
	for r.cur == nil || r.cur.Len() == 0 {
		if r.n == 0 {
			return 0, io.EOF
		}
		r.n--
		r.cur = strings.NewReader(r.s)
	}
	return r.cur.Read(p)
}

// drain reads input as CSV until the first error, which must be invalid.
func drain(t *testing.T, input []byte) error {
	t.Helper()
	r, _, err := NewCSVReader(bytes.NewReader(input), Options{})
	for err == nil {
		_, err = r.Next()
	}
	if errors.Is(err, io.EOF) {
		t.Fatal("read to the end without an error")
	}
	if errs.KindOf(err) != errs.Invalid {
		t.Errorf("kind %v, want invalid", errs.KindOf(err))
	}
	return err
}
