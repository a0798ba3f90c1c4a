package sensors

// The device registry's exchange formats: a CSV layout a steward can edit in
// a spreadsheet, and GeoJSON for GIS tools. Both carry the same fields, and
// both round-trip exactly: writing the devices a reader returned and reading
// the result again gives the same devices. Readers check syntax (numbers,
// dates, coordinates, the properties text); what a valid device is (ID
// syntax, known domain, unique property names…) is the import use case's
// business.
//
// # CSV layout
//
// One header line, then one device per line. Written with ',' and these
// columns in this order; read with ',' or ';' (whichever the header line
// holds more of), UTF-8 with or without a byte-order mark (anything else is
// read as Windows-1252, as every Socle import does), columns in any order,
// any of them left out but id. An unknown or repeated column is an error.
// Cells are trimmed of surrounding spaces.
//
//	id              the device ID (a slug)
//	eui             LoRaWAN DevEUI: 16 hexadecimal digits, or empty
//	name            display name
//	type            Smart Data Models type (WaterMeter, WasteContainer…)
//	model           manufacturer model (selects a payload decoder)
//	domain          water, waste, parking, lighting, buildings, air, mobility or other
//	lat, lon        WGS 84 decimal degrees, both or neither (a decimal comma is accepted)
//	commune         INSEE code or name of the commune
//	org             owning organization ID
//	operator        who runs the device
//	period_seconds  expected reporting period in whole seconds; empty means 0
//	installed_at    installation date, YYYY-MM-DD, or empty (a time of day is not kept)
//	status          active, maintenance or retired; empty means active
//	properties      what the device measures, see below
//
// The properties cell lists entries separated by '|'; each entry is
// name:unit:min:max, where unit, min and max may be empty and trailing
// empty parts left out: "flow:m3/h:0:500|battery:V::|alarm". A backslash
// makes the next character literal, so names and units may hold ':', '|'
// or '\' written as "\:", "\|" and "\\". Blank entries are skipped.
//
// # GeoJSON layout
//
// A FeatureCollection with one Feature per device: a Point geometry [lon,
// lat] (null when the device has no location) and, as properties, the CSV
// columns but lat and lon, period_seconds as a number, installed_at as a
// "YYYY-MM-DD" string or null, and properties as an array of {name, unit,
// min, max} objects. An unknown property key is an error; foreign members of
// the collection and the features are ignored.

import (
	"bytes"
	"encoding/csv"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/socle/socle/internal/catalog"
	"github.com/socle/socle/internal/errs"
	"github.com/socle/socle/internal/ingest"
)

// Limits of a registry file. A registry of 40,000 devices is a few
// megabytes: files are read whole, within these bounds.
const (
	MaxRegistryBytes   = 64 << 20
	MaxRegistryDevices = 200_000
)

// RegistryColumns are the columns of the CSV layout, in written order.
var RegistryColumns = []string{"id", "eui", "name", "type", "model", "domain", "lat", "lon",
	"commune", "org", "operator", "period_seconds", "installed_at", "status", "properties"}

// dateLayout is the layout of installed_at.
const dateLayout = "2006-01-02"

// ReadDevicesCSV reads a registry in the CSV layout. Errors are of kind
// errs.Invalid and name the line and column; errs.TooLarge past
// MaxRegistryBytes or MaxRegistryDevices. Devices come in file order, the
// n-th on line n+1.
func ReadDevicesCSV(r io.Reader) ([]*Device, error) {
	data, err := readRegistry(r)
	if err != nil {
		return nil, err
	}
	cr, _, err := ingest.NewCSVReader(bytes.NewReader(data), ingest.Options{Delimiter: sniffDelimiter(data)})
	if err != nil {
		return nil, err
	}
	defer cr.Close()
	cols, err := registryHeader(cr.Header())
	if err != nil {
		return nil, err
	}
	var out []*Device
	for {
		rec, err := cr.Next()
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return nil, err
		}
		if len(out) == MaxRegistryDevices {
			return nil, errs.E(errs.TooLarge, "more than %d devices in the file", MaxRegistryDevices)
		}
		d, err := deviceFromRecord(cols, rec)
		if err != nil {
			return nil, errs.E(errs.Invalid, "line %d, %s", cr.Line(), errs.Message(err))
		}
		out = append(out, d)
	}
}

// readRegistry reads a whole registry file, at most MaxRegistryBytes. A
// read error keeps its cause, so that an HTTP handler can tell a body over
// its limit.
func readRegistry(r io.Reader) ([]byte, error) {
	data, err := io.ReadAll(io.LimitReader(r, MaxRegistryBytes+1))
	if err != nil {
		return nil, errs.Wrap(errs.Invalid, err, "cannot read the file")
	}
	if len(data) > MaxRegistryBytes {
		return nil, errs.E(errs.TooLarge, "the file exceeds %d MiB", MaxRegistryBytes>>20)
	}
	return data, nil
}

// sniffDelimiter returns ';' when the header line holds more semicolons than
// commas, else ','. Column names hold neither.
func sniffDelimiter(data []byte) rune {
	line, _, _ := bytes.Cut(data, []byte("\n"))
	if bytes.Count(line, []byte(";")) > bytes.Count(line, []byte(",")) {
		return ';'
	}
	return ','
}

// registryHeader maps each column of the file to its index in
// RegistryColumns.
func registryHeader(header []string) ([]int, error) {
	cols := make([]int, len(header))
	seen := map[int]bool{}
	for i, label := range header {
		name := strings.ToLower(strings.TrimSpace(label))
		c := slices.Index(RegistryColumns, name)
		switch {
		case c < 0:
			return nil, errs.E(errs.Invalid, "line 1, column %d: unknown column %q (expected %s)", i+1, label, strings.Join(RegistryColumns, ", "))
		case seen[c]:
			return nil, errs.E(errs.Invalid, "line 1, column %d: column %q appears twice", i+1, name)
		}
		seen[c], cols[i] = true, c
	}
	if !seen[0] {
		return nil, errs.E(errs.Invalid, "line 1: the header has no id column")
	}
	return cols, nil
}

// deviceFromRecord builds a device from one record; an error names the
// column and is completed with the line by the caller.
func deviceFromRecord(cols []int, rec []string) (*Device, error) {
	cell := make([]string, len(RegistryColumns))
	for i, c := range cols {
		cell[c] = strings.TrimSpace(rec[i])
	}
	d := &Device{ID: cell[0], EUI: cell[1], Name: cell[2], Type: cell[3], Model: cell[4], Domain: cell[5],
		Commune: cell[8], Org: cell[9], Operator: cell[10], Status: cell[13]}
	var err error
	if d.Location, err = parseLocation(cell[6], cell[7]); err != nil {
		return nil, err
	}
	if d.PeriodSeconds, err = parsePeriod(cell[11]); err != nil {
		return nil, columnError("period_seconds", err)
	}
	if d.InstalledAt, err = parseDate(cell[12]); err != nil {
		return nil, columnError("installed_at", err)
	}
	if d.Properties, err = ParseProperties(cell[14]); err != nil {
		return nil, columnError("properties", err)
	}
	return d, nil
}

func columnError(col string, err error) error {
	return errs.E(errs.Invalid, "column %s: %s", col, errs.Message(err))
}

// parseLocation reads lat and lon cells: both empty is no location.
func parseLocation(lat, lon string) (*catalog.GeoPoint, error) {
	if lat == "" && lon == "" {
		return nil, nil
	}
	if lat == "" || lon == "" {
		return nil, errs.E(errs.Invalid, "columns lat and lon: give both or neither")
	}
	y, err := parseNumber(lat)
	if err != nil {
		return nil, columnError("lat", err)
	}
	x, err := parseNumber(lon)
	if err != nil {
		return nil, columnError("lon", err)
	}
	p, err := checkPoint(x, y)
	if err != nil {
		return nil, errs.E(errs.Invalid, "columns lat and lon: %s", errs.Message(err))
	}
	return p, nil
}

// checkPoint returns the point at lon x, lat y when both are in range.
func checkPoint(x, y float64) (*catalog.GeoPoint, error) {
	if y < -90 || y > 90 {
		return nil, errs.E(errs.Invalid, "latitude %v is outside [-90, 90]", y)
	}
	if x < -180 || x > 180 {
		return nil, errs.E(errs.Invalid, "longitude %v is outside [-180, 180]", x)
	}
	return &catalog.GeoPoint{Lon: x, Lat: y}, nil
}

// parseNumber reads a finite decimal number, with '.' or a lone ',' as the
// decimal separator (French spreadsheets write 45,76).
func parseNumber(s string) (float64, error) {
	t := s
	if strings.Count(t, ",") == 1 && !strings.Contains(t, ".") {
		t = strings.Replace(t, ",", ".", 1)
	}
	f, err := strconv.ParseFloat(t, 64)
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
		return 0, errs.E(errs.Invalid, "%q is not a number", s)
	}
	return f, nil
}

// parsePeriod reads a whole number of seconds; empty is 0.
func parsePeriod(s string) (int, error) {
	if s == "" {
		return 0, nil
	}
	n, err := strconv.ParseInt(s, 10, 32)
	if err != nil {
		return 0, errs.E(errs.Invalid, "%q is not a whole number of seconds", s)
	}
	return int(n), nil
}

// parseDate reads YYYY-MM-DD as midnight UTC; empty is no date.
func parseDate(s string) (*time.Time, error) {
	if s == "" {
		return nil, nil
	}
	t, err := time.Parse(dateLayout, s)
	if err != nil {
		return nil, errs.E(errs.Invalid, "%q is not a date in the form YYYY-MM-DD", s)
	}
	return &t, nil
}

// ParseProperties reads the compact properties text of the CSV layout
// ("flow:m3/h:0:500|battery:V::"). No entry gives a nil list.
func ParseProperties(s string) ([]Property, error) {
	var out []Property
	for i, entry := range splitEscaped(s, '|') {
		if strings.TrimSpace(entry) == "" {
			continue
		}
		parts := splitEscaped(entry, ':')
		if len(parts) > 4 {
			return nil, errs.E(errs.Invalid, "property %d (%q) has more than name:unit:min:max (escape ':' as \\:)", i+1, entry)
		}
		for j := range parts {
			parts[j] = strings.TrimSpace(unescape(parts[j]))
		}
		for len(parts) < 4 {
			parts = append(parts, "")
		}
		p := Property{Name: parts[0], Unit: parts[1]}
		var err error
		if p.Min, err = optionalNumber(parts[2]); err != nil {
			return nil, errs.E(errs.Invalid, "property %s: min %s", p.Name, errs.Message(err))
		}
		if p.Max, err = optionalNumber(parts[3]); err != nil {
			return nil, errs.E(errs.Invalid, "property %s: max %s", p.Name, errs.Message(err))
		}
		out = append(out, p)
	}
	return out, nil
}

func optionalNumber(s string) (*float64, error) {
	if s == "" {
		return nil, nil
	}
	f, err := parseNumber(s)
	if err != nil {
		return nil, err
	}
	return &f, nil
}

// splitEscaped splits s at every sep not preceded by an escaping
// backslash, keeping the escapes for unescape.
func splitEscaped(s string, sep byte) []string {
	var out []string
	start := 0
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '\\':
			i++
		case sep:
			out = append(out, s[start:i])
			start = i + 1
		}
	}
	return append(out, s[start:])
}

// unescape drops each escaping backslash; a trailing lone one is kept.
func unescape(s string) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+1 < len(s) {
			i++
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// propertyEscaper escapes what the properties text reserves.
var propertyEscaper = strings.NewReplacer(`\`, `\\`, `:`, `\:`, `|`, `\|`)

// FormatProperties writes ps in the compact text ParseProperties reads,
// every entry with its four parts.
func FormatProperties(ps []Property) string {
	var b strings.Builder
	for i, p := range ps {
		if i > 0 {
			b.WriteByte('|')
		}
		b.WriteString(propertyEscaper.Replace(p.Name))
		b.WriteByte(':')
		b.WriteString(propertyEscaper.Replace(p.Unit))
		b.WriteByte(':')
		b.WriteString(formatOptional(p.Min))
		b.WriteByte(':')
		b.WriteString(formatOptional(p.Max))
	}
	return b.String()
}

func formatOptional(f *float64) string {
	if f == nil {
		return ""
	}
	return formatNumber(*f)
}

// formatNumber writes the shortest text that parses back to f.
func formatNumber(f float64) string { return strconv.FormatFloat(f, 'g', -1, 64) }

// WriteDevicesCSV writes ds in the CSV layout, with ',' and LF line ends.
// errs.Invalid for a non-finite coordinate or range, which no reader takes.
func WriteDevicesCSV(w io.Writer, ds []*Device) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(RegistryColumns); err != nil {
		return err
	}
	for _, d := range ds {
		if err := checkFinite(d); err != nil {
			return err
		}
		if err := cw.Write(deviceRecord(d)); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

func deviceRecord(d *Device) []string {
	var lat, lon, installed string
	if d.Location != nil {
		lat, lon = formatNumber(d.Location.Lat), formatNumber(d.Location.Lon)
	}
	if d.InstalledAt != nil {
		installed = d.InstalledAt.UTC().Format(dateLayout)
	}
	return []string{d.ID, d.EUI, d.Name, d.Type, d.Model, d.Domain, lat, lon, d.Commune, d.Org, d.Operator,
		strconv.Itoa(d.PeriodSeconds), installed, d.Status, FormatProperties(d.Properties)}
}

// checkFinite refuses a device whose numbers no reader would take back.
func checkFinite(d *Device) error {
	bad := func(f float64) bool { return math.IsNaN(f) || math.IsInf(f, 0) }
	if d.Location != nil && (bad(d.Location.Lat) || bad(d.Location.Lon)) {
		return errs.E(errs.Invalid, "device %s: non-finite coordinates", d.ID)
	}
	for _, p := range d.Properties {
		if p.Min != nil && bad(*p.Min) || p.Max != nil && bad(*p.Max) {
			return errs.E(errs.Invalid, "device %s: property %s has a non-finite range", d.ID, p.Name)
		}
	}
	return nil
}
