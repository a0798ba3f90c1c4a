package demo

import (
	"github.com/socle/socle/internal/catalog"
	"github.com/socle/socle/internal/live"
)

// LiveDataset is a demo dataset fed live by the simulated sensors.
type LiveDataset struct {
	Dataset *catalog.Dataset // ID, access and metadata; fields come from the feed
	Feed    live.Feed
}

// LiveDatasets returns the demo's real-time datasets: parking spot
// occupancy and waste container fill levels, one record per sensor,
// publishing only what is fit for opening (never a DevEUI).
func (t *Territory) LiveDatasets() []LiveDataset {
	free := 0.0
	spots := dataset("places-stationnement-temps-reel", catalog.AccessPublic, catalog.Metadata{
		Title:       "Places de stationnement — occupation en temps réel",
		Description: "État de chaque place équipée d'un capteur magnétique : libre ou occupée, mis à jour à chaque mesure.",
		Publisher:   MetropolisID, Keywords: []string{"stationnement", "capteurs", "temps réel"}, Themes: []string{"TRAN"},
		Frequency: "UPDATE_CONT",
	})
	bins := dataset("conteneurs-remplissage-temps-reel", catalog.AccessPublic, catalog.Metadata{
		Title:       "Conteneurs — taux de remplissage en temps réel",
		Description: "Taux de remplissage de chaque conteneur d'apport volontaire équipé d'une sonde, mis à jour à chaque mesure.",
		Publisher:   MetropolisID, Keywords: []string{"déchets", "collecte", "capteurs", "temps réel"}, Themes: []string{"ENVI"},
		Frequency: "UPDATE_CONT",
	})
	common := []live.Mapping{
		{Field: "capteur", Label: "Capteur", From: "id"},
		{Field: "nom", Label: "Nom", From: "name"},
		{Field: "commune", Label: "Commune (code INSEE)", From: "commune"},
		{Field: "localisation", Label: "Localisation", From: "location"},
	}
	return []LiveDataset{
		{spots, live.Feed{DatasetID: spots.ID, Domain: "parking", DeviceType: "ParkingSpot", Fields: append(common[:4:4],
			live.Mapping{Field: "libre", Label: "Place libre", From: "value:occupancy", Equals: &free},
			live.Mapping{Field: "occupation", Label: "Occupation (0 libre, 1 occupée)", From: "value:occupancy"},
			live.Mapping{Field: "mesure_le", Label: "Mesuré le", From: "observed"})}},
		{bins, live.Feed{DatasetID: bins.ID, Domain: "waste", DeviceType: "WasteContainer", Fields: append(common[:4:4],
			live.Mapping{Field: "remplissage", Label: "Taux de remplissage (%)", From: "value:fillingLevel"},
			live.Mapping{Field: "mesure_le", Label: "Mesuré le", From: "time:fillingLevel"})}},
	}
}
