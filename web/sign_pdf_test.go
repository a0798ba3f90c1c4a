package web

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/socle/socle/internal/app"
	"github.com/socle/socle/internal/dtpr"
	"github.com/socle/socle/internal/pdfdoc"
)

// TestSensorSignPDF fetches the PDF signs of a device and of a deployment
// through HTTP: a PDF of the right size whose text names the sensor, its
// colour and purpose, and whose QR code links to the sensor's page; the
// sensor page links them; hidden sensors and unknown formats are refused.
func TestSensorSignPDF(t *testing.T) {
	onEngines(t, func(t *testing.T, s *adminSite) {
		sensorSite(t, s)
		must(t, s.app.PutDeployment(context.Background(), app.System, &dtpr.Deployment{ID: "place-1", Name: "Place du Marché",
			Devices: []string{"wm-1"}, Chain: chainOf("video_camera")}))
		b := s.browser(t)
		wantStatus(t, "the sensor page", b.get("/capteurs/cam-1"), http.StatusOK, "panneau.pdf?format=a4", "panneau.pdf?format=sticker")
		for _, tc := range []struct{ id, format, box, name, colour string }{
			{"cam-1", "a4", "/MediaBox [0 0 595.28 841.89]", "Capteur cam-1", "Données personnelles collectées"},
			{"cam-1", "sticker", "/MediaBox [0 0 283.46 396.85]", "Capteur cam-1", "Données personnelles collectées"},
			{"wm-1", "", "/MediaBox [0 0 595.28 841.89]", "Capteur wm-1", "Aucune donnée personnelle"},
			{"place-1", "sticker", "/MediaBox [0 0 283.46 396.85]", "Place du Marché", "Données personnelles collectées"},
		} {
			p := b.get("/capteurs/" + tc.id + "/panneau.pdf?format=" + tc.format)
			wantStatus(t, tc.id+" "+tc.format+" PDF sign", p, http.StatusOK, "%PDF-1.", tc.box, "/Subtype /Image", "/URI ("+s.srv.URL+"/capteurs/"+tc.id+")")
			if ct := p.res.Header.Get("Content-Type"); ct != "application/pdf" {
				t.Errorf("%s: content type %q", tc.id, ct)
			}
			text := pdfdoc.Text([]byte(p.body))
			for _, want := range []string{tc.name, tc.colour, "Finalité : ", "Responsable : Métropole", "CC BY 4.0"} {
				if !strings.Contains(text, want) {
					t.Errorf("%s %s: the sign's text lacks %q:\n%s", tc.id, tc.format, want, text)
				}
			}
		}
		wantStatus(t, "an unknown format", b.get("/capteurs/cam-1/panneau.pdf?format=a3"), http.StatusBadRequest)
		wantStatus(t, "a hidden sensor's sign", b.get("/capteurs/hidden-1/panneau.pdf"), http.StatusNotFound)
		wantStatus(t, "another file", b.get("/capteurs/cam-1/panneau.png"), http.StatusNotFound)
	})
}
