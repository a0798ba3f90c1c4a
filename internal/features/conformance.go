package features

// The requirement classes of OGC API – Features Part 1 Socle implements.
// HTML is not claimed: this surface serves JSON only (people read datasets
// on the portal). OAS30 is claimed only while the API definition the
// landing page links is actually served.
const (
	ConformanceCore    = "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core"
	ConformanceGeoJSON = "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson"
	ConformanceOAS30   = "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/oas30"
)
