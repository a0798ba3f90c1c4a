package web

import (
	"encoding/json"
	"errors"
	"io"
	"mime/multipart"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	"github.com/socle/socle/internal/app"
	"github.com/socle/socle/internal/auth"
	"github.com/socle/socle/internal/catalog"
	"github.com/socle/socle/internal/errs"
	"github.com/socle/socle/internal/ingest"
	"github.com/socle/socle/internal/tableschema"
)

// Uploads in two steps: the file is streamed to the staging directory and
// analysed (importer.Preview), then the person checks the inferred fields,
// writes the metadata and publishes. A staged upload is two files named
// after a random token: <token>.data and its <token>.json sidecar
// (stagedUpload). Staged uploads older than stagingTTL are deleted.

const stagingTTL = 24 * time.Hour

// stagedUpload is the sidecar of a staged file.
type stagedUpload struct {
	Token     string        `json:"token"`
	Owner     int64         `json:"owner"` // the uploader's user ID: no one else sees it
	DatasetID string        `json:"dataset_id"`
	FileName  string        `json:"file_name"` // as sent
	Format    ingest.Format `json:"format"`
	Size      int64         `json:"size"`
	Schema    string        `json:"schema,omitempty"` // Table Schema JSON, if one was sent
	Created   time.Time     `json:"created"`
	Plan      *planView     `json:"plan"`
}

// uploadPage is the data of the upload form.
type uploadPage struct {
	DatasetID string
	MaxUpload int64
	Error     string
	Report    *tableschema.Report
}

func (b *backOffice) handleUploadForm(w http.ResponseWriter, r *http.Request) {
	if _, ok := b.requirePublisher(w, r); !ok {
		return
	}
	b.render(w, r, http.StatusOK, "admin_upload", b.msgs.T("admin.upload.title"), uploadPage{MaxUpload: b.cfg.MaxUpload})
}

// requirePublisher is requireLogin for the roles that create datasets.
func (b *backOffice) requirePublisher(w http.ResponseWriter, r *http.Request) (auth.Principal, bool) {
	p, ok := b.requireLogin(w, r)
	if ok && !canCreate(p) {
		b.renderError(w, r, errs.E(errs.Forbidden, "%s", b.msgs.T("admin.readonly")))
		return p, false
	}
	return p, ok
}

// handleUpload stages and analyses a file, then sends the uploader to its
// preview.
func (b *backOffice) handleUpload(w http.ResponseWriter, r *http.Request) {
	p, ok := b.requirePublisher(w, r)
	if !ok {
		return
	}
	page := uploadPage{MaxUpload: b.cfg.MaxUpload}
	fail := func(status int, msg string) {
		page.Error = msg
		b.render(w, r, status, "admin_upload", b.msgs.T("admin.upload.title"), page)
	}
	in, err := b.receive(w, r)
	if err != nil {
		fail(httpStatus(err), b.failure(r, err))
		return
	}
	defer in.discard()
	page.DatasetID = in.values["dataset"]
	if page.DatasetID == "" {
		page.DatasetID = suggestID(in.name)
	}
	if msg := b.checkNewID(r, page.DatasetID); msg != "" {
		fail(http.StatusUnprocessableEntity, msg)
		return
	}
	up := &stagedUpload{Token: auth.RandomToken(18), Owner: p.User.ID, DatasetID: page.DatasetID, FileName: in.name,
		Format: in.format, Size: in.size, Schema: string(in.schema), Created: time.Now().UTC()}
	schema, err := parseSchema(up.Schema)
	if err != nil {
		fail(http.StatusUnprocessableEntity, b.msgs.T("admin.upload.error.schema", errs.Message(err)))
		return
	}
	pl, err := previewFile(in.path, up, schema)
	if err != nil {
		if pl != nil {
			page.Report = pl.Report
		}
		fail(http.StatusUnprocessableEntity, b.failure(r, err))
		return
	}
	up.Plan = newPlanView(pl)
	if err := b.stage(in, up); err != nil {
		b.renderError(w, r, err)
		return
	}
	http.Redirect(w, r, "/admin/uploads/"+up.Token, http.StatusSeeOther)
}

// checkNewID returns a French message when id cannot name a new dataset.
func (b *backOffice) checkNewID(r *http.Request, id string) string {
	if !app.ValidDatasetID(id) {
		return b.msgs.T("admin.upload.error.id")
	}
	if _, err := b.app.Store.Dataset(r.Context(), id); err == nil {
		return b.msgs.T("admin.upload.error.exists", id)
	}
	return ""
}

var notSlug = regexp.MustCompile(`[^a-z0-9]+`)

// suggestID makes a dataset identifier from a file name:
// "Équipements sportifs 2024.csv" gives "equipements-sportifs-2024".
func suggestID(name string) string {
	base := strings.TrimSuffix(filepath.Base(name), filepath.Ext(name))
	id := strings.Trim(notSlug.ReplaceAllString(strings.ReplaceAll(catalog.NormalizeName(base), "_", "-"), "-"), "-")
	if len(id) > 80 {
		id = strings.TrimRight(id[:80], "-")
	}
	if id == "" || id == "field" {
		return ""
	}
	return id
}

func parseSchema(raw string) (*tableschema.Schema, error) {
	if raw == "" {
		return nil, nil
	}
	return tableschema.Parse(strings.NewReader(raw))
}

// stage moves the received file under its token and writes the sidecar.
func (b *backOffice) stage(in *received, up *stagedUpload) error {
	dir, err := b.stagingDir()
	if err != nil {
		return err
	}
	raw, err := json.Marshal(up)
	if err != nil {
		return err
	}
	if err := os.Rename(in.path, filepath.Join(dir, up.Token+".data")); err != nil {
		return err
	}
	in.path = ""
	return os.WriteFile(filepath.Join(dir, up.Token+".json"), raw, 0o600)
}

// stagingDir creates the staging directory if need be, and deletes the
// staged files older than stagingTTL (each upload pays for this sweep, so
// no background job is needed).
func (b *backOffice) stagingDir() (string, error) {
	dir := b.cfg.StagingDir
	if dir == "" {
		dir = filepath.Join(os.TempDir(), "socle-staging")
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", err
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return "", err
	}
	for _, e := range entries {
		if info, err := e.Info(); err == nil && time.Since(info.ModTime()) > stagingTTL {
			os.Remove(filepath.Join(dir, e.Name()))
		}
	}
	return dir, nil
}

var tokenPattern = regexp.MustCompile(`^[A-Za-z0-9_-]{24}$`)

// staged loads the upload of token for p: NotFound unless it exists, is
// p's, and is younger than stagingTTL.
func (b *backOffice) staged(p auth.Principal, token string) (*stagedUpload, string, error) {
	notFound := errs.E(errs.NotFound, "upload not found")
	if !tokenPattern.MatchString(token) {
		return nil, "", notFound
	}
	dir, err := b.stagingDir()
	if err != nil {
		return nil, "", err
	}
	raw, err := os.ReadFile(filepath.Join(dir, token+".json"))
	if err != nil {
		return nil, "", notFound
	}
	var up stagedUpload
	if err := json.Unmarshal(raw, &up); err != nil || up.Owner != p.User.ID || time.Since(up.Created) > stagingTTL || up.Plan == nil {
		return nil, "", notFound
	}
	return &up, filepath.Join(dir, token+".data"), nil
}

// unstage deletes a published upload.
func (b *backOffice) unstage(up *stagedUpload, path string) {
	os.Remove(path)
	os.Remove(strings.TrimSuffix(path, ".data") + ".json")
}

// httpStatus is the status of a page refusing err.
func httpStatus(err error) int {
	switch errs.KindOf(err) {
	case errs.TooLarge:
		return http.StatusRequestEntityTooLarge
	case errs.Internal:
		return http.StatusInternalServerError
	case errs.Forbidden:
		return http.StatusForbidden
	}
	return http.StatusUnprocessableEntity
}

// received is a streamed multipart form: its small fields, and the file
// written to a temporary file of the staging directory.
type received struct {
	values map[string]string
	path   string // the temporary file; "" once staged or discarded
	name   string // the file's name as sent
	format ingest.Format
	size   int64
	schema []byte
}

// discard deletes the temporary file unless it was staged.
func (in *received) discard() {
	if in.path != "" {
		os.Remove(in.path)
		in.path = ""
	}
}

// Limits of the parts other than the data file.
const (
	maxFieldSize  = 4 << 10
	maxSchemaSize = 1 << 20
)

// receive reads a multipart upload form without holding the file in
// memory: the "file" part streams to disk within cfg.MaxUpload, the
// "schema" part is kept in memory within maxSchemaSize, other parts are
// short fields. A file with an unknown extension is refused before it is
// read.
func (b *backOffice) receive(w http.ResponseWriter, r *http.Request) (*received, error) {
	r.Body = http.MaxBytesReader(w, r.Body, b.cfg.MaxUpload+maxSchemaSize+64<<10)
	mr, err := r.MultipartReader()
	if err != nil {
		return nil, errs.Wrap(errs.Invalid, err, "%s", b.msgs.T("admin.upload.error.form"))
	}
	in := &received{values: map[string]string{}}
	for {
		part, err := mr.NextPart()
		if err == io.EOF {
			break
		} else if err != nil {
			in.discard()
			return nil, uploadError(b, err)
		}
		if err := b.receivePart(in, part); err != nil {
			in.discard()
			return nil, err
		}
	}
	if in.path == "" {
		return nil, errs.E(errs.Invalid, "%s", b.msgs.T("admin.upload.error.nofile"))
	}
	return in, nil
}

func (b *backOffice) receivePart(in *received, part *multipart.Part) error {
	pn := part
	switch pn.FormName() {
	case "file":
		if pn.FileName() == "" {
			return nil
		}
		return b.receiveFile(in, pn.FileName(), part)
	case "schema":
		if pn.FileName() == "" {
			return nil
		}
		raw, err := io.ReadAll(io.LimitReader(part, maxSchemaSize+1))
		if err != nil {
			return uploadError(b, err)
		}
		if len(raw) > maxSchemaSize {
			return errs.E(errs.Invalid, "%s", b.msgs.T("admin.upload.error.schemasize"))
		}
		in.schema = raw
	default:
		raw, err := io.ReadAll(io.LimitReader(part, maxFieldSize))
		if err != nil {
			return uploadError(b, err)
		}
		in.values[pn.FormName()] = strings.TrimSpace(string(raw))
	}
	return nil
}

// uploadFormats are the file extensions accepted, with their format ("" =
// let ingest tell JSON from GeoJSON by the content).
var uploadFormats = map[string]ingest.Format{
	".csv": ingest.FormatCSV, ".tsv": ingest.FormatCSV, ".txt": ingest.FormatCSV,
	".json": "", ".geojson": ingest.FormatGeoJSON, ".jsonl": ingest.FormatJSONL, ".ndjson": ingest.FormatJSONL,
	".xlsx": ingest.FormatXLSX,
}

func (b *backOffice) receiveFile(in *received, name string, part io.Reader) error {
	name = filepath.Base(strings.ReplaceAll(name, "\\", "/"))
	ext := strings.ToLower(filepath.Ext(name))
	format, ok := uploadFormats[ext]
	if !ok {
		return errs.E(errs.Invalid, "%s", b.msgs.T("admin.upload.error.format", ext))
	}
	if in.path != "" {
		return errs.E(errs.Invalid, "%s", b.msgs.T("admin.upload.error.twofiles"))
	}
	dir, err := b.stagingDir()
	if err != nil {
		return err
	}
	f, err := os.CreateTemp(dir, "*.part")
	if err != nil {
		return err
	}
	in.path, in.name = f.Name(), name
	n, err := io.Copy(f, io.LimitReader(part, b.cfg.MaxUpload+1))
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return uploadError(b, err)
	}
	if n > b.cfg.MaxUpload {
		return errs.E(errs.TooLarge, "the upload exceeds %d bytes", b.cfg.MaxUpload)
	}
	if n == 0 {
		return errs.E(errs.Invalid, "%s", b.msgs.T("admin.upload.error.empty"))
	}
	in.size = n
	if format == "" {
		format = ingest.DetectFormat(name, head(in.path))
	}
	in.format = format
	return nil
}

// head returns the first bytes of a file, for format detection.
func head(path string) []byte {
	f, err := os.Open(path)
	if err != nil {
		return nil
	}
	defer f.Close()
	b := make([]byte, 4096)
	n, _ := io.ReadFull(f, b)
	return b[:n]
}

// uploadError classifies a failure reading the request body.
func uploadError(b *backOffice, err error) error {
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		return errs.E(errs.TooLarge, "the upload exceeds %d bytes", b.cfg.MaxUpload)
	}
	return errs.Wrap(errs.Invalid, err, "%s", b.msgs.T("admin.upload.error.interrupted"))
}
