package storetest

import (
	"bytes"
	"testing"

	"github.com/socle/socle/internal/errs"
	"github.com/socle/socle/internal/schemas"
)

func runSchemas(t *testing.T, fresh func(t *testing.T) Store) {
	t.Run("the schema catalog is not found before a refresh, then stored, replaced and read back byte for byte", func(t *testing.T) {
		s := fresh(t)
		_, err := s.SchemaCatalog(ctx)
		wantKind(t, err, errs.NotFound)
		first := &schemas.Stored{Catalog: []byte(`{"version":1,"schemas":[]}`), Source: "file:a.json",
			RefreshedAt: ts("2024-06-01T10:00:00.123456Z")}
		must(t, s.PutSchemaCatalog(ctx, first))
		second := &schemas.Stored{Catalog: []byte(`{"version":1,"schemas":[{"name":"a/b","versions":[]}]}`),
			Source: "https://schema.data.gouv.fr/schemas/schemas.json", RefreshedAt: ts("2024-06-02T10:00:00Z"),
			Documents: map[string][]byte{"https://x/1.0/schema.json": []byte(`{"fields":[{"name":"é"}]}`)}}
		must(t, s.PutSchemaCatalog(ctx, second))
		got, err := s.SchemaCatalog(ctx)
		must(t, err)
		if !bytes.Equal(got.Catalog, second.Catalog) || got.Source != second.Source || !got.RefreshedAt.Equal(second.RefreshedAt) ||
			!bytes.Equal(got.Documents["https://x/1.0/schema.json"], second.Documents["https://x/1.0/schema.json"]) {
			t.Errorf("got %+v, want %+v", got, second)
		}
	})
}
