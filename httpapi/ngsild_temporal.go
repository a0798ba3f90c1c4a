package httpapi

import (
	"net/http"
	"slices"
	"strings"

	"github.com/socle/socle/internal/ngsild"
)

// maxTemporalEntities bounds the entities of one temporal query: each
// brings its time series.
const maxTemporalEntities = 100

// parseTemporal reads the temporal parameters, attrs expanded through c.
func parseTemporal(r *http.Request, c *ngsild.Context) (ngsild.TemporalQuery, error) {
	v := ldValues(r)
	tq, err := ngsild.ParseTemporal(v.Get, strings.Split(v.Get("options"), ","))
	if err != nil {
		return tq, err
	}
	attrs, err := ldList(v.Get("attrs"))
	if len(attrs) > 0 {
		tq.Attrs = map[string]bool{}
		for _, a := range attrs {
			tq.Attrs[c.Expand(a)] = true
		}
	}
	return tq, err
}

func (s *Server) handleLDTemporalEntity(w http.ResponseWriter, r *http.Request) {
	p, err := ldCaller(r)
	var c *ngsild.Context
	if err == nil {
		c, err = getContext(r)
	}
	ld, _, aerr := accepts(r)
	var tq ngsild.TemporalQuery
	if err == nil {
		if err = aerr; err == nil {
			tq, err = parseTemporal(r, c)
		}
	}
	var out map[string]any
	if err == nil {
		out, err = s.app.TemporalEntity(r.Context(), p, r.PathValue("id"), tq, c)
	}
	if err != nil {
		s.writeProblem(w, r, err)
		return
	}
	writeLD(w, http.StatusOK, out, c, ld)
}

func (s *Server) handleLDTemporalQuery(w http.ResponseWriter, r *http.Request) {
	p, err := ldCaller(r)
	var c *ngsild.Context
	if err == nil {
		c, err = getContext(r)
	}
	ld, _, aerr := accepts(r)
	var tq ngsild.TemporalQuery
	var lq ldQuery
	if err == nil {
		if err = aerr; err == nil {
			if tq, err = parseTemporal(r, c); err == nil {
				lq, err = parseLDQuery(ldValues(r), c, maxTemporalEntities)
			}
		}
	}
	var out []map[string]any
	total := 0
	if err == nil {
		out, total, err = s.app.TemporalEntities(r.Context(), p, lq.q, tq, c)
	}
	if err != nil {
		s.writeProblem(w, r, err)
		return
	}
	pageLinks(w, r, lq.q, len(out), total)
	writeLD(w, http.StatusOK, out, c, ld)
}

// handleLDTypes lists the entity types: an EntityTypeList, or with
// details=true one EntityType per type with its entity count.
func (s *Server) handleLDTypes(w http.ResponseWriter, r *http.Request) {
	p, err := ldCaller(r)
	var c *ngsild.Context
	if err == nil {
		c, err = getContext(r)
	}
	ld, _, aerr := accepts(r)
	if err == nil {
		err = aerr
	}
	var types []ngsild.TypeCount
	if err == nil {
		types, err = s.app.EntityTypes(r.Context(), p)
	}
	if err != nil {
		s.writeProblem(w, r, err)
		return
	}
	if ldValues(r).Get("details") == "true" {
		out := make([]map[string]any, len(types))
		for i, t := range types {
			out[i] = map[string]any{"id": t.Type, "type": "EntityType", "typeName": c.Compact(t.Type), "entityCount": t.Count}
		}
		writeLD(w, http.StatusOK, out, c, ld)
		return
	}
	names := make([]string, len(types))
	for i, t := range types {
		names[i] = c.Compact(t.Type)
	}
	slices.Sort(names)
	writeLD(w, http.StatusOK, map[string]any{"id": "urn:ngsi-ld:EntityTypeList:socle", "type": "EntityTypeList", "typeList": names}, c, ld)
}
