package web

// routes lists the portal's public pages; adminRoutes the back-office.
func (s *Server) routes() {
	s.mux.HandleFunc("GET /static/{version}/{path...}", s.handleStatic)
	s.mux.HandleFunc("GET /logo", s.handleLogo)
	s.mux.HandleFunc("GET /favicon.ico", s.handleFavicon)
	s.mux.HandleFunc("GET /{$}", s.withEntries(s.handleHome))
	s.mux.HandleFunc("GET /datasets", s.withEntries(s.handleSearch))
	s.mux.HandleFunc("GET /datasets/{id}", s.handleDatasetPage)
	s.mux.HandleFunc("GET /datasets/{id}/{tab}", s.handleDatasetPage)
	s.mux.HandleFunc("GET /datasets/{id}/events", s.handleDatasetEvents) // live.go
	s.mux.HandleFunc("GET /datasets/{id}/export/{format}", s.handleDownload)
	s.mux.HandleFunc("GET /organizations", s.withEntries(s.handleOrganizations))
	s.mux.HandleFunc("GET /organizations/{id}", s.withEntries(s.handleOrganization))
	s.mux.HandleFunc("GET /licences", s.withEntries(s.handleLicences))
	s.mux.HandleFunc("GET /accords", s.withEntries(s.handleAgreementRegister)) // agreements.go
	s.mux.HandleFunc("GET /registres", s.handleRegisters)                      // registers.go
	s.mux.HandleFunc("GET /sobriete", s.handleSobriety)                        // sobriety.go
	s.mux.HandleFunc("GET /rapport", s.handleAnnualLatest)                     // annual.go
	s.mux.HandleFunc("GET /rapport/{year}", s.handleAnnual)
	s.adminRoutes()
	s.liveRoutes() // live_push.go
	// DTPR sensor pages, opinions and their moderation (sensors.go)
	s.sensorRoutes()
	s.dcatRoutes() // dcat.go: DCAT-AP files served by the API
}
