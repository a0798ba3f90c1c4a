package demo

import (
	"math"
	"math/rand/v2"
	"strconv"
	"time"

	"github.com/socle/socle/internal/catalog"
)

// pool is a fixed swimming pool, listed in equipements-publics and counted
// in frequentation-piscines.
type pool struct {
	name     string
	commune  int
	capacity int  // typical busy-day entries
	outdoor  bool // open-air only: open in summer
}

var pools = []pool{
	{"Centre aquatique Aqualoire", 0, 1800, false},
	{"Piscine des Mariniers", 0, 900, false},
	{"Piscine des Coteaux", 1, 600, false},
	{"Piscine Olympe-de-Gouges", 2, 550, false},
	{"Piscine du Val d'Authion", 4, 450, false},
	{"Piscine d'été des Îles", 7, 700, true},
}

// facilityKinds lists categories with their weight and opening hours.
var facilityKinds = []struct {
	category string
	weight   int
	prefix   string
	hours    []string
}{
	{"école", 40, "École ", []string{"Lun, mar, jeu, ven 8h30-16h30; mer 8h30-12h"}},
	{"gymnase", 14, "Gymnase ", []string{"Lun-ven 8h-22h; sam 9h-18h", "Lun-dim 8h-22h"}},
	{"médiathèque", 8, "Médiathèque ", []string{"Mar-sam 10h-18h; mer 10h-19h", "Mar, mer, ven 14h-18h; sam 10h-17h"}},
	{"crèche", 9, "Crèche ", []string{"Lun-ven 7h30-18h30"}},
	{"salle polyvalente", 8, "Salle ", []string{"Sur réservation"}},
	{"centre social", 5, "Centre social ", []string{"Lun-ven 9h-12h; 14h-18h"}},
	{"stade", 8, "Stade ", []string{"Lun-dim 8h-22h", "Accès libre"}},
	{"conservatoire", 2, "Conservatoire ", []string{"Lun-sam 9h-20h"}},
	{"déchèterie", 3, "Déchèterie ", []string{"Lun-sam 9h-12h; 14h-18h; fermée les jours fériés"}},
	{"maison France services", 3, "Maison France services ", []string{"Lun-ven 9h-12h30; 13h30-17h"}},
}

func facilities() *DatasetSpec {
	d := dataset("equipements-publics", catalog.AccessPublic, period(catalog.Metadata{
		Title:       "Équipements publics",
		Description: "Équipements municipaux et métropolitains : écoles, gymnases, piscines, médiathèques, mairies… avec horaires et accessibilité.",
		Publisher:   MetropolisID,
		Keywords:    []string{"équipements", "services publics", "horaires", "accessibilité"},
		Themes:      []string{"GOVE", "EDUC", "SOCI"},
		Frequency:   "MONTHLY",
	}, day(2026, 1, 1), day(2026, 10, 15)),
		field("id", "Identifiant", catalog.TypeText, "", ""),
		field("nom", "Nom", catalog.TypeText, "", ""),
		facet("categorie", "Catégorie", ""),
		communeField(),
		field("adresse", "Adresse", catalog.TypeText, "", ""),
		field("horaires", "Horaires d'ouverture", catalog.TypeText, "", "Plages séparées par des points-virgules ; vide si non communiqués."),
		field("accessible_pmr", "Accessible aux personnes à mobilité réduite", catalog.TypeBoolean, "", ""),
		field("telephone", "Téléphone", catalog.TypeText, "", ""),
		geoField(""),
	)
	total := 0
	for _, k := range facilityKinds {
		total += k.weight
	}
	return &DatasetSpec{Dataset: d, Keys: []string{"id"}, Rows: func() catalog.RowSource {
		r := newRand(d.ID)
		return &source{n: 600, row: func(i int) catalog.Row {
			var c commune
			var name, category, hours string
			switch {
			case i < len(communes):
				c, category = communes[i], "mairie"
				name, hours = "Mairie "+of(c.name), "Lun-ven 8h30-12h; 13h30-17h30; sam 9h-12h"
			case i < len(communes)+len(pools):
				p := pools[i-len(communes)]
				c, category, name = communes[p.commune], "piscine", p.name
				hours = "Lun-ven 12h-14h; 17h-21h; sam-dim 9h-19h"
				if p.outdoor {
					hours = "Du 15 juin au 31 août : tous les jours 10h-20h"
				}
			default:
				c = weightedCommune(r)
				n := r.IntN(total)
				k := facilityKinds[0]
				for _, k = range facilityKinds {
					if n < k.weight {
						break
					}
					n -= k.weight
				}
				category, name, hours = k.category, k.prefix+facilityName(r, k.category), pick(r, k.hours)
			}
			return catalog.Row{
				"EQP-" + pad(i+1, 4), name, category, c.name, address(r), orNil(r, 0.05, hours),
				chance(r, 0.72), orNil(r, 0.1, phone(r)), c.near(r, 0.85),
			}
		}}
	}}
}

func facilityName(r *rand.Rand, category string) string {
	switch category {
	case "école":
		return pick(r, []string{"maternelle ", "élémentaire ", "primaire "}) + pick(r, people)
	case "stade", "salle polyvalente", "déchèterie", "maison France services":
		return pick(r, []string{"des ", "de "}) + pick(r, []string{"Rives", "Coteaux", "Prés", "Sablons", "la Levée", "l'Authion", "la Roseraie", "Bel-Air"})
	}
	return pick(r, people)
}

// phone returns a French landline of the Pays de la Loire (02).
func phone(r *rand.Rand) string {
	s := "02 41"
	for range 4 {
		s += " " + pad(r.IntN(100), 2)
	}
	return s
}

// associationKinds make up beneficiaries' names together with a commune.
var associationKinds = []string{
	"Association sportive", "Comité des fêtes", "Amicale laïque", "Football club", "Union musicale",
	"Les Amis du patrimoine", "Compagnie théâtrale La Levée", "Secours solidaire", "Maison des jeunes et de la culture",
	"Jardins partagés", "Club de l'Âge d'Or", "Association des parents d'élèves", "Cercle d'échecs", "Tennis club",
	"Judo club", "Banque alimentaire", "Ciné-club", "Chorale À Cœur Joie", "Aviron club", "Office de tourisme associatif",
}

var subsidyObjects = []string{
	"Subvention de fonctionnement",
	"Organisation du festival « Les Rives en fête »; frais techniques et sécurité",
	"Achat de matériel sportif",
	"Projet d'éducation à l'environnement dans les écoles",
	"Accompagnement à la scolarité; aide aux devoirs",
	"Animation estivale des quartiers",
	"Aide au déplacement en compétition nationale",
	"Rénovation du local associatif",
	"Saison culturelle; résidences d'artistes",
	"Distribution alimentaire et épicerie solidaire",
	"Actions de prévention santé auprès des seniors",
	"Fête de la Loire; marché des producteurs",
}

// dispositifs are fictional aid schemes, as dispositifAide identifiers.
var dispositifs = []string{
	"6f1c2a10-0b3e-4c7d-9a52-3e8d1f0a7b01", "a2d94c3e-57b1-4f08-8c6a-1b2e3f4a5c02",
	"c7e8f9a0-1b2c-4d3e-8f4a-5b6c7d8e9f03",
}

func subsidies() *DatasetSpec {
	d := dataset("subventions-associations", catalog.AccessPublic, period(catalog.Metadata{
		Title:       "Subventions attribuées aux associations",
		Description: "Subventions versées aux associations par la métropole et ses communes, au format du schéma SCDL « subventions ». Les noms de champs sont ceux du schéma, normalisés en minuscules.",
		Publisher:   MetropolisID,
		Keywords:    []string{"subventions", "associations", "SCDL", "transparence", "budget"},
		Themes:      []string{"GOVE", "ECON"},
		Frequency:   "ANNUAL",
		ConformsTo:  "https://schema.data.gouv.fr/scdl/subventions/2.1.1/schema.json",
	}, day(2023, 1, 1), day(2026, 10, 31)),
		field("nomattribuant", "Nom de l'attribuant", catalog.TypeText, "", "SCDL nomAttribuant."),
		field("idattribuant", "Identification de l'attribuant", catalog.TypeText, "", "SCDL idAttribuant : SIRET (14 chiffres)."),
		field("dateconvention", "Date de la convention de subvention", catalog.TypeDate, "", "SCDL dateConvention."),
		field("referencedecision", "Référence de la décision", catalog.TypeText, "", "SCDL referenceDecision."),
		field("nombeneficiaire", "Nom du bénéficiaire", catalog.TypeText, "", "SCDL nomBeneficiaire."),
		field("idbeneficiaire", "Identification SIRET du bénéficiaire", catalog.TypeText, "", "SCDL idBeneficiaire."),
		field("rnabeneficiaire", "Identification RNA du bénéficiaire", catalog.TypeText, "", "SCDL rnaBeneficiaire : W suivi de 9 chiffres."),
		field("objet", "Objet de la subvention", catalog.TypeText, "", "SCDL objet."),
		field("montant", "Montant total de la subvention", catalog.TypeDouble, "€", "SCDL montant."),
		catalog.Field{Name: "nature", Label: "Nature de la subvention", Type: catalog.TypeText, Description: "SCDL nature.", Facet: true},
		catalog.Field{Name: "conditionsversement", Label: "Conditions de versement de la subvention", Type: catalog.TypeText, Description: "SCDL conditionsVersement.", Facet: true},
		field("datesperiodeversement", "Date ou période de versement", catalog.TypeText, "", "SCDL datesPeriodeVersement : AAAA-MM-JJ ou AAAA-MM-JJ/AAAA-MM-JJ."),
		field("idrae", "Identifiant RAE de l'aide", catalog.TypeText, "", "SCDL idRAE."),
		field("notificationue", "Aide d'État notifiée à la Commission européenne", catalog.TypeBoolean, "", "SCDL notificationUE."),
		field("pourcentagesubvention", "Pourcentage du montant attribué au bénéficiaire", catalog.TypeDouble, "", "SCDL pourcentageSubvention, entre 0,01 et 1."),
		field("dispositifaide", "Identifiant du dispositif d'aide", catalog.TypeText, "", "SCDL dispositifAide."),
	)
	metroSIRET := siret(siren(200000), 12)
	return &DatasetSpec{Dataset: d, Schema: scdlSubsidiesSchema, Rows: func() catalog.RowSource {
		r := newRand(d.ID)
		return &source{n: 800, row: func(i int) catalog.Row {
			b := (i*7 + r.IntN(3)) % (len(communes) * len(associationKinds)) // beneficiary number
			bc := communes[b%len(communes)]
			beneficiary := associationKinds[b/len(communes)] + " " + of(bc.name)
			bSIREN := siren(400000 + b*37)
			giver, giverID := metropolisName, metroSIRET
			if chance(r, 0.35) {
				giver, giverID = "Ville "+of(bc.name), siret(siren(210000+communeIndex(bc)), 17)
			}
			date := day(2023, 1, 1).AddDate(0, 0, r.IntN(1400))
			amount := round(math.Exp(between(r, math.Log(300), math.Log(120000))), 2)
			if amount > 1000 {
				amount = math.Round(amount/50) * 50
			}
			cond, dates := "unique", date.AddDate(0, 0, intBetween(r, 15, 90)).Format(time.DateOnly)
			switch {
			case amount > 23000 && chance(r, 0.7):
				cond = "échelonné"
				dates += "/" + date.AddDate(1, 0, 0).Format(time.DateOnly)
			case chance(r, 0.05):
				cond = "autre : versement sur justificatifs; solde après bilan"
			}
			nature := "aide en numéraire"
			if chance(r, 0.08) {
				nature = pick(r, []string{"aide en nature", "aide en numéraire;aide en nature"})
			}
			share := 1.0
			if chance(r, 0.05) {
				share = pick(r, []float64{0.5, 0.33, 0.25})
			}
			var rae, disp any
			if chance(r, 0.03) {
				rae = pad(intBetween(r, 1000, 99999), 5)
			}
			if chance(r, 0.3) {
				disp = pick(r, dispositifs)
			}
			return catalog.Row{
				giver, giverID, date, orNil(r, 0.1, "DEL-"+strconv.Itoa(date.Year())+"-"+pad(intBetween(r, 1, 450), 4)),
				beneficiary, orNil(r, 0.12, siret(bSIREN, 10+b%5)), orNil(r, 0.05, "W49"+pad(1000000+b*4099, 7)),
				pick(r, subsidyObjects), amount, nature, cond, dates, rae, amount > 40000 && chance(r, 0.25),
				share, disp,
			}
		}}
	}}
}

func communeIndex(c commune) int {
	for i, x := range communes {
		if x.insee == c.insee {
			return i
		}
	}
	return 0
}

func poolAttendance() *DatasetSpec {
	start, end := day(2025, 1, 1), day(2025, 12, 31)
	d := dataset("frequentation-piscines", catalog.AccessRestricted, period(catalog.Metadata{
		Title:        "Fréquentation quotidienne des piscines",
		Description:  "Entrées journalières par piscine, dont scolaires et abonnés. Diffusion restreinte à l'observatoire partenaire dans le cadre d'une étude.",
		Publisher:    MetropolisID,
		Keywords:     []string{"piscines", "fréquentation", "sport", "loisirs"},
		Themes:       []string{"SOCI", "HEAL"},
		Frequency:    "DAILY",
		AllowedUsers: []string{partnerLogin},
	}, start, end),
		field("date", "Date", catalog.TypeDate, "", ""),
		facet("piscine", "Piscine", ""),
		communeField(),
		field("ouverte", "Ouverte", catalog.TypeBoolean, "", ""),
		field("entrees", "Entrées", catalog.TypeInt, "entrées", "Total des entrées de la journée."),
		field("dont_scolaires", "Dont scolaires", catalog.TypeInt, "entrées", ""),
		field("dont_abonnes", "Dont abonnés", catalog.TypeInt, "entrées", ""),
		field("temperature_eau", "Température de l'eau", catalog.TypeDouble, "°C", "Bassin principal ; vide si fermée."),
		field("commentaire", "Commentaire", catalog.TypeText, "", ""),
	)
	days := int(end.Sub(start).Hours()/24) + 1
	return &DatasetSpec{Dataset: d, Keys: []string{"date", "piscine"}, Rows: func() catalog.RowSource {
		r := newRand(d.ID)
		drain := make([]int, len(pools)) // first day of the yearly two-week draining
		for i := range pools {
			drain[i] = 150 + r.IntN(100)
		}
		return &source{n: days * len(pools), row: func(i int) catalog.Row {
			doy, k := i/len(pools), i%len(pools)
			p, date := pools[k], start.AddDate(0, 0, i/len(pools))
			summer := date.Month() == time.July || date.Month() == time.August
			row := catalog.Row{date, p.name, communes[p.commune].name, false, int64(0), int64(0), int64(0), nil, nil}
			switch {
			case p.outdoor && (doy < 165 || doy > 242):
				row[8] = "Bassin extérieur : fermé hors saison"
				return row
			case !p.outdoor && doy >= drain[k] && doy < drain[k]+14:
				row[8] = "Fermeture technique; vidange annuelle"
				return row
			case holiday(date):
				row[8] = "Fermée : jour férié"
				return row
			}
			busy := 0.55
			if wd := date.Weekday(); wd == time.Saturday || wd == time.Sunday {
				busy = 0.85
			}
			if summer {
				busy *= 1.4
			}
			entries := int(float64(p.capacity) * busy * between(r, 0.7, 1.15))
			school := 0
			if !summer && !p.outdoor && date.Weekday() >= time.Monday && date.Weekday() <= time.Friday {
				school = int(float64(entries) * between(r, 0.15, 0.35))
			}
			row[3], row[4], row[5] = true, int64(entries), int64(school)
			row[6] = int64(float64(entries-school) * between(r, 0.2, 0.45))
			row[7] = round(between(r, 26.5, 28.5), 1)
			if chance(r, 0.02) {
				row[8] = "Bassin ludique fermé l'après-midi"
			}
			return row
		}}
	}}
}

// holiday reports whether d is a French public holiday of 2025.
func holiday(d time.Time) bool {
	switch d.Format("01-02") {
	case "01-01", "04-21", "05-01", "05-08", "05-29", "06-09", "07-14", "08-15", "11-01", "11-11", "12-25":
		return true
	}
	return false
}
