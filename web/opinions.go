package web

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/socle/socle/internal/app"
	"github.com/socle/socle/internal/dtpr"
	"github.com/socle/socle/internal/errs"
)

// Citizens give their opinion on a sensor page without an account, so
// without a session to hold an anti-forgery token. The form carries
// instead a token signed with the server's secret (HMAC-SHA256 of the
// sensor and an expiry): it cannot be forged for another sensor nor
// replayed after formTokenTTL. Add a honeypot field, the body limit, and
// the rate limits of app.SubmitOpinion. The browsers' cross-origin check
// still applies (checkCSRF).

// formTokenTTL is how long an opinion form stays valid.
const formTokenTTL = 2 * time.Hour

// maxOpinionBody bounds an opinion post: a 1,000-character comment,
// percent-encoded, fits with room to spare.
const maxOpinionBody = 32 << 10

// opinionPath reports whether r posts an opinion: checkCSRF leaves those
// to the signed form token.
func opinionPath(r *http.Request) bool {
	rest, ok := strings.CutPrefix(r.URL.Path, "/capteurs/")
	return ok && strings.HasSuffix(rest, "/avis") && strings.Count(rest, "/") == 1
}

// formToken signs device's form until now + formTokenTTL.
func (tr *transparency) formToken(device string, now time.Time) string {
	exp := strconv.FormatInt(now.Add(formTokenTTL).Unix(), 10)
	return exp + "." + tr.sign(device, exp)
}

func (tr *transparency) sign(device, exp string) string {
	m := hmac.New(sha256.New, tr.secret)
	m.Write([]byte(device + "\x00" + exp))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// validToken checks a form token for device at now.
func (tr *transparency) validToken(token, device string, now time.Time) bool {
	exp, sig, ok := strings.Cut(token, ".")
	if !ok || len(token) > 128 {
		return false
	}
	n, err := strconv.ParseInt(exp, 10, 64)
	if err != nil || now.Unix() > n || n > now.Add(formTokenTTL).Unix() {
		return false
	}
	return hmac.Equal([]byte(sig), []byte(tr.sign(device, exp)))
}

func (tr *transparency) handleOpinion(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, maxOpinionBody)
	if err := r.ParseForm(); err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			tr.renderOpinionError(w, r, http.StatusRequestEntityTooLarge, "trust.opinion.toolarge")
			return
		}
		tr.renderError(w, r, errBadParam)
		return
	}
	id := r.PathValue("id")
	if !tr.validToken(r.PostForm.Get("jeton"), id, tr.app.Now()) {
		tr.renderOpinionError(w, r, http.StatusForbidden, "trust.opinion.expired")
		return
	}
	in := app.OpinionInput{Device: id, Client: clientIP(r), Honeypot: r.PostForm.Get("site_web"),
		Answers: dtpr.Answers{Understand: r.PostForm.Get("comprehension"), Useful: r.PostForm.Get("utilite"),
			Comfort: r.PostForm.Get("confort"), Comment: r.PostForm.Get("commentaire")}}
	_, err := tr.app.SubmitOpinion(r.Context(), in)
	switch {
	case err == nil:
		redirectOK(w, r, "/capteurs/"+id, "opinion")
	case errors.Is(err, app.ErrRateLimited):
		w.Header().Set("Retry-After", "3600")
		tr.renderOpinionError(w, r, http.StatusTooManyRequests, "trust.opinion.ratelimited")
	case errs.Is(err, errs.TooLarge):
		tr.renderOpinionError(w, r, http.StatusRequestEntityTooLarge, "trust.opinion.toolarge")
	case errs.Is(err, errs.Invalid):
		tr.renderOpinionError(w, r, http.StatusBadRequest, "trust.opinion.invalid")
	default:
		tr.renderError(w, r, err)
	}
}

// renderOpinionError shows why an opinion was refused, in French, with a
// way back to the sensor.
func (tr *transparency) renderOpinionError(w http.ResponseWriter, r *http.Request, status int, key string) {
	tr.render(w, r, status, "error", tr.msgs.T("error.title", status), errorPage{Message: tr.msgs.T(key)})
}

// moderationPage is the data of templates/admin_opinions.html.
type moderationPage struct {
	Status   string
	Statuses []string
	Opinions []*dtpr.Opinion
	Names    map[string]string // device → public name
	MaxReply int
}

// maxQueue bounds the moderation queue's page.
const maxQueue = 100

func (tr *transparency) handleModeration(w http.ResponseWriter, r *http.Request) {
	p, ok := tr.requireLogin(w, r)
	if !ok {
		return
	}
	status := r.URL.Query().Get("statut")
	if status == "" {
		status = dtpr.StatusPending
	}
	if status != dtpr.StatusPending && status != dtpr.StatusPublished && status != dtpr.StatusRejected {
		tr.renderError(w, r, errBadParam)
		return
	}
	list, err := tr.app.OpinionQueue(r.Context(), p, status, maxQueue)
	if err != nil {
		tr.renderError(w, r, err)
		return
	}
	page := &moderationPage{Status: status, Statuses: []string{dtpr.StatusPending, dtpr.StatusPublished, dtpr.StatusRejected},
		Opinions: list, Names: map[string]string{}, MaxReply: dtpr.MaxReplyRunes}
	for _, o := range list {
		if _, seen := page.Names[o.Device]; !seen {
			page.Names[o.Device] = o.Device
			if d, err := tr.app.Store.Device(r.Context(), o.Device); err == nil {
				page.Names[o.Device] = d.Name
			}
		}
	}
	tr.render(w, r, http.StatusOK, "admin_opinions", tr.msgs.T("trust.moderation.title"), page)
}

func (tr *transparency) handleModerate(w http.ResponseWriter, r *http.Request) {
	p, ok := tr.requireLogin(w, r)
	if !ok {
		return
	}
	id, err := strconv.ParseInt(r.PathValue("oid"), 10, 64)
	if err != nil || id <= 0 {
		tr.renderError(w, r, errs.E(errs.NotFound, "page not found"))
		return
	}
	status := r.PostFormValue("statut")
	if _, err := tr.app.ModerateOpinion(r.Context(), p, id, status, strings.TrimSpace(r.PostFormValue("reponse"))); err != nil {
		tr.renderError(w, r, err)
		return
	}
	redirectOK(w, r, "/admin/avis", "opinion-"+status)
}
