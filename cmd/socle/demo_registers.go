package main

import (
	"context"

	"github.com/socle/socle/internal/app"
	"github.com/socle/socle/internal/demo"
)

// seedRegisters fills the demo's RGPD record and algorithm register.
func seedRegisters(ctx context.Context, a *app.App, t *demo.Territory) error {
	for _, p := range t.Processings() {
		if err := a.PutProcessing(ctx, app.System, p); err != nil {
			return err
		}
	}
	for _, al := range t.Algorithms() {
		if err := a.PutAlgorithm(ctx, app.System, al); err != nil {
			return err
		}
	}
	return nil
}
