package web

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/socle/socle/internal/app"
	"github.com/socle/socle/internal/catalog"
	"github.com/socle/socle/internal/dtpr"
	"github.com/socle/socle/internal/sensors"
)

// sensorSite adds to an admin site four devices: a public water meter, a
// public camera (yellow), one without a datachain and a retired one.
func chainOf(tech ...string) *dtpr.Chain {
	return &dtpr.Chain{Accountable: []dtpr.Party{{Kind: "institution", Name: "Métropole"}}, Purpose: []string{"water_efficiency"},
		Tech: tech, Retention: "no_data_retained", Hosting: "Serveurs de la Métropole"}
}

func sensorSite(t *testing.T, s *adminSite) {
	t.Helper()
	ctx := context.Background()
	chain := chainOf
	for _, d := range []struct {
		id, eui, status string
		c               *dtpr.Chain
	}{
		{"wm-1", "70b3d5e75e000001", "active", chain("water_quality")},
		{"cam-1", "70b3d5e75e000002", "active", chain("identifiable_video")},
		{"hidden-1", "70b3d5e75e000003", "active", nil},
		{"old-1", "70b3d5e75e000004", "retired", chain("radar")},
	} {
		must(t, s.app.PutDevice(ctx, app.System, &sensors.Device{ID: d.id, EUI: d.eui, Name: "Capteur " + d.id, Type: "WaterMeter",
			Domain: "water", Location: &catalog.GeoPoint{Lat: 47.4, Lon: -0.55}, Commune: "49901", Status: d.status}))
		if d.c != nil {
			_, err := s.app.PutChain(ctx, app.System, d.id, d.c)
			must(t, err)
		}
	}
}

func TestSensorPages(t *testing.T) {
	onEngines(t, func(t *testing.T, s *adminSite) {
		sensorSite(t, s)
		b := s.browser(t)
		p := b.get("/capteurs")
		wantStatus(t, "the sensor map", p, http.StatusOK, "Capteur wm-1", "Capteur cam-1", "Données personnelles collectées", "CC BY 4.0", "go.dtpr.guide")
		for _, absent := range []string{"hidden-1", "old-1", "70b3d5e75e", "Set-Cookie"} {
			if strings.Contains(p.body, absent) {
				t.Errorf("the sensor map shows %q", absent)
			}
		}
		if p.res.Header.Get("Set-Cookie") != "" {
			t.Error("a public page sets a cookie")
		}
		wantStatus(t, "the map filtered by colour", b.get("/capteurs?couleur=yellow"), http.StatusOK, "Capteur cam-1", "1 capteur")
		wantStatus(t, "an unknown colour", b.get("/capteurs?couleur=pink"), http.StatusBadRequest)
		wantStatus(t, "an unknown purpose", b.get("/capteurs?finalite=spying"), http.StatusBadRequest)
		var fc struct {
			Features []struct{ Properties map[string]string }
		}
		must(t, json.Unmarshal([]byte(b.get("/capteurs.geojson?couleur=white").body), &fc))
		if len(fc.Features) != 1 || fc.Features[0].Properties["page"] != "/capteurs/wm-1" || fc.Features[0].Properties["marqueur"] != "blanc" {
			t.Errorf("white features: %+v", fc.Features)
		}
		p = b.get("/capteurs/cam-1")
		wantStatus(t, "a sensor page", p, http.StatusOK, "Vidéo identifiable", "Serveurs de la Métropole", "Comprenez-vous à quoi sert ce capteur ?",
			"panneau.svg?format=a4", `aria-label="Technologie : Vidéo identifiable"`)
		if strings.Contains(p.body, "70b3d5e75e") {
			t.Error("the sensor page shows the DevEUI")
		}
		for _, id := range []string{"hidden-1", "old-1", "nope"} {
			wantStatus(t, "the page of "+id, b.get("/capteurs/"+id), http.StatusNotFound)
			wantStatus(t, "the sign of "+id, b.get("/capteurs/"+id+"/panneau.svg"), http.StatusNotFound)
		}
		sign := b.get("/capteurs/cam-1/panneau.svg?format=sticker")
		wantStatus(t, "the sticker", sign, http.StatusOK, `class="qr"`, `data-element="identifiable_video"`, s.srv.URL+"/capteurs/cam-1", "CC BY 4.0")
		if ct := sign.res.Header.Get("Content-Type"); ct != "image/svg+xml" {
			t.Errorf("sign content type %q", ct)
		}
		wantStatus(t, "a sign in an unknown format", b.get("/capteurs/cam-1/panneau.svg?format=a3"), http.StatusBadRequest)
		ctx := context.Background()
		must(t, s.app.PutDeployment(ctx, app.System, &dtpr.Deployment{ID: "place-1", Name: "Place du Marché", Place: "Centre-ville",
			Commune: "49901", Devices: []string{"wm-1", "hidden-1", "old-1"}, Chain: chainOf("video_camera")}))
		must(t, s.app.PutDeployment(ctx, app.System, &dtpr.Deployment{ID: "place-old", Name: "Ancienne place",
			Devices: []string{"old-1"}, Chain: chainOf("radar")}))
		dep := b.get("/capteurs/place-1")
		wantStatus(t, "a deployment's page", dep, http.StatusOK, "Place du Marché", "Centre-ville", `data-member="wm-1"`, `data-member="hidden-1"`, "Caméra vidéo")
		if strings.Contains(dep.body, `data-member="old-1"`) || strings.Contains(dep.body, "70b3d5e75e") {
			t.Error("the deployment shows a retired device or a DevEUI")
		}
		wantStatus(t, "a deployment's sign", b.get("/capteurs/place-1/panneau.svg"), http.StatusOK, s.srv.URL+"/capteurs/place-1")
		wantStatus(t, "a deployment of retired devices", b.get("/capteurs/place-old"), http.StatusNotFound)
		wantStatus(t, "the map lists the deployment", b.get("/capteurs?couleur=yellow"), http.StatusOK, "Place du Marché", "2 capteurs")
		wantStatus(t, "an opinion on the deployment", b.post("/capteurs/place-1/avis", opinionForm(b, "place-1", "")), http.StatusSeeOther, "ok=opinion")
		wantStatus(t, "the place page", b.get("/capteurs/lieux/49901"), http.StatusOK, "Capteur wm-1", "Aucun avis publié")
		wantStatus(t, "a place without public sensors", b.get("/capteurs/lieux/00000"), http.StatusNotFound)
	})
}

var jetonField = regexp.MustCompile(`name="jeton" value="([^"]+)"`)

// opinionForm returns a valid opinion form for the sensor's page.
func opinionForm(b *browser, id, comment string) url.Values {
	b.t.Helper()
	m := jetonField.FindStringSubmatch(b.get("/capteurs/" + id).body)
	if m == nil {
		b.t.Fatalf("no form token on /capteurs/%s", id)
	}
	return url.Values{"jeton": {m[1]}, "comprehension": {"partiel"}, "utilite": {"4"}, "confort": {"2"}, "commentaire": {comment}}
}

func TestOpinionIsModeratedThenCounted(t *testing.T) {
	onEngines(t, func(t *testing.T, s *adminSite) {
		sensorSite(t, s)
		citizen := s.browser(t)
		script := `<script>alert("x")</script> Pourquoi filmer ?`
		p := citizen.post("/capteurs/cam-1/avis", opinionForm(citizen, "cam-1", script))
		wantStatus(t, "an opinion", p, http.StatusSeeOther, "/capteurs/cam-1?ok=opinion")
		wantStatus(t, "the page before moderation", citizen.get("/capteurs/cam-1"), http.StatusOK, "Aucun avis publié")

		wantStatus(t, "the queue for an agent", s.login(t, "agent").get("/admin/avis"), http.StatusNotFound)
		wantStatus(t, "the queue for a visitor", citizen.get("/admin/avis"), http.StatusSeeOther, "/login")
		admin := s.login(t, "root")
		q := admin.get("/admin/avis")
		wantStatus(t, "the queue", q, http.StatusOK, "Capteur cam-1", script)
		if strings.Contains(q.body, "<script>alert") {
			t.Error("the queue shows the comment unescaped")
		}
		id := regexp.MustCompile(`data-opinion="(\d+)"`).FindStringSubmatch(q.body)[1]
		forged := admin.post("/admin/avis/"+id, url.Values{"statut": {"published"}})
		wantStatus(t, "a moderation without csrf", forged, http.StatusForbidden)
		p = admin.post("/admin/avis/"+id, url.Values{"csrf": {admin.token("/admin/avis")}, "statut": {"published"}, "reponse": {"Les images sont conservées 30 jours."}})
		wantStatus(t, "publishing", p, http.StatusSeeOther, "/admin/avis?ok=opinion-published")

		page := citizen.get("/capteurs/cam-1")
		wantStatus(t, "the page after moderation", page, http.StatusOK, "1 avis publié", "En partie : 1", "moyenne 4 sur 5", script, "Les images sont conservées 30 jours.")
		if strings.Contains(page.body, "<script>alert") {
			t.Error("the sensor page shows the comment unescaped")
		}
		wantStatus(t, "the place", citizen.get("/capteurs/lieux/49901"), http.StatusOK, "1 avis publié")
	})
}

func TestOpinionAbuse(t *testing.T) {
	onEngines(t, func(t *testing.T, s *adminSite) {
		sensorSite(t, s)
		b := s.browser(t)
		count := func() int {
			list, err := s.app.Store.Opinions(context.Background(), dtpr.OpinionFilter{})
			must(t, err)
			return len(list)
		}
		f := opinionForm(b, "wm-1", "")
		f.Set("site_web", "http://spam.example")
		wantStatus(t, "a honeypot post", b.post("/capteurs/wm-1/avis", f), http.StatusSeeOther, "ok=opinion")
		if n := count(); n != 0 {
			t.Fatalf("the honeypot post was stored (%d)", n)
		}
		f = opinionForm(b, "wm-1", "")
		f.Set("jeton", "1."+strings.Repeat("A", 43))
		wantStatus(t, "a forged token", b.post("/capteurs/wm-1/avis", f), http.StatusForbidden, "Le formulaire a expiré")
		wantStatus(t, "another sensor's token", b.post("/capteurs/cam-1/avis", opinionForm(b, "wm-1", "")), http.StatusForbidden)
		wantStatus(t, "an opinion on a hidden sensor", b.post("/capteurs/hidden-1/avis", opinionForm(b, "wm-1", "")), http.StatusForbidden)
		f = opinionForm(b, "wm-1", "")
		f.Set("utilite", "9")
		wantStatus(t, "an invalid answer", b.post("/capteurs/wm-1/avis", f), http.StatusBadRequest, "Répondez aux trois questions")
		wantStatus(t, "a comment of 1,001 characters", b.post("/capteurs/wm-1/avis", opinionForm(b, "wm-1", strings.Repeat("a", 1001))),
			http.StatusRequestEntityTooLarge, "1 000 caractères")
		wantStatus(t, "a body over 32 KiB", b.post("/capteurs/wm-1/avis", opinionForm(b, "wm-1", strings.Repeat("é", 20_000))),
			http.StatusRequestEntityTooLarge)
		for i := range app.OpinionsPerSensorHour - 1 { // the honeypot post counted as one
			wantStatus(t, "opinion "+string(rune('1'+i)), b.post("/capteurs/wm-1/avis", opinionForm(b, "wm-1", "ok")), http.StatusSeeOther)
		}
		p := b.post("/capteurs/wm-1/avis", opinionForm(b, "wm-1", "encore"))
		wantStatus(t, "a flood", p, http.StatusTooManyRequests, "Trop d'avis")
		if n := count(); n != app.OpinionsPerSensorHour-1 {
			t.Errorf("%d opinions stored", n)
		}
		wantStatus(t, "another sensor", b.post("/capteurs/cam-1/avis", opinionForm(b, "cam-1", "")), http.StatusSeeOther)
	})
}
