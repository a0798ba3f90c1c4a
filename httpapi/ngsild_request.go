package httpapi

import (
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net/http"
	"strconv"
	"strings"

	"github.com/socle/socle/internal/errs"
	"github.com/socle/socle/internal/ngsild"
)

// Limits of NGSI-LD request bodies.
const (
	maxLDEntityBody = 1 << 20  // one entity, attribute or subscription
	maxLDBatchBody  = 16 << 20 // one entityOperations request
)

// Media types.
const (
	mimeJSON    = "application/json"
	mimeLD      = "application/ld+json"
	mimeGeoJSON = "application/geo+json"
)

// ldBody is a decoded request body with the context it is read in.
type ldBody struct {
	ld  bool // application/ld+json: each object carries its @context
	ctx *ngsild.Context
	raw []byte
}

// readLDBody reads a body of at most limit bytes. application/json takes
// its context from the Link header and may not hold @context;
// application/ld+json holds @context in the body (checked per object by
// objectContext) and may not have a Link context; other types are 415.
func (s *Server) readLDBody(w http.ResponseWriter, r *http.Request, limit int64) (*ldBody, error) {
	mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || (mt != mimeJSON && mt != mimeLD) {
		return nil, errs.WithCode(errs.Invalid, "UnsupportedMediaType", "Content-Type must be application/json or application/ld+json")
	}
	link, err := ngsild.ParseLink(r.Header.Values("Link"))
	if err != nil {
		return nil, err
	}
	b := &ldBody{ld: mt == mimeLD}
	if b.ld && link != "" {
		return nil, errs.WithCode(errs.Invalid, "BadRequestData", "application/ld+json carries its @context in the body, not in a Link header")
	}
	if !b.ld {
		if b.ctx, err = linkContext(link); err != nil {
			return nil, err
		}
	}
	b.raw, err = io.ReadAll(http.MaxBytesReader(w, r.Body, limit))
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		return nil, errs.E(errs.TooLarge, "the body exceeds %d bytes", limit)
	} else if err != nil {
		return nil, errs.Wrap(errs.Invalid, err, "cannot read the body")
	}
	return b, nil
}

// linkContext resolves the context a Link header named ("" for the core).
func linkContext(link string) (*ngsild.Context, error) {
	if link == "" {
		return ngsild.CoreContext(), nil
	}
	return ngsild.NewContext(link)
}

// objectContext is the context of one object of the body: its @context
// with application/ld+json (required), the Link one otherwise (where an
// @context is refused).
func (b *ldBody) objectContext(doc map[string]any) (*ngsild.Context, error) {
	src, has := doc["@context"]
	switch {
	case b.ld && !has:
		return nil, errs.WithCode(errs.Invalid, "BadRequestData", "application/ld+json requires an @context in the body")
	case !b.ld && has:
		return nil, errs.WithCode(errs.Invalid, "BadRequestData", "application/json may not carry @context in the body: use application/ld+json, or a Link header")
	case b.ld:
		return ngsild.NewContext(src)
	}
	return b.ctx, nil
}

// decode decodes the body into v, numbers as float64. Malformed JSON is
// InvalidRequest; JSON of the wrong shape BadRequestData.
func (b *ldBody) decode(v any) error {
	err := json.Unmarshal(b.raw, v)
	var syntax *json.SyntaxError
	switch {
	case err == nil:
		return nil
	case errors.As(err, &syntax):
		return errs.WithCode(errs.Invalid, "InvalidRequest", "the body is not valid JSON")
	}
	return errs.WithCode(errs.Invalid, "BadRequestData", "unexpected JSON: %s", jsonMessage(err))
}

// jsonMessage describes a decoding error without echoing the input.
func jsonMessage(err error) string {
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		return "expected " + te.Type.String() + " at offset " + strconv.FormatInt(te.Offset, 10)
	}
	return "malformed JSON"
}

// getContext is the context of a GET or DELETE: the Link header's.
func getContext(r *http.Request) (*ngsild.Context, error) {
	link, err := ngsild.ParseLink(r.Header.Values("Link"))
	if err != nil {
		return nil, err
	}
	return linkContext(link)
}

// accepts tells the representation the client asked for: JSON-LD, GeoJSON
// or (by default) JSON. An Accept header that allows none is 406.
func accepts(r *http.Request) (ld, geo bool, err error) {
	h := r.Header.Get("Accept")
	if h == "" {
		return false, false, nil
	}
	any := false
	for _, part := range strings.Split(h, ",") {
		mt, _, _ := mime.ParseMediaType(strings.TrimSpace(part))
		switch mt {
		case mimeLD:
			if !any {
				return true, false, nil
			}
		case mimeGeoJSON:
			if !any {
				return false, true, nil
			}
		case mimeJSON, "*/*", "application/*":
			any = true
		}
	}
	if !any {
		return false, false, errs.WithCode(errs.Invalid, "NotAcceptable", "Accept must allow application/json, application/ld+json or application/geo+json")
	}
	return false, false, nil
}

// writeLD answers v (an object or a list of objects) in JSON with the
// context in a Link header, or in JSON-LD with @context in each object.
func writeLD(w http.ResponseWriter, code int, v any, c *ngsild.Context, ld bool) {
	if !ld {
		if u, ok := c.ResponseContext().(string); ok {
			w.Header().Add("Link", ngsild.LinkHeader(u))
		}
		w.Header().Set("Content-Type", mimeJSON)
		w.WriteHeader(code)
		encodeLD(w, v)
		return
	}
	switch x := v.(type) {
	case map[string]any:
		x["@context"] = c.ResponseContext()
	case []map[string]any:
		for _, m := range x {
			m["@context"] = c.ResponseContext()
		}
	}
	w.Header().Set("Content-Type", mimeLD)
	w.WriteHeader(code)
	encodeLD(w, v)
}

func encodeLD(w io.Writer, v any) {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.Encode(v)
}
