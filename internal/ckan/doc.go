// Package ckan maps Socle's catalog onto the CKAN Action API (API version
// 3): packages, resources, organizations and DataStore fields, and parses
// what CKAN clients send — package_search's fq, q and sort, and
// datastore_search's filters and sort — into Socle's own query shapes
// (ODSQL expressions for records, so every value becomes a bind parameter).
// It imports no infrastructure; httpapi/ckan*.go serves it.
package ckan
