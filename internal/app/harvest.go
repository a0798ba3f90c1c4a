package app

import (
	"context"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/socle/socle/internal/auth"
	"github.com/socle/socle/internal/catalog"
	"github.com/socle/socle/internal/errs"
	"github.com/socle/socle/internal/harvest"
)

// Harvesting holds what harvest runs need beyond the store: the protocol
// clients (package harvester) and the import use case (package importer,
// which imports app), both wired by cmd/socle.
type Harvesting struct {
	// Lister returns the client for a source's protocol.
	Lister func(src *harvest.Source) (harvest.Lister, error)
	// Import publishes a downloaded file as a new version of d (created
	// when missing) with the declared fields applied over inference; a
	// failed import leaves the published version untouched.
	Import func(ctx context.Context, p auth.Principal, d *catalog.Dataset, dl *harvest.Download, fields []catalog.Field) error
	// TempDir receives downloads ("" is the system's).
	TempDir string
	// Deadline bounds a whole run (default 2 hours).
	Deadline time.Duration

	running sync.Map // source ID → struct{}: one run per source at a time

	mu   sync.Mutex // guards ctx and stop
	ctx  context.Context
	stop context.CancelFunc // interrupts the background runs
	wg   sync.WaitGroup     // the background runs
}

// maxRunsListed caps the runs a listing returns.
const maxRunsListed = 100

// requireSteward lets admins and stewards manage harvesting.
func requireSteward(p auth.Principal) error {
	if p.User == nil {
		return errs.E(errs.Unauthorized, "authentication required")
	}
	if !p.Is(auth.RoleAdmin, auth.RoleSteward) {
		return errs.E(errs.NotFound, "not found") // not for them: it does not exist
	}
	return nil
}

// CreateHarvestSource checks and stores a new source.
func (a *App) CreateHarvestSource(ctx context.Context, p auth.Principal, s *harvest.Source) error {
	if err := requireSteward(p); err != nil {
		return err
	}
	if err := a.checkSource(ctx, s); err != nil {
		return err
	}
	s.Created = a.Now()
	if err := a.Store.CreateSource(ctx, s); err != nil {
		return err
	}
	return a.Audit(ctx, p, "harvest.source.create", "harvest:"+strconv.FormatInt(s.ID, 10), 0, s.URL)
}

// UpdateHarvestSource checks and saves a source's settings; its URL and
// protocol stay (the mappings belong to them), as do its creation and last
// run.
func (a *App) UpdateHarvestSource(ctx context.Context, p auth.Principal, s *harvest.Source) error {
	cur, err := a.HarvestSource(ctx, p, s.ID)
	if err != nil {
		return err
	}
	s.URL, s.Kind, s.Created, s.LastRun = cur.URL, cur.Kind, cur.Created, cur.LastRun
	if err := a.checkSource(ctx, s); err != nil {
		return err
	}
	if err := a.Store.UpdateSource(ctx, s); err != nil {
		return err
	}
	return a.Audit(ctx, p, "harvest.source.update", "harvest:"+strconv.FormatInt(s.ID, 10), 0, s.URL)
}

// minEvery keeps schedules from hammering remotes.
const minEvery = 5 * time.Minute

func (a *App) checkSource(ctx context.Context, s *harvest.Source) error {
	s.Name, s.URL = strings.TrimSpace(s.Name), strings.TrimSpace(s.URL)
	u, err := url.Parse(s.URL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || len(s.URL) > 2000 {
		return errs.E(errs.Invalid, "the source URL must be an http or https URL")
	}
	if !s.Kind.Valid() {
		return errs.E(errs.Invalid, "unknown source type %q (ckan, dcat, ods)", s.Kind)
	}
	if s.Name == "" {
		s.Name = u.Host
	}
	if len(s.Name) > 200 {
		return errs.E(errs.Invalid, "the source name is longer than 200 characters")
	}
	if s.Every != 0 && s.Every < minEvery {
		return errs.E(errs.Invalid, "a schedule runs at most every %s", minEvery)
	}
	if s.Grace == 0 {
		s.Grace = harvest.DefaultGrace
	}
	if s.Grace < 0 || s.Grace > 365*24*time.Hour {
		return errs.E(errs.Invalid, "the grace period is between 0 and 365 days")
	}
	switch p := strings.TrimSpace(s.Prefix); p {
	case harvest.NoPrefix: // the remote IDs themselves, for a portal moving to Socle
		s.Prefix = p
	case "":
		s.Prefix = string(s.Kind)
	default:
		s.Prefix = harvest.Slugify(p)
	}
	if len(s.Prefix) > 30 {
		return errs.E(errs.Invalid, "the prefix is longer than 30 characters")
	}
	if s.Organization != "" {
		if _, err := a.Store.Organization(ctx, s.Organization); err != nil {
			return errs.Wrap(errs.Invalid, err, "unknown organization %q", s.Organization)
		}
	}
	return nil
}

// HarvestSources lists the sources.
func (a *App) HarvestSources(ctx context.Context, p auth.Principal) ([]*harvest.Source, error) {
	if err := requireSteward(p); err != nil {
		return nil, err
	}
	return a.Store.Sources(ctx)
}

// HarvestSource returns a source.
func (a *App) HarvestSource(ctx context.Context, p auth.Principal, id int64) (*harvest.Source, error) {
	if err := requireSteward(p); err != nil {
		return nil, err
	}
	return a.Store.Source(ctx, id)
}

// HarvestRuns lists a source's runs newest first, at most limit (capped).
func (a *App) HarvestRuns(ctx context.Context, p auth.Principal, id int64, limit int) ([]*harvest.Run, error) {
	if _, err := a.HarvestSource(ctx, p, id); err != nil {
		return nil, err
	}
	if limit <= 0 || limit > maxRunsListed {
		limit = maxRunsListed
	}
	return a.Store.Runs(ctx, id, limit)
}

// HarvestRun returns one run with its report.
func (a *App) HarvestRun(ctx context.Context, p auth.Principal, id int64) (*harvest.Run, error) {
	if err := requireSteward(p); err != nil {
		return nil, err
	}
	return a.Store.HarvestRun(ctx, id)
}

// SourceByURL returns the source harvesting u, creating it with kind,
// organization and prefix when there is none: `socle harvest` keeps its
// mappings across runs through it.
func (a *App) SourceByURL(ctx context.Context, p auth.Principal, u string, kind harvest.Kind, org, prefix string) (*harvest.Source, error) {
	all, err := a.HarvestSources(ctx, p)
	if err != nil {
		return nil, err
	}
	for _, s := range all {
		if s.URL == strings.TrimSpace(u) {
			if s.Kind != kind {
				return nil, errs.E(errs.Invalid, "source %s is harvested as %s, not %s", u, s.Kind, kind)
			}
			return s, nil
		}
	}
	s := &harvest.Source{URL: u, Kind: kind, Organization: org, Prefix: prefix, Enabled: true}
	return s, a.CreateHarvestSource(ctx, p, s)
}

// NewHarvestJob returns the job that, every interval, runs the sources
// whose schedule is due, one after the other.
func (a *App) NewHarvestJob(every time.Duration) *Job {
	return newJob(every, false, func(ctx context.Context) {
		srcs, err := a.Store.Sources(ctx)
		if err != nil {
			a.Logger.Error("harvest schedule", "err", err)
			return
		}
		for _, s := range srcs {
			if ctx.Err() != nil {
				return
			}
			if !s.Due(a.Now()) {
				continue
			}
			if _, err := a.Harvest(ctx, s); err != nil {
				a.Logger.Error("harvest run", "source", s.ID, "err", err)
			}
		}
	})
}
