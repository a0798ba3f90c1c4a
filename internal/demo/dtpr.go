package demo

import (
	"slices"
	"time"

	"github.com/socle/socle/internal/catalog"
	"github.com/socle/socle/internal/dtpr"
	"github.com/socle/socle/internal/sensors"
)

// The demo's sensor transparency (DTPR): a plausible datachain for every
// device of the fleet — none of which collects personal data, so all are
// white — and, on the square of Bellerive-sur-Loire, two sensors that show
// the other colours: a pedestrian counter whose video is de-identified on
// the device (blue) and a CCTV camera (yellow).

// SquareDevices returns the two sensors of the square, which send no data.
func (t *Territory) SquareDevices() []*sensors.Device {
	at := day(2025, time.September, 1)
	c := communes[0]
	return []*sensors.Device{
		{ID: "compteur-pietons-place", Name: "Compteur de piétons, place du Marché, " + c.name, Type: "CrowdFlowObserved",
			Model: "VDL-Count-Cam", Domain: "mobility", Location: &catalog.GeoPoint{Lat: 47.4752, Lon: -0.5548},
			Commune: c.insee, Org: MetropolisID, Operator: MetropolisID, InstalledAt: &at, Status: sensors.StatusActive},
		{ID: "camera-place", Name: "Caméra de vidéoprotection, place du Marché, " + c.name, Type: "Camera",
			Model: "VDL-CCTV", Domain: "other", Location: &catalog.GeoPoint{Lat: 47.4749, Lon: -0.5553},
			Commune: c.insee, Org: MetropolisID, Operator: "Police municipale", InstalledAt: &at, Status: sensors.StatusActive},
	}
}

// metropolis is the accountable body of every demo chain.
var metropolis = dtpr.Party{Kind: "institution", Name: metropolisName}

// Datachain returns the datachain of a demo device, by its domain (or ID
// for the square's sensors); nil for a device the demo gives none.
func (t *Territory) Datachain(d *sensors.Device) *dtpr.Chain {
	hosting := "Serveurs de la " + metropolisName + " (France)"
	c := &dtpr.Chain{Accountable: []dtpr.Party{metropolis}, Data: []string{"values_time"},
		Process: []string{"aggregated", "transport_layer_security"}, Access: []string{"available_to_download", "available_to_the_accountable_organization"},
		Storage: []string{"stored_locally"}, Retention: "data_retained", RetentionDuration: "2 ans (données brutes 90 jours)", Hosting: hosting}
	switch d.ID {
	case "compteur-pietons-place":
		c.Purpose, c.Tech = []string{"planning_decision_making", "mobility"}, []string{"de_identified_video", "person_detection"}
		c.Data, c.Process = []string{"tabular"}, []string{"de_identified", "aggregated"}
		c.Summary = "Compte les piétons qui traversent la place ; les images sont analysées dans le capteur et jamais enregistrées ni transmises."
		return c
	case "camera-place":
		c.Purpose, c.Tech = []string{"safety_security"}, []string{"video_camera", "identifiable_video"}
		c.Data, c.Process = []string{"personal", "pixel_based_image"}, []string{"encrypted_at_rest", "regulated"}
		c.Access = []string{"not_available_to_me", "available_to_the_accountable_organization"}
		c.RetentionDuration, c.Hosting = "30 jours", "Centre de supervision urbain de la "+metropolisName
		c.Summary = "Vidéoprotection autorisée par arrêté préfectoral ; images consultées uniquement sur réquisition."
		return c
	}
	switch d.Domain {
	case "water":
		c.Purpose, c.Tech = []string{"water_efficiency"}, []string{"water_quality"}
		c.Accountable = append(c.Accountable, dtpr.Party{Kind: "organization", Name: "Eaux de Val-de-Loire"})
		c.Summary = "Mesure le débit du réseau d'eau potable pour repérer les fuites."
	case "waste":
		c.Purpose, c.Tech = []string{"waste_management"}, []string{"ultrasonic_level_sensor"}
		c.Summary = "Mesure le remplissage du conteneur pour vider au bon moment."
	case "parking":
		c.Purpose, c.Tech = []string{"mobility"}, []string{"motion_detector", "induction_loop"}
		c.Data = []string{"boolean", "values_time"}
		c.Summary = "Indique si la place de stationnement est libre ; aucune plaque n'est lue."
	case "lighting":
		c.Purpose, c.Tech = []string{"energy_efficiency", "switch"}, []string{"passive_infrared_sensor"}
		c.Summary = "Pilote l'éclairage public et mesure sa consommation ; un détecteur de présence module l'intensité."
	case "air":
		c.Purpose, c.Tech = []string{"ecology", "health"}, []string{"air_quality"}
		c.Accountable = append(c.Accountable, dtpr.Party{Kind: "organization", Name: "Air Val-de-Loire"})
		c.Summary = "Mesure le dioxyde d'azote dans l'air."
	default:
		return nil
	}
	return c
}

// SquareDeployment groups the square's two sensors: one page, one sign and
// one opinion form for the place, yellow since the camera films people.
func (t *Territory) SquareDeployment() *dtpr.Deployment {
	sq := t.SquareDevices()
	counter, camera := t.Datachain(sq[0]), t.Datachain(sq[1])
	c := *camera
	c.Purpose = []string{"safety_security", "planning_decision_making", "mobility"}
	c.Tech = append(slices.Clone(counter.Tech), camera.Tech...)
	c.Data = append(slices.Clone(camera.Data), counter.Data...)
	c.Process = append(slices.Clone(camera.Process), counter.Process...)
	c.Summary = "Une caméra de vidéoprotection (images conservées 30 jours) et un compteur de piétons qui n'enregistre aucune image."
	return &dtpr.Deployment{ID: "place-du-marche", Name: "Place du Marché, " + communes[0].name, Place: "Place du Marché, centre-ville",
		Commune: communes[0].insee, Devices: []string{sq[0].ID, sq[1].ID}, Chain: &c}
}
