package httpapi

import (
	"encoding/json"
	"net/http"
	"net/url"

	"github.com/socle/socle/internal/errs"
	"github.com/socle/socle/internal/ngsild"
)

// subscriptionBody reads a subscription body and the context it names:
// the body's @context (application/ld+json), else the Link header's.
func (s *Server) subscriptionBody(w http.ResponseWriter, r *http.Request) (*ldBody, any, error) {
	b, err := s.readLDBody(w, r, maxLDEntityBody)
	if err != nil {
		return nil, nil, err
	}
	var doc map[string]any
	if err := b.decode(&doc); err != nil {
		return nil, nil, err
	}
	if doc == nil {
		return nil, nil, ldBad("the body must be a JSON object")
	}
	if _, err := b.objectContext(doc); err != nil {
		return nil, nil, err
	}
	var src any
	if !b.ld {
		link, _ := ngsild.ParseLink(r.Header.Values("Link"))
		if link != "" {
			src = link
		}
	}
	return b, src, nil
}

func (s *Server) handleLDSubscribe(w http.ResponseWriter, r *http.Request) {
	p, err := ldCaller(r)
	var b *ldBody
	var src any
	if err == nil {
		b, src, err = s.subscriptionBody(w, r)
	}
	var sub *ngsild.Subscription
	if err == nil {
		sub, err = ngsild.ParseSubscription(b.raw, src, s.app.Now())
	}
	if err == nil {
		err = s.app.CreateSubscription(r.Context(), p, sub)
	}
	if err != nil {
		s.writeProblem(w, r, err)
		return
	}
	w.Header().Set("Location", ldBase+"/subscriptions/"+url.PathEscape(sub.ID))
	w.WriteHeader(http.StatusCreated)
}

func (s *Server) handleLDSubscriptions(w http.ResponseWriter, r *http.Request) {
	p, err := ldCaller(r)
	var subs []*ngsild.Subscription
	if err == nil {
		subs, err = s.app.Subscriptions(r.Context(), p)
	}
	if err != nil {
		s.writeProblem(w, r, err)
		return
	}
	if subs == nil {
		subs = []*ngsild.Subscription{}
	}
	writeJSONAs(w, http.StatusOK, subs)
}

func (s *Server) handleLDSubscription(w http.ResponseWriter, r *http.Request) {
	p, err := ldCaller(r)
	var sub *ngsild.Subscription
	if err == nil {
		sub, err = s.app.Subscription(r.Context(), p, r.PathValue("id"))
	}
	if err != nil {
		s.writeProblem(w, r, err)
		return
	}
	writeJSONAs(w, http.StatusOK, sub)
}

func (s *Server) handleLDPatchSubscription(w http.ResponseWriter, r *http.Request) {
	p, err := ldCaller(r)
	var b *ldBody
	if err == nil {
		b, _, err = s.subscriptionBody(w, r)
	}
	var patch map[string]json.RawMessage
	if err == nil {
		if json.Unmarshal(b.raw, &patch) != nil {
			err = errs.WithCode(errs.Invalid, "InvalidRequest", "the body must be a JSON object")
		}
	}
	if err == nil {
		err = s.app.UpdateSubscription(r.Context(), p, r.PathValue("id"), patch)
	}
	s.noContent(w, r, err)
}

func (s *Server) handleLDDeleteSubscription(w http.ResponseWriter, r *http.Request) {
	p, err := ldCaller(r)
	if err == nil {
		err = s.app.DeleteSubscription(r.Context(), p, r.PathValue("id"))
	}
	s.noContent(w, r, err)
}
