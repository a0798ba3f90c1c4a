// Package features holds the pure parts of Socle's OGC API – Features
// (Part 1: Core, OGC 17-069r4) surface: parsing and validating the items
// parameters (bbox, datetime, limit), the conformance classes Socle
// declares, and the spatial and temporal extent of a collection. The
// handlers live in package httpapi (features*.go); the data is read through
// records.Store like the Explore API's.
package features
