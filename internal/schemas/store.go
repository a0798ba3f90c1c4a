package schemas

import (
	"bytes"
	"context"
	"time"

	"github.com/socle/socle/internal/errs"
)

// Stored is a refreshed catalog as the storage engine keeps it: the
// schemas.json document, where it came from, and the schema documents
// fetched with it, by schema_url.
type Stored struct {
	Catalog     []byte            `json:"catalog"`
	Source      string            `json:"source"`
	RefreshedAt time.Time         `json:"refreshed_at"`
	Documents   map[string][]byte `json:"documents,omitempty"`
}

// Store keeps the refreshed catalog.
type Store interface {
	// SchemaCatalog returns the stored catalog; NotFound before the first
	// refresh.
	SchemaCatalog(ctx context.Context) (*Stored, error)
	// PutSchemaCatalog replaces the stored catalog.
	PutSchemaCatalog(ctx context.Context, s *Stored) error
}

// Current is the catalog in use: the refreshed one, else the embedded
// snapshot. Documents resolves a schema_url to its document.
type Current struct {
	Catalog     *Catalog
	Source      string // "snapshot" or the refresh's source
	RefreshedAt time.Time
	documents   map[string][]byte
}

// Load returns the current catalog from st.
func Load(ctx context.Context, st Store) (*Current, error) {
	s, err := st.SchemaCatalog(ctx)
	if errs.Is(err, errs.NotFound) {
		return &Current{Catalog: Snapshot(), Source: "snapshot"}, nil
	}
	if err != nil {
		return nil, err
	}
	c, err := Parse(bytes.NewReader(s.Catalog))
	if err != nil {
		return nil, errs.Wrap(errs.Internal, err, "stored schema catalog")
	}
	return &Current{Catalog: c, Source: s.Source, RefreshedAt: s.RefreshedAt, documents: s.Documents}, nil
}

// Document returns the schema document published at url: fetched by the
// last refresh, else embedded.
func (c *Current) Document(url string) ([]byte, bool) {
	if b, ok := c.documents[url]; ok {
		return b, true
	}
	return SnapshotDocument(url)
}

// Available reports whether a version's document can be read offline.
func (c *Current) Available(v Version) bool {
	_, ok := c.Document(v.SchemaURL)
	return ok
}
