package harvester

import (
	"context"
	"errors"

	"github.com/socle/socle/internal/harvest"
)

// DCAT harvests a DCAT catalog document and its Hydra pages.
type DCAT struct {
	c       *Client
	catalog string
}

// List reads the catalog pages.
func (d *DCAT) List(ctx context.Context, yield func(harvest.RemoteDataset) error) error {
	return errors.New("DCAT harvesting is not implemented yet")
}

// Fetch downloads a distribution.
func (d *DCAT) Fetch(ctx context.Context, r harvest.RemoteDataset, dir string) (*harvest.Download, error) {
	return nil, errors.New("DCAT harvesting is not implemented yet")
}
