package web

import "net/http"

// backOffice is the back-office's part of the server: its handlers, and
// the little state they keep in memory.
type backOffice struct {
	*Server
	limiter *loginLimiter
}

// adminRoutes lists the back-office: login, uploads, metadata, users,
// organizations, API keys, and the hyperviseur (hyperviseur.go). Every
// POST has passed the anti-forgery check of withViewer before it gets here.
func (s *Server) adminRoutes() {
	b := &backOffice{Server: s, limiter: newLoginLimiter()}
	routes := []struct {
		pattern string
		h       http.HandlerFunc
	}{
		{"GET /login", b.handleLoginForm},
		{"POST /login", b.handleLogin},
		{"POST /logout", b.handleLogout},

		{"GET /admin", b.handleAdmin},
		{"GET /admin/datasets/new", b.handleUploadForm},
		{"POST /admin/datasets/new", b.handleUpload},
		{"GET /admin/uploads/{token}", b.handlePreview},
		{"POST /admin/uploads/{token}/publish", b.handlePublish},
		{"GET /admin/datasets/{id}", b.handleManage},
		{"POST /admin/datasets/{id}/meta", b.handleMeta},
		{"POST /admin/datasets/{id}/data", b.handleData},
		{"POST /admin/datasets/{id}/restore", b.handleRestore},
		{"GET /admin/datasets/{id}/reports/{rid}", b.handleReport},

		{"GET /admin/users", b.handleUsers},
		{"POST /admin/users", b.handleCreateUser},
		{"GET /admin/users/{uid}", b.handleUser},
		{"POST /admin/users/{uid}", b.handleUpdateUser},
		{"POST /admin/users/{uid}/disable", b.handleDisableUser},
		{"POST /admin/users/{uid}/enable", b.handleEnableUser},

		{"GET /admin/organizations", b.handleOrgs},
		{"POST /admin/organizations", b.handleCreateOrg},
		{"GET /admin/organizations/{oid}", b.handleOrg},
		{"POST /admin/organizations/{oid}", b.handleUpdateOrg},

		{"GET /admin/accords", b.handleAgreements}, // admin_agreements.go
		{"GET /admin/accords/nouveau", b.handleNewAgreement},
		{"POST /admin/accords", b.handleCreateAgreement},
		{"GET /admin/accords/{aid}", b.handleAgreement},
		{"POST /admin/accords/{aid}", b.handleUpdateAgreement},
		{"GET /admin/accords/{aid}/journal", b.handleAgreementLog},
		{"POST /admin/accords/{aid}/{action}", b.handleAgreementAction},

		{"GET /admin/moissonnage", b.handleHarvest}, // harvest.go
		{"POST /admin/moissonnage", b.handleCreateHarvest},
		{"GET /admin/moissonnage/{sid}", b.handleHarvestSource},
		{"POST /admin/moissonnage/{sid}/run", b.handleRunHarvest},
		{"GET /admin/moissonnage/{sid}/runs/{rid}", b.handleHarvestRun},

		{"GET /admin/keys", b.handleKeys},
		{"POST /admin/keys", b.handleCreateKey},
		{"POST /admin/keys/{kid}/revoke", b.handleRevokeKey},

		{"GET /hyperviseur", b.handleHyperviseur},
		{"GET /hyperviseur/devices.geojson", b.handleHyperviseurGeoJSON},
		{"GET /hyperviseur/devices/{id}", b.handleHyperviseurDevice},
		{"POST /hyperviseur/alerts/{id}/ack", b.handleHyperviseurAck},
		{"POST /hyperviseur/alerts/{id}/resolve", b.handleHyperviseurResolve},
		{"POST /hyperviseur/alerts/{id}/assign", b.handleHyperviseurAssign}, // hyperviseur_maintenance.go
		{"POST /hyperviseur/alerts/{id}/comment", b.handleHyperviseurComment},
		{"POST /hyperviseur/alerts/{id}/workorder", b.handleHyperviseurAlertWorkOrder},
		{"POST /hyperviseur/devices/{id}/workorders", b.handleHyperviseurCreateWorkOrder},
		{"GET /hyperviseur/workorders", b.handleHyperviseurWorkOrders},
		{"POST /hyperviseur/workorders/{id}", b.handleHyperviseurUpdateWorkOrder},
		{"POST /hyperviseur/workorders/{id}/comment", b.handleHyperviseurCommentWorkOrder},
		{"GET /hyperviseur/rounds", b.handleHyperviseurRound}, // hyperviseur_rounds.go
		{"GET /hyperviseur/rounds.geojson", b.handleHyperviseurRoundGeoJSON},
		{"GET /hyperviseur/rounds.csv", b.handleHyperviseurRoundCSV},
		{"GET /hyperviseur/events", b.handleHyperviseurEvents}, // hyperviseur_events.go
	}
	for _, rt := range routes {
		s.mux.HandleFunc(rt.pattern, rt.h)
	}
}
