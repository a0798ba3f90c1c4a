package transit

import (
	"io"
	"strings"

	"github.com/socle/socle/internal/catalog"
)

// The datasets an import publishes, named after the import's prefix.
const (
	SuffixStops      = "-arrets"
	SuffixRoutes     = "-lignes"
	SuffixTimetable  = "-horaires"
	SuffixCalendar   = "-calendrier"
	SuffixDepartures = "-prochains-passages"
)

func field(name, label string, t catalog.FieldType) catalog.Field {
	return catalog.Field{Name: name, Label: label, Type: t}
}

func indexed(f catalog.Field) catalog.Field {
	f.Indexed = true
	return f
}

// StopFields are the stops dataset's fields.
var StopFields = []catalog.Field{
	field("stop_id", "Identifiant de l'arrêt", catalog.TypeText),
	field("stop_code", "Code", catalog.TypeText),
	field("stop_name", "Nom", catalog.TypeText),
	field("stop_desc", "Description", catalog.TypeText),
	field("location_type", "Type de lieu", catalog.TypeInt),
	field("parent_station", "Station parente", catalog.TypeText),
	field("geo_point_2d", "Position", catalog.TypeGeoPoint),
}

// RouteFields are the routes dataset's fields.
var RouteFields = []catalog.Field{
	field("route_id", "Identifiant de la ligne", catalog.TypeText),
	field("agency_id", "Réseau", catalog.TypeText),
	field("route_short_name", "Nom court", catalog.TypeText),
	field("route_long_name", "Nom long", catalog.TypeText),
	field("route_type", "Mode", catalog.TypeInt),
	field("route_color", "Couleur", catalog.TypeText),
	field("route_text_color", "Couleur du texte", catalog.TypeText),
}

// TimetableFields are the timetable dataset's fields: stop_times.txt joined
// with trips, routes, calendar and stops. Times stay GTFS text (they may
// pass 24:00:00); departure_seconds is the same time in seconds, for
// computing; timezone is the agency's, in which the times are local.
// last_stop marks a trip's terminus, where it has no departure. trip_id,
// stop_id and departure_seconds are indexed: every realtime pull reads the
// rows of the feed's trips and those of the coming hours, and a stop's
// timetable is the common question.
var TimetableFields = []catalog.Field{
	indexed(field("trip_id", "Course", catalog.TypeText)),
	field("route_id", "Identifiant de la ligne", catalog.TypeText),
	field("route_short_name", "Ligne", catalog.TypeText),
	field("trip_headsign", "Destination", catalog.TypeText),
	field("direction_id", "Sens", catalog.TypeInt),
	field("service_id", "Service", catalog.TypeText),
	field("service_days", "Jours de service", catalog.TypeText),
	field("start_date", "Début du service", catalog.TypeDate),
	field("end_date", "Fin du service", catalog.TypeDate),
	field("stop_sequence", "Ordre de l'arrêt", catalog.TypeInt),
	indexed(field("stop_id", "Identifiant de l'arrêt", catalog.TypeText)),
	field("stop_name", "Arrêt", catalog.TypeText),
	field("arrival_time", "Arrivée", catalog.TypeText),
	field("departure_time", "Départ", catalog.TypeText),
	indexed(field("departure_seconds", "Départ (secondes après minuit)", catalog.TypeInt)),
	field("last_stop", "Terminus", catalog.TypeBoolean),
	field("timezone", "Fuseau horaire", catalog.TypeText),
	field("geo_point_2d", "Position de l'arrêt", catalog.TypeGeoPoint),
}

// CalendarFields are the fields of the service exceptions dataset
// (calendar_dates.txt).
var CalendarFields = []catalog.Field{
	field("service_id", "Service", catalog.TypeText),
	field("date", "Date", catalog.TypeDate),
	field("exception_type", "Exception (1 ajouté, 2 retiré)", catalog.TypeInt),
}

// CalendarRows yields the service exceptions dataset's rows.
func (f *Feed) CalendarRows() catalog.RowSource {
	return &rowsOf{n: len(f.Exceptions), row: func(i int) catalog.Row {
		e := f.Exceptions[i]
		t := int64(2)
		if e.Added {
			t = 1
		}
		return catalog.Row{e.ServiceID, e.Date, t}
	}}
}

// dayNames are the service days as the timetable writes them.
var dayNames = [7]string{"lun", "mar", "mer", "jeu", "ven", "sam", "dim"}

// rowsOf yields n rows made by row(i).
type rowsOf struct {
	n, i int
	row  func(i int) catalog.Row
}

func (r *rowsOf) Next() (catalog.Row, error) {
	if r.i >= r.n {
		return nil, io.EOF
	}
	r.i++
	return r.row(r.i - 1), nil
}

// StopRows yields the stops dataset's rows.
func (f *Feed) StopRows() catalog.RowSource {
	return &rowsOf{n: len(f.Stops), row: func(i int) catalog.Row {
		s := f.Stops[i]
		return catalog.Row{s.ID, null(s.Code), null(s.Name), null(s.Desc), s.LocationType, null(s.Parent), point(s.Point)}
	}}
}

// RouteRows yields the routes dataset's rows.
func (f *Feed) RouteRows() catalog.RowSource {
	return &rowsOf{n: len(f.Routes), row: func(i int) catalog.Row {
		r := f.Routes[i]
		return catalog.Row{r.ID, null(r.Agency), null(r.ShortName), null(r.LongName), r.Type, null(r.Color), null(r.TextColor)}
	}}
}

// TimetableRows streams the timetable dataset's rows from stop_times.txt
// on a goroutine; Close stops it early.
func (f *Feed) TimetableRows() *Timetable {
	tt := &Timetable{rows: make(chan catalog.Row, 256), done: make(chan struct{})}
	go func() {
		defer close(tt.rows)
		tt.err = f.eachStopTime(func(st StopTime) error {
			select {
			case tt.rows <- f.timetableRow(st):
				return nil
			case <-tt.done:
				return io.ErrClosedPipe
			}
		})
	}()
	return tt
}

func (f *Feed) timetableRow(st StopTime) catalog.Row {
	tr := f.Trips[f.trips[st.TripID]]
	r := f.Routes[f.routes[tr.RouteID]]
	s := f.Stops[f.stops[st.StopID]]
	var days any
	var start, end any
	if sv := f.services[tr.ServiceID]; sv != nil {
		var d []string
		for i, on := range sv.Days {
			if on {
				d = append(d, dayNames[i])
			}
		}
		days, start, end = strings.Join(d, ","), sv.Start, sv.End
	}
	var dir, dep any
	if tr.Direction != nil {
		dir = *tr.Direction
	}
	var arrText, depText any
	if st.Arrival >= 0 {
		arrText = FormatTime(st.Arrival)
	}
	if st.Departure >= 0 {
		dep, depText = int64(st.Departure), FormatTime(st.Departure)
	}
	return catalog.Row{tr.ID, r.ID, null(r.ShortName), null(tr.Headsign), dir, tr.ServiceID, days, start, end,
		st.Sequence, s.ID, null(s.Name), arrText, depText, dep, f.lastSeq[st.TripID] == st.Sequence, f.Timezone, point(s.Point)}
}

// Timetable is the stream of the timetable's rows (a catalog.RowSource).
type Timetable struct {
	rows chan catalog.Row
	done chan struct{}
	err  error
}

// Next returns the next row; io.EOF at the end.
func (t *Timetable) Next() (catalog.Row, error) {
	row, ok := <-t.rows
	if !ok {
		if t.err != nil {
			return nil, t.err
		}
		return nil, io.EOF
	}
	return row, nil
}

// Close stops the stream and waits for its goroutine.
func (t *Timetable) Close() {
	close(t.done)
	for range t.rows {
	}
}

func null(s string) any {
	if s == "" {
		return nil
	}
	return s
}

func point(p *catalog.GeoPoint) any {
	if p == nil {
		return nil
	}
	return *p
}
