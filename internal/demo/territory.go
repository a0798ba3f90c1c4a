package demo

import (
	"math"
	"math/rand/v2"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/socle/socle/internal/catalog"
)

// MetropolisID is the organization ID of the fictional metropolis.
const MetropolisID = "metropole"

// Organization IDs of the partners and delegates.
const (
	orgTransport = "transports-val-de-loire" // partner: transit operator
	orgAir       = "air-val-de-loire"        // partner: air-quality association
	orgSport     = "observatoire-sport"      // partner: sports observatory
	orgWater     = "eaux-val-de-loire"       // delegate: water utility
	orgParking   = "parcs-val-de-loire"      // delegate: car-park operator
)

const metropolisName = "Métropole de Val-de-Loire"

// commune is a fictional member commune.
type commune struct {
	name     string
	insee    string
	pop      int
	areaKm2  float64
	lat, lon float64
}

// communes of the metropolis; populations sum to 300,000.
var communes = []commune{
	{"Bellerive-sur-Loire", "49901", 118400, 42, 47.4750, -0.5550},
	{"Saint-Aubin-des-Coteaux", "49902", 31250, 24, 47.5150, -0.5900},
	{"Les Ponts-de-Maine", "49903", 27800, 20, 47.5200, -0.5350},
	{"Montreuil-la-Vallée", "49904", 22150, 22, 47.4950, -0.4900},
	{"Villeneuve-l'Authion", "49905", 18900, 26, 47.4600, -0.4800},
	{"Sainte-Gemmes-des-Prés", "49906", 16300, 19, 47.4300, -0.5600},
	{"La Varenne-sur-Thouet", "49907", 14700, 23, 47.4200, -0.5050},
	{"Beaufort-des-Îles", "49908", 12600, 21, 47.4250, -0.6150},
	{"Mûrs-la-Levée", "49909", 11200, 18, 47.4650, -0.6300},
	{"Le Plessis-Rochefort", "49910", 10400, 20, 47.5400, -0.6250},
	{"Saint-Mathurin-des-Bois", "49911", 9300, 25, 47.5400, -0.4700},
	{"Écorcé-sur-Authion", "49912", 7000, 17, 47.4100, -0.4600},
}

// The box every generated point lies in.
const (
	minLat, maxLat = 47.395, 47.555
	minLon, maxLon = -0.655, -0.445
)

// slug turns a name into an ID: "Villeneuve-l'Authion" → "villeneuve-l-authion".
func slug(name string) string {
	return strings.ReplaceAll(catalog.NormalizeName(name), "_", "-")
}

// id is the commune's organization ID.
func (c commune) id() string { return slug(c.name) }

// radiusKm is the radius of a disk of the commune's area.
func (c commune) radiusKm() float64 { return math.Sqrt(c.areaKm2 / math.Pi) }

// near returns a point drawn uniformly within frac of the commune's radius
// of its centroid, inside the territory's box.
func (c commune) near(r *rand.Rand, frac float64) catalog.GeoPoint {
	for {
		d := c.radiusKm() * frac * math.Sqrt(r.Float64())
		a := r.Float64() * 2 * math.Pi
		lat := c.lat + d*math.Sin(a)/111.2
		lon := c.lon + d*math.Cos(a)/(111.2*math.Cos(c.lat*math.Pi/180))
		if lat >= minLat && lat <= maxLat && lon >= minLon && lon <= maxLon {
			return catalog.GeoPoint{Lon: round(lon, 6), Lat: round(lat, 6)}
		}
	}
}

// weightedCommune picks a commune with probability proportional to its
// population.
func weightedCommune(r *rand.Rand) commune {
	n := r.IntN(300000)
	for _, c := range communes {
		if n < c.pop {
			return c
		}
		n -= c.pop
	}
	return communes[0]
}

var orgCreated = time.Date(2023, 1, 1, 0, 0, 0, 0, time.UTC)

func organizations() []*catalog.Organization {
	orgs := []*catalog.Organization{{
		ID: MetropolisID, Name: metropolisName, Kind: catalog.OrgMetropolis,
		Description: "Établissement public de coopération intercommunale fictif regroupant 12 communes (données synthétiques).",
		Website:     "https://www.val-de-loire.example", Email: "opendata@val-de-loire.example",
		SIREN: siren(200000), CreatedAt: orgCreated,
	}}
	for i, c := range communes {
		orgs = append(orgs, &catalog.Organization{
			ID: c.id(), Name: "Ville " + of(c.name), Kind: catalog.OrgCommune,
			Description: "Commune membre fictive de la " + metropolisName + ".",
			Email:       "mairie@" + c.id() + ".example",
			SIREN:       siren(210000 + i), CreatedAt: orgCreated,
		})
	}
	return append(orgs,
		&catalog.Organization{ID: orgTransport, Name: "Compagnie des transports du Val-de-Loire (TVL)", Kind: catalog.OrgPartner,
			Description: "Exploitant fictif du réseau de tramway et de bus.", Website: "https://www.tvl.example", SIREN: siren(510001), CreatedAt: orgCreated},
		&catalog.Organization{ID: orgAir, Name: "Air Val-de-Loire", Kind: catalog.OrgPartner,
			Description: "Association fictive de surveillance de la qualité de l'air.", Website: "https://www.air-val-de-loire.example", SIREN: siren(780002), CreatedAt: orgCreated},
		&catalog.Organization{ID: orgSport, Name: "Observatoire des pratiques sportives du Val-de-Loire", Kind: catalog.OrgPartner,
			Description: "Bureau d'études fictif associé à l'analyse de la fréquentation des équipements.", SIREN: siren(840003), CreatedAt: orgCreated},
		&catalog.Organization{ID: orgWater, Name: "Eaux du Val-de-Loire", Kind: catalog.OrgDelegate,
			Description: "Délégataire fictif du service public de l'eau potable.", Website: "https://www.eaux-val-de-loire.example", SIREN: siren(550004), CreatedAt: orgCreated},
		&catalog.Organization{ID: orgParking, Name: "Val-de-Loire Stationnement", Kind: catalog.OrgDelegate,
			Description: "Délégataire fictif des parcs de stationnement.", Website: "https://www.vdl-stationnement.example", SIREN: siren(520005), CreatedAt: orgCreated},
	)
}

// Demo accounts. The passwords are published here on purpose: change them.
const (
	partnerLogin = "partenaire.sport"
)

func users() []DemoUser {
	return []DemoUser{
		{Login: "admin", Name: "Administratrice de la démo", Role: "admin", Org: MetropolisID, Password: "demo-admin-val-de-loire"},
		{Login: "claire.martin", Name: "Claire Martin", Role: "steward", Org: MetropolisID, Password: "demo-steward-val-de-loire"},
		{Login: "julien.moreau", Name: "Julien Moreau", Role: "producer", Org: communes[0].id(), Password: "demo-producer-val-de-loire"},
		{Login: "sophie.lefebvre", Name: "Sophie Lefèbvre", Role: "agent", Org: communes[4].id(), Password: "demo-agent-val-de-loire"},
		{Login: partnerLogin, Name: "Karim Benali", Role: "partner", Org: orgSport, Password: "demo-partner-val-de-loire"},
	}
}

// siren returns a Luhn-valid 9-digit SIREN built on the 8-digit base
// 90000000+n: fictional, outside ranges in common use.
func siren(n int) string { return luhnComplete(pad(90000000+n, 8)) }

// siret returns a Luhn-valid 14-digit SIRET of the given SIREN.
func siret(siren string, nic int) string { return luhnComplete(siren + pad(nic, 4)) }

// luhnComplete appends the digit that makes s pass the Luhn check.
func luhnComplete(s string) string {
	sum := 0
	for i := len(s) - 1; i >= 0; i-- {
		d := int(s[i] - '0')
		if (len(s)-1-i)%2 == 0 {
			d *= 2
			if d > 9 {
				d -= 9
			}
		}
		sum += d
	}
	return s + string(rune('0'+(10-sum%10)%10))
}

// pad formats n with at least w digits.
func pad(n, w int) string {
	s := strconv.Itoa(n)
	for len(s) < w {
		s = "0" + s
	}
	return s
}

// of returns "de <name>" with French elision and contraction:
// "des Ponts-de-Maine", "du Plessis-Rochefort", "d'Écorcé-sur-Authion".
func of(name string) string {
	switch {
	case strings.HasPrefix(name, "Les "):
		return "des " + name[4:]
	case strings.HasPrefix(name, "Le "):
		return "du " + name[3:]
	}
	if r, _ := utf8.DecodeRuneInString(name); strings.ContainsRune("AEIOUÉÈÊÂÎ", r) {
		return "d'" + name
	}
	return "de " + name
}
