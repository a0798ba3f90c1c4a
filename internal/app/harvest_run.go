package app

import (
	"context"
	"errors"
	"fmt"
	"os"
	"reflect"
	"strconv"
	"time"

	"github.com/socle/socle/internal/auth"
	"github.com/socle/socle/internal/catalog"
	"github.com/socle/socle/internal/errs"
	"github.com/socle/socle/internal/harvest"
)

// defaultHarvestDeadline bounds a run when Harvesting.Deadline is unset.
const defaultHarvestDeadline = 2 * time.Hour

// Harvest runs one harvest of src now: lists the remote catalog, creates
// or updates the local dataset of each remote one (a new version only when
// the data's content changed), marks datasets gone from a complete listing
// missing and archives those missing beyond the grace period. It returns
// the stored run with its report; errors from the listing or from single
// datasets are in the report, the error only says the run could not be
// recorded or another run of src is in progress.
func (a *App) Harvest(ctx context.Context, src *harvest.Source) (*harvest.Run, error) {
	run, err := a.beginHarvest(ctx, src)
	if err != nil {
		return nil, err
	}
	return run, a.execHarvest(ctx, src, run)
}

// StartHarvestSource starts a run of source id as p and returns it at
// once, running; the run goes on in the background until done or until
// the harvesting is stopped (StopHarvests).
func (a *App) StartHarvestSource(ctx context.Context, p auth.Principal, id int64) (*harvest.Run, error) {
	src, err := a.HarvestSource(ctx, p, id)
	if err != nil {
		return nil, err
	}
	run, err := a.beginHarvest(ctx, src)
	if err != nil {
		return nil, err
	}
	a.Audit(ctx, p, "harvest.run", "harvest:"+strconv.FormatInt(id, 10), 0, "started")
	started := *run // the caller's copy: the run goes on changing in the background
	h := &a.Harvesting
	h.mu.Lock()
	if h.stop == nil {
		h.ctx, h.stop = context.WithCancel(context.Background())
	}
	bg := h.ctx
	h.wg.Add(1)
	h.mu.Unlock()
	go func() {
		defer h.wg.Done()
		if err := a.execHarvest(bg, src, run); err != nil {
			a.Logger.Error("harvest run", "source", id, "err", err)
		}
	}()
	return &started, nil
}

// StopHarvests interrupts the background runs and waits for them; their
// reports are saved with the listing's interruption.
func (a *App) StopHarvests() {
	h := &a.Harvesting
	h.mu.Lock()
	if h.stop != nil {
		h.stop()
	}
	h.mu.Unlock()
	h.wg.Wait()
}

// beginHarvest claims src (one run at a time) and records a running run.
func (a *App) beginHarvest(ctx context.Context, src *harvest.Source) (*harvest.Run, error) {
	h := &a.Harvesting
	if _, busy := h.running.LoadOrStore(src.ID, struct{}{}); busy {
		return nil, errs.E(errs.Conflict, "source %d is being harvested", src.ID)
	}
	run := &harvest.Run{SourceID: src.ID, Started: a.Now(), Status: harvest.StatusRunning}
	if err := a.Store.CreateRun(ctx, run); err != nil {
		h.running.Delete(src.ID)
		return nil, err
	}
	src.LastRun = run.Started
	if err := a.Store.UpdateSource(ctx, src); err != nil {
		a.Logger.Error("harvest: last run not saved", "source", src.ID, "err", err)
	}
	return run, nil
}

// execHarvest does a begun run, saves its report and releases src.
func (a *App) execHarvest(ctx context.Context, src *harvest.Source, run *harvest.Run) error {
	h := &a.Harvesting
	released := false
	release := func() {
		if !released {
			h.running.Delete(src.ID)
			released = true
		}
	}
	defer release()
	deadline := h.Deadline
	if deadline <= 0 {
		deadline = defaultHarvestDeadline
	}
	ctx, cancel := context.WithTimeout(ctx, deadline)
	defer cancel()
	listErr := a.harvestAll(ctx, src, run)
	if listErr != nil && ctx.Err() == context.DeadlineExceeded {
		listErr = fmt.Errorf("the run exceeded its deadline of %s: %w", deadline, listErr)
	}
	run.Finish(a.Now(), a.reportable(listErr))
	// Released before the report is saved: whoever sees the run finished
	// may start the next one.
	release()
	done := context.WithoutCancel(ctx)
	if err := a.Store.FinishRun(done, run); err != nil {
		return err
	}
	if err := a.RefreshCatalog(done); err != nil {
		a.Logger.Error("harvest: catalog index not refreshed", "err", err)
	}
	a.Logger.Info("harvest run", "source", src.ID, "status", run.Status, "created", run.Created, "updated", run.Updated,
		"unchanged", run.Unchanged, "archived", run.Archived, "failed", run.Failed)
	return nil
}

// harvestAll lists the source and harvests each dataset; it returns the
// listing's error, if any.
func (a *App) harvestAll(ctx context.Context, src *harvest.Source, run *harvest.Run) error {
	if a.Harvesting.Lister == nil || a.Harvesting.Import == nil {
		return errs.E(errs.Unavailable, "harvesting is not wired in this process")
	}
	lister, err := a.Harvesting.Lister(src)
	if err != nil {
		return err
	}
	ms, err := a.Store.Mappings(ctx, src.ID)
	if err != nil {
		return err
	}
	byRemote := map[string]*harvest.Mapping{}
	for _, m := range ms {
		byRemote[m.RemoteID] = m
	}
	seen := map[string]bool{}
	listErr := lister.List(ctx, func(d harvest.RemoteDataset) error {
		if err := ctx.Err(); err != nil {
			return err
		}
		switch {
		case d.RemoteID == "":
			run.Fail("", "", "a dataset without identifier was skipped: "+d.Slug)
		case seen[d.RemoteID]:
			run.Fail(d.RemoteID, "", "the identifier is listed twice: the second entry was skipped")
		default:
			seen[d.RemoteID] = true
			a.harvestOne(ctx, src, lister, byRemote, d, run)
		}
		return nil
	})
	if listErr != nil {
		// An incomplete listing says nothing about what was deleted.
		return remoteErr(listErr)
	}
	a.vanished(ctx, src, ms, seen, run)
	return nil
}

// vanished marks missing, then archives, the datasets absent from a
// complete listing.
func (a *App) vanished(ctx context.Context, src *harvest.Source, ms []*harvest.Mapping, seen map[string]bool, run *harvest.Run) {
	for _, m := range harvest.Vanished(ms, seen, a.Now(), src.Grace) {
		if m.State == harvest.StateArchived {
			prev, err := a.archive(ctx, m.LocalID)
			if err != nil {
				run.Fail(m.RemoteID, m.LocalID, "archiving failed: "+a.reportText(err))
				continue
			}
			m.PrevAccess = prev
			run.Archived++
		} else {
			run.Missing++
		}
		if err := a.Store.PutMapping(ctx, m); err != nil {
			run.Fail(m.RemoteID, m.LocalID, a.reportText(err))
		}
	}
}

// archive makes a harvested dataset restricted (the least destructive
// way to withdraw it: its records, versions and history stay, its writers
// still see it) and returns its previous access level.
func (a *App) archive(ctx context.Context, id string) (catalog.Access, error) {
	d, err := a.Store.Dataset(ctx, id)
	if errs.Is(err, errs.NotFound) {
		return "", nil // deleted locally meanwhile: nothing to withdraw
	} else if err != nil {
		return "", err
	}
	prev := d.Access
	d.Access = catalog.AccessRestricted
	d.Modified = a.Now()
	if err := a.Store.UpdateDataset(ctx, d); err != nil {
		return "", err
	}
	a.Audit(ctx, System, "harvest.archive", id, 0, "gone from the source; was "+string(prev))
	return prev, nil
}

// harvestOne brings one remote dataset's local copy up to date.
func (a *App) harvestOne(ctx context.Context, src *harvest.Source, l harvest.Lister, byRemote map[string]*harvest.Mapping, d harvest.RemoteDataset, run *harvest.Run) {
	m := byRemote[d.RemoteID]
	if d.Err != nil {
		local := ""
		if m != nil {
			local = m.LocalID
		}
		run.Fail(d.RemoteID, local, a.reportText(remoteErr(d.Err)))
		return
	}
	if harvest.Decide(m, d) == harvest.Skip {
		m.Seen = a.Now()
		if err := a.Store.PutMapping(ctx, m); err != nil {
			run.Fail(d.RemoteID, m.LocalID, a.reportText(err))
			return
		}
		run.Unchanged++
		return
	}
	created := m == nil
	if created {
		id, err := harvest.LocalID(src.Prefix, d.Slug, d.RemoteID, func(id string) (bool, error) { return a.localTaken(ctx, id) })
		if err != nil {
			run.Fail(d.RemoteID, "", a.reportText(err))
			return
		}
		m = &harvest.Mapping{SourceID: src.ID, RemoteID: d.RemoteID, LocalID: id}
	}
	changed, err := a.applyRemote(ctx, src, l, m, d)
	if err != nil {
		run.Fail(d.RemoteID, m.LocalID, a.reportText(err))
		return
	}
	m.Slug, m.Modified, m.MetaHash = d.Slug, d.Modified, harvest.MetaHash(d)
	m.State, m.MissingSince, m.Seen = harvest.StateActive, time.Time{}, a.Now()
	if err := a.Store.PutMapping(ctx, m); err != nil {
		run.Fail(d.RemoteID, m.LocalID, a.reportText(err))
		return
	}
	byRemote[d.RemoteID] = m
	switch {
	case created:
		run.Created++
	case changed:
		run.Updated++
	default:
		run.Unchanged++
	}
}

// localTaken reports whether a local dataset or a mapping already uses id.
func (a *App) localTaken(ctx context.Context, id string) (bool, error) {
	if _, err := a.Store.Dataset(ctx, id); err == nil {
		return true, nil
	} else if !errs.Is(err, errs.NotFound) {
		return false, err
	}
	return a.Store.MappedLocal(ctx, id)
}

// applyRemote downloads the data, publishes a new version when its hash
// differs from the last one harvested, and saves changed metadata. It
// reports whether anything changed locally.
func (a *App) applyRemote(ctx context.Context, src *harvest.Source, l harvest.Lister, m *harvest.Mapping, d harvest.RemoteDataset) (bool, error) {
	local := &catalog.Dataset{ID: m.LocalID, Access: catalog.AccessPublic, Meta: a.harvestedMeta(ctx, src, d)}
	cur, err := a.Store.Dataset(ctx, m.LocalID)
	if err != nil && !errs.Is(err, errs.NotFound) {
		return false, err
	}
	changed := false
	if d.Data != nil {
		dl, err := l.Fetch(ctx, d, a.Harvesting.TempDir)
		if err != nil {
			return false, remoteErr(err)
		}
		defer os.Remove(dl.Path)
		if cur == nil || cur.Version == 0 || dl.SHA256 != m.DataHash || fieldsChanged(cur.Fields, d.Fields) {
			fields := append(append([]catalog.Field(nil), d.Fields...), dl.Fields...)
			if err := a.Harvesting.Import(ctx, System, local, dl, fields); err != nil {
				return false, fmt.Errorf("import: %w", err)
			}
			m.DataHash, changed = dl.SHA256, true
		}
	} else if cur == nil {
		if _, _, err := a.EnsureDataset(ctx, System, local); err != nil {
			return false, err
		}
		changed = true
	}
	if cur == nil {
		return changed, nil
	}
	if cur, err = a.Store.Dataset(ctx, m.LocalID); err != nil {
		return false, err
	}
	return a.updateHarvestedMeta(ctx, cur, local.Meta, m) || changed, nil
}

// harvestedMeta is the local metadata of a remote dataset: the source's
// organization publishes it (the remote publisher's name when it is a
// local organization's ID and the source names none).
func (a *App) harvestedMeta(ctx context.Context, src *harvest.Source, d harvest.RemoteDataset) catalog.Metadata {
	m := d.Meta
	pub := src.Organization
	if pub == "" && m.Publisher != "" {
		if _, err := a.Store.Organization(ctx, m.Publisher); err == nil {
			pub = m.Publisher
		}
	}
	m.Publisher = pub
	if m.Title == "" {
		m.Title = d.Slug
	}
	if m.License == "" {
		m.License = catalog.DefaultLicense
	}
	if len(m.License) > 200 {
		m.License = m.License[:200]
	}
	return m
}

// updateHarvestedMeta copies the remote's descriptive metadata over the
// local dataset's, keeping what is local only (grants, personal fields,
// retention…), and brings an archived dataset back. It reports whether
// anything was saved.
func (a *App) updateHarvestedMeta(ctx context.Context, cur *catalog.Dataset, remote catalog.Metadata, m *harvest.Mapping) bool {
	next := cur.Meta
	next.Title, next.Description, next.Publisher = remote.Title, remote.Description, remote.Publisher
	next.ContactName, next.ContactEmail = remote.ContactName, remote.ContactEmail
	next.Keywords, next.Themes, next.License = remote.Keywords, remote.Themes, remote.License
	next.Frequency, next.Spatial, next.Language, next.ConformsTo = remote.Frequency, remote.Spatial, remote.Language, remote.ConformsTo
	next.TemporalStart, next.TemporalEnd = remote.TemporalStart, remote.TemporalEnd
	access := cur.Access
	if m.State == harvest.StateArchived && m.PrevAccess != "" {
		access = m.PrevAccess // back at the source: published again
	}
	if access == cur.Access && sameMeta(cur.Meta, next) {
		return false
	}
	cur.Meta, cur.Access, cur.Modified = next, access, a.Now()
	if err := a.Store.UpdateDataset(ctx, cur); err != nil {
		a.Logger.Error("harvest: metadata not saved", "dataset", cur.ID, "err", err)
		return false
	}
	a.Audit(ctx, System, "dataset.update", cur.ID, 0, "harvested")
	m.PrevAccess = ""
	return true
}

func sameMeta(x, y catalog.Metadata) bool { return reflect.DeepEqual(x, y) }

// remoteErr classifies an error of a protocol client: its text describes
// the remote (URL, status, limit reached) and is what a steward needs in
// the report.
func remoteErr(err error) error {
	if err == nil || errs.KindOf(err) != errs.Internal {
		return err
	}
	return errs.E(errs.Unavailable, "%s", err.Error())
}

// reportText is what a run report says of err: classified errors in full
// (remote failures, refused files), internal ones (the database…) only in
// the server's log.
func (a *App) reportText(err error) string {
	if errs.KindOf(err) == errs.Internal {
		a.Logger.Error("harvest", "err", err)
		return "internal error (details in the server log)"
	}
	return err.Error()
}

// reportable is err as reportText words it.
func (a *App) reportable(err error) error {
	if err == nil {
		return nil
	}
	return errors.New(a.reportText(err))
}

// fieldsChanged reports whether the remote declares a field differently
// from the published version (type, label or description): the same data
// is then imported again, for the fields to follow.
func fieldsChanged(published, declared []catalog.Field) bool {
	byName := map[string]catalog.Field{}
	for _, f := range published {
		byName[f.Name] = f
	}
	for _, f := range declared {
		p, ok := byName[catalog.NormalizeName(f.Name)]
		if ok && ((f.Type != "" && f.Type != p.Type) || (f.Label != "" && f.Label != p.Label) || f.Description != p.Description) {
			return true
		}
	}
	return false
}
