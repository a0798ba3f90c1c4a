package demo

import "github.com/socle/socle/internal/registers"

// The demo's registers: the RGPD activities the platform itself carries
// (sensors in the public space, citizens' opinions, data shared with
// partners, portal accounts) and the algorithms Socle runs for the
// metropolis (leak detection, container forecasts, the order of waste
// rounds, silent sensors), each described as the CRPA asks.

const dpo = "Délégué à la protection des données — dpo@val-de-loire.example (synthétique)"

// Processings returns the demo's RGPD record.
func (t *Territory) Processings() []*registers.Processing {
	controller := metropolisName + " — Direction de la donnée"
	return []*registers.Processing{
		{ID: "capteurs-espace-public", Name: "Capteurs de l'espace public", Controller: controller, DPO: dpo,
			Purposes:     []string{"Exploitation des réseaux (eau, déchets, éclairage, stationnement)", "Information du public sur les capteurs"},
			LegalBasis:   "Art. 6(1)(e) RGPD : mission d'intérêt public (gestion des services publics)",
			DataSubjects: []string{"Usagers de l'espace public"}, DataCategories: []string{"Comptages anonymisés", "Occupation de places (sans image)"},
			Retention:  "Données brutes : 90 jours (eau), 730 jours (autres) ; agrégats horaires et journaliers : durée de l'exploitation",
			Recipients: []string{"Services techniques de la métropole", "Délégataires de service public concernés"},
			Security:   []string{"Contrôle d'accès par rôle", "Journal d'audit chaîné", "Chiffrement des échanges (TLS)"},
			Datasets:   []string{"places-stationnement-temps-reel", "conteneurs-remplissage-temps-reel"}, DeviceDomains: []string{"parking", "waste", "water"},
			Software: "Socle", Confidential: "Revue annuelle avec le DPO en mars (synthétique)."},
		{ID: "avis-habitants-capteurs", Name: "Avis des habitants sur les capteurs", Controller: controller, DPO: dpo,
			Purposes:       []string{"Recueillir l'avis des habitants sur chaque capteur et y répondre publiquement"},
			LegalBasis:     "Art. 6(1)(e) RGPD : mission d'intérêt public (participation du public)",
			DataSubjects:   []string{"Habitants et usagers donnant leur avis"},
			DataCategories: []string{"Réponses au questionnaire", "Commentaire libre", "Empreinte salée de l'adresse IP (limitation des abus)"},
			Retention:      "Commentaires : 2 ans ; empreintes : 24 heures", Recipients: []string{"Service de la participation citoyenne"},
			Security: []string{"Modération avant publication", "Limitation du débit", "Pas d'adresse IP conservée"}, Software: "Socle"},
		{ID: "partage-partenaires", Name: "Partage de données avec des partenaires", Controller: controller, DPO: dpo,
			Purposes:       []string{"Mettre à disposition des partenaires des données non publiques dans le cadre d'accords"},
			LegalBasis:     "Art. 6(1)(e) RGPD ; conventions de partage",
			DataSubjects:   []string{"Usagers des équipements concernés"},
			DataCategories: []string{"Fréquentation agrégée (sans donnée nominative)"},
			Retention:      "Durée de l'accord", Recipients: []string{"Organismes partenaires nommés dans les accords"},
			Security: []string{"Clés d'API par partenaire", "Accès révoqué à la fin de l'accord", "Chaque accès journalisé"}, Software: "Socle"},
		{ID: "comptes-portail", Name: "Comptes des agents et des partenaires sur le portail", Controller: controller, DPO: dpo,
			Purposes:   []string{"Authentifier les agents, les producteurs et les partenaires"},
			LegalBasis: "Art. 6(1)(e) RGPD", DataSubjects: []string{"Agents", "Partenaires"},
			DataCategories: []string{"Identité (nom, identifiant)", "Journaux de connexion"},
			Retention:      "Durée de la fonction, puis 1 an ; journaux : 1 an", Recipients: []string{"Administrateurs de la plateforme"},
			Security: []string{"Mots de passe hachés (argon2id)", "Sessions limitées dans le temps", "Jetons anti-CSRF"}, Software: "Socle"},
	}
}

// Algorithms returns the demo's algorithm register: the platform's own.
func (t *Territory) Algorithms() []*registers.Algorithm {
	const service, contact = "Direction du cycle de l'eau et des déchets", "algorithmes@val-de-loire.example (synthétique)"
	return []*registers.Algorithm{
		{ID: "detection-fuites", Name: "Détection des fuites sur le réseau d'eau", Service: service, Contact: contact,
			Purpose:      "Repérer au plus tôt les fuites d'un secteur du réseau, pour limiter les pertes d'eau.",
			DecisionStep: "En amont de la décision d'envoyer une équipe : l'algorithme ouvre une alerte, un agent décide.",
			Automation:   registers.AutomationSupport, LegalBasis: "CGCT, art. L2224-7 et suivants (service public de l'eau)",
			Data: []string{"Débits des compteurs de sectorisation (capteurs de la métropole)"}, Method: "règles",
			Operations:     "Débit au-dessus d'un seuil pendant une durée ; débit minimal de nuit (2 h–5 h) au-dessus de la médiane des nuits précédentes plusieurs nuits de suite ; demande horaire éloignée de la prévision par heure de la semaine.",
			HumanOversight: "Chaque alerte est prise en charge, affectée et résolue par un agent ; les seuils sont fixés par le service.",
			Scope:          "Aucune décision individuelle envers les usagers ; quelques dizaines d'alertes par an.", PlatformFunction: true},
		{ID: "prevision-conteneurs", Name: "Prévision du remplissage des conteneurs", Service: service, Contact: contact,
			Purpose:      "Vider les conteneurs pleins ou qui le seront avant la prochaine collecte.",
			DecisionStep: "Prépare la liste des conteneurs à collecter ; l'équipe de collecte la valide.",
			Automation:   registers.AutomationSupport, LegalBasis: "CGCT, art. L2224-13 (collecte des déchets ménagers)",
			Data: []string{"Taux de remplissage mesurés par les sondes des conteneurs"}, Method: "règles",
			Operations:     "Taux au-dessus d'un seuil, ou droite des moindres carrés sur les mesures récentes atteignant le seuil avant la prochaine tournée.",
			HumanOversight: "Les tournées sont relues et modifiables par le responsable de collecte.", PlatformFunction: true},
		{ID: "ordre-tournees", Name: "Ordre de passage des tournées de collecte", Service: service, Contact: contact,
			Purpose:      "Proposer un trajet court entre les conteneurs à vider, depuis le dépôt.",
			DecisionStep: "Propose l'ordre de la tournée ; le chauffeur et le responsable peuvent le changer.",
			Automation:   registers.AutomationSupport, LegalBasis: "CGCT, art. L2224-13",
			Data: []string{"Position des conteneurs à vider", "Position du dépôt"}, Method: "règles",
			Operations:     "Plus proche voisin depuis le dépôt, amélioré par 2-opt (distances à vol d'oiseau).",
			HumanOversight: "Trajet indicatif, jamais imposé.", PlatformFunction: true},
		{ID: "capteurs-muets", Name: "Repérage des capteurs muets", Service: "Direction de la donnée", Contact: contact,
			Purpose:      "Repérer les capteurs qui n'envoient plus de données, pour les réparer.",
			DecisionStep: "Ouvre une alerte de maintenance ; un agent décide d'intervenir.",
			Automation:   registers.AutomationSupport, LegalBasis: "Gestion du patrimoine de la collectivité",
			Data: []string{"Date de la dernière mesure de chaque capteur"}, Method: "règles",
			Operations:     "Aucune donnée pendant un nombre donné de périodes de mesure du capteur.",
			HumanOversight: "Les alertes sont acquittées et résolues par les agents.", PlatformFunction: true},
	}
}
