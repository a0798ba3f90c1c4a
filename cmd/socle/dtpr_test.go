package main

import (
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
)

// cameraChain is a yellow datachain (identifiable video, personal data).
const cameraChain = `{"accountable":[{"kind":"institution","name":"Métropole"}],"purpose":["safety_security"],
	"tech":["video_camera"],"data":["personal"],"retention":"data_retained","retention_duration":"30 jours","hosting":"CSU de la Métropole"}`

// TestDTPRManagementAPI writes and reads a datachain over the management
// API with each role, on both engines.
func TestDTPRManagementAPI(t *testing.T) {
	for _, e := range engines(t) {
		t.Run(e.name, func(t *testing.T) {
			e.start()
			steward, agent, _, outsider := maintenanceSite(t, e)
			mustPut(e, "/api/v1/devices/cam-1", steward, `{"name":"Caméra du marché","type":"Camera","domain":"other","eui":"70b3d5e75e0000aa","location":{"lat":47.47,"lon":-0.55}}`)
			const path = "/api/socle/v1/devices/cam-1/dtpr"
			for _, tc := range []struct {
				name, key, path, body string
				want                  int
			}{
				{"an agent may not write a chain", agent, path, cameraChain, 403},
				{"an outsider does not see the device", outsider, path, cameraChain, 404},
				{"an unknown element is refused", steward, path, strings.Replace(cameraChain, "video_camera", "mind_reader", 1), 400},
				{"an oversized chain is refused", steward, path, `{"summary":"` + strings.Repeat("a", 20<<10) + `"}`, 413},
				{"an unknown device is not found", steward, "/api/socle/v1/devices/nope/dtpr", cameraChain, 404},
				{"a steward writes a chain", steward, path, cameraChain, 200},
			} {
				t.Run(tc.name, func(t *testing.T) {
					if code, out := e.post("PUT", tc.path, tc.key, []byte(tc.body)); code != tc.want {
						t.Fatalf("status %d, want %d: %s", code, tc.want, out)
					}
				})
			}
			var got struct {
				Colour string `json:"colour"`
				Chain  struct{ Tech []string }
			}
			e.getJSON(path, agent, 200, &got)
			if got.Colour != "yellow" || len(got.Chain.Tech) != 1 {
				t.Fatalf("chain %+v", got)
			}
			e.getJSON(path, outsider, 404, nil)
			e.getJSON(path, "", 404, nil)
			code, body, _ := e.get("/capteurs/cam-1", "")
			if code != 200 || !strings.Contains(string(body), "Caméra du marché") || strings.Contains(string(body), "70b3d5e75e0000aa") {
				t.Fatalf("public page: %d", code)
			}
		})
	}
}

var jetonRE = regexp.MustCompile(`name="jeton" value="([^"]+)"`)

// postOpinion posts an opinion form with a fresh token, without following
// redirects, and returns the status and body.
func postOpinion(t *testing.T, e *env, id string, set map[string]string) (int, string) {
	t.Helper()
	_, page, _ := e.get("/capteurs/"+id, "")
	m := jetonRE.FindSubmatch(page)
	if m == nil {
		t.Fatalf("no form token on /capteurs/%s", id)
	}
	f := url.Values{"jeton": {string(m[1])}, "comprehension": {"oui"}, "utilite": {"5"}, "confort": {"4"}}
	for k, v := range set {
		f.Set(k, v)
	}
	c := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	res, err := c.PostForm(e.base+"/capteurs/"+id+"/avis", f)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(b)
}

// TestOpinionAbuseOverHTTP: a scripted comment is kept as text, a honeypot
// post is discarded, an oversized comment refused, and a flood stopped
// with a French 429, on both engines.
func TestOpinionAbuseOverHTTP(t *testing.T) {
	for _, e := range engines(t) {
		t.Run(e.name, func(t *testing.T) {
			e.start()
			steward, _, _, _ := maintenanceSite(t, e)
			mustPut(e, "/api/v1/devices/cam-1", steward, `{"name":"Caméra du marché","type":"Camera","domain":"other"}`)
			mustPut(e, "/api/socle/v1/devices/cam-1/dtpr", steward, cameraChain)
			for _, tc := range []struct {
				name string
				set  map[string]string
				want int
				says string
			}{
				{"a scripted comment is accepted as text", map[string]string{"commentaire": "<script>alert(1)</script>"}, 303, ""},
				{"a honeypot post looks accepted", map[string]string{"site_web": "x"}, 303, ""},
				{"an oversized comment is refused", map[string]string{"commentaire": strings.Repeat("a", 1001)}, 413, "1 000 caractères"},
				{"a missing answer is refused", map[string]string{"confort": ""}, 400, "Répondez aux trois questions"},
				{"a forged token is refused", map[string]string{"jeton": "9999999999.abc"}, 403, "expiré"},
				{"opinion 3 is accepted", nil, 303, ""},
				{"opinion 4 is accepted", nil, 303, ""},
				{"opinion 5 is accepted", nil, 303, ""},
				{"the sixth within the hour is a flood", nil, 429, "Trop d'avis"},
			} {
				t.Run(tc.name, func(t *testing.T) {
					code, body := postOpinion(t, e, "cam-1", tc.set)
					if code != tc.want || !strings.Contains(body, strings.ReplaceAll(tc.says, "'", "&#39;")) {
						t.Fatalf("status %d, want %d (%q): %.300s", code, tc.want, tc.says, body)
					}
				})
			}
			// Nothing is public before moderation.
			if _, page, _ := e.get("/capteurs/cam-1", ""); !strings.Contains(string(page), "Aucun avis publié") {
				t.Fatal("an opinion shows before moderation")
			}
		})
	}
}

// TestDTPRDeploymentsAPI creates, lists, reads and deletes a deployment
// over the management API, on both engines.
func TestDTPRDeploymentsAPI(t *testing.T) {
	for _, e := range engines(t) {
		t.Run(e.name, func(t *testing.T) {
			e.start()
			steward, agent, _, outsider := maintenanceSite(t, e)
			mustPut(e, "/api/v1/devices/cam-1", steward, `{"name":"Caméra","type":"Camera","domain":"other","location":{"lat":47.47,"lon":-0.55}}`)
			mustPut(e, "/api/v1/devices/count-1", steward, `{"name":"Compteur","type":"CrowdFlowObserved","domain":"mobility"}`)
			body := func(devices string) string {
				return `{"name":"Place du Marché","place":"Centre","commune":"49901","devices":[` + devices + `],"chain":` + cameraChain + `}`
			}
			const path = "/api/socle/v1/deployments/place"
			for _, tc := range []struct {
				name, key, path, body string
				want                  int
			}{
				{"an agent may not write one", agent, path, body(`"cam-1"`), 403},
				{"an unknown device is not found", steward, path, body(`"cam-1","nope"`), 404},
				{"a device's ID is taken", steward, "/api/socle/v1/deployments/cam-1", body(`"count-1"`), 409},
				{"no device is refused", steward, path, body(``), 400},
				{"an unknown member is refused", steward, path, `{"name":"x","devices":["cam-1"],"chain":` + cameraChain + `,"x":1}`, 400},
				{"a steward writes one", steward, path, body(`"cam-1","count-1"`), 200},
			} {
				t.Run(tc.name, func(t *testing.T) {
					if code, out := e.post("PUT", tc.path, tc.key, []byte(tc.body)); code != tc.want {
						t.Fatalf("status %d, want %d: %s", code, tc.want, out)
					}
				})
			}
			var list struct{ Deployments []struct{ ID string } }
			e.getJSON("/api/socle/v1/deployments", agent, 200, &list)
			if len(list.Deployments) != 1 || list.Deployments[0].ID != "place" {
				t.Fatalf("deployments %+v", list)
			}
			e.getJSON(path, outsider, 404, nil)
			if code, body, _ := e.get("/capteurs/place", ""); code != 200 || !strings.Contains(string(body), `data-member="count-1"`) {
				t.Fatalf("public page: %d", code)
			}
			if code, out := e.post("DELETE", path, steward, nil); code != 204 {
				t.Fatalf("delete: %d %s", code, out)
			}
			e.getJSON(path, agent, 404, nil)
			if code, _, _ := e.get("/capteurs/place", ""); code != 404 {
				t.Fatalf("public page after delete: %d", code)
			}
		})
	}
}
