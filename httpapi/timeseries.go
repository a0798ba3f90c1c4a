package httpapi

// routesTimeSeries registers its capability's routes (filled in by its work).
func (s *Server) routesTimeSeries() {}
