// Package openapi holds the OpenAPI 3.1 description of Socle's HTTP APIs
// (openapi.json, a hand-written source file embedded in the binary) and
// the template and stylesheet of its readable page. httpapi serves the
// document at /api/openapi.json and the page at /api/docs; the tests check
// responses against it with package openapitest, so that the document
// cannot drift from what the server does.
package openapi

import _ "embed"

// Document is the embedded OpenAPI document, info.version "dev".
//
//go:embed openapi.json
var Document []byte

// DocsTemplate is the html/template of the readable page.
//
//go:embed docs.html
var DocsTemplate string

// DocsCSS is the page's stylesheet, served from the same origin.
//
//go:embed docs.css
var DocsCSS []byte

// Methods are the operation keys of a path item, in display order.
var Methods = []string{"get", "post", "put", "patch", "delete"}
