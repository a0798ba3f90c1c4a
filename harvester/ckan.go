package harvester

import (
	"context"
	"errors"

	"github.com/socle/socle/internal/harvest"
)

// CKAN harvests a CKAN portal through its Action API.
type CKAN struct {
	c    *Client
	root string
}

// List pages through package_search.
func (k *CKAN) List(ctx context.Context, yield func(harvest.RemoteDataset) error) error {
	return errors.New("CKAN harvesting is not implemented yet")
}

// Fetch downloads a resource, or pages through the DataStore.
func (k *CKAN) Fetch(ctx context.Context, d harvest.RemoteDataset, dir string) (*harvest.Download, error) {
	return nil, errors.New("CKAN harvesting is not implemented yet")
}
