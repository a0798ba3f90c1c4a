package main

import "github.com/socle/socle/httpapi"

// The API description (/api/openapi.json) shows the binary's version.
func init() { httpapi.Version = version }
