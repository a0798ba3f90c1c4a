package web

import (
	"embed"
	"encoding/json"
	"fmt"
	"io/fs"
	"path"
	"sort"
)

//go:embed locales
var localeFS embed.FS

// Messages is one language's message catalogue: every string a page shows
// goes through it, so that a translation is a new folder under locales/,
// not a code change. A catalogue is the union of the JSON files of its
// folder (one per area of the portal); a key defined twice is an error.
type Messages struct {
	lang string
	m    map[string]string
}

func loadMessages(lang string) (*Messages, error) {
	dir := path.Join("locales", lang)
	files, err := fs.Glob(localeFS, dir+"/*.json")
	if err != nil || len(files) == 0 {
		return nil, fmt.Errorf("no message catalogue for %q", lang)
	}
	sort.Strings(files)
	msgs := &Messages{lang: lang, m: map[string]string{}}
	for _, f := range files {
		raw, err := localeFS.ReadFile(f)
		if err != nil {
			return nil, err
		}
		var part map[string]string
		if err := json.Unmarshal(raw, &part); err != nil {
			return nil, fmt.Errorf("%s: %w", f, err)
		}
		for k, v := range part {
			if _, dup := msgs.m[k]; dup {
				return nil, fmt.Errorf("%s: message %q defined twice", f, k)
			}
			msgs.m[k] = v
		}
	}
	return msgs, nil
}

// T returns the message key formatted with args. A missing key shows as
// the key itself (and a test makes sure none is missing).
func (m *Messages) T(key string, args ...any) string {
	v, ok := m.m[key]
	if !ok {
		return key
	}
	if len(args) == 0 {
		return v
	}
	return fmt.Sprintf(v, args...)
}

// Has reports whether key is in the catalogue.
func (m *Messages) Has(key string) bool {
	_, ok := m.m[key]
	return ok
}

// N is T for a count: French uses the singular for 0 and 1, so key+".one"
// is used then, when the catalogue has it. n is formatted by the message
// (%d) or passed already formatted in args.
func (m *Messages) N(key string, n any, args ...any) string {
	if v, _ := asInt64(n); (v == 0 || v == 1) && m.Has(key+".one") {
		key += ".one"
	}
	if len(args) == 0 {
		args = []any{n}
	}
	return m.T(key, args...)
}
