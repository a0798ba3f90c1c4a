package demo

import (
	"math/rand/v2"
	"strconv"
)

// streets are street names, some with apostrophes to exercise CSV quoting.
var streets = []string{
	"rue de la Loire", "rue Nationale", "avenue des Tilleuls", "boulevard du Roi-René",
	"rue de l'Abbaye", "quai des Mariniers", "place de l'Église", "rue du Port",
	"chemin des Vignes", "allée des Peupliers", "rue des Tanneurs", "avenue Jean-Jaurès",
	"rue Victor-Hugo", "rue Pasteur", "rue de la Gare", "impasse des Lavandières",
	"rue du Moulin", "route des Coteaux", "rue d'Anjou", "place du Marché",
	"rue des Ardoisiers", "levée des Tuffeaux", "rue de l'Authion", "chemin de Halage",
	"avenue de la Libération", "rue du Val", "rue Saint-Nicolas", "boulevard des Îles",
	"rue des Écoles", "rue du Château-d'Eau", "allée des Cerisiers", "rue de la Mairie",
}

// people give their names to schools, libraries and gymnasiums.
var people = []string{
	"Jules-Ferry", "Louise-Michel", "Jean-Moulin", "Marie-Curie", "Simone-Veil",
	"Victor-Hugo", "Jacques-Prévert", "Joachim-du-Bellay", "René-d'Anjou",
	"Olympe-de-Gouges", "Antoine-de-Saint-Exupéry", "George-Sand", "Aimé-Césaire",
	"Gisèle-Halimi", "Paul-Éluard", "Jean-de-La-Fontaine", "Colette", "Albert-Camus",
	"Rosa-Parks", "Lucie-Aubrac", "Pierre-de-Ronsard", "Hélène-Boucher",
}

// places are neighbourhoods and landmarks, used for stops and car parks.
var places = []string{
	"Gare", "Hôtel de Ville", "Les Halles", "Cathédrale", "Université", "Hôpital",
	"Le Lac", "Les Mariniers", "Château", "Port de l'Île", "Les Coteaux", "La Levée",
	"Champ de Foire", "Les Rives", "Pont Neuf", "Les Ardoisières", "Le Moulin",
	"Parc des Expositions", "Stade", "Technopole", "Centre Commercial", "La Roseraie",
	"Les Tanneries", "Bel-Air", "Le Clos", "Les Vignes", "Saint-Nicolas", "La Fontaine",
	"Le Bourg", "Les Prés", "Les Sablons", "La Croix-Blanche", "Le Verger", "Les Justices",
}

// address returns a plausible street address.
func address(r *rand.Rand) string {
	n := intBetween(r, 1, 180)
	s := strconv.Itoa(n)
	if chance(r, 0.05) {
		s += " bis"
	}
	return s + " " + pick(r, streets)
}
