package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"time"

	"github.com/socle/socle/internal/app"
	"github.com/socle/socle/internal/auth"
	"github.com/socle/socle/internal/catalog"
	"github.com/socle/socle/internal/demo"
	"github.com/socle/socle/internal/errs"
	"github.com/socle/socle/internal/importer"
	"github.com/socle/socle/web"
)

// runDemo creates the synthetic territory on first run, then serves it.
func runDemo(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var f serveFlags
	fs := flag.NewFlagSet("demo", flag.ContinueOnError)
	fs.SetOutput(stderr)
	f.registerServe(fs)
	seedOnly := fs.Bool("seed-only", false, "create the demo territory (if the database is empty) and exit without serving")
	if err := fs.Parse(args); err != nil {
		return err
	}
	logger := newLogger(slog.LevelInfo)
	a, err := f.open(ctx, logger)
	if err != nil {
		return err
	}
	defer a.Close()
	t := demo.New()
	created, err := seedDemo(ctx, a, t)
	if err != nil {
		return err
	}
	if created {
		if err := seedLiveDemo(ctx, a, t); err != nil {
			return err
		}
	}
	if *seedOnly {
		fmt.Fprintf(stdout, "demo territory %s ready in %s (created: %v)\n", t.Name, f.data, created)
		return nil
	}
	if err := revokeDemoKeys(ctx, a, adminLogin(t)); err != nil {
		return err
	}
	key, _, err := a.CreateAPIKey(ctx, adminLogin(t), "demo")
	if err != nil {
		return err
	}
	o := f.options()
	if o.site.SiteName == web.DefaultConfig().SiteName {
		o.site.SiteName = t.Name
	}
	if !flagGiven(fs, "mqtt-listen") && os.Getenv("SOCLE_MQTT_LISTEN") == "" {
		o.broker = "127.0.0.1:0" // the embedded broker, on a free port
	}
	sim := &simulator{t: t, key: key, ing: a, log: logger, http: &http.Client{Timeout: time.Minute}}
	o.onBroker = func(url string) { sim.broker = url }
	simCtx, stopSim := context.WithCancel(ctx)
	simDone := make(chan struct{})
	simulating := false
	defer func() { // before the server and the store close
		stopSim()
		if simulating {
			<-simDone
		}
	}()
	started := a.Now()
	return serve(ctx, a, o, logger, func(url string) {
		sim.base, simulating = url, true
		go func() { defer close(simDone); sim.run(simCtx, started, a.Now) }()
		printDemo(stdout, url, sim.broker, t, key, created, f.data)
	})
}

// revokeDemoKeys revokes the keys earlier demo runs printed: only their
// hashes are stored, so each run prints a fresh one instead.
func revokeDemoKeys(ctx context.Context, a *app.App, login string) error {
	u, err := a.Store.UserByLogin(ctx, login)
	if err != nil {
		return err
	}
	keys, err := a.Store.APIKeys(ctx, u.ID)
	if err != nil {
		return err
	}
	for _, k := range keys {
		if k.Label == "demo" && k.RevokedAt == nil {
			if err := a.Store.RevokeAPIKey(ctx, k.ID, a.Now()); err != nil {
				return err
			}
		}
	}
	return nil
}

func adminLogin(t *demo.Territory) string {
	for _, u := range t.Users {
		if u.Role == string(auth.RoleAdmin) {
			return u.Login
		}
	}
	return "admin"
}

// flagGiven reports whether the command line set the flag name.
func flagGiven(fs *flag.FlagSet, name string) bool {
	given := false
	fs.Visit(func(f *flag.Flag) { given = given || f.Name == name })
	return given
}

func printDemo(w io.Writer, url, broker string, t *demo.Territory, key string, created bool, dir string) {
	fmt.Fprintln(w, "Socle — démonstration (DONNÉES SYNTHÉTIQUES / SYNTHETIC DATA)")
	if created {
		fmt.Fprintf(w, "Demo territory created in %s: %d organizations, %d datasets.\n", dir, len(t.Organizations), len(t.Datasets))
	}
	fmt.Fprintf(w, "\n  URL:      %s\n  API:      %s/api/explore/v2.1/catalog/datasets\n", url, url)
	for _, u := range t.Users {
		if u.Role == string(auth.RoleAdmin) {
			fmt.Fprintf(w, "  Admin:    login %s, password %s (demo only: change it)\n", u.Login, u.Password)
		}
	}
	fmt.Fprintf(w, "  API key:  %s (admin; use \"Authorization: Apikey <key>\")\n", key)
	fmt.Fprintf(w, "  Alerts:   %s/api/v1/alerts?status=open (sensors: %s/api/v1/devices; with the API key)\n", url, url)
	fmt.Fprintf(w, "  Hyperviseur: %s/hyperviseur (log in as the admin)\n", url)
	if broker != "" {
		fmt.Fprintf(w, "  MQTT:     %s (embedded broker; password: the API key)\n", broker)
	}
	fmt.Fprintln(w, "\nSimulated sensors report every minute: MQTT (ChirpStack uplinks), NGSI-LD (air stations), HTTP (parking).\nPress Ctrl+C to stop.")
}

// seedDemo loads the territory unless the database already has datasets.
func seedDemo(ctx context.Context, a *app.App, t *demo.Territory) (bool, error) {
	existing, err := a.Store.Datasets(ctx)
	if err != nil {
		return false, err
	}
	for _, d := range existing {
		if app.ValidDatasetID(d.ID) {
			return false, nil // not empty: serve what is there
		}
	}
	for _, o := range t.Organizations {
		if err := a.Store.PutOrganization(ctx, o); err != nil {
			return false, err
		}
	}
	for _, u := range t.Users {
		err := a.AddUser(ctx, &auth.User{Login: u.Login, Name: u.Name, Role: auth.Role(u.Role), Org: u.Org}, u.Password)
		if err != nil && !errs.Is(err, errs.Conflict) {
			return false, err
		}
	}
	for _, spec := range t.Datasets {
		if err := loadSpec(ctx, a, spec); err != nil {
			return false, fmt.Errorf("demo dataset %s: %w", spec.Dataset.ID, err)
		}
	}
	if err := a.SeedAgreements(ctx, t.Agreements); err != nil {
		return false, fmt.Errorf("demo agreements: %w", err)
	}
	if err := seedRegisters(ctx, a, t); err != nil {
		return false, fmt.Errorf("demo registers: %w", err)
	}
	if err := a.RefreshCatalog(ctx); err != nil {
		return false, err
	}
	if err := seedSensors(ctx, a, t); err != nil {
		return false, fmt.Errorf("demo sensors: %w", err)
	}
	return true, nil
}

// seedLiveDemo defines the demo's real-time datasets, which the simulated
// sensors keep current through the live feeder (app/live_feeder.go).
func seedLiveDemo(ctx context.Context, a *app.App, t *demo.Territory) error {
	for _, l := range t.LiveDatasets() {
		if _, err := a.DefineFeed(ctx, app.System, app.FeedRequest{Feed: l.Feed, Access: l.Dataset.Access, Meta: l.Dataset.Meta}); err != nil {
			return fmt.Errorf("demo live dataset %s: %w", l.Dataset.ID, err)
		}
	}
	return nil
}

// seedSensors registers the demo's sensor fleet and alert rules, feeds the
// simulated last 24 hours of ChirpStack uplinks through the path MQTT
// messages take (parse, then IngestUplink, which evaluates the threshold
// rules), and runs one silence check and one periodic check (leaks,
// containers), so that alerts are open at once.
func seedSensors(ctx context.Context, a *app.App, t *demo.Territory) error {
	for _, d := range append(t.Devices(), t.SquareDevices()...) {
		if err := a.PutDevice(ctx, app.System, d); err != nil {
			return err
		}
		if _, err := a.PutChain(ctx, app.System, d.ID, t.Datachain(d)); err != nil { // DTPR (internal/demo/dtpr.go)
			return err
		}
	}
	if err := a.PutDeployment(ctx, app.System, t.SquareDeployment()); err != nil {
		return err
	}
	for _, r := range t.Rules() {
		if err := a.PutRule(ctx, app.System, r); err != nil {
			return err
		}
	}
	if err := feedUplinks(ctx, a, t.Uplinks(a.Now())); err != nil {
		return err
	}
	if _, err := a.CheckSilence(ctx, a.Now()); err != nil {
		return err
	}
	_, err := a.CheckPeriodic(ctx, a.Now()) // leaks and containers
	return err
}

func loadSpec(ctx context.Context, a *app.App, spec *demo.DatasetSpec) error {
	d := *spec.Dataset
	d.Meta.TableSchemaJSON = string(spec.Schema)
	ds, _, err := a.EnsureDataset(ctx, app.System, &d)
	if err != nil {
		return err
	}
	mode := catalog.ModeReplace
	_, err = a.Store.LoadVersion(ctx, catalog.LoadRequest{DatasetID: ds.ID, Fields: spec.Dataset.Fields,
		Mode: mode, Keys: spec.Keys, Rows: spec.Rows(), Actor: "demo", Now: a.Now()})
	if err != nil || spec.Schema == nil {
		return err
	}
	// The quality tab shows the data checked against the declared schema.
	_, err = importer.CheckSchema(ctx, a, app.System, ds.ID)
	return err
}
