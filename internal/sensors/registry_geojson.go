package sensors

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"maps"
	"slices"
	"strings"

	"github.com/socle/socle/internal/catalog"
	"github.com/socle/socle/internal/errs"
)

// geoFeature is a device as a GeoJSON Feature, fields in written order.
type geoFeature struct {
	Type       string    `json:"type"`
	Geometry   *geoPoint `json:"geometry"`
	Properties geoProps  `json:"properties"`
}

type geoPoint struct {
	Type        string    `json:"type"`
	Coordinates []float64 `json:"coordinates"`
}

type geoProps struct {
	ID            string     `json:"id"`
	EUI           string     `json:"eui"`
	Name          string     `json:"name"`
	Type          string     `json:"type"`
	Model         string     `json:"model"`
	Domain        string     `json:"domain"`
	Commune       string     `json:"commune"`
	Org           string     `json:"org"`
	Operator      string     `json:"operator"`
	PeriodSeconds int        `json:"period_seconds"`
	InstalledAt   *string    `json:"installed_at"`
	Status        string     `json:"status"`
	Properties    []Property `json:"properties"`
}

// geoKeys are the keys a feature's properties may hold.
var geoKeys = []string{"id", "eui", "name", "type", "model", "domain", "commune", "org", "operator",
	"period_seconds", "installed_at", "status", "properties"}

// WriteDevicesGeoJSON writes ds as a FeatureCollection, one feature per
// line. errs.Invalid for a non-finite coordinate or range.
func WriteDevicesGeoJSON(w io.Writer, ds []*Device) error {
	bw := bufio.NewWriter(w)
	bw.WriteString(`{"type":"FeatureCollection","features":[`)
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	for i, d := range ds {
		if err := checkFinite(d); err != nil {
			return err
		}
		buf.Reset()
		if err := enc.Encode(feature(d)); err != nil {
			return err
		}
		if i > 0 {
			bw.WriteByte(',')
		}
		bw.WriteByte('\n')
		bw.Write(bytes.TrimSuffix(buf.Bytes(), []byte("\n")))
	}
	bw.WriteString("\n]}\n")
	return bw.Flush()
}

func feature(d *Device) geoFeature {
	f := geoFeature{Type: "Feature", Properties: geoProps{ID: d.ID, EUI: d.EUI, Name: d.Name, Type: d.Type,
		Model: d.Model, Domain: d.Domain, Commune: d.Commune, Org: d.Org, Operator: d.Operator,
		PeriodSeconds: d.PeriodSeconds, Status: d.Status, Properties: d.Properties}}
	if f.Properties.Properties == nil {
		f.Properties.Properties = []Property{}
	}
	if d.Location != nil {
		f.Geometry = &geoPoint{Type: "Point", Coordinates: []float64{d.Location.Lon, d.Location.Lat}}
	}
	if d.InstalledAt != nil {
		s := d.InstalledAt.UTC().Format(dateLayout)
		f.Properties.InstalledAt = &s
	}
	return f
}

// ReadDevicesGeoJSON reads a registry in the GeoJSON layout (UTF-8, with or
// without a byte-order mark). Errors are of kind errs.Invalid and name the
// feature, its line and the key; errs.TooLarge past MaxRegistryBytes or
// MaxRegistryDevices. Devices come in file order.
func ReadDevicesGeoJSON(r io.Reader) ([]*Device, error) {
	data, err := readRegistry(r)
	if err != nil {
		return nil, err
	}
	data = bytes.TrimPrefix(data, []byte("\uFEFF"))
	dec := json.NewDecoder(bytes.NewReader(data))
	if err := expectDelim(dec, data, '{', "the file must be a GeoJSON FeatureCollection"); err != nil {
		return nil, err
	}
	var typ string
	var out []*Device
	features := false
	for dec.More() {
		key, err := dec.Token()
		if err != nil {
			return nil, syntaxError(data, dec, err)
		}
		switch key {
		case "type":
			err = dec.Decode(&typ)
		case "features":
			if features {
				return nil, errs.E(errs.Invalid, "line %d: features appears twice", lineAt(data, dec.InputOffset()))
			}
			features = true
			out, err = readFeatures(dec, data)
		default: // a foreign member
			var skip json.RawMessage
			err = dec.Decode(&skip)
		}
		if err != nil {
			return nil, syntaxError(data, dec, err)
		}
	}
	if _, err := dec.Token(); err != nil {
		return nil, syntaxError(data, dec, err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, errs.E(errs.Invalid, "line %d: data after the FeatureCollection", lineAt(data, dec.InputOffset()))
	}
	if typ != "FeatureCollection" || !features {
		return nil, errs.E(errs.Invalid, "the file must be a GeoJSON FeatureCollection (type %q, with features)", typ)
	}
	return out, nil
}

// readFeatures reads the features array, the decoder being just before it.
func readFeatures(dec *json.Decoder, data []byte) ([]*Device, error) {
	if err := expectDelim(dec, data, '[', "features must be an array"); err != nil {
		return nil, err
	}
	var out []*Device
	for dec.More() {
		line := lineAt(data, dec.InputOffset())
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return nil, err
		}
		if len(out) == MaxRegistryDevices {
			return nil, errs.E(errs.TooLarge, "more than %d devices in the file", MaxRegistryDevices)
		}
		d, err := deviceFromFeature(raw)
		if err != nil {
			return nil, errs.E(errs.Invalid, "feature %d (line %d): %s", len(out)+1, line, errs.Message(err))
		}
		out = append(out, d)
	}
	_, err := dec.Token() // ]
	return out, err
}

func expectDelim(dec *json.Decoder, data []byte, want json.Delim, msg string) error {
	tok, err := dec.Token()
	if err != nil {
		return syntaxError(data, dec, err)
	}
	if tok != want {
		return errs.E(errs.Invalid, "line %d: %s", lineAt(data, dec.InputOffset()), msg)
	}
	return nil
}

// syntaxError names the line of a JSON error; classified errors pass.
func syntaxError(data []byte, dec *json.Decoder, err error) error {
	var e *errs.Error
	if errors.As(err, &e) {
		return err
	}
	off := dec.InputOffset()
	var se *json.SyntaxError
	if errors.As(err, &se) {
		off = se.Offset
	}
	if err == io.EOF || err == io.ErrUnexpectedEOF {
		return errs.E(errs.Invalid, "line %d: the JSON ends too early", lineAt(data, int64(len(data))))
	}
	return errs.Wrap(errs.Invalid, err, "line %d: invalid JSON: %v", lineAt(data, off), err)
}

// lineAt is the 1-based line of the first value at or after off, skipping
// the spaces and the comma that separate values.
func lineAt(data []byte, off int64) int {
	i := min(int(off), len(data))
	for i < len(data) && strings.IndexByte(" \t\r\n,", data[i]) >= 0 {
		i++
	}
	return 1 + bytes.Count(data[:i], []byte("\n"))
}

// deviceFromFeature builds a device from one feature.
func deviceFromFeature(raw json.RawMessage) (*Device, error) {
	var f struct {
		Type       string                     `json:"type"`
		Geometry   json.RawMessage            `json:"geometry"`
		Properties map[string]json.RawMessage `json:"properties"`
	}
	if err := json.Unmarshal(raw, &f); err != nil || f.Type != "Feature" {
		return nil, errs.E(errs.Invalid, "not a GeoJSON Feature with an object of properties")
	}
	d := &Device{}
	if err := readProps(d, f.Properties); err != nil {
		return nil, err
	}
	var err error
	if d.Location, err = readGeometry(f.Geometry); err != nil {
		return nil, err
	}
	return d, nil
}

// readGeometry reads a Point geometry, or null for no location. A third
// coordinate (an altitude) is ignored.
func readGeometry(raw json.RawMessage) (*catalog.GeoPoint, error) {
	if len(raw) == 0 || string(raw) == "null" {
		return nil, nil
	}
	var g geoPoint
	if err := json.Unmarshal(raw, &g); err != nil || g.Type != "Point" || len(g.Coordinates) < 2 || len(g.Coordinates) > 3 {
		return nil, errs.E(errs.Invalid, "geometry must be a Point [lon, lat] or null")
	}
	return checkPoint(g.Coordinates[0], g.Coordinates[1])
}

// readProps fills d from a feature's properties.
func readProps(d *Device, props map[string]json.RawMessage) error {
	for _, key := range slices.Sorted(maps.Keys(props)) {
		raw := props[key]
		if !slices.Contains(geoKeys, key) {
			return errs.E(errs.Invalid, "unknown property %q (expected %s)", key, strings.Join(geoKeys, ", "))
		}
		if err := readProp(d, key, raw); err != nil {
			return errs.E(errs.Invalid, "property %s: %s", key, errs.Message(err))
		}
	}
	return nil
}

// readProp sets the field of d that key names. null is the empty value.
func readProp(d *Device, key string, raw json.RawMessage) error {
	text := map[string]*string{"id": &d.ID, "eui": &d.EUI, "name": &d.Name, "type": &d.Type, "model": &d.Model,
		"domain": &d.Domain, "commune": &d.Commune, "org": &d.Org, "operator": &d.Operator, "status": &d.Status}
	if p, ok := text[key]; ok {
		var s *string
		if json.Unmarshal(raw, &s) != nil {
			return errs.E(errs.Invalid, "must be a string")
		}
		if s != nil {
			*p = strings.TrimSpace(*s)
		}
		return nil
	}
	var err error
	switch key {
	case "period_seconds":
		var n *json.Number
		if json.Unmarshal(raw, &n) != nil {
			return errs.E(errs.Invalid, "must be a whole number of seconds")
		}
		if n != nil {
			d.PeriodSeconds, err = parsePeriod(n.String())
		}
	case "installed_at":
		var s *string
		if json.Unmarshal(raw, &s) != nil {
			return errs.E(errs.Invalid, "must be a date YYYY-MM-DD")
		}
		if s != nil {
			d.InstalledAt, err = parseDate(strings.TrimSpace(*s))
		}
	case "properties":
		d.Properties, err = readPropertyList(raw)
	}
	return err
}

// readPropertyList reads [{name, unit, min, max}…]; empty gives nil.
func readPropertyList(raw json.RawMessage) ([]Property, error) {
	var items []json.RawMessage
	if json.Unmarshal(raw, &items) != nil {
		return nil, errs.E(errs.Invalid, "must be an array of {name, unit, min, max}")
	}
	var out []Property
	for i, item := range items {
		var p Property
		dec := json.NewDecoder(bytes.NewReader(item))
		dec.DisallowUnknownFields()
		if dec.Decode(&p) != nil {
			return nil, errs.E(errs.Invalid, "item %d must be an object {name, unit, min, max} with text name and unit, numeric min and max", i+1)
		}
		p.Name, p.Unit = strings.TrimSpace(p.Name), strings.TrimSpace(p.Unit)
		out = append(out, p)
	}
	return out, nil
}
