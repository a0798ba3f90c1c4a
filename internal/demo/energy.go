package demo

import (
	"math"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/socle/socle/internal/catalog"
)

// seasonal returns 1 + amp·cos of the month's distance to peak month.
func seasonal(m time.Month, peak time.Month, amp float64) float64 {
	return 1 + amp*math.Cos(2*math.Pi*float64(m-peak)/12)
}

// daysIn is the number of days of t's month.
func daysIn(t time.Time) int { return t.AddDate(0, 1, -t.Day()+1).Add(-time.Hour).Day() }

func water() *DatasetSpec {
	const months = 36
	start := day(2023, 1, 1)
	d := dataset("consommation-eau-communes", catalog.AccessInternal, period(catalog.Metadata{
		Title:       "Consommation d'eau potable par commune",
		Description: "Volumes mensuels facturés, nombre d'abonnés et consommation par habitant, par commune. Usage interne aux services.",
		Publisher:   orgWater,
		Keywords:    []string{"eau potable", "consommation", "abonnés", "sobriété"},
		Themes:      []string{"ENVI", "ENER"},
		Frequency:   "MONTHLY",
	}, start, day(2025, 12, 31)),
		communeField(),
		field("code_insee", "Code INSEE", catalog.TypeText, "", "Code officiel géographique (fictif) de la commune."),
		field("mois", "Mois", catalog.TypeDate, "", "Premier jour du mois."),
		field("volume", "Volume consommé", catalog.TypeDouble, "m³", ""),
		field("abonnes", "Nombre d'abonnés", catalog.TypeInt, "abonnés", ""),
		field("conso_par_habitant", "Consommation par habitant", catalog.TypeDouble, "L/hab/j", ""),
	)
	return &DatasetSpec{Dataset: d, Keys: []string{"code_insee", "mois"}, Rows: func() catalog.RowSource {
		r := newRand(d.ID)
		return &source{n: months * len(communes), row: func(i int) catalog.Row {
			c, m := communes[i%len(communes)], start.AddDate(0, i/len(communes), 0)
			pop := float64(c.pop) * (1 + 0.004*float64(i/len(communes))/12)
			lpd := 142 * seasonal(m.Month(), time.July, 0.12) * between(r, 0.94, 1.06) * (1 - 0.01*float64(m.Year()-2023))
			vol := round(pop*lpd*float64(daysIn(m))/1000, 0)
			subs := int64(pop / between(r, 2.05, 2.2))
			var volV any = vol
			if chance(r, 0.01) { // meter reading missing
				volV = nil
			}
			return catalog.Row{c.name, c.insee, m, volV, subs, round(lpd, 1)}
		}}
	}}
}

func streetLighting() *DatasetSpec {
	const cabinets, months = 60, 24
	start := day(2024, 1, 1)
	d := dataset("eclairage-public-energie", catalog.AccessInternal, period(catalog.Metadata{
		Title:       "Éclairage public — consommation énergétique des armoires",
		Description: "Consommation électrique mensuelle des armoires de commande de l'éclairage public, nombre de points lumineux et part de LED.",
		Publisher:   MetropolisID,
		Keywords:    []string{"éclairage public", "énergie", "LED", "sobriété énergétique"},
		Themes:      []string{"ENER"},
		Frequency:   "MONTHLY",
	}, start, day(2025, 12, 31)),
		field("armoire", "Armoire de commande", catalog.TypeText, "", ""),
		communeField(),
		field("mois", "Mois", catalog.TypeDate, "", "Premier jour du mois."),
		field("energie", "Énergie consommée", catalog.TypeDouble, "kWh", ""),
		field("points_lumineux", "Points lumineux", catalog.TypeInt, "", "Nombre de luminaires raccordés."),
		field("part_led", "Part de LED", catalog.TypeDouble, "%", ""),
		geoField("Position de l'armoire."),
	)
	return &DatasetSpec{Dataset: d, Keys: []string{"armoire", "mois"}, Rows: func() catalog.RowSource {
		r := newRand(d.ID)
		type cabinet struct {
			id      string
			c       commune
			lamps   int
			led0    float64 // LED share at start
			renewAt int     // month of a LED renovation, or -1
			at      catalog.GeoPoint
		}
		cs := make([]cabinet, cabinets)
		for k := range cs {
			c := weightedCommune(r)
			cs[k] = cabinet{"ARM-" + c.insee[2:] + "-" + pad(k+1, 3), c, intBetween(r, 40, 220), between(r, 0.05, 0.6), -1, c.near(r, 0.8)}
			if chance(r, 0.3) {
				cs[k].renewAt = r.IntN(months)
			}
		}
		return &source{n: cabinets * months, row: func(i int) catalog.Row {
			mi, cb := i/cabinets, cs[i%cabinets]
			m := start.AddDate(0, mi, 0)
			led := math.Min(1, cb.led0+0.01*float64(mi))
			if cb.renewAt >= 0 && mi >= cb.renewAt {
				led = 1
			}
			night := 12 * seasonal(m.Month(), time.December, 0.3) // hours per night
			watts := led*45 + (1-led)*110
			kwh := float64(cb.lamps) * watts * night * float64(daysIn(m)) * 0.75 / 1000 // 0.75: night dimming
			var e any = round(kwh*between(r, 0.95, 1.05), 1)
			if chance(r, 0.01) {
				e = nil
			}
			return catalog.Row{cb.id, cb.c.name, m, e, int64(cb.lamps), round(100*led, 1), cb.at}
		}}
	}}
}

var buildingKinds = []struct {
	category string
	surface  [2]float64 // m²
	elec     float64    // kWh/m²/year
	heat     float64
}{
	{"école", [2]float64{800, 3500}, 35, 120},
	{"gymnase", [2]float64{900, 2500}, 30, 140},
	{"mairie", [2]float64{500, 4000}, 55, 110},
	{"médiathèque", [2]float64{400, 3000}, 70, 100},
	{"piscine", [2]float64{1500, 5000}, 180, 450},
	{"bureaux", [2]float64{1000, 12000}, 80, 90},
	{"centre technique", [2]float64{800, 6000}, 45, 130},
}

var heatings = []struct {
	name string
	co2  float64 // kg CO2e per kWh
}{
	{"gaz naturel", 0.227}, {"réseau de chaleur", 0.1}, {"électricité", 0.052}, {"fioul", 0.324}, {"bois", 0.03},
}

// dpeClass grades primary-energy-free consumption (kWh/m²/year).
func dpeClass(kwhPerM2 float64) string {
	for k, b := range []float64{70, 110, 180, 250, 330, 420} {
		if kwhPerM2 <= b {
			return string(rune('A' + k))
		}
	}
	return "G"
}

func buildingEnergy() *DatasetSpec {
	const buildings, years = 80, 3
	d := dataset("energie-batiments", catalog.AccessRestricted, period(catalog.Metadata{
		Title:       "Consommations énergétiques des bâtiments publics",
		Description: "Consommations annuelles d'électricité et de chauffage, classe DPE et émissions de CO2 du patrimoine bâti. Réservé au service Bâtiments de la métropole.",
		Publisher:   MetropolisID,
		Keywords:    []string{"énergie", "bâtiments", "DPE", "décret tertiaire", "CO2"},
		Themes:      []string{"ENER", "ENVI"},
		Frequency:   "ANNUAL",
		AllowedOrgs: []string{MetropolisID},
	}, day(2023, 1, 1), day(2025, 12, 31)),
		field("id_batiment", "Identifiant du bâtiment", catalog.TypeText, "", ""),
		field("batiment", "Bâtiment", catalog.TypeText, "", ""),
		facet("categorie", "Catégorie", ""),
		communeField(),
		field("annee", "Année", catalog.TypeInt, "", ""),
		field("surface", "Surface de plancher", catalog.TypeDouble, "m²", ""),
		field("conso_electricite", "Consommation d'électricité", catalog.TypeDouble, "kWh", ""),
		field("conso_chauffage", "Consommation de chauffage", catalog.TypeDouble, "kWh", ""),
		facet("energie_chauffage", "Énergie de chauffage", ""),
		facet("classe_dpe", "Classe DPE", "A à G, d'après la consommation totale par m²."),
		field("emissions_co2", "Émissions de CO2", catalog.TypeDouble, "kg CO2e", ""),
	)
	return &DatasetSpec{Dataset: d, Keys: []string{"id_batiment", "annee"}, Rows: func() catalog.RowSource {
		r := newRand(d.ID)
		type building struct {
			name, category string
			c              commune
			surface        float64
			elec, heat     float64
			heating        int
		}
		bs := make([]building, buildings)
		for k := range bs {
			kind := pick(r, buildingKinds)
			c := weightedCommune(r)
			q := between(r, 0.6, 1.6) // insulation quality
			bs[k] = building{
				name: kind.category + " " + pick(r, people) + " (" + c.name + ")", category: kind.category, c: c,
				surface: round(between(r, kind.surface[0], kind.surface[1]), 0),
				elec:    kind.elec * between(r, 0.8, 1.2), heat: kind.heat * q, heating: r.IntN(len(heatings)),
			}
			bs[k].name = upperFirst(bs[k].name)
		}
		return &source{n: buildings * years, row: func(i int) catalog.Row {
			b, year := bs[i/years], 2023+i%years
			trend := 1 - 0.03*float64(year-2023)
			elec := round(b.surface*b.elec*trend*between(r, 0.95, 1.05), 0)
			heat := round(b.surface*b.heat*trend*between(r, 0.9, 1.1), 0)
			h := heatings[b.heating]
			co2 := round(elec*0.052+heat*h.co2, 0)
			var heatV any = heat
			if chance(r, 0.02) { // invoices missing
				heatV = nil
			}
			return catalog.Row{
				"BAT-" + pad(i/years+1, 3), b.name, b.category, b.c.name, int64(year), b.surface, elec, heatV, h.name,
				dpeClass((elec + heat) / b.surface), co2,
			}
		}}
	}}
}

// upperFirst capitalises the first letter of s.
func upperFirst(s string) string {
	c, n := utf8.DecodeRuneInString(s)
	return string(unicode.ToUpper(c)) + s[n:]
}
