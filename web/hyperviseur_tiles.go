package web

import (
	"context"
	"errors"
	"io"
	"math"
	"time"

	"github.com/socle/socle/internal/auth"
	"github.com/socle/socle/internal/catalog"
	"github.com/socle/socle/internal/errs"
	"github.com/socle/socle/internal/odsql"
	"github.com/socle/socle/internal/sensors"
)

// The hyperviseur's indicator tiles, for the territory's energy and water
// strategy, computed from live data each time the home page is rendered
// (not on its live refreshes):
//
//   - street lighting: the energy of the latest year in the street-lighting
//     dataset against the same months of its first year (the baseline),
//     towards −66 %;
//   - public buildings: the energy (electricity and heating) of the latest
//     year in the buildings dataset against its first year, towards −40 %
//     by 2030 (the décret tertiaire);
//   - water night flow: the sum over the water meters of their minimum
//     hourly flow between 2 and 5 a.m. (Paris time) last night, against the
//     mean of the previous seven nights: a rising night flow is a leak.
//
// A tile whose source the viewer may not read, or that has no data, says so.

// Sources of the tiles.
const (
	hvLightingDataset  = "eclairage-public-energie"
	hvBuildingsDataset = "energie-batiments"
	hvNightFrom        = 2 // hour, Paris time
	hvNightTo          = 5
)

// hvIndicator is one tile.
type hvIndicator struct {
	ID, Title      string
	Value, Compare string // the figure, and what it is measured against
	Goal           string
	Progress       int // % of the way to the goal, 0–100; -1 without a goal
	Source         string
	SourceURL      string
	Missing        bool
}

func (b *backOffice) indicators(ctx context.Context, p auth.Principal) []hvIndicator {
	return []hvIndicator{b.lightingTile(ctx, p), b.buildingsTile(ctx, p), b.nightFlowTile(ctx, p)}
}

// yearly runs an ODSQL aggregation over dataset id and returns its rows.
func (b *backOffice) yearly(ctx context.Context, p auth.Principal, id, sel, groupBy string) (*catalog.Dataset, []catalog.Row, error) {
	q := &odsql.Query{Limit: 1000}
	var err error
	if q.Select, err = odsql.ParseSelect(sel); err != nil {
		return nil, nil, err
	}
	if q.GroupBy, err = odsql.ParseGroupBy(groupBy); err != nil {
		return nil, nil, err
	}
	d, rows, err := b.app.Records(ctx, p, id, q)
	if err != nil {
		return nil, nil, err
	}
	defer rows.Close()
	var out []catalog.Row
	for {
		row, err := rows.Next()
		if errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			return nil, nil, err
		}
		out = append(out, row)
	}
	b.app.AuditRead(ctx, p, d, "hyperviseur.indicator", int64(len(out)))
	return d, out, nil
}

// progress is how far reduction (a fraction) went towards goal.
func progress(reduction, goal float64) int {
	return int(math.Round(100 * math.Max(0, math.Min(1, reduction/goal))))
}

func (b *backOffice) lightingTile(ctx context.Context, p auth.Principal) hvIndicator {
	t := hvIndicator{ID: "eclairage", Title: b.msgs.T("hyperviseur.ind.lighting"), Goal: b.msgs.T("hyperviseur.ind.lighting.goal"),
		SourceURL: "/datasets/" + hvLightingDataset}
	d, rows, err := b.yearly(ctx, p, hvLightingDataset, "year(mois) as y, month(mois) as m, sum(energie) as e", "year(mois), month(mois)")
	if err != nil || len(rows) == 0 {
		return b.missing(t, err)
	}
	t.Source = d.Meta.Title
	first, last := math.Inf(1), math.Inf(-1)
	for _, r := range rows {
		first, last = math.Min(first, toFloat(r[0])), math.Max(last, toFloat(r[0]))
	}
	months := map[float64]bool{}
	for _, r := range rows {
		if toFloat(r[0]) == last {
			months[toFloat(r[1])] = true
		}
	}
	var base, cur float64
	for _, r := range rows {
		switch y := toFloat(r[0]); {
		case y == first && months[toFloat(r[1])]:
			base += toFloat(r[2])
		case y == last:
			cur += toFloat(r[2])
		}
	}
	return b.energyTile(t, cur, base, int(first), int(last), 0.66)
}

func (b *backOffice) buildingsTile(ctx context.Context, p auth.Principal) hvIndicator {
	t := hvIndicator{ID: "batiments", Title: b.msgs.T("hyperviseur.ind.buildings"), Goal: b.msgs.T("hyperviseur.ind.buildings.goal"),
		SourceURL: "/datasets/" + hvBuildingsDataset}
	d, rows, err := b.yearly(ctx, p, hvBuildingsDataset, "annee, sum(conso_electricite) as el, sum(conso_chauffage) as ch", "annee")
	if err != nil || len(rows) == 0 {
		return b.missing(t, err)
	}
	t.Source = d.Meta.Title
	byYear := map[int]float64{}
	first, last := math.MaxInt, math.MinInt
	for _, r := range rows {
		y := int(toFloat(r[0]))
		byYear[y] = toFloat(r[1]) + toFloat(r[2])
		first, last = min(first, y), max(last, y)
	}
	return b.energyTile(t, byYear[last], byYear[first], first, last, 0.40)
}

// energyTile fills t with the energy of year last against the baseline.
func (b *backOffice) energyTile(t hvIndicator, cur, base float64, first, last int, goal float64) hvIndicator {
	if base <= 0 || first == last {
		return b.missing(t, nil)
	}
	change := cur/base - 1
	t.Value = b.msgs.T("hyperviseur.ind.mwh", frNumber(math.Round(cur/100)/10), last)
	t.Compare = b.msgs.T("hyperviseur.ind.change", frNumber(math.Round(change*1000)/10), first)
	t.Progress = progress(-change, goal)
	return t
}

// missing marks t as without data; an error other than not found is logged.
func (b *backOffice) missing(t hvIndicator, err error) hvIndicator {
	if err != nil && !errs.Is(err, errs.NotFound) {
		b.logger.Warn("hyperviseur indicator", "tile", t.ID, "err", err)
	}
	t.Missing, t.Progress = true, -1
	return t
}

func (b *backOffice) nightFlowTile(ctx context.Context, p auth.Principal) hvIndicator {
	t := hvIndicator{ID: "debit-nuit", Title: b.msgs.T("hyperviseur.ind.night"), Goal: b.msgs.T("hyperviseur.ind.night.goal"),
		Source: b.msgs.T("hyperviseur.ind.night.source"), SourceURL: "/hyperviseur?domain=water", Progress: -1}
	ds, err := b.app.Store.Devices(ctx, "water")
	if err != nil {
		return b.missing(t, err)
	}
	now := b.app.Now().In(paris)
	night := time.Date(now.Year(), now.Month(), now.Day(), hvNightFrom, 0, 0, 0, paris)
	if now.Hour() < hvNightTo {
		night = night.AddDate(0, 0, -1)
	}
	nights := make([]float64, 8) // [0] last night, [1..7] the week before
	seen := make([]bool, 8)
	for _, d := range ds {
		if _, ok := d.Property("flow"); !ok {
			continue
		}
		bs, err := b.app.Store.Aggregate(ctx, sensors.AggregateQuery{Device: d.ID, Property: "flow",
			From: night.AddDate(0, 0, -7).UTC(), To: night.Add((hvNightTo - hvNightFrom) * time.Hour).UTC(), Width: time.Hour})
		if err != nil {
			return b.missing(t, err)
		}
		addNightMinima(nights, seen, bs, night)
	}
	if !seen[0] {
		return b.missing(t, nil)
	}
	t.Value = b.msgs.T("hyperviseur.ind.m3h", frNumber(math.Round(nights[0]*10)/10))
	var sum float64
	n := 0
	for i := 1; i < 8; i++ {
		if seen[i] {
			sum, n = sum+nights[i], n+1
		}
	}
	if n == 0 {
		t.Compare = b.msgs.T("hyperviseur.ind.night.nobase")
		return t
	}
	t.Compare = b.msgs.T("hyperviseur.ind.night.change", frNumber(math.Round((nights[0]/(sum/float64(n))-1)*1000)/10), n)
	return t
}

// addNightMinima adds one meter's minimum hourly flow of each night
// (night k starts k days before last) to nights.
func addNightMinima(nights []float64, seen []bool, bs []sensors.Bucket, last time.Time) {
	mins := make([]float64, len(nights))
	for i := range mins {
		mins[i] = math.Inf(1)
	}
	for _, bk := range bs {
		at := bk.Start.In(paris)
		if at.Hour() < hvNightFrom || at.Hour() >= hvNightTo {
			continue
		}
		k := int(math.Round(last.Sub(time.Date(at.Year(), at.Month(), at.Day(), hvNightFrom, 0, 0, 0, paris)).Hours() / 24))
		if k >= 0 && k < len(nights) {
			mins[k] = math.Min(mins[k], bk.Avg)
		}
	}
	for k, m := range mins {
		if !math.IsInf(m, 1) {
			nights[k] += m
			seen[k] = true
		}
	}
}
