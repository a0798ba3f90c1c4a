package export

import (
	"io"

	"github.com/socle/socle/internal/catalog"
	"github.com/socle/socle/internal/errs"
)

func newParquetWriter(w io.Writer, fields []catalog.Field, opts Options) (Writer, error) {
	return nil, errs.E(errs.Unavailable, "parquet export is not available yet")
}
