package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestNextLinksPagePastTheODSWindow reads a 12,345-row dataset to its end
// by following "next", beyond the 10,000 records ODS's offset allows.
func TestNextLinksPagePastTheODSWindow(t *testing.T) {
	const n = 12345
	var b strings.Builder
	b.WriteString("id,groupe,valeur\n")
	for i := 1; i <= n; i++ {
		fmt.Fprintf(&b, "%d,g%d,%d\n", i, i%7, (i*37)%101)
	}
	path := filepath.Join(t.TempDir(), "big.csv")
	os.WriteFile(path, []byte(b.String()), 0o600)
	for _, e := range engines(t) {
		t.Run(e.name, func(t *testing.T) {
			e.t = t
			e.mustRun("import", "--dataset", "big", path)
			e.start()
			if code, _, _ := e.get(records("big", "offset", "9950", "limit", "100"), ""); code != 400 {
				t.Errorf("offset+limit > 10000 answered %d, want 400", code)
			}
			var first recordsPageJSON
			e.getJSON(records("big", "limit", "10", "order_by", "valeur desc"), "", 200, &first)
			reused := strings.Replace(strings.TrimPrefix(first.Next, e.base), "order_by=valeur+desc", "order_by=id", 1)
			if code, body, _ := e.get(reused, ""); code != 400 || !strings.Contains(string(body), "another query") {
				t.Errorf("a cursor reused with another order: %d %s", code, body)
			}
			seen := map[float64]bool{}
			prev := -1.0
			next := records("big", "limit", "100", "order_by", "valeur desc")
			pages := 0
			for next != "" {
				var page recordsPageJSON
				e.getJSON(strings.TrimPrefix(next, e.base), "", 200, &page)
				for _, r := range page.Results {
					id := r["id"].(float64)
					if seen[id] {
						t.Fatalf("record %v returned twice", id)
					}
					seen[id] = true
					v := r["valeur"].(float64)
					if prev >= 0 && v > prev {
						t.Fatalf("order broken: %v after %v", v, prev)
					}
					prev = v
				}
				next = page.Next
				pages++
				if pages > n/100+2 {
					t.Fatal("too many pages: the cursor does not advance")
				}
			}
			if len(seen) != n {
				t.Fatalf("read %d distinct records, want %d", len(seen), n)
			}
		})
	}
}
