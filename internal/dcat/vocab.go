package dcat

import (
	"net/url"
	"strings"
	"unicode"

	"github.com/socle/socle/internal/catalog"
)

// The EU controlled vocabularies DCAT-AP 3 requires, and how Socle's
// metadata maps onto them. Unknown values map to nothing: a property is left
// out rather than given a wrong code.

// euThemes are the 13 codes of the EU data-theme vocabulary with their
// French labels (the vocabulary's own).
var euThemes = map[string]string{
	"AGRI": "Agriculture, pêche, sylviculture et alimentation", "ECON": "Économie et finances",
	"EDUC": "Éducation, culture et sport", "ENER": "Énergie", "ENVI": "Environnement",
	"GOVE": "Gouvernement et secteur public", "HEAL": "Santé", "INTR": "Questions internationales",
	"JUST": "Justice, système juridique et sécurité publique", "REGI": "Régions et villes",
	"SOCI": "Population et société", "TECH": "Science et technologie", "TRAN": "Transports"}

// themeWords map the free-form themes imports and harvests bring (French
// portal themes, mostly Opendatasoft's) to EU themes; accents and case are
// folded before the lookup.
var themeWords = map[string]string{
	"agriculture": "AGRI", "alimentation": "AGRI", "peche": "AGRI", "foret": "AGRI",
	"economie": "ECON", "finances": "ECON", "budget": "ECON", "commerce": "ECON", "emploi": "ECON", "tourisme": "ECON",
	"education": "EDUC", "culture": "EDUC", "sport": "EDUC", "sports": "EDUC", "loisirs": "EDUC", "enseignement": "EDUC", "patrimoine": "EDUC",
	"energie": "ENER", "eclairage": "ENER",
	"environnement": "ENVI", "dechets": "ENVI", "eau": "ENVI", "climat": "ENVI", "air": "ENVI", "biodiversite": "ENVI", "nature": "ENVI",
	"administration": "GOVE", "gouvernement": "GOVE", "citoyennete": "GOVE", "services publics": "GOVE", "elections": "GOVE", "collectivites": "GOVE",
	"sante": "HEAL", "international": "INTR", "europe": "INTR", "justice": "JUST", "securite": "JUST",
	"territoire": "REGI", "urbanisme": "REGI", "amenagement": "REGI", "logement": "REGI", "cadastre": "REGI", "geographie": "REGI", "villes": "REGI",
	"social": "SOCI", "solidarite": "SOCI", "population": "SOCI", "societe": "SOCI", "demographie": "SOCI",
	"science": "TECH", "technologie": "TECH", "numerique": "TECH", "recherche": "TECH",
	"transport": "TRAN", "transports": "TRAN", "mobilite": "TRAN", "deplacements": "TRAN", "stationnement": "TRAN", "velo": "TRAN",
}

// themes returns the EU theme codes of d's themes and, as keywords, the
// themes that are not EU codes themselves (Socle's own words are kept).
func themes(m catalog.Metadata) (codes, keywords []string) {
	seen := map[string]bool{}
	for _, t := range m.Themes {
		code := strings.ToUpper(strings.TrimSpace(t))
		if _, ok := euThemes[code]; !ok {
			keywords = append(keywords, t)
			code = themeWord(t)
		}
		if code != "" && !seen[code] {
			seen[code] = true
			codes = append(codes, code)
		}
	}
	return codes, keywords
}

// themeWord maps a free-form theme, whole or by its first known word
// ("Culture & loisirs", "Transports, mobilités").
func themeWord(s string) string {
	f := fold(s)
	if code, ok := themeWords[f]; ok {
		return code
	}
	for _, w := range strings.FieldsFunc(f, func(r rune) bool { return !unicode.IsLetter(r) }) {
		if code, ok := themeWords[w]; ok {
			return code
		}
	}
	return ""
}

// fold lower-cases s and strips the French accents, for word lookups.
func fold(s string) string {
	return strings.NewReplacer("é", "e", "è", "e", "ê", "e", "ë", "e", "à", "a", "â", "a", "î", "i", "ï", "i",
		"ô", "o", "û", "u", "ù", "u", "ü", "u", "ç", "c", "œ", "oe").Replace(strings.ToLower(strings.TrimSpace(s)))
}

// euFrequencies are the frequency codes Socle's metadata may hold as is.
var euFrequencies = map[string]bool{"CONT": true, "UPDATE_CONT": true, "HOURLY": true, "DAILY": true,
	"WEEKLY": true, "BIWEEKLY": true, "MONTHLY": true, "QUARTERLY": true, "BIANNUAL": true, "ANNUAL": true,
	"ANNUAL_2": true, "BIENNIAL": true, "IRREG": true, "NEVER": true, "UNKNOWN": true, "OTHER": true}

// frequencyWords map the words imports bring (English and French) to codes.
var frequencyWords = map[string]string{
	"continuous": "CONT", "temps reel": "UPDATE_CONT", "real-time": "UPDATE_CONT", "realtime": "UPDATE_CONT",
	"hourly": "HOURLY", "horaire": "HOURLY", "daily": "DAILY", "quotidien": "DAILY", "quotidienne": "DAILY",
	"weekly": "WEEKLY", "hebdomadaire": "WEEKLY", "monthly": "MONTHLY", "mensuel": "MONTHLY", "mensuelle": "MONTHLY",
	"quarterly": "QUARTERLY", "trimestriel": "QUARTERLY", "trimestrielle": "QUARTERLY", "semiannual": "BIANNUAL",
	"semestriel": "BIANNUAL", "semestrielle": "BIANNUAL", "annual": "ANNUAL", "yearly": "ANNUAL", "annuel": "ANNUAL",
	"annuelle": "ANNUAL", "irregular": "IRREG", "irreguliere": "IRREG", "ponctuel": "IRREG", "ponctuelle": "IRREG",
	"never": "NEVER", "jamais": "NEVER", "unknown": "UNKNOWN", "inconnue": "UNKNOWN",
}

func frequency(s string) string {
	if code := strings.ToUpper(strings.TrimSpace(s)); euFrequencies[code] {
		return code
	}
	return frequencyWords[fold(s)]
}

// languages map ISO 639-1 codes to the EU language vocabulary's.
var languages = map[string]string{"fr": "FRA", "en": "ENG", "de": "DEU", "es": "SPA", "it": "ITA",
	"br": "BRE", "oc": "OCI", "eu": "EUS", "ca": "CAT", "co": "COS", "nl": "NLD", "pt": "POR"}

// language returns the EU code and the literal tag of d's language; French
// when none is set, as the catalog model says.
func language(s string) (code, tag string) {
	tag = strings.ToLower(strings.TrimSpace(s))
	if tag == "" {
		tag = "fr"
	}
	if code, ok := languages[tag]; ok {
		return code, tag
	}
	return "", "fr"
}

// accessRight maps access levels: what agreements share is RESTRICTED,
// what only the collectivity's agents see is NON_PUBLIC.
func accessRight(a catalog.Access) string {
	switch a {
	case catalog.AccessPublic:
		return "PUBLIC"
	case catalog.AccessRestricted, catalog.AccessShared:
		return "RESTRICTED"
	}
	return "NON_PUBLIC"
}

// fileType is an export format's EU file type and IANA media type.
type fileType struct {
	Code, Media, Label string
}

// fileTypes are the Explore API export formats. JSON Lines has neither an
// EU file type nor a registered media type: its distribution says so by
// its title only.
var fileTypes = map[string]fileType{
	"csv":     {"CSV", "text/csv", "CSV"},
	"json":    {"JSON", "application/json", "JSON"},
	"jsonl":   {"", "", "JSON Lines"},
	"geojson": {"GEOJSON", "application/geo+json", "GeoJSON"},
	"parquet": {"PARQUET", "application/vnd.apache.parquet", "Parquet"},
	"xlsx":    {"XLSX", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "Excel (XLSX)"},
}

// licences are the documents behind the licence identifiers Socle offers;
// any other identifier is taken as an SPDX one.
var licences = map[string]struct{ URL, Title string }{
	"etalab-2.0":   {"https://www.etalab.gouv.fr/licence-ouverte-open-licence/", "Licence Ouverte v2.0 (Etalab)"},
	"ODbL-1.0":     {"https://opendatacommons.org/licenses/odbl/1-0/", "Open Database License (ODbL) 1.0"},
	"CC-BY-4.0":    {"https://creativecommons.org/licenses/by/4.0/", "Creative Commons Attribution 4.0"},
	"CC-BY-SA-4.0": {"https://creativecommons.org/licenses/by-sa/4.0/", "Creative Commons Attribution-ShareAlike 4.0"},
	"CC0-1.0":      {"https://creativecommons.org/publicdomain/zero/1.0/", "Creative Commons Zero 1.0"},
}

func licence(id string) (iri, title string) {
	if id == "" {
		id = catalog.DefaultLicense
	}
	if l, ok := licences[id]; ok {
		return l.URL, l.Title
	}
	return "https://spdx.org/licenses/" + url.PathEscape(id), id
}

// publisherTypes map organization kinds to the ADMS publisher types (code
// and English label, the vocabulary's).
var publisherTypes = map[catalog.OrgKind][2]string{
	catalog.OrgMetropolis: {"LocalAuthority", "Local Authority"}, catalog.OrgCommune: {"LocalAuthority", "Local Authority"},
	catalog.OrgDelegate: {"Company", "Company"},
}

const (
	admsPublisherType = "http://purl.org/adms/publishertype/"
	euAvailability    = "http://publications.europa.eu/resource/authority/planned-availability/"
	ianaMediaTypes    = "https://www.iana.org/assignments/media-types/"
)
