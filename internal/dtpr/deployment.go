package dtpr

import (
	"context"
	"time"

	"github.com/socle/socle/internal/errs"
)

// Deployment groups several devices at one place (the sensors of a square)
// under one datachain, one public page, one sign and one opinion form.
type Deployment struct {
	ID        string    `json:"id"` // shares the public URL space with device IDs
	Name      string    `json:"name"`
	Place     string    `json:"place,omitempty"`   // where, in words
	Commune   string    `json:"commune,omitempty"` // INSEE code or name, as devices have
	Devices   []string  `json:"devices"`
	Chain     *Chain    `json:"chain"`
	UpdatedAt time.Time `json:"updated_at"`
	UpdatedBy string    `json:"updated_by,omitempty"`
}

// MaxDeploymentDevices bounds a deployment.
const MaxDeploymentDevices = 100

// Validate checks the texts, the device list's size and the chain; the ID
// syntax and the devices' existence are the use case's business.
func (d *Deployment) Validate() error {
	if err := checkText("name", d.Name, MaxTextRunes, true); err != nil {
		return err
	}
	if err := checkText("place", d.Place, MaxTextRunes, false); err != nil {
		return err
	}
	if err := checkText("commune", d.Commune, 64, false); err != nil {
		return err
	}
	if len(d.Devices) == 0 || len(d.Devices) > MaxDeploymentDevices {
		return errs.E(errs.Invalid, "devices: give 1 to %d devices", MaxDeploymentDevices)
	}
	if d.Chain == nil {
		return errs.E(errs.Invalid, "chain is required")
	}
	return d.Chain.Validate()
}

// DeploymentStore persists deployments.
type DeploymentStore interface {
	// PutDeployment inserts or replaces a deployment.
	PutDeployment(ctx context.Context, d *Deployment) error
	// Deployment returns one deployment. errs.NotFound.
	Deployment(ctx context.Context, id string) (*Deployment, error)
	// Deployments lists the deployments by ID.
	Deployments(ctx context.Context) ([]*Deployment, error)
	// DeleteDeployment deletes one. errs.NotFound.
	DeleteDeployment(ctx context.Context, id string) error
}
