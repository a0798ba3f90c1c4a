package schemas

import (
	"bytes"
	"embed"
	"strings"
)

//go:embed snapshot
var snapshotFS embed.FS

// snapshotPrefix is the schema_url prefix of the embedded documents.
const snapshotPrefix = "https://schema.data.gouv.fr/schemas/"

// Snapshot returns the embedded catalog (a fresh copy).
func Snapshot() *Catalog {
	b, err := snapshotFS.ReadFile("snapshot/schemas.json")
	if err != nil {
		panic(err) // embedded at build time
	}
	c, err := Parse(bytes.NewReader(b))
	if err != nil {
		panic(err) // checked by TestSnapshot
	}
	return c
}

// SnapshotDocument returns the embedded schema document published at url.
func SnapshotDocument(url string) ([]byte, bool) {
	rest, ok := strings.CutPrefix(url, snapshotPrefix)
	if !ok || strings.Contains(rest, "..") || !strings.HasSuffix(rest, "/schema.json") {
		return nil, false
	}
	b, err := snapshotFS.ReadFile("snapshot/" + rest)
	return b, err == nil
}
