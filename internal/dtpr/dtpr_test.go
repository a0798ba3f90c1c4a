package dtpr

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/socle/socle/internal/errs"
)

var update = flag.Bool("update", false, "rewrite the golden files")

func chain(tech, data, process []string) *Chain {
	return &Chain{Accountable: []Party{{Kind: "institution", Name: "Métropole"}}, Purpose: []string{"mobility"},
		Tech: tech, Data: data, Process: process, Retention: "no_data_retained"}
}

func TestColour(t *testing.T) {
	for _, tc := range []struct {
		name                string
		tech, data, process []string
		want                Colour
	}{
		{"a water meter collects no personal data: white", []string{"water_quality"}, []string{"values_time"}, nil, White},
		{"de-identified video is blue", []string{"de_identified_video"}, []string{"tabular"}, []string{"aggregated"}, Blue},
		{"de-identified processing is blue", []string{"thermometer"}, nil, []string{"de_identified"}, Blue},
		{"identifiable video is yellow", []string{"identifiable_video"}, nil, nil, Yellow},
		{"personal data is yellow even from a harmless tech", []string{"motion_detector"}, []string{"personal"}, nil, Yellow},
		{"yellow wins over blue", []string{"de_identified_video", "video_camera"}, nil, []string{"de_identified"}, Yellow},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := chain(tc.tech, tc.data, tc.process)
			if err := c.Validate(); err != nil {
				t.Fatal(err)
			}
			if got := c.Colour(); got != tc.want {
				t.Fatalf("colour %s, want %s", got, tc.want)
			}
		})
	}
}

func TestValidate(t *testing.T) {
	for _, tc := range []struct {
		name   string
		edit   func(c *Chain)
		wantOK bool
	}{
		{"a complete chain is valid", func(c *Chain) {}, true},
		{"data retained with a duration is valid", func(c *Chain) { c.Retention, c.RetentionDuration = "data_retained", "30 jours" }, true},
		{"data retained without a duration is refused", func(c *Chain) { c.Retention = "data_retained" }, false},
		{"a duration without retention is refused", func(c *Chain) { c.RetentionDuration = "1 an" }, false},
		{"no accountable body is refused", func(c *Chain) { c.Accountable = nil }, false},
		{"an unknown accountable kind is refused", func(c *Chain) { c.Accountable[0].Kind = "company" }, false},
		{"an empty accountable name is refused", func(c *Chain) { c.Accountable[0].Name = " " }, false},
		{"four purposes are refused", func(c *Chain) { c.Purpose = []string{"mobility", "health", "social", "ecology"} }, false},
		{"no purpose is refused", func(c *Chain) { c.Purpose = nil }, false},
		{"an unknown tech is refused", func(c *Chain) { c.Tech = []string{"telepathy"} }, false},
		{"a purpose used as tech is refused", func(c *Chain) { c.Tech = []string{"mobility"} }, false},
		{"a repeated element is refused", func(c *Chain) { c.Tech = []string{"radar", "radar"} }, false},
		{"an unknown retention is refused", func(c *Chain) { c.Retention = "forever" }, false},
		{"control characters in hosting are refused", func(c *Chain) { c.Hosting = "a\x00b" }, false},
		{"a hosting text over 200 characters is refused", func(c *Chain) { c.Hosting = strings.Repeat("é", 201) }, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := chain([]string{"radar"}, nil, nil)
			tc.edit(c)
			err := c.Validate()
			if tc.wantOK && err != nil {
				t.Fatal(err)
			}
			if !tc.wantOK && errs.KindOf(err) != errs.Invalid {
				t.Fatalf("got %v, want an Invalid error", err)
			}
		})
	}
}

func TestTaxonomyHasEveryCategoryInOrderWithFrenchLabels(t *testing.T) {
	want := []string{"accountable", "purpose", "tech", "data", "process", "access", "storage", "retention"}
	cs := Categories()
	if len(cs) != len(want) {
		t.Fatalf("%d categories, want %d", len(cs), len(want))
	}
	for i, c := range cs {
		if c.ID != want[i] || c.Order != i+1 || c.Name == "" || len(c.Elements) == 0 {
			t.Errorf("category %d: %+v", i, c.ID)
		}
		for _, e := range c.Elements {
			if e.Name == "" || e.Name == e.ID {
				t.Errorf("%s/%s has no French label", c.ID, e.ID)
			}
		}
	}
	if e, _ := Lookup("tech", "identifiable_video"); e.Name != "Vidéo identifiable" {
		t.Errorf("identifiable_video is %q", e.Name)
	}
}

func TestParseChain(t *testing.T) {
	for _, tc := range []struct {
		name, body string
		want       errs.Kind
	}{
		{"a valid chain parses", `{"accountable":[{"kind":"institution","name":"Ville"}],"purpose":["mobility"],"tech":["radar"],"retention":"no_data_retained"}`, 0},
		{"an unknown member is refused", `{"accountable":[{"kind":"institution","name":"Ville"}],"purpose":["mobility"],"tech":["radar"],"retention":"no_data_retained","x":1}`, errs.Invalid},
		{"trailing data is refused", `{"accountable":[{"kind":"institution","name":"Ville"}],"purpose":["mobility"],"tech":["radar"],"retention":"no_data_retained"} {}`, errs.Invalid},
		{"a wrong shape is refused", `{"purpose":"mobility"}`, errs.Invalid},
		{"an oversized body is refused", `{"summary":"` + strings.Repeat("a", MaxChainBytes) + `"}`, errs.TooLarge},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParseChain(strings.NewReader(tc.body))
			if tc.want == 0 && err != nil {
				t.Fatal(err)
			}
			if tc.want != 0 && errs.KindOf(err) != tc.want {
				t.Fatalf("got %v, want %s", err, tc.want)
			}
		})
	}
}

func FuzzParseChain(f *testing.F) {
	f.Add(`{"accountable":[{"kind":"institution","name":"Ville"}],"purpose":["mobility"],"tech":["radar"],"retention":"no_data_retained"}`)
	f.Add(`{"accountable":[{"kind":"organization","name":"X"}],"purpose":["health"],"tech":["video_camera"],"data":["personal"],"retention":"data_retained","retention_duration":"1 an"}`)
	f.Add(`[]`)
	f.Fuzz(func(t *testing.T, s string) {
		c, err := ParseChain(strings.NewReader(s))
		if err != nil {
			if k := errs.KindOf(err); k != errs.Invalid && k != errs.TooLarge {
				t.Fatalf("error of kind %s: %v", k, err)
			}
			return
		}
		if err := c.Validate(); err != nil {
			t.Fatalf("parsed chain does not validate: %v", err)
		}
		if !c.Colour().Valid() || len(c.Items()) < 4 {
			t.Fatalf("colour %q, %d items", c.Colour(), len(c.Items()))
		}
	})
}

func TestParseAnswers(t *testing.T) {
	for _, tc := range []struct {
		name string
		a    Answers
		want errs.Kind
	}{
		{"complete answers are accepted", Answers{"oui", "4", "5", "Très bien"}, 0},
		{"a comment is optional", Answers{"non", "1", "1", ""}, 0},
		{"a script comment is accepted as text", Answers{"partiel", "3", "3", "<script>alert(1)</script>"}, 0},
		{"an unknown understand answer is refused", Answers{"peut-être", "3", "3", ""}, errs.Invalid},
		{"a usefulness of 6 is refused", Answers{"oui", "6", "3", ""}, errs.Invalid},
		{"a missing comfort is refused", Answers{"oui", "3", "", ""}, errs.Invalid},
		{"a comment of 1001 characters is too large", Answers{"oui", "3", "3", strings.Repeat("é", 1001)}, errs.TooLarge},
		{"a NUL in the comment is refused", Answers{"oui", "3", "3", "a\x00"}, errs.Invalid},
	} {
		t.Run(tc.name, func(t *testing.T) {
			o, err := ParseAnswers(tc.a)
			if tc.want == 0 && (err != nil || o.Comment != strings.TrimSpace(tc.a.Comment)) {
				t.Fatalf("got %+v, %v", o, err)
			}
			if tc.want != 0 && errs.KindOf(err) != tc.want {
				t.Fatalf("got %v, want %s", err, tc.want)
			}
		})
	}
}

func FuzzParseAnswers(f *testing.F) {
	f.Add("oui", "3", "4", "un commentaire")
	f.Add("non", "0", "-1", "<b>x</b>")
	f.Fuzz(func(t *testing.T, u, useful, comfort, comment string) {
		o, err := ParseAnswers(Answers{u, useful, comfort, comment})
		if err != nil {
			return
		}
		if o.Useful < 1 || o.Useful > 5 || o.Comfort < 1 || o.Comfort > 5 || len([]rune(o.Comment)) > MaxCommentRunes {
			t.Fatalf("accepted %+v", o)
		}
	})
}

func TestStatsAddUp(t *testing.T) {
	s := Stats{Count: 2, Understand: [3]int{1, 1, 0}, UsefulSum: 7, ComfortSum: 6}
	s.Add(Stats{Count: 1, Understand: [3]int{0, 0, 1}, UsefulSum: 2, ComfortSum: 3})
	if s.Count != 3 || s.Understand != [3]int{1, 1, 1} || s.UsefulAvg() != 3 || s.ComfortAvg() != 3 {
		t.Fatalf("%+v", s)
	}
}

// TestSignGolden pins the sticker sign of a yellow chain: badges, colour
// label, QR code and attribution.
func TestSignGolden(t *testing.T) {
	c := chain([]string{"identifiable_video"}, []string{"personal"}, nil)
	c.Purpose = []string{"safety_security", "mobility"}
	for _, f := range []SignFormat{SignSticker, SignA4} {
		t.Run(string(f)+" sign matches its golden file", func(t *testing.T) {
			var buf bytes.Buffer
			if err := WriteSign(&buf, Sign{Format: f, Title: "Caméra <place> & co", URL: "https://example.org/capteurs/cam-1", Chain: c}); err != nil {
				t.Fatal(err)
			}
			out := buf.String()
			for _, want := range []string{`class="qr"`, `data-element="identifiable_video"`, "Données personnelles collectées", "CC BY 4.0", SourceURL, "Caméra &lt;place&gt; &amp; co"} {
				if !strings.Contains(out, want) {
					t.Errorf("sign lacks %q", want)
				}
			}
			golden := filepath.Join("testdata", "sign_"+string(f)+".svg")
			if *update {
				os.MkdirAll("testdata", 0o755)
				os.WriteFile(golden, buf.Bytes(), 0o644)
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(want, buf.Bytes()) {
				t.Errorf("sign differs from %s (run with -update after checking)", golden)
			}
		})
	}
	t.Run("an unknown format is refused", func(t *testing.T) {
		if err := WriteSign(&bytes.Buffer{}, Sign{Format: "a3", URL: "x", Chain: c}); errs.KindOf(err) != errs.Invalid {
			t.Fatalf("got %v", err)
		}
	})
}

func TestBadgeEscapesAndLabels(t *testing.T) {
	it := chain([]string{"radar"}, nil, nil).Items()[0]
	it.Element.Name = "<x>"
	s := BadgeSVG(it, White)
	if strings.Contains(s, "<x>") || !strings.Contains(s, `aria-label="Responsable : &lt;x&gt;"`) {
		t.Fatal(s)
	}
}
