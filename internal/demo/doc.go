// Package demo generates a deterministic, synthetic French metropolis that
// "socle demo" loads into an empty Socle: the fictional "Métropole de
// Val-de-Loire" (organization ID "metropole"), its 12 fictional communes
// (INSEE-like codes 49901 to 49912, 300,000 inhabitants, centroids around
// lat 47.40–47.55, lon −0.65 to −0.45), partners, delegates, one user per
// role and the datasets below.
//
// Everything derives from the constant Seed through math/rand/v2's PCG, one
// stream per dataset, so that two runs give byte-identical data; nothing
// is read from disk or the network. Rows are generated on demand by each
// DatasetSpec.Rows, never held in memory, and follow the Go representation
// documented on catalog.FieldType (int64, float64, UTC time.Time,
// catalog.GeoPoint, json.RawMessage; nil for null).
//
// Every dataset is labelled synthetic: Meta.Synthetic is true, the title
// ends with TitleSuffix and the description starts with DescriptionPrefix.
//
//	id                         access      rows   geo
//	parkings-disponibilites    public        25   point
//	arrets-transport           public       400   point
//	arbres-remarquables        public     1,500   point
//	equipements-publics        public       600   point
//	subventions-associations   public       800   —
//	qualite-air                public    23,040   point  (4 stations × 4 pollutants × 1,440 h)
//	consommation-eau-communes  internal     432   —      (12 communes × 36 months)
//	points-apport-dechets      public       900   point
//	eclairage-public-energie   internal   1,440   point  (60 cabinets × 24 months)
//	energie-batiments          restricted   240   —      (80 buildings × 3 years; AllowedOrgs: metropole)
//	frequentation-piscines     restricted 2,190   —      (6 pools × 365 days; AllowedUsers: partenaire.sport)
//	perimetres-communes        public        12   shape and point
//	licences-sportives         shared       288   —      (12 communes × 6 disciplines × 4 seasons; agreements below)
//
// licences-sportives is shared with observatoire-sport through the
// agreement observatoire-sport-2025 (in force until 2028: every field but
// the clubs' contacts, seasons from 2024); observatoire-sport-2023 ended.
//
// subventions-associations follows the SCDL "subventions" schema 2.1.1
// (Meta.ConformsTo); its field names are the schema's, normalized by
// catalog.NormalizeName as a Table Schema import would (nomAttribuant →
// nomattribuant), with the schema's titles as labels.
//
// The demo accounts have public, deterministic passwords; they must be
// changed (or the accounts disabled) on any instance others can reach:
//
//	login            role      organization          password
//	admin            admin     metropole             demo-admin-val-de-loire
//	claire.martin    steward   metropole             demo-steward-val-de-loire
//	julien.moreau    producer  bellerive-sur-loire   demo-producer-val-de-loire
//	sophie.lefebvre  agent     villeneuve-l-authion  demo-agent-val-de-loire
//	partenaire.sport partner   observatoire-sport    demo-partner-val-de-loire
package demo
