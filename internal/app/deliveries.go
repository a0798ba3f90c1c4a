package app

import (
	"context"
	"fmt"
	"time"

	"github.com/socle/socle/internal/alerts"
	"github.com/socle/socle/internal/auth"
	"github.com/socle/socle/internal/errs"
	"github.com/socle/socle/internal/registers"
)

// Delegated public services: the contracts' data clauses say which
// datasets each delegate must deliver and how often. CheckDeliveries
// (run with the periodic alert checks, and by `socle alerts check`)
// compares each clause of a contract in force with its dataset's last
// update and opens an alert of the delivery rule for a late or missing
// delivery, resolved once the dataset is delivered.

// DeliveryRuleID is the rule the delivery alerts belong to; it is created
// when first needed.
const DeliveryRuleID = "livraison-dsp"

// Delivery statuses.
const (
	DeliveryOK      = "ok"
	DeliveryLate    = "late"    // updated, but longer ago than the clause's frequency
	DeliveryMissing = "missing" // never delivered
)

// Delivery is the state of one clause.
type Delivery struct {
	Contract     string     `json:"contract"`
	Delegate     string     `json:"delegate"`
	Dataset      string     `json:"dataset"`
	Frequency    int        `json:"frequency_days"`
	LastDelivery *time.Time `json:"last_delivery,omitempty"`
	Status       string     `json:"status"`
}

// subject is how a delivery alert names its clause.
func (d Delivery) subject() string { return "dsp." + d.Contract + "." + d.Dataset }

// PutContract validates and stores a contract; stewards and admins.
func (a *App) PutContract(ctx context.Context, p auth.Principal, c *registers.Contract) error {
	if !CanKeepRegisters(p) {
		return errs.E(errs.Forbidden, "only stewards keep the registers")
	}
	if err := c.Validate(); err != nil {
		return err
	}
	c.Updated = a.Now()
	if err := a.Store.PutContract(ctx, c); err != nil {
		return err
	}
	return a.Audit(ctx, p, "register.contract.put", "contract:"+c.ID, 0, "")
}

// Contracts lists the contracts as p may see them.
func (a *App) Contracts(ctx context.Context, p auth.Principal) ([]*registers.Contract, error) {
	list, err := a.Store.Contracts(ctx)
	if err != nil || CanKeepRegisters(p) {
		return list, err
	}
	for i, c := range list {
		pub := c.Public()
		list[i] = &pub
	}
	return list, nil
}

// Contract returns one contract as p may see it. errs.NotFound.
func (a *App) Contract(ctx context.Context, p auth.Principal, id string) (*registers.Contract, error) {
	c, err := a.Store.Contract(ctx, id)
	if err != nil || CanKeepRegisters(p) {
		return c, err
	}
	pub := c.Public()
	return &pub, nil
}

// Deliveries returns the state of every clause of the contracts in force.
func (a *App) Deliveries(ctx context.Context) ([]Delivery, error) {
	cs, err := a.Store.Contracts(ctx)
	if err != nil {
		return nil, err
	}
	now := a.Now()
	var out []Delivery
	for _, c := range cs {
		if now.Before(c.Start) || !now.Before(c.End) {
			continue
		}
		for _, cl := range c.Clauses {
			d := Delivery{Contract: c.ID, Delegate: c.Delegate, Dataset: cl.Dataset, Frequency: cl.FrequencyDays, Status: DeliveryMissing}
			ds, err := a.Store.Dataset(ctx, cl.Dataset)
			if err != nil && !errs.Is(err, errs.NotFound) {
				return nil, err
			}
			if err == nil && ds.Version > 0 {
				m := ds.Modified
				d.LastDelivery, d.Status = &m, DeliveryOK
				// A delivery is due every FrequencyDays, counted from the
				// later of the contract's start and the last delivery.
				if now.Sub(later(m, c.Start)) > time.Duration(cl.FrequencyDays)*24*time.Hour {
					d.Status = DeliveryLate
				}
			} else if now.Sub(c.Start) <= time.Duration(cl.FrequencyDays)*24*time.Hour {
				d.Status = DeliveryOK // the first delivery is not due yet
			}
			out = append(out, d)
		}
	}
	return out, nil
}

func later(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

// CheckDeliveries opens an alert for each late or missing delivery and
// resolves those delivered since.
func (a *App) CheckDeliveries(ctx context.Context) (opened, resolved int, err error) {
	ds, err := a.Deliveries(ctx)
	if err != nil || len(ds) == 0 {
		return 0, 0, err
	}
	if err := a.ensureDeliveryRule(ctx); err != nil {
		return 0, 0, err
	}
	active, err := a.Store.Alerts(ctx, alerts.Filter{RuleID: DeliveryRuleID, Limit: -1})
	if err != nil {
		return 0, 0, err
	}
	open := map[string]*alerts.Alert{}
	for _, al := range active {
		if al.Status != alerts.StatusResolved {
			open[al.Device] = al
		}
	}
	now := a.Now()
	for _, d := range ds {
		al := open[d.subject()]
		switch {
		case d.Status != DeliveryOK && al == nil:
			msg := fmt.Sprintf("Livraison %s du jeu %s (contrat %s, tous les %d jours)", map[string]string{DeliveryLate: "en retard", DeliveryMissing: "manquante"}[d.Status], d.Dataset, d.Contract, d.Frequency)
			created, err := a.openAlert(ctx, &alerts.Alert{RuleID: DeliveryRuleID, Device: d.subject(), Severity: alerts.SeverityWarning, OpenedAt: now, Message: msg})
			if err != nil {
				return opened, resolved, err
			}
			if created {
				opened++
			}
		case d.Status == DeliveryOK && al != nil:
			if _, err := a.updateAlert(ctx, al.ID, alerts.Update{Status: alerts.StatusResolved,
				Event: alerts.Event{At: now, Actor: alerts.SystemActor, Action: alerts.ActionResolve, Note: "jeu de données livré"}}); err != nil && !errs.Is(err, errs.Conflict) {
				return opened, resolved, err
			}
			resolved++
		}
	}
	return opened, resolved, nil
}

// ensureDeliveryRule creates the delivery rule when missing.
func (a *App) ensureDeliveryRule(ctx context.Context) error {
	_, err := a.Store.Rule(ctx, DeliveryRuleID)
	if !errs.Is(err, errs.NotFound) {
		return err
	}
	return a.Store.PutRule(ctx, &alerts.Rule{ID: DeliveryRuleID, Name: "Livraison de données d'un délégataire en retard",
		Kind: alerts.KindDelivery, Severity: alerts.SeverityWarning, Enabled: true})
}
