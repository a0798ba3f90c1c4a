package ngsild

import "github.com/socle/socle/internal/errs"

// ProblemTypeBase prefixes the ProblemDetails types of NGSI-LD errors.
const ProblemTypeBase = "https://uri.etsi.org/ngsi-ld/errors/"

// Problem is an RFC 7807 ProblemDetails body.
type Problem struct {
	Type   string `json:"type"`
	Title  string `json:"title"`
	Status int    `json:"status"`
	Detail string `json:"detail"`
}

// ProblemName is the NGSI-LD error name of an error: its code when it
// carries one of the NGSI-LD names, else the name for its kind.
func ProblemName(err error) string {
	switch c := errs.CodeOf(err); c {
	case "InvalidRequest", "BadRequestData", "ResourceNotFound", "AlreadyExists", "OperationNotSupported",
		"TooComplexQuery", "TooManyResults", "LdContextNotAvailable", "NoMultiTenantSupport", "NonexistentTenant",
		"UnsupportedMediaType", "NotAcceptable":
		return c
	}
	switch errs.KindOf(err) {
	case errs.Invalid:
		return "BadRequestData"
	case errs.NotFound:
		return "ResourceNotFound"
	case errs.Conflict:
		return "AlreadyExists"
	case errs.Unauthorized:
		return "Unauthorized"
	case errs.Forbidden:
		return "Forbidden"
	case errs.TooLarge:
		return "RequestEntityTooLarge"
	case errs.Unavailable:
		return "ServiceUnavailable"
	}
	return "InternalError"
}

// Titles of the NGSI-LD error names.
var problemTitles = map[string]string{
	"InvalidRequest": "Invalid request", "BadRequestData": "Bad request data", "ResourceNotFound": "Resource not found",
	"AlreadyExists": "Already exists", "OperationNotSupported": "Operation not supported", "TooComplexQuery": "Too complex query",
	"TooManyResults": "Too many results", "LdContextNotAvailable": "JSON-LD context not available",
	"Unauthorized": "Unauthorized", "Forbidden": "Forbidden", "RequestEntityTooLarge": "Request entity too large",
	"ServiceUnavailable": "Service unavailable", "InternalError": "Internal error", "UnsupportedMediaType": "Unsupported media type",
	"NotAcceptable": "Not acceptable", "MethodNotAllowed": "Method not allowed",
}

// NewProblem builds the ProblemDetails of an error name, status and detail.
func NewProblem(name string, status int, detail string) Problem {
	title := problemTitles[name]
	if title == "" {
		title = name
	}
	return Problem{Type: ProblemTypeBase + name, Title: title, Status: status, Detail: detail}
}
