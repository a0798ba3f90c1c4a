package httpapi

// routes lists every route of the API surface in one place.
func (s *Server) routes() {
	const v21 = "/api/explore/v2.1"
	s.mux.HandleFunc("GET /healthz", s.handleHealth)
	s.mux.HandleFunc("GET "+v21, s.handleExploreRoot)
	s.mux.HandleFunc("GET "+v21+"/catalog", s.handleExploreRoot)
	s.mux.HandleFunc("GET "+v21+"/catalog/datasets", s.handleCatalogDatasets)
	s.mux.HandleFunc("GET "+v21+"/catalog/facets", s.handleCatalogFacets)
	s.mux.HandleFunc("GET "+v21+"/catalog/exports/{format}", s.handleCatalogExport)
	s.mux.HandleFunc("GET "+v21+"/catalog/datasets/{id}", s.handleDataset)
	s.mux.HandleFunc("GET "+v21+"/catalog/datasets/{id}/records", s.handleRecords)
	s.mux.HandleFunc("GET "+v21+"/catalog/datasets/{id}/records/{record_id}", s.handleRecord)
	s.mux.HandleFunc("GET "+v21+"/catalog/datasets/{id}/exports", s.handleExportList)
	s.mux.HandleFunc("GET "+v21+"/catalog/datasets/{id}/exports/{format}", s.handleExport)
	s.mux.HandleFunc("GET "+v21+"/catalog/datasets/{id}/facets", s.handleFacets)

	const mgmt = "/api/socle/v1"
	s.mux.HandleFunc("POST "+mgmt+"/datasets/{id}/data", s.handleUpload)
	s.mux.HandleFunc("PUT "+mgmt+"/datasets/{id}", s.handleUpdateDataset)
	s.mux.HandleFunc("POST "+mgmt+"/datasets/{id}/restore", s.handleRestore)
	s.mux.HandleFunc("GET "+mgmt+"/audit", s.handleAudit)

	const v1 = "/api/v1"
	s.mux.HandleFunc("POST "+v1+"/observations", s.handlePostObservations)
	s.mux.HandleFunc("GET "+v1+"/devices", s.handleDevices)
	s.mux.HandleFunc("GET "+v1+"/devices.csv", s.handleDevicesCSV)
	s.mux.HandleFunc("GET "+v1+"/devices.geojson", s.handleDevicesGeoJSON)
	s.mux.HandleFunc("POST "+v1+"/devices/import", s.handleImportDevices)
	s.mux.HandleFunc("GET "+v1+"/devices/{device}", s.handleDevice)
	s.mux.HandleFunc("PUT "+v1+"/devices/{device}", s.handlePutDevice)
	s.mux.HandleFunc("GET "+v1+"/devices/{device}/latest", s.handleLatest)
	s.mux.HandleFunc("GET "+v1+"/devices/{device}/observations", s.handleDeviceObservations)
	s.mux.HandleFunc("GET "+v1+"/devices/{device}/aggregates", s.handleAggregates)
	s.mux.HandleFunc("GET "+v1+"/latest", s.handleLatest)
	s.mux.HandleFunc("GET "+v1+"/quarantine", s.handleQuarantine)
	s.mux.HandleFunc("POST "+v1+"/integrations/chirpstack", s.handleChirpStackWebhook)
	s.mux.HandleFunc("POST "+v1+"/integrations/tts", s.handleTTSWebhook)
	s.mux.HandleFunc("GET "+v1+"/alerts", s.handleAlerts)
	s.mux.HandleFunc("GET "+v1+"/alerts/{id}", s.handleAlert)
	s.mux.HandleFunc("POST "+v1+"/alerts/{id}/{action}", s.handleAlertAction)
	s.mux.HandleFunc("GET "+v1+"/rules", s.handleRules)
	s.mux.HandleFunc("GET "+v1+"/rules/{id}", s.handleRule)
	s.mux.HandleFunc("PUT "+v1+"/rules/{id}", s.handlePutRule)

	s.routesNGSILD()      // ngsild.go
	s.routesPush()        // push.go
	s.routesMaintenance() // maintenance.go
	s.routesTimeSeries()  // timeseries.go
	s.routesRegisters()   // registers.go
	s.routesSobriety()    // sobriety.go
	s.routesAgreements()  // agreements.go
	s.routesDTPR()        // dtpr.go
	s.routesDerive()      // derive.go
	s.routesRetention()   // property_retention.go
	s.routesDCAT()        // dcat.go
	s.routesFeatures()    // features.go
	s.routesCKAN()        // ckan.go
	s.routesSchemas()     // schemas.go
	s.routesTransit()     // transit.go
	s.routesHarvest()     // harvest.go
	s.routesOpenAPI()     // openapi.go
}
