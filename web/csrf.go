package web

import (
	"bytes"
	"crypto/subtle"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"strings"

	"github.com/socle/socle/internal/auth"
	"github.com/socle/socle/internal/errs"
)

// Anti-forgery. Every form post carries a hidden "csrf" field equal to the
// viewer's token: the session's once logged in, before that the random
// socle_csrf cookie's (double submit), which protects the login form from
// login forgery. Go's CrossOriginProtection adds the browsers' own word
// (Sec-Fetch-Site, Origin) on top.
//
// The check runs centrally in withViewer, for every unsafe request, before
// routing: a handler cannot forget it, and a forged post is refused before
// any handler reads its body. Multipart posts (uploads) are checked without
// buffering the file: their first part must be the csrf field (the forms
// put it first), read through a tee and put back in front of the body.

const csrfCookie = "socle_csrf"

var crossOrigin = http.NewCrossOriginProtection()

// csrfPeekLimit bounds what is read of a multipart body to find its first
// part, the csrf field.
const csrfPeekLimit = 64 << 10

func (s *Server) checkCSRF(w http.ResponseWriter, r *http.Request, v *viewer) error {
	switch r.Method {
	case http.MethodGet, http.MethodHead, http.MethodOptions:
		return nil
	}
	if err := crossOrigin.Check(r); err != nil {
		s.logger.Warn("cross-origin post refused", "path", r.URL.Path, "origin", r.Header.Get("Origin"))
		return errs.E(errs.Forbidden, "%s", s.msgs.T("admin.csrf.crossorigin"))
	}
	if opinionPath(r) {
		return nil // anonymous opinions carry a signed form token instead (opinions.go)
	}
	if v.Expired && !v.LoggedIn() {
		return errs.E(errs.Unauthorized, "%s", s.msgs.T("login.expired"))
	}
	got, err := formToken(w, r)
	if err != nil || v.CSRF == "" || subtle.ConstantTimeCompare([]byte(got), []byte(v.CSRF)) != 1 {
		s.logger.Warn("form post without a valid anti-forgery token", "path", r.URL.Path, "user", v.P.Login())
		return errs.E(errs.Forbidden, "%s", s.msgs.T("admin.csrf.invalid"))
	}
	return nil
}

// formToken returns the csrf field of a form post.
func formToken(w http.ResponseWriter, r *http.Request) (string, error) {
	mt, params, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if mt != "multipart/form-data" {
		r.Body = http.MaxBytesReader(w, r.Body, 1<<20)
		return r.PostFormValue("csrf"), nil
	}
	var seen bytes.Buffer
	mr := multipart.NewReader(io.TeeReader(io.LimitReader(r.Body, csrfPeekLimit), &seen), params["boundary"])
	part, err := mr.NextPart()
	if err != nil {
		return "", err
	}
	if part.FormName() != "csrf" {
		return "", errs.E(errs.Invalid, "the csrf field must come first")
	}
	b, err := io.ReadAll(io.LimitReader(part, 256))
	if err != nil {
		return "", err
	}
	// seen + the rest of the body is the whole body again.
	r.Body = readCloser{io.MultiReader(bytes.NewReader(seen.Bytes()), r.Body), r.Body}
	return strings.TrimSpace(string(b)), nil
}

type readCloser struct {
	io.Reader
	io.Closer
}

// ensureFormCookie returns the pre-login anti-forgery token, setting its
// cookie when the visitor has none. Only the login page sets it: public
// pages set no cookie at all.
func ensureFormCookie(w http.ResponseWriter, r *http.Request) string {
	v := viewerOf(r)
	if v.CSRF == "" {
		v.CSRF = auth.RandomToken(32)
		setCookie(w, r, csrfCookie, v.CSRF, 0)
	}
	return v.CSRF
}
