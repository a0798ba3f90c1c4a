package httpapi

// routesPush registers its capability's routes (filled in by its work).
func (s *Server) routesPush() {}
