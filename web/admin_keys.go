package web

import (
	"net/http"
	"strconv"

	"github.com/socle/socle/internal/auth"
)

// keysPage is the data of the API keys page: one account's keys, the
// viewer's own unless an administrator names another (?user=ID).
type keysPage struct {
	U     *auth.User
	Keys  []*auth.APIKey
	Self  bool
	Error string
}

// keyCreatedPage shows a new key, once: only its hash is kept.
type keyCreatedPage struct {
	U   *auth.User
	Key string
	K   *auth.APIKey
}

// keysUser returns the account whose keys a request is about (form or
// query field "user"; the viewer by default). Other accounts exist only
// for administrators.
func (b *backOffice) keysUser(r *http.Request, p auth.Principal, raw string) (*auth.User, error) {
	id, _ := strconv.ParseInt(raw, 10, 64)
	if id == 0 || id == p.User.ID {
		return p.User, nil
	}
	return b.app.UserAdmin(r.Context(), p, id)
}

func (b *backOffice) handleKeys(w http.ResponseWriter, r *http.Request) {
	p, ok := b.requireLogin(w, r)
	if !ok {
		return
	}
	b.renderKeys(w, r, http.StatusOK, p, &keysPage{}, r.URL.Query().Get("user"))
}

func (b *backOffice) renderKeys(w http.ResponseWriter, r *http.Request, status int, p auth.Principal, page *keysPage, user string) {
	u, err := b.keysUser(r, p, user)
	if err != nil {
		b.renderError(w, r, err)
		return
	}
	keys, err := b.app.ListAPIKeys(r.Context(), p, u.ID)
	if err != nil {
		b.renderError(w, r, err)
		return
	}
	page.U, page.Keys, page.Self = u, keys, u.ID == p.User.ID
	b.render(w, r, status, "admin_keys", b.msgs.T("admin.keys.title"), page)
}

func (b *backOffice) handleCreateKey(w http.ResponseWriter, r *http.Request) {
	p, ok := b.requireLogin(w, r)
	if !ok {
		return
	}
	u, err := b.keysUser(r, p, r.PostFormValue("user"))
	if err != nil {
		b.renderError(w, r, err)
		return
	}
	key, k, err := b.app.CreateAPIKeyFor(r.Context(), p, u.ID, r.PostFormValue("label"))
	if err != nil {
		b.renderKeys(w, r, http.StatusUnprocessableEntity, p, &keysPage{Error: b.failure(r, err)}, r.PostFormValue("user"))
		return
	}
	b.render(w, r, http.StatusOK, "admin_key", b.msgs.T("admin.key.title"), keyCreatedPage{U: u, Key: key, K: k})
}

func (b *backOffice) handleRevokeKey(w http.ResponseWriter, r *http.Request) {
	p, ok := b.requireLogin(w, r)
	if !ok {
		return
	}
	u, err := b.keysUser(r, p, r.PostFormValue("user"))
	if err != nil {
		b.renderError(w, r, err)
		return
	}
	if err := b.app.RevokeAPIKeyByID(r.Context(), p, u.ID, pathID(r, "kid")); err != nil {
		b.renderError(w, r, err)
		return
	}
	url := "/admin/keys"
	if u.ID != p.User.ID {
		url += "?user=" + strconv.FormatInt(u.ID, 10)
	}
	redirectOK(w, r, url, "key-revoked")
}
