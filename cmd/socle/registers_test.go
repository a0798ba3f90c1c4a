package main

import (
	"encoding/csv"
	"strings"
	"testing"
)

// TestRegisters keeps the RGPD record and the algorithm register through
// the API on both engines: stewards write, anyone reads the public view
// (JSON, CSV and the /registres page) without the confidential notes,
// partners and anonymous callers cannot write, invalid entries are refused
// naming the missing field.
func TestRegisters(t *testing.T) {
	const activity = `{"name":"Vidéoprotection des parkings","controller":"Métropole","dpo":"dpo@example.org",
		"purposes":["Sécurité des usagers"],"legal_basis":"Art. 6(1)(e)","data_subjects":["Usagers"],
		"data_categories":["Images"],"retention":"30 jours","recipients":["Police municipale"],
		"security":["Accès restreint"],"datasets":["parkings"],"confidential":"CONFIDENTIEL <b>x</b>"}`
	const algorithm = `{"name":"Tri des demandes <script>alert(1)</script>","service":"Voirie","contact":"voirie@example.org",
		"purpose":"Prioriser","decision":"Avant l'instruction","automation":"aide","legal_basis":"CGCT",
		"data":["Demandes"],"method":"règles","operations":"Score","human_oversight":"Un agent décide"}`
	for _, e := range engines(t) {
		t.Run(e.name, func(t *testing.T) {
			e.t = t
			seedOrgs(t, e)
			e.mustRun("user", "add", "--login", "steward", "--role", "steward", "--org", "metropole")
			e.mustRun("user", "add", "--login", "partner", "--role", "partner", "--org", "metropole")
			steward := strings.TrimSpace(e.mustRun("apikey", "create", "--login", "steward"))
			partner := strings.TrimSpace(e.mustRun("apikey", "create", "--login", "partner"))
			e.start()

			for _, key := range []string{"", partner} {
				if code, body := e.post("PUT", "/api/socle/v1/registers/processing/video-parkings", key, []byte(activity)); code != 403 && code != 401 {
					t.Fatalf("write with key %q: %d %s", key, code, body)
				}
			}
			if code, body := e.post("PUT", "/api/socle/v1/registers/processing/video-parkings", steward, []byte(`{"name":"x"}`)); code != 400 || !strings.Contains(string(body), "controller") {
				t.Fatalf("invalid entry: %d %s", code, body)
			}
			if code, body := e.post("PUT", "/api/socle/v1/registers/processing/video-parkings", steward, []byte(activity)); code != 200 {
				t.Fatalf("put activity: %d %s", code, body)
			}
			if code, body := e.post("PUT", "/api/socle/v1/registers/algorithms/tri-demandes", steward, []byte(algorithm)); code != 200 {
				t.Fatalf("put algorithm: %d %s", code, body)
			}

			code, body, _ := e.get("/api/socle/v1/registers/processing", "")
			if code != 200 || !strings.Contains(string(body), "Vidéoprotection des parkings") || strings.Contains(string(body), "CONFIDENTIEL") {
				t.Fatalf("public register: %d %s", code, body)
			}
			if _, body, _ := e.get("/api/socle/v1/registers/processing/video-parkings", steward); !strings.Contains(string(body), "CONFIDENTIEL") {
				t.Errorf("the steward does not see the confidential notes: %s", body)
			}
			code, body, h := e.get("/api/socle/v1/registers/processing.csv", "")
			rows, err := csv.NewReader(strings.NewReader(string(body))).ReadAll()
			if code != 200 || err != nil || !strings.HasPrefix(h.Get("Content-Type"), "text/csv") || len(rows) != 2 ||
				rows[0][0] != "id" || rows[1][0] != "video-parkings" || rows[1][5] != "Sécurité des usagers" || strings.Contains(string(body), "CONFIDENTIEL") {
				t.Fatalf("CSV: %d %v %v", code, rows, err)
			}
			code, body, _ = e.get("/registres", "")
			page := string(body)
			if code != 200 || !strings.Contains(page, "Vidéoprotection des parkings") || strings.Contains(page, "CONFIDENTIEL") ||
				strings.Contains(page, "<script>alert(1)</script>") || !strings.Contains(page, "&lt;script&gt;") {
				t.Fatalf("/registres: %d (confidential or unescaped text?)", code)
			}
			if code, _, _ := e.get("/api/socle/v1/registers/nothing", ""); code != 404 {
				t.Errorf("unknown register: %d", code)
			}
			if code, _ := e.post("DELETE", "/api/socle/v1/registers/algorithms/tri-demandes", partner, nil); code != 403 {
				t.Errorf("partner delete: %d", code)
			}
			if code, _ := e.post("DELETE", "/api/socle/v1/registers/algorithms/tri-demandes", steward, nil); code != 204 {
				t.Errorf("delete: %d", code)
			}
			if code, _ := e.post("DELETE", "/api/socle/v1/registers/algorithms/tri-demandes", steward, nil); code != 404 {
				t.Errorf("second delete: %d", code)
			}
		})
	}
}
