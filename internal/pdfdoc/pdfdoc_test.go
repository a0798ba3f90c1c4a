package pdfdoc

import (
	"bytes"
	"strings"
	"testing"
	"time"
)

// TestTextReadsBackWhatWasWritten writes French text, compressed and not,
// and reads it back: accents, parentheses and the narrow no-break space
// survive (the last as a no-break space).
func TestTextReadsBackWhatWasWritten(t *testing.T) {
	for _, compress := range []bool{true, false} {
		p, tr := New(210, 297, time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC))
		p.SetCompression(compress)
		p.AddPage()
		p.SetFont(Font, "", 12)
		p.Cell(100, 10, tr("Données (personnelles) à l'œil : 12\u202f345 kg CO₂e"))
		Bars(p, tr, []Bar{{Label: "Réutilisations", N: 3, Text: "3"}}, 180, "#000091")
		p.AddPage() // a second content stream
		p.Cell(100, 10, "page 2")
		var buf bytes.Buffer
		if err := p.Output(&buf); err != nil {
			t.Fatal(err)
		}
		got := Text(buf.Bytes())
		for _, want := range []string{"Données (personnelles) à l'œil : 12\u00a0345 kg CO2e", "Réutilisations\n3\n", "\npage 2\n"} {
			if !strings.Contains(got, want) {
				t.Errorf("compress %v: text %q lacks %q", compress, got, want)
			}
		}
		if !bytes.Contains(buf.Bytes(), []byte("/CreationDate (D:20260102030405")) {
			t.Errorf("compress %v: the creation date is not the one given", compress)
		}
	}
}

func TestRGB(t *testing.T) {
	for _, tc := range []struct {
		hex     string
		r, g, b int
	}{{"#FFDD00", 255, 221, 0}, {"#36b2e6", 54, 178, 230}, {"#000000", 0, 0, 0}} {
		if r, g, b := RGB(tc.hex); r != tc.r || g != tc.g || b != tc.b {
			t.Errorf("%s: %d %d %d", tc.hex, r, g, b)
		}
	}
}

// FuzzText feeds Text arbitrary bytes: it must not panic nor loop.
func FuzzText(f *testing.F) {
	f.Add([]byte("stream\nBT (a\\(b\\)) Tj ET\nendstream"))
	f.Add([]byte("stream\n(\\101\\1) Tj (unterminated\nendstream"))
	f.Add([]byte("stream\nx\x9c\x03\x00\x00\x00\x00\x01\nendstream"))
	f.Fuzz(func(t *testing.T, b []byte) {
		Text(b)
	})
}

// TestLines: a text longer than n lines is cut with an ellipsis, a word
// longer than a line is broken, and nothing is wider than asked.
func TestLines(t *testing.T) {
	for _, tc := range []struct {
		name, text string
		n          int
		want       []string
	}{
		{"a short text is one line", "Mobilité douce", 3, []string{"Mobilité douce"}},
		{"a long text is cut after n lines", strings.Repeat("réseau ", 40), 2, nil},
		{"a long word is broken", "https://example.org/" + strings.Repeat("x", 120), 5, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p, tr := New(100, 100, time.Time{})
			p.SetCompression(false)
			p.AddPage()
			p.SetFont(Font, "", 10)
			Lines(p, tr, tc.text, 50, 5, tc.n)
			var buf bytes.Buffer
			if err := p.Output(&buf); err != nil {
				t.Fatal(err)
			}
			got := strings.Split(strings.TrimSuffix(Text(buf.Bytes()), "\n"), "\n")
			if tc.want != nil && strings.Join(got, "|") != strings.Join(tc.want, "|") {
				t.Fatalf("lines %q, want %q", got, tc.want)
			}
			if len(got) > tc.n {
				t.Fatalf("%d lines, want at most %d", len(got), tc.n)
			}
			for _, l := range got {
				if w := p.GetStringWidth(tr(l)); w > 50 {
					t.Errorf("line %q is %.1f mm wide", l, w)
				}
			}
			if strings.Contains(tc.name, "cut") && !strings.HasSuffix(got[len(got)-1], "…") {
				t.Errorf("the last line %q has no ellipsis", got[len(got)-1])
			}
		})
	}
}
