package dtpr

import (
	"bytes"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/socle/socle/internal/errs"
	"github.com/socle/socle/internal/pdfdoc"
)

// TestSignPDF checks both printable PDF signs of a yellow chain: the page
// size, the French text (title, colour meaning, accountable body,
// purposes, badges' labels, attribution), the QR code image and its link,
// and pins the bytes in golden files (the creation date is fixed).
func TestSignPDF(t *testing.T) {
	c := chain([]string{"identifiable_video"}, []string{"personal"}, nil)
	c.Purpose = []string{"safety_security", "mobility"}
	created := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		format SignFormat
		box    string // MediaBox in points
	}{{SignA4, "[0 0 595.28 841.89]"}, {SignSticker, "[0 0 283.46 396.85]"}} {
		t.Run(string(tc.format)+" sign holds its text, QR code and size", func(t *testing.T) {
			var buf bytes.Buffer
			s := Sign{Format: tc.format, Title: "Caméra (place) & co", URL: "https://example.org/capteurs/cam-1", Chain: c}
			if err := WriteSignPDF(&buf, s, created); err != nil {
				t.Fatal(err)
			}
			out := buf.Bytes()
			if !bytes.HasPrefix(out, []byte("%PDF-1.")) {
				t.Fatalf("not a PDF: %q", out[:min(20, len(out))])
			}
			if m := regexp.MustCompile(`/MediaBox (\[[^\]]*\])`).FindSubmatch(out); m == nil || string(m[1]) != tc.box {
				t.Errorf("MediaBox %q, want %s", m, tc.box)
			}
			if !bytes.Contains(out, []byte("/Subtype /Image")) || !bytes.Contains(out, []byte("/URI (https://example.org/capteurs/cam-1)")) {
				t.Error("the QR code image or its link is missing")
			}
			text := pdfdoc.Text(out)
			for _, want := range []string{"Capteur dans l'espace public", "Caméra (place) & co", "Données personnelles collectées",
				"Responsable : Métropole", "Finalité : Sûreté", "Technologie", "Vidéo\nidentifiable",
				"Scannez pour tout savoir", "CC BY 4.0", SourceURL} {
				if !strings.Contains(text, want) {
					t.Errorf("the sign's text lacks %q:\n%s", want, text)
				}
			}
			golden := filepath.Join("testdata", "sign_"+string(tc.format)+".pdf")
			if *update {
				os.WriteFile(golden, out, 0o644)
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(want, out) {
				t.Errorf("sign differs from %s (run with -update after checking)", golden)
			}
		})
	}
	t.Run("a full chain, a long name and a long URL fit above the footer", func(t *testing.T) {
		full := chain([]string{"identifiable_video", "radar", "microphone", "thermometer", "gps", "li_dar", "rfid", "nfc", "sound_level_meter", "weather_station"}, nil, nil)
		full.Purpose = []string{"safety_security", "mobility", "planning_decision_making"}
		full.Accountable = append(full.Accountable, Party{Kind: "organization", Name: strings.Repeat("Société d'exploitation ", 8)})
		for _, f := range []SignFormat{SignA4, SignSticker} {
			var buf bytes.Buffer
			long := Sign{Format: f, Title: strings.Repeat("Carrefour du Ralliement ", 8), URL: "https://example.org/capteurs/" + strings.Repeat("x", 300), Chain: full}
			if err := WriteSignPDF(&buf, long, created); err != nil { // WriteSignPDF refuses a sign whose content reaches its footer
				t.Fatalf("%s: %v", f, err)
			}
			if text := pdfdoc.Text(buf.Bytes()); strings.Count(text, "Ralliement") >= 8 || !strings.Contains(text, "…\nDonnées personnelles") {
				t.Errorf("%s: the long name is not cut with an ellipsis:\n%s", f, text)
			}
		}
	})
	t.Run("an unknown format is refused", func(t *testing.T) {
		if err := WriteSignPDF(&bytes.Buffer{}, Sign{Format: "a3", URL: "x", Chain: c}, created); errs.KindOf(err) != errs.Invalid {
			t.Fatalf("got %v", err)
		}
	})
}
