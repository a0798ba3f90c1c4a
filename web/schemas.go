package web

import (
	"context"
	"encoding/json"

	"github.com/socle/socle/internal/catalog"
	"github.com/socle/socle/internal/tableschema"
)

// conformance is the badge of a dataset that declares a Table Schema:
// "valid" or "invalid" after the latest validation report (an import or a
// check against the schema), "unchecked" before any; "" without a schema.
func (s *Server) conformance(ctx context.Context, d *catalog.Dataset) (string, error) {
	if d.Meta.TableSchemaJSON == "" {
		return "", nil
	}
	reports, err := s.app.Store.ImportReports(ctx, d.ID, 10)
	if err != nil {
		return "", err
	}
	for _, rep := range reports {
		var sum struct {
			Report *tableschema.Report `json:"report"`
		}
		if rep.Detail != "" && json.Unmarshal([]byte(rep.Detail), &sum) == nil && sum.Report != nil {
			if sum.Report.Valid {
				return "valid", nil
			}
			return "invalid", nil
		}
	}
	return "unchecked", nil
}
