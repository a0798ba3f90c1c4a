package demo

import (
	"fmt"

	"github.com/socle/socle/internal/agreements"
	"github.com/socle/socle/internal/catalog"
)

// sportLicences is the demo's shared dataset: licence holders per sports
// club and season, with each club's contact, which the agreement with the
// sports observatory leaves out (as it leaves out seasons before 2024).
func sportLicences() *DatasetSpec {
	d := dataset("licences-sportives", catalog.AccessShared, period(catalog.Metadata{
		Title:       "Licenciés des clubs sportifs par saison",
		Description: "Nombre de licenciés par club, discipline et saison, avec le contact du club. Données partagées avec l'observatoire du sport dans le cadre d'un accord de partage (voir le registre des accords).",
		Publisher:   MetropolisID,
		Keywords:    []string{"sport", "clubs", "licenciés", "accord de partage"},
		Themes:      []string{"SOCI"},
		Frequency:   "ANNUAL",
	}, day(2022, 9, 1), day(2026, 8, 31)),
		field("saison", "Saison", catalog.TypeInt, "", "Année de début de la saison sportive."),
		facet("discipline", "Discipline", ""),
		field("club", "Club", catalog.TypeText, "", ""),
		communeField(),
		field("licencies", "Licenciés", catalog.TypeInt, "personnes", ""),
		field("dont_femmes", "Dont femmes", catalog.TypeInt, "personnes", ""),
		field("contact", "Contact du club", catalog.TypeText, "", "Adresse électronique du président ou de la présidente : hors du périmètre de l'accord."),
	)
	disciplines := []string{"Football", "Basket-ball", "Natation", "Judo", "Tennis", "Athlétisme"}
	const seasons, first = 4, 2022
	clubs := len(communes) * len(disciplines)
	return &DatasetSpec{Dataset: d, Keys: []string{"saison", "club"}, Rows: func() catalog.RowSource {
		r := newRand(d.ID)
		return &source{n: seasons * clubs, row: func(i int) catalog.Row {
			k := i % clubs
			c, disc := communes[k%len(communes)], disciplines[k/len(communes)]
			n := int64(c.pop/400) + int64(r.IntN(120)) + 15
			club := fmt.Sprintf("%s %s", disc, of(c.name))
			return catalog.Row{int64(first + i/clubs), disc, club, c.name, n, int64(float64(n) * between(r, 0.2, 0.55)),
				fmt.Sprintf("presidence.club%03d@example.org", k)}
		}}
	}}
}

// sportAgreements are the demo's data-sharing agreements with the sports
// observatory over licences-sportives: one in force (without the clubs'
// contacts, seasons from 2024), one that ended.
func sportAgreements() []*agreements.Agreement {
	scope := agreements.Scope{Dataset: "licences-sportives", Fields: []string{"saison", "discipline", "club", "commune", "licencies", "dont_femmes"}, Filter: "saison >= 2024"}
	base := agreements.Agreement{Owner: MetropolisID, Partner: orgSport, Datasets: []agreements.Scope{scope},
		LegalBasis:  "Convention de partage de données n° 2025-017, mission de service public (art. 6.1.e RGPD)",
		Conditions:  []string{"Pas de réidentification des personnes", "Pas de rediffusion des données brutes", "Publication des seuls résultats agrégés"},
		Signatories: []string{"Vice-président aux sports de la métropole", "Directrice de l'observatoire du sport"},
		Status:      agreements.Active}
	current, ended := base, base
	current.ID, current.Purpose = "observatoire-sport-2025", "Étude de la pratique sportive féminine dans les clubs de la métropole"
	current.Start, current.End = day(2025, 1, 1), day(2028, 12, 31)
	current.Notes = "Renouvellement négocié en comité de pilotage ; clause de revoyure à mi-parcours."
	ended.ID, ended.Purpose = "observatoire-sport-2023", "Diagnostic de l'offre sportive des communes"
	ended.Start, ended.End = day(2023, 1, 1), day(2024, 12, 31)
	ended.Datasets = []agreements.Scope{{Dataset: "licences-sportives", Fields: scope.Fields}}
	return []*agreements.Agreement{&current, &ended}
}
