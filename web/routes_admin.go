package web

// adminRoutes lists the back-office: login, uploads, metadata, users,
// organizations and API keys.
func (s *Server) adminRoutes() {
}
