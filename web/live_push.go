package web

import (
	"net/http"

	"github.com/socle/socle/internal/catalog"
)

// The push API panel of a dataset's back-office page: whether push is
// enabled, a button that makes (or rotates) the push key and shows it this
// once, and one that disables push.

// livePanel is what the dataset's back-office page shows of its push API.
type livePanel struct {
	Enabled bool
	Key     string // the new key, shown once just after it is made
	URL     string // the push URL with the new key
}

// liveRoutes registers the push panel's forms (CSRF-checked, like every
// POST, by withViewer).
func (s *Server) liveRoutes() {
	b := &backOffice{Server: s}
	s.mux.HandleFunc("POST /admin/datasets/{id}/push", b.handlePushEnable)
	s.mux.HandleFunc("POST /admin/datasets/{id}/push/disable", b.handlePushDisable)
}

// livePanelOf returns the push state of d.
func (b *backOffice) livePanelOf(r *http.Request, d *catalog.Dataset) livePanel {
	k, err := b.app.PushStatus(r.Context(), principal(r), d.ID)
	if err != nil {
		b.logger.Warn("push status", "dataset", d.ID, "err", err)
		return livePanel{}
	}
	return livePanel{Enabled: k.Enabled}
}

func (b *backOffice) handlePushEnable(w http.ResponseWriter, r *http.Request) {
	p, d, ok := b.managed(w, r)
	if !ok {
		return
	}
	page := &managePage{D: d, Meta: metaFromDataset(d)}
	key, err := b.app.EnablePush(r.Context(), p, d.ID)
	if err != nil {
		page.Error = b.failure(r, err)
		b.renderManage(w, r, httpStatus(err), p, page)
		return
	}
	b.refreshCatalog(r.Context())
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	page.Push = livePanel{Enabled: true, Key: key, URL: scheme + "://" + r.Host + "/api/push/1.0/" + d.ID + "/realtime/push/?pushkey=" + key}
	w.Header().Set("Cache-Control", "no-store") // the key must not stay in a cache
	b.renderManage(w, r, http.StatusOK, p, page)
}

func (b *backOffice) handlePushDisable(w http.ResponseWriter, r *http.Request) {
	p, d, ok := b.managed(w, r)
	if !ok {
		return
	}
	if err := b.app.DisablePush(r.Context(), p, d.ID); err != nil {
		page := &managePage{D: d, Meta: metaFromDataset(d), Error: b.failure(r, err)}
		b.renderManage(w, r, httpStatus(err), p, page)
		return
	}
	redirectOK(w, r, "/admin/datasets/"+d.ID, "push-disabled")
}
