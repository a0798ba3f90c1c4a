package web

import (
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// Every literal message key used by a template or by Go code must be in
// the French catalogue: a missing key would show as the key itself.
func TestEveryMessageKeyExists(t *testing.T) {
	msgs, err := loadMessages("fr")
	if err != nil {
		t.Fatal(err)
	}
	tmplKey := regexp.MustCompile(`\btn? "([^"]+)"`)
	goKey := regexp.MustCompile(`msgs\.T\("([^"]+)"`)
	seen := 0
	check := func(file string, re *regexp.Regexp, src string) {
		for _, m := range re.FindAllStringSubmatch(src, -1) {
			seen++
			if strings.HasSuffix(m[1], ".") {
				continue // a prefix completed at run time ("tab."+name)
			}
			if !msgs.Has(m[1]) {
				t.Errorf("%s: message %q is not in the French catalogue", file, m[1])
			}
		}
	}
	fs.WalkDir(templateFS, "templates", func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			b, _ := templateFS.ReadFile(p)
			check(p, tmplKey, string(b))
		}
		return nil
	})
	files, _ := filepath.Glob("*.go")
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		check(f, goKey, string(b))
	}
	if seen < 100 {
		t.Fatalf("only %d message uses found: the scan is broken", seen)
	}
}

// Every page template is rendered by some handler, and every template a
// handler renders exists.
func TestEveryTemplateIsUsed(t *testing.T) {
	s := &Server{msgs: &Messages{m: map[string]string{}}}
	pages, err := s.parsePages()
	if err != nil {
		t.Fatal(err)
	}
	var src strings.Builder
	files, _ := filepath.Glob("*.go")
	for _, f := range files {
		if !strings.HasSuffix(f, "_test.go") {
			b, _ := os.ReadFile(f)
			src.Write(b)
		}
	}
	code := src.String()
	for name := range pages {
		if !strings.Contains(code, `"`+name+`"`) {
			t.Errorf("template %s.html is never rendered", name)
		}
	}
	render := regexp.MustCompile(`\.render\(w, r, [^,]+, "([^"]+)"`)
	for _, m := range render.FindAllStringSubmatch(code, -1) {
		if _, ok := pages[m[1]]; !ok {
			t.Errorf("a handler renders %q, which has no template", m[1])
		}
	}
}
