package harvester

import (
	"encoding/json"
	"testing"

	"github.com/socle/socle/internal/catalog"
)

// FuzzRewriteLine: whatever a remote sends as a JSON Lines record, the
// rewrite either refuses it or writes one valid JSON object.
func FuzzRewriteLine(f *testing.F) {
	f.Add(`{"a": 1, "geo": {"lon": 4.85, "lat": 45.76}, "_id": 3}`)
	f.Add(`{"geo": {"lon": "x"}, "b": [1, {"c": null}]}`)
	f.Add(`[1, 2]`)
	f.Fuzz(func(t *testing.T, line string) {
		out, err := rewriteLine([]byte(line), map[string]bool{"geo": true})
		if err != nil {
			return
		}
		var m map[string]json.RawMessage
		if err := json.Unmarshal(out, &m); err != nil {
			t.Fatalf("rewrote %q as invalid JSON %q: %v", line, out, err)
		}
		out, err = datastoreLine([]byte(line), map[string]catalog.FieldType{"geo": catalog.TypeGeoPoint})
		if err == nil {
			var d map[string]json.RawMessage
			if err := json.Unmarshal(out, &d); err != nil || d["_id"] != nil {
				t.Fatalf("datastore line %q → %q: %v", line, out, err)
			}
		}
	})
}
