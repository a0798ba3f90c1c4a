package main

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/socle/socle/internal/errs"
	"github.com/socle/socle/internal/schemas"
)

// Limits of a refresh: the catalog and each document are read within
// fetchTimeout; at most maxFetched documents, fetchWorkers at a time.
const (
	fetchTimeout = 30 * time.Second
	maxFetched   = 500
	fetchWorkers = 4
)

// runSchemas runs `socle schemas refresh --from URL|FILE` (replace the
// local copy of the schema catalog) and `socle schemas list`.
func runSchemas(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	usage := errs.E(errs.Invalid, "usage: socle schemas refresh --from URL|FILE [--data DIR] [--db DSN] | socle schemas list [--data DIR] [--db DSN]")
	if len(args) == 0 || (args[0] != "refresh" && args[0] != "list") {
		return usage
	}
	var sf storeFlags
	fs := flag.NewFlagSet("schemas "+args[0], flag.ContinueOnError)
	fs.SetOutput(stderr)
	sf.register(fs)
	from := fs.String("from", "", "schemas.json to copy: an http(s) URL or a file (refresh)")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	if args[0] == "refresh" && *from == "" {
		return usage
	}
	a, err := sf.open(ctx, quietLogger())
	if err != nil {
		return err
	}
	defer a.Close()
	if args[0] == "list" {
		return listSchemas(ctx, a.Store, stdout)
	}
	st, err := refreshSchemas(ctx, *from, stderr)
	if err != nil {
		return err
	}
	if err := a.Store.PutSchemaCatalog(ctx, st); err != nil {
		return err
	}
	return listSchemas(ctx, a.Store, stdout)
}

func listSchemas(ctx context.Context, st schemas.Store, stdout io.Writer) error {
	cur, err := schemas.Load(ctx, st)
	if err != nil {
		return err
	}
	offline := 0
	for _, s := range cur.Catalog.Schemas {
		mark := ""
		if v, err := s.Pick(""); err == nil && cur.Available(v) {
			mark, offline = " (hors ligne)", offline+1
		}
		fmt.Fprintf(stdout, "%s\t%s\t%s%s\n", s.Name, s.Latest(), s.Title, mark)
	}
	fmt.Fprintf(stdout, "%d schemas from %s, %d usable offline\n", len(cur.Catalog.Schemas), cur.Source, offline)
	return nil
}

// refreshSchemas reads the catalog at from and the document of the latest
// version of each Table Schema not embedded already. A schema_url that is
// not absolute is relative to the catalog (an offline mirror). A document
// that cannot be read is reported and left out: that version is listed but
// cannot be chosen until a later refresh gets it.
func refreshSchemas(ctx context.Context, from string, stderr io.Writer) (*schemas.Stored, error) {
	raw, err := readSchemaSource(ctx, from, schemas.MaxCatalogBytes)
	if err != nil {
		return nil, err
	}
	c, err := schemas.Parse(bytes.NewReader(raw))
	if err != nil {
		return nil, err
	}
	var todo []string
	for _, s := range c.Schemas {
		v, err := s.Pick("")
		if err != nil || s.SchemaType != schemas.TableSchema {
			continue
		}
		if _, ok := schemas.SnapshotDocument(v.SchemaURL); !ok && len(todo) < maxFetched {
			todo = append(todo, v.SchemaURL)
		}
	}
	docs := fetchDocuments(ctx, from, todo, stderr)
	return &schemas.Stored{Catalog: raw, Source: from, RefreshedAt: time.Now().UTC(), Documents: docs}, nil
}

func fetchDocuments(ctx context.Context, from string, urls []string, stderr io.Writer) map[string][]byte {
	docs := map[string][]byte{}
	var mu sync.Mutex
	work := make(chan string)
	var wg sync.WaitGroup
	for range fetchWorkers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for u := range work {
				b, err := readSchemaSource(ctx, resolve(from, u), schemas.MaxDocumentBytes)
				mu.Lock()
				if err != nil {
					fmt.Fprintf(stderr, "schemas: %s: %v\n", u, err)
				} else {
					docs[u] = b
				}
				mu.Unlock()
			}
		}()
	}
	for _, u := range urls {
		work <- u
	}
	close(work)
	wg.Wait()
	return docs
}

// resolve makes a relative schema_url relative to the catalog's location.
func resolve(from, ref string) string {
	if strings.HasPrefix(ref, "http://") || strings.HasPrefix(ref, "https://") || filepath.IsAbs(ref) {
		return ref
	}
	if base, err := url.Parse(from); err == nil && (base.Scheme == "http" || base.Scheme == "https") {
		if r, err := base.Parse(ref); err == nil {
			return r.String()
		}
	}
	return filepath.Join(filepath.Dir(from), filepath.FromSlash(ref))
}

// readSchemaSource reads an http(s) URL or a file, at most limit bytes.
func readSchemaSource(ctx context.Context, src string, limit int64) ([]byte, error) {
	var r io.ReadCloser
	if strings.HasPrefix(src, "http://") || strings.HasPrefix(src, "https://") {
		ctx, cancel := context.WithTimeout(ctx, fetchTimeout)
		defer cancel()
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, src, nil)
		if err != nil {
			return nil, errs.Wrap(errs.Invalid, err, "invalid URL %s", src)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			return nil, errs.Wrap(errs.Unavailable, err, "cannot fetch %s", src)
		}
		if resp.StatusCode != http.StatusOK {
			resp.Body.Close()
			return nil, errs.E(errs.Unavailable, "%s answered %s", src, resp.Status)
		}
		r = resp.Body
	} else {
		f, err := os.Open(src)
		if err != nil {
			return nil, errs.Wrap(errs.Invalid, err, "cannot open %s", src)
		}
		r = f
	}
	defer r.Close()
	b, err := io.ReadAll(io.LimitReader(r, limit+1))
	if err != nil {
		return nil, errs.Wrap(errs.Unavailable, err, "cannot read %s", src)
	}
	if int64(len(b)) > limit {
		return nil, errs.E(errs.TooLarge, "%s is over %d bytes", src, limit)
	}
	return b, nil
}
