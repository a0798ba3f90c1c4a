package main

import (
	"context"
	"fmt"
	"io"

	"github.com/socle/socle/internal/app"
)

// purgeProperties applies the retention rules per device property once,
// for `socle retention purge`, printing one line per rule.
func purgeProperties(ctx context.Context, a *app.App, stdout io.Writer) error {
	purges, err := a.PurgeProperties(ctx, app.System)
	for _, p := range purges {
		if p.Held {
			fmt.Fprintf(stdout, "property rule %s: legal hold, nothing deleted\n", p.Rule)
		} else {
			fmt.Fprintf(stdout, "property rule %s: %d observations and %d roll-up rows before %s deleted (%d devices)\n",
				p.Rule, p.Raw, p.Rollups, p.Before, p.Devices)
		}
	}
	return err
}
