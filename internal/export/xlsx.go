package export

import (
	"io"

	"github.com/socle/socle/internal/catalog"
	"github.com/socle/socle/internal/errs"
)

func newXLSXWriter(w io.Writer, fields []catalog.Field, opts Options) (Writer, error) {
	return nil, errs.E(errs.Unavailable, "xlsx export is not available yet")
}
