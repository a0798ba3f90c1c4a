package demo

import (
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/socle/socle/internal/catalog"
)

// snapshot is the instant the "live" datasets are a picture of.
var snapshot = time.Date(2026, 10, 15, 8, 0, 0, 0, time.UTC)

// carPark is a fixed car park of the demo.
type carPark struct {
	name    string
	commune int
	kind    string // ouvrage, enclos or voirie
	places  int
}

var carParks = []carPark{
	{"Parking de la Gare", 0, "ouvrage", 820}, {"Parking des Halles", 0, "ouvrage", 640},
	{"Parking de l'Hôtel de Ville", 0, "ouvrage", 450}, {"Parking Cathédrale", 0, "ouvrage", 380},
	{"Parking du Château", 0, "ouvrage", 520}, {"Parking Les Mariniers", 0, "enclos", 210},
	{"Parking Université", 0, "enclos", 300}, {"Parking Hôpital", 0, "ouvrage", 700},
	{"Parking Quai de Loire", 0, "voirie", 95}, {"Parc relais Les Rives", 0, "enclos", 400},
	{"Parc relais Technopole", 1, "enclos", 350}, {"Parking du Bourg", 1, "voirie", 80},
	{"Parking de la Mairie", 2, "voirie", 60}, {"Parc relais Pont Neuf", 2, "enclos", 280},
	{"Parking du Marché", 3, "enclos", 150}, {"Parking d'Authion", 4, "enclos", 120},
	{"Parking de la Levée", 5, "voirie", 70}, {"Parking des Sablons", 6, "enclos", 110},
	{"Parking du Port de l'Île", 7, "enclos", 90}, {"Parking Champ de Foire", 8, "enclos", 160},
	{"Parking du Clos", 9, "voirie", 50}, {"Parking de la Gare", 10, "enclos", 130},
	{"Parking Les Vignes", 11, "voirie", 45}, {"Parking Parc des Expositions", 0, "enclos", 1200},
	{"Parking Stade", 0, "enclos", 900},
}

func parkings() *DatasetSpec {
	d := dataset("parkings-disponibilites", catalog.AccessPublic, period(catalog.Metadata{
		Title:       "Parkings — disponibilités en temps réel",
		Description: "Places libres et taux d'occupation des parcs de stationnement de la métropole, relevés toutes les 5 minutes.",
		Publisher:   orgParking,
		Keywords:    []string{"stationnement", "parking", "temps réel", "mobilité"},
		Themes:      []string{"TRAN"},
		Frequency:   "UPDATE_CONT",
		License:     "etalab-2.0",
	}, snapshot, snapshot),
		field("id", "Identifiant", catalog.TypeText, "", "Identifiant du parc."),
		field("nom", "Nom du parking", catalog.TypeText, "", ""),
		communeField(),
		facet("exploitant", "Exploitant", ""),
		facet("type", "Type de parc", "ouvrage (en élévation ou souterrain), enclos (surface clôturée) ou voirie."),
		field("capacite", "Capacité", catalog.TypeInt, "places", "Nombre total de places."),
		field("places_libres", "Places libres", catalog.TypeInt, "places", "Vide quand le capteur ne répond pas."),
		field("taux_occupation", "Taux d'occupation", catalog.TypeDouble, "%", ""),
		field("places_pmr", "Places PMR", catalog.TypeInt, "places", "Places réservées aux personnes à mobilité réduite."),
		field("tarif_horaire", "Tarif horaire", catalog.TypeDouble, "€", "Tarif de la première heure ; 0 pour les parcs relais."),
		field("paiement", "Moyens de paiement", catalog.TypeText, "", "Liste séparée par des points-virgules."),
		geoField("Entrée principale du parc."),
		field("mise_a_jour", "Date de mise à jour", catalog.TypeDateTime, "", "Instant du dernier relevé (UTC)."),
	)
	return &DatasetSpec{Dataset: d, Keys: []string{"id"}, Rows: func() catalog.RowSource {
		r := newRand(d.ID)
		return &source{n: len(carParks), row: func(i int) catalog.Row {
			p := carParks[i]
			c := communes[p.commune]
			operator := "Val-de-Loire Stationnement"
			if p.kind == "voirie" {
				operator = "Régie de la " + metropolisName
			}
			occ := between(r, 0.35, 0.98)
			if strings.HasPrefix(p.name, "Parc relais") {
				occ = between(r, 0.6, 1)
			}
			free := int(math.Round(float64(p.places) * (1 - occ)))
			rate := round(100*float64(p.places-free)/float64(p.places), 1)
			tarif := 0.0
			if !strings.HasPrefix(p.name, "Parc relais") {
				tarif = round(between(r, 0.8, 2.6)*2, 0) / 2
			}
			pay := "CB; espèces; sans contact"
			if p.kind == "voirie" {
				pay = "CB; application mobile"
			}
			var freeV, rateV any = int64(free), rate
			if chance(r, 0.08) { // sensor offline
				freeV, rateV = nil, nil
			}
			updated := snapshot.Add(-time.Duration(r.IntN(600)) * time.Second)
			return catalog.Row{
				"PRK-" + pad(i+1, 3), p.name, c.name, operator, p.kind, int64(p.places),
				freeV, rateV, int64(max(2, p.places/50)), tarif, pay, c.near(r, 0.6), updated,
			}
		}}
	}}
}

// tramLines run through the main commune and its neighbours.
var tramLines = []string{"A", "B", "C"}

func stops() *DatasetSpec {
	d := dataset("arrets-transport", catalog.AccessPublic, period(catalog.Metadata{
		Title:       "Arrêts du réseau de transport en commun",
		Description: "Arrêts de tramway et de bus du réseau TVL, lignes desservies et accessibilité.",
		Publisher:   orgTransport,
		Keywords:    []string{"transport", "arrêts", "tramway", "bus", "GTFS", "accessibilité"},
		Themes:      []string{"TRAN"},
		Frequency:   "MONTHLY",
		License:     "ODbL-1.0",
	}, day(2026, 9, 1), day(2026, 12, 31)),
		field("id_arret", "Identifiant de l'arrêt", catalog.TypeText, "", "stop_id du flux GTFS."),
		field("nom", "Nom de l'arrêt", catalog.TypeText, "", ""),
		communeField(),
		field("lignes", "Lignes desservies", catalog.TypeText, "", "Lignes séparées par des virgules : lettres pour le tramway, numéros pour le bus."),
		field("accessible_pmr", "Accessible en fauteuil roulant", catalog.TypeBoolean, "", "wheelchair_boarding du GTFS."),
		field("abri", "Abri voyageurs", catalog.TypeBoolean, "", ""),
		geoField(""),
	)
	return &DatasetSpec{Dataset: d, Keys: []string{"id_arret"}, Rows: func() catalog.RowSource {
		r := newRand(d.ID)
		return &source{n: 400, row: func(i int) catalog.Row {
			c := weightedCommune(r)
			name := pick(r, places)
			switch r.IntN(3) {
			case 0:
				name = pick(r, people)
			case 1:
				s := pick(r, streets)
				name = strings.ToUpper(s[:1]) + s[1:]
			}
			var lines []string
			if c.insee <= "49903" && chance(r, 0.3) {
				lines = append(lines, pick(r, tramLines))
			}
			var bus []int
			for range intBetween(r, 1, 3) {
				if l := intBetween(r, 1, 40); !slices.Contains(bus, l) {
					bus = append(bus, l)
				}
			}
			slices.Sort(bus)
			for _, l := range bus {
				lines = append(lines, strconv.Itoa(l))
			}
			return catalog.Row{
				"VDL:" + pad(1001+i, 4), name, c.name, strings.Join(lines, ", "),
				chance(r, 0.78), chance(r, 0.45), c.near(r, 0.95),
			}
		}}
	}}
}
