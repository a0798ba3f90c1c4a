package demo

import (
	"math"
	"time"

	"github.com/socle/socle/internal/catalog"
)

// species of the tree inventory, with typical adult height (m) and
// circumference (cm).
var species = []struct {
	latin, common string
	height, circ  float64
}{
	{"Quercus robur", "Chêne pédonculé", 25, 320}, {"Platanus × acerifolia", "Platane commun", 28, 380},
	{"Tilia cordata", "Tilleul à petites feuilles", 20, 250}, {"Cedrus libani", "Cèdre du Liban", 27, 450},
	{"Fagus sylvatica", "Hêtre commun", 26, 300}, {"Sequoiadendron giganteum", "Séquoia géant", 35, 600},
	{"Ginkgo biloba", "Arbre aux quarante écus", 18, 220}, {"Magnolia grandiflora", "Magnolia à grandes fleurs", 12, 180},
	{"Acer pseudoplatanus", "Érable sycomore", 22, 260}, {"Fraxinus excelsior", "Frêne élevé", 24, 250},
	{"Juglans regia", "Noyer commun", 16, 240}, {"Castanea sativa", "Châtaignier", 20, 400},
	{"Taxus baccata", "If commun", 12, 280}, {"Pinus pinea", "Pin parasol", 18, 260},
	{"Liriodendron tulipifera", "Tulipier de Virginie", 25, 280}, {"Aesculus hippocastanum", "Marronnier d'Inde", 22, 300},
	{"Salix alba", "Saule blanc", 18, 270}, {"Populus nigra", "Peuplier noir", 28, 350},
	{"Carpinus betulus", "Charme commun", 16, 180}, {"Celtis australis", "Micocoulier de Provence", 18, 220},
	{"Quercus ilex", "Chêne vert", 15, 240}, {"Paulownia tomentosa", "Paulownia impérial", 14, 200},
	{"Metasequoia glyptostroboides", "Métaséquoia", 25, 250}, {"Cupressus sempervirens", "Cyprès de Provence", 20, 160},
}

func trees() *DatasetSpec {
	d := dataset("arbres-remarquables", catalog.AccessPublic, period(catalog.Metadata{
		Title:       "Arbres remarquables et patrimoine arboré",
		Description: "Inventaire des arbres d'alignement et de parc suivis par la métropole ; les sujets classés remarquables sont signalés.",
		Publisher:   MetropolisID,
		Keywords:    []string{"arbres", "patrimoine naturel", "biodiversité", "espaces verts"},
		Themes:      []string{"ENVI"},
		Frequency:   "ANNUAL",
	}, day(2023, 1, 1), day(2026, 6, 30)),
		field("id", "Identifiant", catalog.TypeText, "", ""),
		field("espece", "Genre et espèce", catalog.TypeText, "", "Nom scientifique (latin)."),
		facet("nom_commun", "Nom commun", "Nom vernaculaire français."),
		field("hauteur", "Hauteur", catalog.TypeDouble, "m", "Vide si non mesurée."),
		field("circonference", "Circonférence", catalog.TypeInt, "cm", "Mesurée à 1,30 m du sol."),
		field("annee_plantation", "Année de plantation", catalog.TypeInt, "", "Vide si inconnue."),
		communeField(),
		field("remarquable", "Arbre remarquable", catalog.TypeBoolean, "", "Classé au titre du patrimoine arboré."),
		geoField(""),
	)
	return &DatasetSpec{Dataset: d, Keys: []string{"id"}, Rows: func() catalog.RowSource {
		r := newRand(d.ID)
		return &source{n: 1500, row: func(i int) catalog.Row {
			s := pick(r, species)
			c := weightedCommune(r)
			age := 5 + int(math.Abs(r.NormFloat64())*70)
			grow := 1 - math.Exp(-float64(age)/40)
			h := round(s.height*grow*between(r, 0.7, 1.2), 1)
			circ := int64(math.Max(15, s.circ*grow*between(r, 0.6, 1.3)))
			remarkable := age > 120 || circ > int64(s.circ) || chance(r, 0.03)
			return catalog.Row{
				"ARB-" + pad(i+1, 5), s.latin, s.common, orNil(r, 0.04, h), circ,
				orNil(r, 0.15, int64(2025-age)), c.name, remarkable, c.near(r, 0.9),
			}
		}}
	}}
}

// airStation is a fixed monitoring station.
type airStation struct {
	name    string
	commune int
	kind    string  // station type in the French classification
	factor  float64 // traffic exposure, multiplies NO2 and PM
}

var airStations = []airStation{
	{"Bellerive — Roi-René", 0, "urbaine trafic", 1.6},
	{"Bellerive — Jardin des Plantes", 0, "urbaine de fond", 1.0},
	{"Les Ponts-de-Maine — Stade", 2, "périurbaine", 0.8},
	{"Beaufort-des-Îles — Levée", 7, "rurale", 0.55},
}

// pollutants measured at every station, with the ATMO 2021 sub-index
// upper bounds (µg/m³) of classes 1 to 5; above the last is class 6.
var pollutants = []struct {
	code   string
	base   float64
	bounds [5]float64
}{
	{"NO2", 22, [5]float64{40, 90, 120, 230, 340}},
	{"PM10", 17, [5]float64{20, 40, 50, 100, 150}},
	{"PM2.5", 9, [5]float64{10, 20, 25, 50, 75}},
	{"O3", 55, [5]float64{50, 100, 130, 240, 380}},
}

// airStart is the first hour of the air-quality series, 60 days long.
var airStart = time.Date(2026, 8, 1, 0, 0, 0, 0, time.UTC)

const airHours = 60 * 24

func airQuality() *DatasetSpec {
	d := dataset("qualite-air", catalog.AccessPublic, period(catalog.Metadata{
		Title:       "Qualité de l'air — mesures horaires",
		Description: "Concentrations horaires de NO2, PM10, PM2.5 et O3 aux stations de mesure et sous-indice ATMO correspondant.",
		Publisher:   orgAir,
		Keywords:    []string{"qualité de l'air", "pollution", "ATMO", "NO2", "particules", "ozone"},
		Themes:      []string{"ENVI", "HEAL"},
		Frequency:   "HOURLY",
	}, airStart, airStart.Add((airHours-1)*time.Hour)),
		facet("station", "Station de mesure", ""),
		facet("type_station", "Type de station", ""),
		communeField(),
		facet("polluant", "Polluant", "NO2, PM10, PM2.5 ou O3."),
		field("valeur", "Concentration", catalog.TypeDouble, "µg/m³", "Moyenne horaire ; vide si la mesure est invalide."),
		field("date_heure", "Date et heure", catalog.TypeDateTime, "", "Début de l'heure de mesure (UTC)."),
		field("indice_atmo", "Sous-indice ATMO", catalog.TypeInt, "", "1 (bon) à 6 (extrêmement mauvais), selon la grille ATMO 2021."),
		geoField(""),
	)
	return &DatasetSpec{Dataset: d, Keys: []string{"station", "polluant", "date_heure"}, Rows: func() catalog.RowSource {
		r := newRand(d.ID)
		locs := make([]catalog.GeoPoint, len(airStations))
		for i, s := range airStations {
			locs[i] = communes[s.commune].near(r, 0.5)
		}
		episode := 0.0 // slowly varying regional background, shared by stations
		n := len(airStations) * len(pollutants)
		return &source{n: airHours * n, row: func(i int) catalog.Row {
			h, s, p := i/n, airStations[(i/len(pollutants))%len(airStations)], pollutants[i%len(pollutants)]
			if i%n == 0 {
				episode = 0.97*episode + 0.03*r.NormFloat64()*3
			}
			t := airStart.Add(time.Duration(h) * time.Hour)
			local := float64((t.Hour() + 2) % 24) // CEST
			v := p.base * math.Exp(episode*0.35+0.25*r.NormFloat64())
			switch p.code {
			case "NO2":
				v *= s.factor * (0.6 + 0.7*peak(local, 8) + 0.6*peak(local, 18))
			case "O3":
				v *= (0.5 + 0.9*peak(local, 15)) / math.Sqrt(s.factor)
			default:
				v *= math.Sqrt(s.factor)
			}
			v = round(v, 1)
			var val, atmo any = v, int64(subIndex(v, p.bounds))
			if chance(r, 0.01) {
				val, atmo = nil, nil
			}
			return catalog.Row{s.name, s.kind, communes[s.commune].name, p.code, val, t, atmo, locs[(i/len(pollutants))%len(airStations)]}
		}}
	}}
}

// peak is a bell of width ~2 h centred on hour c.
func peak(hour, c float64) float64 {
	d := hour - c
	return math.Exp(-d * d / 8)
}

// subIndex is the ATMO class of v given the classes' upper bounds.
func subIndex(v float64, bounds [5]float64) int {
	for k, b := range bounds {
		if v <= b {
			return k + 1
		}
	}
	return 6
}

var wasteKinds = []struct {
	kind     string
	capacity []int // litres
	sensor   float64
}{
	{"verre", []int{3000, 4000, 5000}, 0.8},
	{"papier", []int{3000, 4000}, 0.6},
	{"textile", []int{2000, 2500}, 0.1},
	{"ordures", []int{4000, 5000}, 0.9},
}

func wastePoints() *DatasetSpec {
	d := dataset("points-apport-dechets", catalog.AccessPublic, period(catalog.Metadata{
		Title:       "Points d'apport volontaire des déchets",
		Description: "Conteneurs d'apport volontaire (verre, papier, textile, ordures ménagères) ; taux de remplissage des conteneurs équipés de sondes.",
		Publisher:   MetropolisID,
		Keywords:    []string{"déchets", "collecte", "tri", "conteneurs", "verre"},
		Themes:      []string{"ENVI"},
		Frequency:   "DAILY",
	}, day(2026, 9, 1), day(2026, 10, 15)),
		field("id", "Identifiant", catalog.TypeText, "", ""),
		facet("type", "Flux", "verre, papier, textile ou ordures."),
		communeField(),
		field("adresse", "Adresse", catalog.TypeText, "", ""),
		field("capacite", "Capacité", catalog.TypeInt, "L", ""),
		field("taux_remplissage", "Taux de remplissage", catalog.TypeDouble, "%", "Mesuré par sonde ; vide pour les conteneurs non équipés."),
		field("derniere_collecte", "Dernière collecte", catalog.TypeDateTime, "", "UTC."),
		geoField(""),
	)
	return &DatasetSpec{Dataset: d, Keys: []string{"id"}, Rows: func() catalog.RowSource {
		r := newRand(d.ID)
		return &source{n: 900, row: func(i int) catalog.Row {
			k := wasteKinds[r.IntN(len(wasteKinds))]
			c := weightedCommune(r)
			last := snapshot.Add(-time.Duration(intBetween(r, 2*3600, 20*86400)) * time.Second).Truncate(time.Minute)
			days := snapshot.Sub(last).Hours() / 24
			fill := math.Min(100, round(days*between(r, 3, 9)+between(r, 0, 8), 0))
			var fillV any = fill
			if !chance(r, k.sensor) {
				fillV = nil
			}
			return catalog.Row{
				"PAV-" + pad(i+1, 4), k.kind, c.name, address(r), int64(pick(r, k.capacity)),
				fillV, last, c.near(r, 0.9),
			}
		}}
	}}
}
