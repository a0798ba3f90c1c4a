// Package harvest is the domain of catalog harvesting: remote catalogs
// (CKAN, DCAT, Opendatasoft portals) mirrored into Socle on a schedule.
// It holds the harvest Source, the Run and its Report, the RemoteDataset
// every protocol client produces (normalised metadata and where the data
// is), the Store interface, and the pure decisions a run makes: which
// local ID a remote dataset gets, whether it changed, and when a dataset
// gone from its source is archived. It imports no infrastructure: the HTTP
// clients are in package harvester, storage in sqlite and postgres, the
// use case in internal/app/harvest*.go.
package harvest

import (
	"context"
	"time"

	"github.com/socle/socle/internal/catalog"
)

// Kind is the protocol a source speaks.
type Kind string

// The protocols.
const (
	KindCKAN Kind = "ckan" // CKAN Action API (the URL is the portal's root)
	KindDCAT Kind = "dcat" // a DCAT catalog document, Hydra-paged (the URL is the document)
	KindODS  Kind = "ods"  // Opendatasoft Explore API v2.1 (the URL is the portal's root)
)

// Valid reports whether k is a known protocol.
func (k Kind) Valid() bool { return k == KindCKAN || k == KindDCAT || k == KindODS }

// NoPrefix is the prefix of a source whose local IDs are the remote slugs.
const NoPrefix = "-"

// DefaultGrace is how long a dataset gone from its source stays published
// before it is archived, as data.gouv.fr does.
const DefaultGrace = 7 * 24 * time.Hour

// Source is a remote catalog harvested into Socle.
type Source struct {
	ID   int64  `json:"id"`
	Name string `json:"name"`
	URL  string `json:"url"`
	Kind Kind   `json:"type"`
	// Organization is the local organization the harvested datasets are
	// published under.
	Organization string `json:"organization"`
	// Prefix starts the local IDs of the source's datasets ("prefix-slug");
	// NoPrefix keeps the remote slugs as they are.
	Prefix string `json:"prefix"`
	// Every is the schedule; 0 means by hand only.
	Every time.Duration `json:"every"`
	// Grace is how long a vanished dataset stays before it is archived.
	Grace   time.Duration `json:"grace"`
	Enabled bool          `json:"enabled"`
	Created time.Time     `json:"created"`
	// LastRun is when the last run started (zero: never).
	LastRun time.Time `json:"last_run,omitzero"`
}

// Due reports whether a scheduled source should run at now.
func (s *Source) Due(now time.Time) bool {
	return s.Enabled && s.Every > 0 && (s.LastRun.IsZero() || !now.Before(s.LastRun.Add(s.Every)))
}

// Data says where a remote dataset's records are and in which format the
// importer should read them.
type Data struct {
	URL    string `json:"url"`
	Format string `json:"format"` // csv, json, jsonl, geojson
	// Datastore is a CKAN DataStore resource ID: the records are read page
	// by page through datastore_search instead of downloading URL.
	Datastore string `json:"datastore,omitempty"`
	// License is the distribution's own licence, for a client to use
	// when the dataset names none.
	License string `json:"license,omitempty"`
}

// RemoteDataset is one dataset as a protocol client read it, normalised.
type RemoteDataset struct {
	// RemoteID is the source's stable identifier (CKAN package id, DCAT
	// dct:identifier or the dataset IRI, ODS dataset_uid), never a slug.
	RemoteID string `json:"remote_id"`
	// Slug is the remote's editable name, used once to derive the local ID.
	Slug     string           `json:"slug"`
	Meta     catalog.Metadata `json:"meta"`
	Modified time.Time        `json:"modified,omitzero"`
	// Fields are the remote's declared fields (names, labels, types,
	// descriptions), applied over what the importer infers; may be empty.
	Fields []catalog.Field `json:"fields,omitempty"`
	// Data is nil for a metadata-only dataset.
	Data *Data `json:"data,omitempty"`
	// Err is set when the client could read the dataset's identity but not
	// the rest (its entry is reported failed, its mapping kept).
	Err error `json:"-"`
}

// State is a harvested dataset's standing towards its source.
type State string

// The states.
const (
	StateActive   State = "active"   // present at the last complete listing
	StateMissing  State = "missing"  // absent since MissingSince, within the grace period
	StateArchived State = "archived" // absent beyond the grace period: made restricted
)

// Mapping links a remote dataset to the local one it was harvested into.
// LocalID is derived once and never changes, whatever the remote renames.
type Mapping struct {
	SourceID int64     `json:"source_id"`
	RemoteID string    `json:"remote_id"`
	LocalID  string    `json:"local_id"`
	Slug     string    `json:"slug"` // the remote slug last seen
	Modified time.Time `json:"modified,omitzero"`
	MetaHash string    `json:"meta_hash"`
	DataHash string    `json:"data_hash"`
	State    State     `json:"state"`
	// MissingSince is when the dataset was first found absent.
	MissingSince time.Time `json:"missing_since,omitzero"`
	// PrevAccess is the access level before archiving, restored if the
	// dataset comes back.
	PrevAccess catalog.Access `json:"prev_access,omitempty"`
	Seen       time.Time      `json:"seen"`
}

// Store persists sources, mappings and runs. Methods return errs.NotFound
// for unknown IDs and errs.Conflict for a duplicate local ID or source URL.
type Store interface {
	CreateSource(ctx context.Context, s *Source) error // sets ID
	UpdateSource(ctx context.Context, s *Source) error
	Source(ctx context.Context, id int64) (*Source, error)
	Sources(ctx context.Context) ([]*Source, error) // by ID

	// Mappings lists a source's mappings by remote ID.
	Mappings(ctx context.Context, sourceID int64) ([]*Mapping, error)
	// PutMapping inserts or replaces the mapping of (SourceID, RemoteID).
	PutMapping(ctx context.Context, m *Mapping) error
	// MappedLocal reports whether any source maps a remote dataset to id.
	MappedLocal(ctx context.Context, id string) (bool, error)

	CreateRun(ctx context.Context, r *Run) error // sets ID
	FinishRun(ctx context.Context, r *Run) error
	HarvestRun(ctx context.Context, id int64) (*Run, error)
	// Runs lists a source's runs newest first, at most limit.
	Runs(ctx context.Context, sourceID int64, limit int) ([]*Run, error)
}

// Lister is what a protocol client offers a run: the remote datasets one
// by one, and their data downloaded to a local file.
type Lister interface {
	// List calls yield with each remote dataset. It returns an error when
	// the listing could not be completed (timeout, parse error, page
	// cap); the datasets yielded before stay valid, but a run must not
	// infer deletions from an incomplete listing. An error from yield
	// stops the listing and is returned.
	List(ctx context.Context, yield func(RemoteDataset) error) error
	// Fetch downloads d's data into a new file under dir.
	Fetch(ctx context.Context, d RemoteDataset, dir string) (*Download, error)
}

// Download is a remote dataset's data in a local file.
type Download struct {
	Path   string
	Format string // csv, json, jsonl, geojson
	SHA256 string // of the file's content
	// Fields, when set, are types the download revealed (a CKAN
	// DataStore's), applied like RemoteDataset.Fields.
	Fields []catalog.Field
}
