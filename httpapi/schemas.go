package httpapi

import (
	"bytes"
	"encoding/json"
	"net/http"
	"time"

	"github.com/socle/socle/internal/auth"
	"github.com/socle/socle/internal/errs"
	"github.com/socle/socle/internal/importer"
	"github.com/socle/socle/internal/schemas"
	"github.com/socle/socle/internal/tableschema"
)

// The schema catalog (internal/schemas): the list of schema.data.gouv.fr
// schemas Socle knows, each with its versions, and a producer's choice of
// one for a dataset, which then validates the dataset against it.

func (s *Server) routesSchemas() {
	const mgmt = "/api/socle/v1"
	s.mux.HandleFunc("GET "+mgmt+"/schemas", s.handleSchemas)
	s.mux.HandleFunc("GET "+mgmt+"/schemas/{name...}", s.handleSchema)
	s.mux.HandleFunc("PUT "+mgmt+"/datasets/{id}/schema", s.handlePutDatasetSchema)
}

// schemaSummary is one schema in the list.
type schemaSummary struct {
	Name        string `json:"name"`
	Title       string `json:"title"`
	Description string `json:"description,omitempty"`
	SchemaType  string `json:"schema_type"`
	Latest      string `json:"latest_version"`
	Versions    int    `json:"versions"`
	Homepage    string `json:"homepage,omitempty"`
	Offline     bool   `json:"offline"` // the latest version can be used without network
}

// schemaVersion is one version with whether its document is at hand.
type schemaVersion struct {
	Name      string `json:"version_name"`
	SchemaURL string `json:"schema_url"`
	Offline   bool   `json:"offline"`
}

func (s *Server) handleSchemas(w http.ResponseWriter, r *http.Request) {
	cur, err := schemas.Load(r.Context(), s.app.Store)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	out := make([]schemaSummary, 0, len(cur.Catalog.Schemas))
	for _, sc := range cur.Catalog.Schemas {
		sum := schemaSummary{Name: sc.Name, Title: sc.Title, Description: sc.Description, SchemaType: sc.SchemaType,
			Latest: sc.Latest(), Versions: len(sc.Versions), Homepage: sc.Homepage}
		if v, err := sc.Pick(""); err == nil {
			sum.Offline = cur.Available(v)
		}
		out = append(out, sum)
	}
	writeJSON(w, http.StatusOK, map[string]any{"source": cur.Source, "refreshed_at": refreshedAt(cur),
		"total_count": len(out), "schemas": out})
}

func refreshedAt(cur *schemas.Current) any {
	if cur.RefreshedAt.IsZero() {
		return nil
	}
	return cur.RefreshedAt.Format(time.RFC3339)
}

func (s *Server) handleSchema(w http.ResponseWriter, r *http.Request) {
	cur, err := schemas.Load(r.Context(), s.app.Store)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	sc, err := cur.Catalog.Find(r.PathValue("name"))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	versions := make([]schemaVersion, 0, len(sc.Versions))
	for i := len(sc.Versions) - 1; i >= 0; i-- { // newest first
		v := sc.Versions[i]
		versions = append(versions, schemaVersion{Name: v.Name, SchemaURL: v.SchemaURL, Offline: cur.Available(v)})
	}
	writeJSON(w, http.StatusOK, map[string]any{"name": sc.Name, "title": sc.Title, "description": sc.Description,
		"schema_type": sc.SchemaType, "schema_url": sc.SchemaURL, "homepage": sc.Homepage, "external_doc": sc.ExternalDoc,
		"latest_version": sc.Latest(), "versions": versions})
}

// schemaChoice is the body of PUT …/datasets/{id}/schema.
type schemaChoice struct {
	Name    string `json:"name"`
	Version string `json:"version"` // "" or "latest": the latest
}

// handlePutDatasetSchema declares that a dataset follows a catalog schema:
// its conforms_to becomes the version's schema_url and its Table Schema the
// version's document, so later imports are validated against it; the
// published records are checked at once and the report kept for the
// quality tab.
func (s *Server) handlePutDatasetSchema(w http.ResponseWriter, r *http.Request) {
	p, err := requireUser(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	var c schemaChoice
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, 4<<10))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&c); err != nil || c.Name == "" {
		s.writeError(w, r, errs.E(errs.Invalid, `the body must be {"name": "…", "version": "…"}`))
		return
	}
	d, err := s.app.Dataset(r.Context(), p, r.PathValue("id"))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	if !auth.CanWrite(p, d) {
		s.writeError(w, r, errs.E(errs.Forbidden, "you may not change dataset %q", d.ID))
		return
	}
	v, doc, err := s.schemaDocument(r, c)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	d.Meta.ConformsTo, d.Meta.TableSchemaJSON = v.SchemaURL, string(doc)
	if err := s.app.UpdateDataset(r.Context(), p, d); err != nil {
		s.writeError(w, r, err)
		return
	}
	s.refreshCatalog(r.Context())
	out := map[string]any{"dataset_id": d.ID, "schema": map[string]string{"name": c.Name, "version": v.Name, "schema_url": v.SchemaURL}}
	if d.Version > 0 {
		rep, err := importer.CheckSchema(r.Context(), s.app, p, d.ID)
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		out["report"] = rep
	}
	writeJSON(w, http.StatusOK, out)
}

// schemaDocument finds the chosen version and its Table Schema document,
// which must be at hand (embedded or fetched by the last refresh).
func (s *Server) schemaDocument(r *http.Request, c schemaChoice) (schemas.Version, []byte, error) {
	cur, err := schemas.Load(r.Context(), s.app.Store)
	if err != nil {
		return schemas.Version{}, nil, err
	}
	sc, err := cur.Catalog.Find(c.Name)
	if err != nil {
		return schemas.Version{}, nil, errs.Wrap(errs.Invalid, err, "no schema %q in the catalog", c.Name)
	}
	if sc.SchemaType != schemas.TableSchema {
		return schemas.Version{}, nil, errs.E(errs.Invalid, "schema %s is a %s, not a Table Schema: Socle cannot validate data against it", sc.Name, sc.SchemaType)
	}
	v, err := sc.Pick(c.Version)
	if err != nil {
		return schemas.Version{}, nil, errs.Wrap(errs.Invalid, err, "schema %s has no version %q", sc.Name, c.Version)
	}
	doc, ok := cur.Document(v.SchemaURL)
	if !ok {
		return v, nil, errs.E(errs.Unavailable, "the document of %s %s is not available offline: refresh the catalog (socle schemas refresh) where it can be fetched", sc.Name, v.Name)
	}
	if _, err := tableschema.Parse(bytes.NewReader(doc)); err != nil {
		return v, nil, errs.Wrap(errs.Invalid, err, "the document of %s %s is not a Table Schema Socle can read", sc.Name, v.Name)
	}
	return v, doc, nil
}
