package demo

import _ "embed"

// scdlSubsidiesSchema is the SCDL « Subventions » Table Schema v2.1.1 (see
// schemas/SOURCES.md), which the demo's subsidies dataset declares.
//
//go:embed schemas/scdl-subventions.json
var scdlSubsidiesSchema []byte
