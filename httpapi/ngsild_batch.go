package httpapi

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"

	"github.com/socle/socle/internal/auth"
	"github.com/socle/socle/internal/errs"
	"github.com/socle/socle/internal/ngsild"
)

// batchError is one refused entity of a BatchOperationResult.
type batchError struct {
	EntityID string         `json:"entityId"`
	Error    ngsild.Problem `json:"error"`
}

// batchResult is the NGSI-LD BatchOperationResult.
type batchResult struct {
	Success []string     `json:"success"`
	Errors  []batchError `json:"errors"`
}

// handleLDBatch serves /entityOperations/{create,upsert,update,merge,delete}
// (one transaction for the request; 201, 204 or 207 as ETSI specifies)
// and /entityOperations/query.
func (s *Server) handleLDBatch(w http.ResponseWriter, r *http.Request) {
	p, err := ldCaller(r)
	if err != nil {
		s.writeProblem(w, r, err)
		return
	}
	op := r.PathValue("op")
	var mode ngsild.Mode
	opts := ldValues(r).Get("options")
	switch op {
	case "create":
		mode = ngsild.Create
	case "upsert":
		mode = ngsild.Replace
		if strings.Contains(opts, "update") {
			mode = ngsild.Upsert
		}
	case "update", "merge":
		mode = ngsild.Update
		if strings.Contains(opts, "noOverwrite") {
			mode = ngsild.AppendKeep
		}
	case "delete":
		s.batchDelete(w, r, p)
		return
	case "query":
		s.batchQuery(w, r, p)
		return
	default:
		s.writeProblem(w, r, errs.WithCode(errs.NotFound, "ResourceNotFound", "no such entity operation %q", op))
		return
	}
	s.batchWrite(w, r, p, op, mode)
}

// readBatch reads the body's array, at most ngsild.MaxBatch items.
func (s *Server) readBatch(w http.ResponseWriter, r *http.Request, v any) (*ldBody, error) {
	b, err := s.readLDBody(w, r, maxLDBatchBody)
	if err != nil {
		return nil, err
	}
	if err := b.decode(v); err != nil {
		return nil, err
	}
	return b, nil
}

func (s *Server) batchWrite(w http.ResponseWriter, r *http.Request, p auth.Principal, op string, mode ngsild.Mode) {
	var docs []map[string]any
	b, err := s.readBatch(w, r, &docs)
	if err == nil && len(docs) > ngsild.MaxBatch {
		err = errs.WithCode(errs.TooLarge, "BadRequestData", "at most %d entities per request", ngsild.MaxBatch)
	}
	if err != nil {
		s.writeProblem(w, r, err)
		return
	}
	var res batchResult
	var es []*ngsild.Entity
	for _, doc := range docs {
		e, err := parseBatchEntity(b, doc, op != "update" && op != "merge")
		if err != nil {
			id, _ := doc["id"].(string)
			res.Errors = append(res.Errors, batchError{EntityID: id, Error: problemOf(err)})
			continue
		}
		es = append(es, e)
	}
	out, err := s.app.WriteEntities(r.Context(), p, mode, es)
	if err != nil {
		s.writeProblem(w, r, err)
		return
	}
	var created []string
	for _, o := range out {
		if o.Err != nil {
			res.Errors = append(res.Errors, batchError{EntityID: o.ID, Error: problemOf(o.Err)})
			continue
		}
		res.Success = append(res.Success, o.ID)
		if o.Created {
			created = append(created, o.ID)
		}
	}
	writeBatchResult(w, op, res, created)
}

// parseBatchEntity reads one entity of a batch in its context.
func parseBatchEntity(b *ldBody, doc map[string]any, full bool) (*ngsild.Entity, error) {
	if doc == nil {
		return nil, ldBad("each item must be an entity object")
	}
	c, err := b.objectContext(doc)
	if err != nil {
		return nil, err
	}
	e, err := ngsild.ParseEntity(doc, c, !full)
	if err == nil && e.ID == "" {
		err = ngsild.CheckID("")
	}
	return e, err
}

// writeBatchResult answers: any refusal → 207 with the result; create →
// 201 with the IDs; upsert → 201 with the created IDs, 204 when none was;
// others → 204.
func writeBatchResult(w http.ResponseWriter, op string, res batchResult, created []string) {
	switch {
	case len(res.Errors) > 0:
		if res.Success == nil {
			res.Success = []string{}
		}
		writeJSONAs(w, http.StatusMultiStatus, res)
	case op == "create" || op == "upsert" && len(created) > 0:
		if created == nil {
			created = []string{}
		}
		writeJSONAs(w, http.StatusCreated, created)
	default:
		w.WriteHeader(http.StatusNoContent)
	}
}

func writeJSONAs(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", mimeJSON)
	w.WriteHeader(code)
	encodeLD(w, v)
}

func (s *Server) batchDelete(w http.ResponseWriter, r *http.Request, p auth.Principal) {
	var ids []string
	_, err := s.readBatch(w, r, &ids)
	if err == nil && len(ids) > ngsild.MaxBatch {
		err = errs.WithCode(errs.TooLarge, "BadRequestData", "at most %d entities per request", ngsild.MaxBatch)
	}
	var res batchResult
	var valid []string
	for _, id := range ids {
		if e := ngsild.CheckID(id); e != nil {
			res.Errors = append(res.Errors, batchError{EntityID: id, Error: problemOf(e)})
			continue
		}
		valid = append(valid, id)
	}
	var gone []bool
	if err == nil {
		gone, err = s.app.DeleteEntities(r.Context(), p, valid)
	}
	if err != nil {
		s.writeProblem(w, r, err)
		return
	}
	for i, id := range valid {
		if gone[i] {
			res.Success = append(res.Success, id)
		} else {
			res.Errors = append(res.Errors, batchError{EntityID: id, Error: problemOf(errs.WithCode(errs.NotFound, "ResourceNotFound", "entity %s does not exist", id))})
		}
	}
	writeBatchResult(w, "delete", res, nil)
}

// ldQueryBody is the body of POST /entityOperations/query.
type ldQueryBody struct {
	Type     string                  `json:"type"`
	Entities []ngsild.EntitySelector `json:"entities"`
	Attrs    []string                `json:"attrs"`
	Q        string                  `json:"q"`
	GeoQ     *struct {
		Georel      string          `json:"georel"`
		Geometry    string          `json:"geometry"`
		Coordinates json.RawMessage `json:"coordinates"`
	} `json:"geoQ"`
}

// batchQuery answers a query given as a body: its members become the
// parameters of GET /entities (paging and options stay in the URL).
func (s *Server) batchQuery(w http.ResponseWriter, r *http.Request, p auth.Principal) {
	b, err := s.readLDBody(w, r, maxLDEntityBody)
	var doc map[string]any
	if err == nil {
		err = b.decode(&doc)
	}
	var c *ngsild.Context
	if err == nil {
		c, err = b.objectContext(doc)
	}
	var qb ldQueryBody
	if err == nil {
		err = b.decode(&qb)
	}
	if err == nil && qb.Type != "Query" {
		err = ldBad(`a query body has "type": "Query"`)
	}
	if err != nil {
		s.writeProblem(w, r, err)
		return
	}
	v := ldValues(r)
	var types, ids []string
	for _, e := range qb.Entities {
		if e.Type != "" {
			types = append(types, e.Type)
		}
		if e.ID != "" {
			ids = append(ids, e.ID)
		}
		if e.IDPattern != "" {
			v.Set("idPattern", e.IDPattern)
		}
	}
	setList(v, "type", types)
	setList(v, "id", ids)
	setList(v, "attrs", qb.Attrs)
	if qb.Q != "" {
		v.Set("q", qb.Q)
	}
	if g := qb.GeoQ; g != nil {
		v.Set("georel", g.Georel)
		v.Set("geometry", g.Geometry)
		v.Set("coordinates", string(g.Coordinates))
	}
	s.answerQuery(w, r, p, c, v)
}

func setList(v url.Values, name string, items []string) {
	if len(items) > 0 {
		v.Set(name, strings.Join(items, ","))
	}
}
