package ngsild

import (
	"math"
	"slices"
	"strings"
	"time"

	"github.com/socle/socle/internal/errs"
)

// Attribute kinds.
const (
	KindProperty           = "Property"
	KindRelationship       = "Relationship"
	KindGeoProperty        = "GeoProperty"
	KindLanguageProperty   = "LanguageProperty"
	KindVocabularyProperty = "VocabularyProperty"
)

// kindValueKey is the member that holds each kind's value.
var kindValueKey = map[string]string{KindProperty: "value", KindRelationship: "object", KindGeoProperty: "value",
	KindLanguageProperty: "languageMap", KindVocabularyProperty: "vocab"}

// keywords are the members of an attribute that are not sub-attributes.
var keywords = map[string]bool{"type": true, "value": true, "object": true, "languageMap": true, "vocab": true,
	"observedAt": true, "unitCode": true, "datasetId": true, "createdAt": true, "modifiedAt": true, "instanceId": true}

// geoTypes are the GeoJSON geometry types a GeoProperty may hold.
var geoTypes = []string{"Point", "MultiPoint", "LineString", "MultiLineString", "Polygon", "MultiPolygon"}

// ParseEntity reads an entity from its decoded JSON (normalized, or the
// concise and keyValues forms, where a bare value is a Property, an object
// with "object" a Relationship and a GeoJSON geometry a GeoProperty),
// expanding names through c. partial allows a missing id and type (the
// body of an attribute update). "@context" is ignored.
func ParseEntity(doc map[string]any, c *Context, partial bool) (*Entity, error) {
	e := &Entity{Attrs: map[string]Attribute{}}
	id, _ := doc["id"].(string)
	if id == "" {
		id, _ = doc["@id"].(string)
	}
	typ := doc["type"]
	if typ == nil {
		typ = doc["@type"]
	}
	if !partial || id != "" {
		if err := CheckID(id); err != nil {
			return nil, err
		}
		e.ID = id
	}
	if !partial || typ != nil {
		t, err := parseType(typ, c)
		if err != nil {
			return nil, err
		}
		e.Type = t
	}
	for k, v := range doc {
		switch k {
		case "id", "@id", "type", "@type", "@context", "createdAt", "modifiedAt", "scope":
			continue
		}
		if len(e.Attrs) == MaxAttrs {
			return nil, errs.E(errs.Invalid, "an entity has at most %d attributes", MaxAttrs)
		}
		if err := checkName(k); err != nil {
			return nil, err
		}
		a, err := parseAttribute(k, v, c, 0)
		if err != nil {
			return nil, err
		}
		e.Attrs[c.Expand(k)] = a
	}
	e.Location = LocationOf(e.Attrs)
	return e, nil
}

// CheckID refuses what is not an entity ID: a URI (scheme ':' rest).
func CheckID(id string) error {
	scheme, rest, ok := strings.Cut(id, ":")
	switch {
	case id == "":
		return errs.WithCode(errs.Invalid, "BadRequestData", "the entity has no id")
	case len(id) > MaxIDLength:
		return errs.WithCode(errs.Invalid, "BadRequestData", "the entity id is longer than %d bytes", MaxIDLength)
	case !ok || rest == "" || scheme == "" || strings.ContainsAny(id, " <>\"{}|\\^`\t\n\r") || !validScheme(scheme):
		return errs.WithCode(errs.Invalid, "BadRequestData", "the entity id %q is not a URI (urn:ngsi-ld:Type:…)", truncate(id, 80))
	}
	return nil
}

func validScheme(s string) bool {
	for i, c := range s {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || i > 0 && (c >= '0' && c <= '9' || c == '+' || c == '-' || c == '.')) {
			return false
		}
	}
	return true
}

// checkName refuses attribute names JSON-LD cannot take.
func checkName(k string) error {
	if k == "" || len(k) > 256 || strings.ContainsAny(k, " <>\"{}|\\^`=;()'&?") {
		return errs.WithCode(errs.Invalid, "BadRequestData", "invalid attribute name %q", truncate(k, 80))
	}
	return nil
}

func parseType(v any, c *Context) (string, error) {
	if list, ok := v.([]any); ok && len(list) == 1 {
		v = list[0]
	}
	s, ok := v.(string)
	if !ok || s == "" {
		return "", errs.WithCode(errs.Invalid, "BadRequestData", "the entity type must be one non-empty string")
	}
	if err := checkName(s); err != nil {
		return "", err
	}
	return c.Expand(s), nil
}

// parseAttribute normalizes one attribute; depth counts sub-attribute
// levels (two at most).
func parseAttribute(name string, v any, c *Context, depth int) (Attribute, error) {
	if depth > 2 {
		return nil, errs.WithCode(errs.Invalid, "BadRequestData", "attribute %s: sub-attributes nest too deep", name)
	}
	obj, ok := v.(map[string]any)
	if !ok {
		if _, isList := v.([]any); isList && depth == 0 {
			// A list of instances (datasetId) is not supported; a list
			// value is a Property.
			return checkValue(name, Attribute{"type": KindProperty, "value": v})
		}
		return checkValue(name, Attribute{"type": KindProperty, "value": v})
	}
	kind, _ := obj["type"].(string)
	switch {
	case kindValueKey[kind] != "":
	case obj["object"] != nil:
		kind = KindRelationship
	case obj["languageMap"] != nil:
		kind = KindLanguageProperty
	case obj["value"] != nil:
		kind = KindProperty
	case slices.Contains(geoTypes, kind) && obj["coordinates"] != nil:
		return checkValue(name, Attribute{"type": KindGeoProperty, "value": obj})
	default:
		// A JSON object value (keyValues form).
		return checkValue(name, Attribute{"type": KindProperty, "value": obj})
	}
	a := Attribute{"type": kind}
	for k, sub := range obj {
		switch {
		case k == "type":
		case keywords[k]:
			a[k] = sub
		default:
			if err := checkName(k); err != nil {
				return nil, err
			}
			s, err := parseAttribute(k, sub, c, depth+1)
			if err != nil {
				return nil, err
			}
			a[c.Expand(k)] = s
		}
	}
	return checkValue(name, a)
}

// checkValue enforces what each kind requires.
func checkValue(name string, a Attribute) (Attribute, error) {
	kind := a.Kind()
	key := kindValueKey[kind]
	v, ok := a[key]
	if !ok || v == nil {
		return nil, errs.WithCode(errs.Invalid, "BadRequestData", "attribute %s: a %s needs %q", name, kind, key)
	}
	switch kind {
	case KindRelationship:
		if s, ok := v.(string); !ok || !strings.Contains(s, ":") {
			if _, list := v.([]any); !list {
				return nil, errs.WithCode(errs.Invalid, "BadRequestData", "attribute %s: a Relationship's object must be a URI", name)
			}
		}
	case KindGeoProperty:
		if _, err := geometryOf(v); err != nil {
			return nil, errs.WithCode(errs.Invalid, "BadRequestData", "attribute %s: %s", name, errs.Message(err))
		}
	}
	if f, ok := v.(float64); ok && (math.IsNaN(f) || math.IsInf(f, 0)) {
		return nil, errs.WithCode(errs.Invalid, "BadRequestData", "attribute %s: not a number", name)
	}
	if s, ok := a["observedAt"]; ok {
		str, _ := s.(string)
		t, err := time.Parse(time.RFC3339Nano, str)
		if err != nil {
			return nil, errs.WithCode(errs.Invalid, "BadRequestData", "attribute %s: observedAt %v is not an ISO 8601 date-time", name, s)
		}
		a["observedAt"] = t.UTC().Format(TimeLayout)
	}
	return a, nil
}

// TimeLayout is how Socle writes times: UTC, milliseconds, Z.
const TimeLayout = "2006-01-02T15:04:05.000Z"

// LocationOf is the point of the location GeoProperty: a Point's position,
// the centre of the bounding box of other geometries.
func LocationOf(attrs map[string]Attribute) *Point {
	a, ok := attrs[LocationIRI]
	if !ok || a.Kind() != KindGeoProperty {
		return nil
	}
	g, err := geometryOf(a["value"])
	if err != nil {
		return nil
	}
	return g.Center()
}

// Apply combines an incoming entity with the stored one (nil when there
// is none) according to m at time now, and returns the entity to store and
// whether it is new. errs.Conflict (AlreadyExists) and errs.NotFound.
func Apply(stored, in *Entity, m Mode, now time.Time) (*Entity, bool, error) {
	if stored == nil {
		if m == Update || m == Append || m == AppendKeep {
			return nil, false, errs.WithCode(errs.NotFound, "ResourceNotFound", "entity %s does not exist", in.ID)
		}
		if in.Type == "" {
			return nil, false, errs.WithCode(errs.Invalid, "BadRequestData", "entity %s has no type", in.ID)
		}
		out := *in
		out.CreatedAt, out.ModifiedAt = now, now
		return &out, true, nil
	}
	if m == Create {
		return nil, false, errs.WithCode(errs.Conflict, "AlreadyExists", "entity %s already exists", in.ID)
	}
	out := *stored
	out.ModifiedAt = now
	if in.Type != "" {
		out.Type = in.Type
	}
	if m == Replace {
		out.Attrs = in.Attrs
	} else {
		out.Attrs = make(map[string]Attribute, len(stored.Attrs)+len(in.Attrs))
		for k, v := range stored.Attrs {
			out.Attrs[k] = v
		}
		for k, v := range in.Attrs {
			if _, exists := out.Attrs[k]; exists && m == AppendKeep {
				continue
			}
			out.Attrs[k] = v
		}
	}
	out.Location = LocationOf(out.Attrs)
	return &out, false, nil
}
