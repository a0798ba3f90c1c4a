// Package harvester holds the HTTP clients of Socle's harvesting: one per
// protocol (CKAN Action API, DCAT documents with Hydra paging, Opendatasoft
// Explore v2.1), each a harvest.Lister that yields normalised
// harvest.RemoteDataset values and downloads their data to temporary files.
// Every request is bounded: a per-request timeout, a size limit on every
// response (metadata pages and data files alike), a page cap and the
// detection of a page served twice, so that a remote that hangs, grows
// or loops ends the listing with a clear error instead of exhausting the
// server. Data is streamed to disk and hashed on the way, never held in
// memory.
package harvester

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/socle/socle/internal/errs"
	"github.com/socle/socle/internal/harvest"
)

// Limits bound what a client accepts from a remote.
type Limits struct {
	// Request is the time limit of one metadata request, body included.
	Request time.Duration
	// Download is the time limit of one data download.
	Download time.Duration
	// MaxPage is the largest metadata response read, in bytes.
	MaxPage int64
	// MaxFile is the largest data download, in bytes.
	MaxFile int64
	// MaxPages caps the pages of one listing.
	MaxPages int
}

// DefaultLimits suit a metropolis' portal: thousands of datasets, files of
// a few hundred megabytes.
var DefaultLimits = Limits{Request: 30 * time.Second, Download: 10 * time.Minute,
	MaxPage: 32 << 20, MaxFile: 1 << 30, MaxPages: 1000}

// Client is the HTTP side shared by the protocol clients.
type Client struct {
	HTTP   *http.Client
	Limits Limits
}

// New returns the lister for src's protocol.
func New(src *harvest.Source, c *Client) (harvest.Lister, error) {
	if c == nil {
		c = &Client{}
	}
	if c.HTTP == nil {
		c.HTTP = http.DefaultClient
	}
	if c.Limits == (Limits{}) {
		c.Limits = DefaultLimits
	}
	u, err := url.Parse(src.URL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, errs.E(errs.Invalid, "the source URL must be an http(s) URL, got %q", src.URL)
	}
	switch src.Kind {
	case harvest.KindODS:
		return &ODS{c: c, root: strings.TrimRight(src.URL, "/")}, nil
	case harvest.KindCKAN:
		return &CKAN{c: c, root: strings.TrimRight(src.URL, "/")}, nil
	case harvest.KindDCAT:
		return &DCAT{c: c, catalog: src.URL}, nil
	}
	return nil, errs.E(errs.Invalid, "unknown source type %q (ckan, dcat, ods)", src.Kind)
}

// get fetches u within the request time limit and returns its body, at
// most MaxPage bytes, and its content type.
func (c *Client) get(ctx context.Context, u, accept string) ([]byte, string, error) {
	ctx, cancel := context.WithTimeout(ctx, c.Limits.Request)
	defer cancel()
	resp, err := c.do(ctx, u, accept)
	if err != nil {
		return nil, "", err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, c.Limits.MaxPage+1))
	if err != nil {
		return nil, "", fmt.Errorf("GET %s: %w", u, timeoutErr(ctx, err, c.Limits.Request))
	}
	if int64(len(body)) > c.Limits.MaxPage {
		return nil, "", fmt.Errorf("GET %s: response larger than %d bytes", u, c.Limits.MaxPage)
	}
	return body, resp.Header.Get("Content-Type"), nil
}

func (c *Client) do(ctx context.Context, u, accept string) (*http.Response, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, fmt.Errorf("GET %s: %w", u, err)
	}
	if accept != "" {
		req.Header.Set("Accept", accept)
	}
	req.Header.Set("User-Agent", "Socle-harvester/1")
	resp, err := c.HTTP.Do(req)
	if err != nil {
		return nil, fmt.Errorf("GET %s: %w", u, timeoutErr(ctx, err, c.Limits.Request))
	}
	if resp.StatusCode != http.StatusOK {
		resp.Body.Close()
		return nil, fmt.Errorf("GET %s: HTTP status %d", u, resp.StatusCode)
	}
	return resp, nil
}

// timeoutErr names a deadline in words the run report's reader
// understands.
func timeoutErr(ctx context.Context, err error, limit time.Duration) error {
	if ctx.Err() == context.DeadlineExceeded {
		return fmt.Errorf("no complete answer within %s: %w", limit, err)
	}
	return err
}

// download streams u into a new file under dir, at most MaxFile bytes,
// and returns its path and SHA-256. rewrite, when not nil, copies the
// body (at most MaxFile+1 bytes of it) to what is saved, changed on the
// way.
func (c *Client) download(ctx context.Context, u, dir, accept string, rewrite func(w io.Writer, r io.Reader) error) (path, sum string, err error) {
	ctx, cancel := context.WithTimeout(ctx, c.Limits.Download)
	defer cancel()
	resp, err := c.do(ctx, u, accept)
	if err != nil {
		return "", "", err
	}
	defer resp.Body.Close()
	var body io.Reader = resp.Body
	if rewrite != nil {
		pr, pw := io.Pipe()
		go func() { pw.CloseWithError(rewrite(pw, io.LimitReader(resp.Body, c.Limits.MaxFile+1))) }()
		defer pr.Close()
		body = pr
	}
	return c.save(ctx, dir, body, u)
}

// save copies r into a new temporary file under dir, hashing it; on error
// the file is removed.
func (c *Client) save(ctx context.Context, dir string, r io.Reader, what string) (path, sum string, err error) {
	path, sum, err = toFile(dir, "harvest-*", func(w io.Writer) error {
		n, err := io.Copy(w, io.LimitReader(r, c.Limits.MaxFile+1))
		if err != nil {
			return timeoutErr(ctx, err, c.Limits.Download)
		}
		if n > c.Limits.MaxFile {
			return fmt.Errorf("file larger than %d bytes", c.Limits.MaxFile)
		}
		return nil
	})
	if err != nil {
		return "", "", fmt.Errorf("download %s: %w", what, err)
	}
	return path, sum, nil
}

// fetchData downloads a dataset's data file as the remote serves it.
func (c *Client) fetchData(ctx context.Context, d *harvest.Data, dir string) (*harvest.Download, error) {
	p, sum, err := c.download(ctx, d.URL, dir, "", nil)
	if err != nil {
		return nil, err
	}
	return &harvest.Download{Path: p, Format: d.Format, SHA256: sum}, nil
}

// toFile writes a new temporary file under dir (named after pattern)
// through write, hashing what it writes, and returns its path and
// SHA-256; on error the file is removed, so that no partial download
// is left behind.
func toFile(dir, pattern string, write func(io.Writer) error) (path, sum string, err error) {
	f, err := os.CreateTemp(dir, pattern)
	if err != nil {
		return "", "", err
	}
	defer func() {
		if cerr := f.Close(); err == nil && cerr != nil {
			err = cerr
		}
		if err != nil {
			os.Remove(f.Name())
		}
	}()
	h := sha256.New()
	if err := write(io.MultiWriter(f, h)); err != nil {
		return "", "", err
	}
	return f.Name(), hex.EncodeToString(h.Sum(nil)), nil
}

// pager guards a listing against remotes that page forever: at most
// MaxPages pages, and no page (by content) served twice.
type pager struct {
	max  int
	n    int
	seen map[[32]byte]bool
}

func newPager(max int) *pager { return &pager{max: max, seen: map[[32]byte]bool{}} }

// next accounts for a page fetched from u; an error stops the listing.
func (p *pager) next(u string, body []byte) error {
	p.n++
	if p.n > p.max {
		return fmt.Errorf("more than %d pages: listing stopped at %s", p.max, u)
	}
	h := sha256.Sum256(body)
	if p.seen[h] {
		return fmt.Errorf("page %s repeats an earlier page: the remote pages forever", u)
	}
	p.seen[h] = true
	return nil
}
