package app

import (
	"context"
	"fmt"

	"github.com/socle/socle/internal/auth"
	"github.com/socle/socle/internal/catalog"
	"github.com/socle/socle/internal/errs"
	"github.com/socle/socle/internal/transit"
)

// GTFS imports: a feed becomes four datasets named after a prefix (stops,
// routes, timetable, service exceptions), each published as a new version through
// Store.LoadVersion like any import. The whole feed is read and checked
// before anything is published, so a bad feed changes nothing.

// GTFSImport says where an import publishes.
type GTFSImport struct {
	Prefix string         `json:"prefix"`
	Org    string         `json:"org,omitempty"`
	Access catalog.Access `json:"access,omitempty"` // public by default
}

// GTFSDataset is one dataset an import published.
type GTFSDataset struct {
	ID      string `json:"id"`
	Created bool   `json:"created"`
	Version int    `json:"version"`
	Rows    int64  `json:"rows"`
}

// GTFSSummary is what an import did.
type GTFSSummary struct {
	Timezone string        `json:"timezone"`
	Datasets []GTFSDataset `json:"datasets"`
}

type gtfsLoad struct {
	suffix, title string
	fields        []catalog.Field
	rows          func() (catalog.RowSource, func())
}

// ImportGTFS checks the feed in arch, then publishes its datasets as p.
func (a *App) ImportGTFS(ctx context.Context, p auth.Principal, arch *transit.Archive, req GTFSImport) (*GTFSSummary, error) {
	if !ValidDatasetID(req.Prefix) || !ValidDatasetID(req.Prefix+transit.SuffixDepartures) {
		return nil, errs.E(errs.Invalid, "invalid prefix %q: use lower-case letters, digits, '-' and '_', at most 80", req.Prefix)
	}
	feed, err := transit.Parse(arch)
	if err != nil {
		return nil, err
	}
	loads := []gtfsLoad{
		{transit.SuffixStops, "Arrêts", transit.StopFields, func() (catalog.RowSource, func()) { return feed.StopRows(), func() {} }},
		{transit.SuffixRoutes, "Lignes", transit.RouteFields, func() (catalog.RowSource, func()) { return feed.RouteRows(), func() {} }},
		{transit.SuffixTimetable, "Horaires théoriques", transit.TimetableFields, func() (catalog.RowSource, func()) {
			tt := feed.TimetableRows()
			return tt, tt.Close
		}},
		{transit.SuffixCalendar, "Calendrier : exceptions de service", transit.CalendarFields, func() (catalog.RowSource, func()) { return feed.CalendarRows(), func() {} }},
	}
	// Every dataset is checked writable before the first is loaded.
	sets := make([]*catalog.Dataset, len(loads))
	created := make([]bool, len(loads))
	for i, l := range loads {
		d := &catalog.Dataset{ID: req.Prefix + l.suffix, Access: req.Access, Meta: gtfsMeta(req, l.title)}
		if sets[i], created[i], err = a.EnsureDataset(ctx, p, d); err != nil {
			a.discardCreated(ctx, p, sets[:i], created)
			return nil, err
		}
	}
	sum := &GTFSSummary{Timezone: feed.Timezone}
	for i, l := range loads {
		rows, done := l.rows()
		ref, err := a.Store.LoadVersion(ctx, catalog.LoadRequest{DatasetID: sets[i].ID, Fields: l.fields, Mode: catalog.ModeReplace,
			Rows: rows, Actor: p.Login(), Now: a.Now()})
		done()
		if err != nil {
			a.discardCreated(ctx, p, sets[i:], created[i:])
			return sum, fmt.Errorf("load %s: %w", sets[i].ID, err)
		}
		a.Audit(ctx, p, "dataset.import", sets[i].ID, ref.Records, fmt.Sprintf("version %d, GTFS", ref.Version))
		sum.Datasets = append(sum.Datasets, GTFSDataset{ID: sets[i].ID, Created: created[i], Version: ref.Version, Rows: ref.Records})
	}
	if err := a.RefreshCatalog(context.WithoutCancel(ctx)); err != nil {
		a.Logger.Error("catalog index refresh failed", "err", err)
	}
	return sum, nil
}

// discardCreated removes the datasets of sets this import created.
func (a *App) discardCreated(ctx context.Context, p auth.Principal, sets []*catalog.Dataset, created []bool) {
	for i, d := range sets {
		if created[i] && d != nil {
			a.DiscardNew(context.WithoutCancel(ctx), p, d.ID)
		}
	}
}

func gtfsMeta(req GTFSImport, title string) catalog.Metadata {
	return catalog.Metadata{Title: title + " (" + req.Prefix + ")", Publisher: req.Org, Themes: []string{"TRAN"},
		Keywords: []string{"transport", "GTFS"}, Description: "Publié depuis un flux GTFS."}
}
