package web

import (
	"errors"
	"net/http"
	"slices"
	"strconv"

	"github.com/socle/socle/internal/auth"
	"github.com/socle/socle/internal/catalog"
	"github.com/socle/socle/internal/errs"
	"github.com/socle/socle/internal/importer"
)

// adminHome is the data of the back-office home.
type adminHome struct {
	Datasets  []*catalog.Dataset
	CanCreate bool // admins, stewards and producers publish; agents and partners read
	IsAdmin   bool
}

// handleAdmin lists the datasets the viewer may change.
func (b *backOffice) handleAdmin(w http.ResponseWriter, r *http.Request) {
	p, ok := b.requireLogin(w, r)
	if !ok {
		return
	}
	all, err := b.app.Datasets(r.Context(), p)
	if err != nil {
		b.renderError(w, r, err)
		return
	}
	h := adminHome{CanCreate: canCreate(p), IsAdmin: p.Is(auth.RoleAdmin)}
	for _, d := range all {
		if auth.CanWrite(p, d) {
			h.Datasets = append(h.Datasets, d)
		}
	}
	slices.SortFunc(h.Datasets, func(x, y *catalog.Dataset) int { return y.Modified.Compare(x.Modified) })
	b.render(w, r, http.StatusOK, "admin", b.msgs.T("admin.title"), h)
}

func canCreate(p auth.Principal) bool {
	return p.Is(auth.RoleAdmin, auth.RoleSteward, auth.RoleProducer)
}

// requireAdmin is requireLogin for administrators' pages; anyone else gets
// 404: what a caller may not see does not exist for them.
func (b *backOffice) requireAdmin(w http.ResponseWriter, r *http.Request) (auth.Principal, bool) {
	p, ok := b.requireLogin(w, r)
	if !ok {
		return p, false
	}
	if !p.Is(auth.RoleAdmin) {
		b.renderError(w, r, errs.E(errs.NotFound, "page not found"))
		return p, false
	}
	return p, true
}

// redirectOK ends a successful post: 303 to url with the flash message
// flash.<key>.
func redirectOK(w http.ResponseWriter, r *http.Request, url, key string) {
	sep := "?"
	if slices.Contains([]byte(url), '?') {
		sep = "&"
	}
	http.Redirect(w, r, url+sep+"ok="+key, http.StatusSeeOther)
}

// failure says in French why err refused what the viewer asked. The use
// cases speak English to API clients; the refusals a person meets most
// are translated here, the others shown after a French preamble.
// Internal errors are logged and shown as a generic message.
func (b *backOffice) failure(r *http.Request, err error) string {
	var ce *importer.CastError
	switch {
	case errors.As(err, &ce):
		name := ce.Field.Label
		if name == "" {
			name = ce.Field.Name
		}
		return b.msgs.T("admin.error.cast", ce.Line, name, ce.Value, b.label("type", string(ce.Field.Type)))
	case errs.Is(err, errs.TooLarge):
		return b.msgs.T("admin.error.toolarge", frBytes(b.cfg.MaxUpload))
	case errs.KindOf(err) == errs.Internal:
		b.logger.Error("back-office action failed", "path", r.URL.Path, "err", err)
		return b.msgs.T("admin.error.internal")
	}
	return b.msgs.T("admin.error.refused", errs.Message(err))
}

// pathID parses the integer path value name; 0 when malformed.
func pathID(r *http.Request, name string) int64 {
	n, err := strconv.ParseInt(r.PathValue(name), 10, 64)
	if err != nil || n <= 0 {
		return 0
	}
	return n
}
