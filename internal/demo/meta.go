package demo

import (
	"time"

	"github.com/socle/socle/internal/catalog"
)

// Labels every demo dataset carries, so that synthetic data is never
// mistaken for real data.
const (
	TitleSuffix       = " (données synthétiques)"
	DescriptionPrefix = "Données synthétiques générées pour la démonstration de Socle — ne pas réutiliser."
)

// dataset fills what every demo dataset shares: the synthetic labels,
// language, licence, spatial coverage and contact, unless already set.
func dataset(id string, access catalog.Access, m catalog.Metadata, fields ...catalog.Field) *catalog.Dataset {
	m.Title += TitleSuffix
	m.Description = DescriptionPrefix + " " + m.Description
	m.Synthetic = true
	m.Language = "fr"
	if m.License == "" {
		m.License = catalog.DefaultLicense
	}
	if m.Spatial == "" {
		m.Spatial = metropolisName
	}
	if m.ContactName == "" {
		m.ContactName = "Mission données — " + metropolisName
		m.ContactEmail = "opendata@val-de-loire.example"
	}
	return &catalog.Dataset{ID: id, Access: access, Meta: m, Fields: fields}
}

// period sets the temporal coverage from start to end, both included.
func period(m catalog.Metadata, start, end time.Time) catalog.Metadata {
	m.TemporalStart, m.TemporalEnd = ptr(start), ptr(end)
	return m
}

// field describes a column; unit and description may be empty.
func field(name, label string, t catalog.FieldType, unit, desc string) catalog.Field {
	return catalog.Field{Name: name, Label: label, Type: t, Unit: unit, Description: desc}
}

// facet describes a categorical text column offered as a facet.
func facet(name, label, desc string) catalog.Field {
	return catalog.Field{Name: name, Label: label, Type: catalog.TypeText, Description: desc, Facet: true}
}

// communeField is the commune name column, a facet in every dataset.
func communeField() catalog.Field {
	return facet("commune", "Commune", "Commune membre (fictive) de la métropole.")
}

// geoField is the WGS84 position column.
func geoField(desc string) catalog.Field {
	return field("geo_point", "Coordonnées géographiques", catalog.TypeGeoPoint, "", desc)
}
