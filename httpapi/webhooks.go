package httpapi

import (
	"errors"
	"io"
	"net/http"

	"github.com/socle/socle/internal/app"
	"github.com/socle/socle/internal/errs"
	"github.com/socle/socle/internal/sensors"
	"github.com/socle/socle/internal/sensors/lorawan"
)

// Webhooks of the LoRaWAN network servers: ChirpStack v4's HTTP integration
// and The Things Stack v3's webhooks post the same JSON they publish on
// MQTT. They authenticate with an API key in a header configured on the
// network server ("Authorization: Apikey …"). An uplink that cannot be read
// is quarantined, then refused with the reason: nothing is lost.

// maxWebhookBody bounds a webhook body (an uplink is a few KiB).
const maxWebhookBody = lorawan.MaxBody

func (s *Server) handleChirpStackWebhook(w http.ResponseWriter, r *http.Request) {
	if ev := r.URL.Query().Get("event"); ev != "up" {
		w.WriteHeader(http.StatusNoContent) // join, status, ack… events carry no observation
		return
	}
	s.webhook(w, r, "webhook:chirpstack", lorawan.ParseChirpStackWebhook)
}

func (s *Server) handleTTSWebhook(w http.ResponseWriter, r *http.Request) {
	s.webhook(w, r, "webhook:tts", lorawan.ParseTTSWebhook)
}

func (s *Server) webhook(w http.ResponseWriter, r *http.Request, source string, parse func([]byte) (sensors.Uplink, error)) {
	p := principal(r)
	if p.Anonymous() {
		s.writeError(w, r, errs.E(errs.Unauthorized, "an API key is required (configure an Authorization header on the network server)"))
		return
	}
	if !app.CanFeedSensors(p) {
		s.writeError(w, r, errs.E(errs.Forbidden, "this key may not send observations"))
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxWebhookBody))
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			s.writeError(w, r, errs.E(errs.TooLarge, "an uplink is at most %d bytes", maxWebhookBody))
			return
		}
		s.writeError(w, r, errs.Wrap(errs.Invalid, err, "cannot read the body"))
		return
	}
	u, err := parse(body)
	if err != nil {
		if qerr := s.app.QuarantineRaw(r.Context(), source, "", body, errs.Message(err)); qerr != nil {
			s.writeError(w, r, qerr)
			return
		}
		s.writeError(w, r, errs.Wrap(errs.Invalid, err, "%s (kept in quarantine)", errs.Message(err)))
		return
	}
	u.Source = source
	if err := s.app.IngestUplink(r.Context(), u); err != nil {
		s.writeError(w, r, errs.Wrap(errs.Unavailable, err, "the uplink could not be stored; retry"))
		return
	}
	w.WriteHeader(http.StatusNoContent)
}
