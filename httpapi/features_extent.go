package httpapi

import (
	"context"
	"io"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/socle/socle/internal/catalog"
	"github.com/socle/socle/internal/export"
	oaf "github.com/socle/socle/internal/features"
	"github.com/socle/socle/internal/odsql"
)

// extents caches each collection's extent per state of its data (version,
// record count and modification time, which pushes move forward) and per
// view (an agreement's row filter narrows it): computing one reads the
// geometry of every record, too much for each /collections request.
var extents = struct {
	sync.Mutex
	m map[string]oaf.Extent
}{m: map[string]oaf.Extent{}}

// maxExtents bounds the cache; it is emptied when full (a few hundred
// datasets at most in practice).
const maxExtents = 4096

// extentTimeout bounds the reading of one collection's geometries. A
// collection too large to read in time is described without an extent
// (optional in the standard) until its data changes, rather than failing
// the whole collections list.
const extentTimeout = 10 * time.Second

// temporalField is the index of the field the datetime parameter and the
// temporal extent use: the first datetime field, else the first date
// field; -1 when there is none.
func temporalField(fields []catalog.Field) int {
	date := -1
	for i, f := range fields {
		if f.Type == catalog.TypeDateTime {
			return i
		}
		if f.Type == catalog.TypeDate && date < 0 {
			date = i
		}
	}
	return date
}

func extentKey(d *catalog.Dataset, geo, tm string) string {
	k := []string{d.ID, d.UID, strconv.Itoa(d.Version), strconv.FormatInt(d.Records, 10),
		strconv.FormatInt(d.Modified.UnixNano(), 10), geo, tm}
	if d.Shared != nil {
		k = append(k, d.Shared.Agreement, d.Shared.Filter)
	}
	return strings.Join(k, "\x00")
}

// extent returns the spatial and temporal extent of d as the caller sees
// it, from the cache or by reading the geometry and time of every record.
func (s *Server) extent(ctx context.Context, d *catalog.Dataset) (oaf.Extent, error) {
	g, t := export.GeometryField(d.Fields), temporalField(d.Fields)
	if g < 0 || d.Version == 0 {
		return oaf.Extent{}, nil
	}
	sel := []odsql.SelectItem{{Kind: odsql.SelectExpr, Expr: &odsql.Ident{Name: d.Fields[g].Name, Quoted: true}, Text: d.Fields[g].Name}}
	tm := ""
	if t >= 0 {
		tm = d.Fields[t].Name
		sel = append(sel, odsql.SelectItem{Kind: odsql.SelectExpr, Expr: &odsql.Ident{Name: tm, Quoted: true}, Text: tm})
	}
	key := extentKey(d, d.Fields[g].Name, tm)
	extents.Lock()
	cached, ok := extents.m[key]
	extents.Unlock()
	if ok {
		return cached, nil
	}
	ectx, cancel := context.WithTimeout(ctx, extentTimeout)
	defer cancel()
	ext, err := s.readExtent(ectx, d, sel)
	switch {
	case err != nil && ctx.Err() == nil && ectx.Err() != nil:
		s.logger.Warn("collection extent not computed in time", "dataset", d.ID, "timeout", extentTimeout)
		ext = oaf.Extent{}
	case err != nil:
		return ext, err
	}
	extents.Lock()
	if len(extents.m) >= maxExtents {
		clear(extents.m)
	}
	extents.m[key] = ext
	extents.Unlock()
	return ext, nil
}

// readExtent reads the selected geometry (and time) of every record.
func (s *Server) readExtent(ctx context.Context, d *catalog.Dataset, sel []odsql.SelectItem) (oaf.Extent, error) {
	var ext oaf.Extent
	rows, err := s.app.Store.Query(ctx, d, &odsql.Query{Select: sel, Limit: -1})
	if err != nil {
		return ext, err
	}
	defer rows.Close()
	for {
		row, err := rows.Next()
		if err == io.EOF {
			return ext, nil
		} else if err != nil {
			return ext, err
		}
		ext.AddGeometry(row[0])
		if len(row) > 1 {
			ext.AddTime(row[1])
		}
	}
}
