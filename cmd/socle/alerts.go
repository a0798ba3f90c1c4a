package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"time"

	"github.com/socle/socle/internal/app"
)

// silenceEvery is how often `socle serve` looks for silent devices.
const silenceEvery = time.Minute

// runAlerts runs the alerts' one-shot jobs: `socle alerts check` does once
// what the server's schedulers do (silent devices every minute, leaks and
// containers every 10 minutes), so that cron can replace them.
func runAlerts(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	a, err := openJob(ctx, "alerts", "check", args, stderr)
	if err != nil {
		return err
	}
	defer a.Close()
	rep, err := a.CheckSilence(ctx, a.Now())
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "silence: %d checked, %d opened, %d resolved\n", rep.Checked, rep.Opened, rep.Resolved)
	prep, err := a.CheckPeriodic(ctx, a.Now())
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "leak and containers: %d checked, %d opened, %d resolved\n", prep.Checked, prep.Opened, prep.Resolved)
	opened, resolved, err := a.CheckDeliveries(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "deliveries: %d opened, %d resolved\n", opened, resolved)
	return nil
}

// startAlertChecks starts the silence and periodic checkers and returns
// their stop.
func startAlertChecks(a *app.App, logger *slog.Logger) func() {
	c := a.NewSilenceChecker(silenceEvery)
	c.Start()
	p := a.NewPeriodicChecker(app.PeriodicEvery)
	p.Start()
	logger.Debug("checking for silent devices, leaks and containers", "silence_every", silenceEvery, "periodic_every", app.PeriodicEvery)
	return func() {
		p.Stop()
		c.Stop()
	}
}
