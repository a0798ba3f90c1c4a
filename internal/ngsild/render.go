package ngsild

import (
	"sort"
)

// Options say how entities are rendered.
type Options struct {
	KeyValues bool            // the simplified form: attribute → value
	SysAttrs  bool            // createdAt and modifiedAt
	Attrs     map[string]bool // expanded names to keep; nil keeps all
}

// Render compacts an entity through c into its JSON object.
func Render(e *Entity, c *Context, o Options) map[string]any {
	out := make(map[string]any, len(e.Attrs)+4)
	out["id"] = e.ID
	out["type"] = c.Compact(e.Type)
	if o.SysAttrs {
		out["createdAt"] = e.CreatedAt.UTC().Format(TimeLayout)
		out["modifiedAt"] = e.ModifiedAt.UTC().Format(TimeLayout)
	}
	for iri, a := range e.Attrs {
		if o.Attrs != nil && !o.Attrs[iri] {
			continue
		}
		if o.KeyValues {
			out[c.Compact(iri)] = a.Value()
		} else {
			out[c.Compact(iri)] = compactAttr(a, c)
		}
	}
	return out
}

// compactAttr renames an attribute's sub-attributes through c.
func compactAttr(a Attribute, c *Context) map[string]any {
	out := make(map[string]any, len(a))
	for k, v := range a {
		if keywords[k] {
			out[k] = v
			continue
		}
		if sub, ok := v.(map[string]any); ok {
			out[c.Compact(k)] = compactAttr(sub, c)
		} else {
			out[c.Compact(k)] = v
		}
	}
	return out
}

// Feature renders an entity as a GeoJSON Feature: its location as the
// geometry, the rest as properties.
func Feature(e *Entity, c *Context, o Options) map[string]any {
	props := Render(e, c, o)
	delete(props, "id")
	var geom any
	if a, ok := e.Attrs[LocationIRI]; ok {
		geom = a["value"]
	}
	return map[string]any{"id": e.ID, "type": "Feature", "geometry": geom, "properties": props}
}

// AttrNames are the compacted names of e's attributes, sorted.
func AttrNames(e *Entity, c *Context) []string {
	out := make([]string, 0, len(e.Attrs))
	for iri := range e.Attrs {
		out = append(out, c.Compact(iri))
	}
	sort.Strings(out)
	return out
}
