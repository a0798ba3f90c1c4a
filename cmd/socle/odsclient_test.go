package main

import (
	"encoding/json"
	"os"
	"os/exec"
	"strings"
	"testing"
)

// TestOfficialODSClient runs Opendatasoft's own JavaScript client
// (compat/odsclient, installed by `make test`) against a live server and
// compares its answers with the same computations done here on the source.
func TestOfficialODSClient(t *testing.T) {
	node, err := exec.LookPath("node")
	needTool(t, "node", "install Node.js", err == nil)
	_, err = os.Stat("../../compat/odsclient/node_modules/@opendatasoft/api-client")
	needTool(t, "@opendatasoft/api-client", "run `make compat-deps` (part of `make test`)", err == nil)
	src := readSource(t, somme)
	col := map[string]int{}
	for i, h := range src[0] {
		col[h] = i
	}
	over10k, over100k, camping := 0, 0, 0
	natures := map[string]int{}
	for _, r := range src[1:] {
		n, _ := frenchNumber(r[col["montant"]])
		if n > 10000 {
			over10k++
			natures[r[col["nature"]]]++
		}
		if n > 100000 {
			over100k++
		}
		if strings.Contains(strings.ToLower(strings.Join(r, " ")), "camping") {
			camping++
		}
	}
	for _, e := range engines(t) {
		t.Run(e.name, func(t *testing.T) {
			e.t = t
			e.mustRun("import", "--dataset", "somme", somme)
			e.start()
			cmd := exec.Command(node, "run.mjs", e.base, "")
			cmd.Dir = "../../compat/odsclient"
			out, err := cmd.Output()
			if err != nil {
				t.Fatalf("node client: %v\n%s", err, out)
			}
			var res map[string]struct {
				OK    bool            `json:"ok"`
				URL   string          `json:"url"`
				Error string          `json:"error"`
				Body  json.RawMessage `json:"body"`
			}
			if err := json.Unmarshal(out, &res); err != nil {
				t.Fatalf("client output: %v: %s", err, out)
			}
			for name, r := range res {
				if !r.OK {
					t.Errorf("client query %s (%s) failed: %s", name, r.URL, r.Error)
				}
			}
			var page recordsPageJSON
			decode := func(name string, v any) bool {
				if !res[name].OK {
					return false
				}
				if err := json.Unmarshal(res[name].Body, v); err != nil {
					t.Errorf("%s: %v", name, err)
					return false
				}
				return true
			}
			if decode("whereCount", &page) && page.TotalCount != int64(over10k) {
				t.Errorf("where montant > 10000: %d records, want %d", page.TotalCount, over10k)
			}
			if decode("groupBy", &page) {
				for _, g := range page.Results {
					name, _ := g["nature"].(string) // null group: empty cells
					if n := int(g["n"].(float64)); n != natures[name] {
						t.Errorf("group %v: %d, want %d", g["nature"], n, natures[name])
					}
				}
			}
			if decode("orderBy", &page) {
				for i := 1; i < len(page.Results); i++ {
					if page.Results[i]["montant"].(float64) > page.Results[i-1]["montant"].(float64) {
						t.Errorf("order_by -montant not descending: %v", page.Results)
					}
				}
			}
			if decode("search", &page) && int(page.TotalCount) != camping {
				t.Errorf("full-text 'camping': %d, want %d", page.TotalCount, camping)
			}
			var rows []map[string]any
			if decode("exportJson", &rows) && len(rows) != over100k {
				t.Errorf("export where montant > 100000: %d rows, want %d", len(rows), over100k)
			}
		})
	}
}
