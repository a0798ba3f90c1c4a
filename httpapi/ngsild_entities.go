package httpapi

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/socle/socle/internal/auth"
	"github.com/socle/socle/internal/errs"
	"github.com/socle/socle/internal/ngsild"
)

// ldCaller is the principal of an NGSI-LD request: anonymous callers are
// refused with 401, as on the rest of the sensors API.
func ldCaller(r *http.Request) (auth.Principal, error) {
	p := principal(r)
	if p.Anonymous() {
		return p, errs.E(errs.Unauthorized, "an API key is required")
	}
	return p, nil
}

// readEntityBody reads one entity (partial: id and type optional).
func (s *Server) readEntityBody(w http.ResponseWriter, r *http.Request, partial bool) (*ngsild.Entity, *ngsild.Context, error) {
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
	c, err := b.objectContext(doc)
	if err != nil {
		return nil, nil, err
	}
	e, err := ngsild.ParseEntity(doc, c, partial)
	return e, c, err
}

func (s *Server) handleLDCreate(w http.ResponseWriter, r *http.Request) {
	p, err := ldCaller(r)
	if err != nil {
		s.writeProblem(w, r, err)
		return
	}
	e, _, err := s.readEntityBody(w, r, false)
	if err == nil {
		err = s.writeOne(r, p, ngsild.Create, e)
	}
	if err != nil {
		s.writeProblem(w, r, err)
		return
	}
	w.Header().Set("Location", ldBase+"/entities/"+url.PathEscape(e.ID))
	w.WriteHeader(http.StatusCreated)
}

// writeOne writes one entity and returns its refusal, if any.
func (s *Server) writeOne(r *http.Request, p auth.Principal, m ngsild.Mode, e *ngsild.Entity) error {
	out, err := s.app.WriteEntities(r.Context(), p, m, []*ngsild.Entity{e})
	if err != nil {
		return err
	}
	return out[0].Err
}

func (s *Server) handleLDQuery(w http.ResponseWriter, r *http.Request) {
	p, err := ldCaller(r)
	var c *ngsild.Context
	if err == nil {
		c, err = getContext(r)
	}
	if err != nil {
		s.writeProblem(w, r, err)
		return
	}
	s.answerQuery(w, r, p, c, ldValues(r))
}

// answerQuery runs the entity query of the parameters v under context c
// and answers the page (JSON, JSON-LD or GeoJSON) with its links.
func (s *Server) answerQuery(w http.ResponseWriter, r *http.Request, p auth.Principal, c *ngsild.Context, v url.Values) {
	ld, geo, err := accepts(r)
	var lq ldQuery
	if err == nil {
		lq, err = parseLDQuery(v, c, ngsild.MaxLimit)
	}
	var page []*ngsild.Entity
	total := 0
	if err == nil {
		page, total, err = s.app.QueryEntities(r.Context(), p, lq.q)
	}
	if err != nil {
		s.writeProblem(w, r, err)
		return
	}
	pageLinks(w, r, lq.q, len(page), total)
	if geo {
		feats := make([]any, len(page))
		for i, e := range page {
			feats[i] = ngsild.Feature(e, c, lq.opts)
		}
		writeGeoJSON(w, map[string]any{"type": "FeatureCollection", "features": feats}, c)
		return
	}
	out := make([]map[string]any, len(page))
	for i, e := range page {
		out[i] = ngsild.Render(e, c, lq.opts)
	}
	writeLD(w, http.StatusOK, out, c, ld)
}

func writeGeoJSON(w http.ResponseWriter, v any, c *ngsild.Context) {
	if u, ok := c.ResponseContext().(string); ok {
		w.Header().Add("Link", ngsild.LinkHeader(u))
	}
	w.Header().Set("Content-Type", mimeGeoJSON)
	encodeLD(w, v)
}

func (s *Server) handleLDEntity(w http.ResponseWriter, r *http.Request) {
	p, err := ldCaller(r)
	var c *ngsild.Context
	if err == nil {
		c, err = getContext(r)
	}
	ld, geo, aerr := accepts(r)
	var opts ngsild.Options
	if err == nil {
		if err = aerr; err == nil {
			opts, err = parseLDOptions(ldValues(r), c)
		}
	}
	var e *ngsild.Entity
	if err == nil {
		e, err = s.app.Entity(r.Context(), p, r.PathValue("id"))
	}
	if err != nil {
		s.writeProblem(w, r, err)
		return
	}
	if geo {
		writeGeoJSON(w, ngsild.Feature(e, c, opts), c)
		return
	}
	writeLD(w, http.StatusOK, ngsild.Render(e, c, opts), c, ld)
}

// pathEntity reads a partial entity body for the entity of the path; an
// id in the body must be that one.
func (s *Server) pathEntity(w http.ResponseWriter, r *http.Request) (*ngsild.Entity, *ngsild.Context, error) {
	e, c, err := s.readEntityBody(w, r, true)
	if err != nil {
		return nil, nil, err
	}
	id := r.PathValue("id")
	if e.ID != "" && e.ID != id {
		return nil, nil, ldBad("the body's id differs from the path's")
	}
	e.ID = id
	return e, c, ngsild.CheckID(id)
}

// handleLDMerge merges the body's attributes into the entity.
func (s *Server) handleLDMerge(w http.ResponseWriter, r *http.Request) {
	s.writePath(w, r, ngsild.Update)
}

// handleLDReplace replaces an existing entity.
func (s *Server) handleLDReplace(w http.ResponseWriter, r *http.Request) {
	p, err := ldCaller(r)
	var e *ngsild.Entity
	if err == nil {
		e, _, err = s.pathEntity(w, r)
	}
	if err == nil {
		_, err = s.app.Entity(r.Context(), p, e.ID)
	}
	if err == nil {
		err = s.writeOne(r, p, ngsild.Replace, e)
	}
	s.noContent(w, r, err)
}

func (s *Server) writePath(w http.ResponseWriter, r *http.Request, m ngsild.Mode) {
	p, err := ldCaller(r)
	var e *ngsild.Entity
	if err == nil {
		e, _, err = s.pathEntity(w, r)
	}
	if err == nil {
		err = s.writeOne(r, p, m, e)
	}
	s.noContent(w, r, err)
}

// noContent answers 204, or err.
func (s *Server) noContent(w http.ResponseWriter, r *http.Request, err error) {
	if err != nil {
		s.writeProblem(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (s *Server) handleLDDelete(w http.ResponseWriter, r *http.Request) {
	p, err := ldCaller(r)
	var gone []bool
	if err == nil {
		gone, err = s.app.DeleteEntities(r.Context(), p, []string{r.PathValue("id")})
	}
	if err == nil && !gone[0] {
		err = errs.WithCode(errs.NotFound, "ResourceNotFound", "entity %s does not exist", r.PathValue("id"))
	}
	s.noContent(w, r, err)
}

// handleLDAppendAttrs appends attributes; options=noOverwrite keeps the
// existing ones.
func (s *Server) handleLDAppendAttrs(w http.ResponseWriter, r *http.Request) {
	m := ngsild.Append
	if strings.Contains(ldValues(r).Get("options"), "noOverwrite") {
		m = ngsild.AppendKeep
	}
	s.writePath(w, r, m)
}

// handleLDUpdateAttrs updates the attributes that exist: 204 when all
// did, else 207 with an UpdateResult naming the others.
func (s *Server) handleLDUpdateAttrs(w http.ResponseWriter, r *http.Request) {
	p, err := ldCaller(r)
	var e, cur *ngsild.Entity
	var c *ngsild.Context
	if err == nil {
		e, c, err = s.pathEntity(w, r)
	}
	if err == nil {
		cur, err = s.app.Entity(r.Context(), p, e.ID)
	}
	if err != nil {
		s.writeProblem(w, r, err)
		return
	}
	res := map[string]any{"updated": []string{}, "notUpdated": []map[string]string{}}
	keep := map[string]ngsild.Attribute{}
	for iri, a := range e.Attrs {
		if _, ok := cur.Attrs[iri]; ok {
			keep[iri] = a
			res["updated"] = append(res["updated"].([]string), c.Compact(iri))
		} else {
			res["notUpdated"] = append(res["notUpdated"].([]map[string]string), map[string]string{"attributeName": c.Compact(iri), "reason": "the entity has no such attribute"})
		}
	}
	e.Attrs = keep
	if err := s.writeOne(r, p, ngsild.Update, e); err != nil {
		s.writeProblem(w, r, err)
		return
	}
	if len(res["notUpdated"].([]map[string]string)) == 0 {
		w.WriteHeader(http.StatusNoContent)
		return
	}
	writeLD(w, http.StatusMultiStatus, res, c, false)
}

// handleLDPatchAttr merges the body's members into one attribute.
func (s *Server) handleLDPatchAttr(w http.ResponseWriter, r *http.Request) { s.writeAttr(w, r, true) }

// handleLDPutAttr replaces one attribute.
func (s *Server) handleLDPutAttr(w http.ResponseWriter, r *http.Request) { s.writeAttr(w, r, false) }

func (s *Server) writeAttr(w http.ResponseWriter, r *http.Request, merge bool) {
	p, err := ldCaller(r)
	var b *ldBody
	if err == nil {
		b, err = s.readLDBody(w, r, maxLDEntityBody)
	}
	var frag map[string]any
	if err == nil {
		if err = b.decode(&frag); err == nil && frag == nil {
			err = ldBad("the body must be a JSON object")
		}
	}
	var c *ngsild.Context
	if err == nil {
		c, err = b.objectContext(frag)
		delete(frag, "@context")
	}
	var cur *ngsild.Entity
	if err == nil {
		cur, err = s.app.Entity(r.Context(), p, r.PathValue("id"))
	}
	if err != nil {
		s.writeProblem(w, r, err)
		return
	}
	name := r.PathValue("attr")
	old, ok := cur.Attrs[c.Expand(name)]
	if !ok {
		s.writeProblem(w, r, errs.WithCode(errs.NotFound, "ResourceNotFound", "entity %s has no attribute %s", cur.ID, name))
		return
	}
	if merge {
		for k, v := range frag {
			old[k] = v
		}
		frag = old
	}
	e, err := ngsild.ParseEntity(map[string]any{name: frag}, c, true)
	if err == nil {
		e.ID = cur.ID
		err = s.writeOne(r, p, ngsild.Update, e)
	}
	s.noContent(w, r, err)
}

func (s *Server) handleLDDeleteAttr(w http.ResponseWriter, r *http.Request) {
	p, err := ldCaller(r)
	var c *ngsild.Context
	if err == nil {
		c, err = getContext(r)
	}
	if err == nil {
		if _, err = s.app.Entity(r.Context(), p, r.PathValue("id")); err == nil {
			err = s.app.DeleteAttribute(r.Context(), p, r.PathValue("id"), c.Expand(r.PathValue("attr")))
		}
	}
	s.noContent(w, r, err)
}
