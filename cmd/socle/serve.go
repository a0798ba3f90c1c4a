package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"time"

	"github.com/socle/socle/httpapi"
	"github.com/socle/socle/internal/app"
	"github.com/socle/socle/internal/sensors"
	"github.com/socle/socle/internal/sobriety"
	"github.com/socle/socle/jscodec"
	"github.com/socle/socle/mqtt"
	"github.com/socle/socle/web"
)

type serveFlags struct {
	storeFlags
	addr      string
	maxUpload int64
	site      web.Config
	mqtt      mqtt.Config
	broker    string        // --mqtt-listen
	codecs    string        // --codecs
	sobriety  string        // --sobriety-model
	retention retentionFlag // --raw-retention (timeseries.go)
	gtfsRT    gtfsRTFlag    // --gtfs-rt (gtfs.go)
}

// serveOptions is what serve needs besides the app.
type serveOptions struct {
	addr      string
	limits    httpapi.Limits
	site      web.Config
	mqtt      mqtt.Config       // URL "" = no MQTT ingestion
	broker    string            // embedded broker address; "" = none
	codecs    string            // directory of payload decoders added to the built-in ones
	sobriety  string            // the sobriety reports' energy and carbon model
	retention sensors.Retention // raw-data retention; empty = keep forever
	// onBroker, when set, is told the embedded broker's URL once it listens.
	onBroker func(url string)
	gtfsRT   []app.RealtimeFeed // GTFS-Realtime feeds pulled on a schedule
}

func (f *serveFlags) options() serveOptions {
	return serveOptions{addr: f.addr, limits: f.limits(), site: f.siteConfig(), mqtt: f.mqtt, broker: f.broker, codecs: f.codecs, sobriety: f.sobriety, retention: f.retention.r, gtfsRT: f.gtfsRT.configured()}
}

// registerServe adds the flags serve and demo share.
func (f *serveFlags) registerServe(fs *flag.FlagSet) {
	f.register(fs)
	fs.StringVar(&f.addr, "addr", "127.0.0.1:8080", "listen address HOST:PORT")
	fs.Int64Var(&f.maxUpload, "max-upload", httpapi.DefaultLimits.MaxUpload, "largest accepted upload, in bytes")
	f.site = web.DefaultConfig()
	fs.StringVar(&f.site.SiteName, "site-name", envOr("SOCLE_SITE_NAME", f.site.SiteName), "name of the collectivity shown by the portal (env SOCLE_SITE_NAME)")
	fs.StringVar(&f.site.SiteTagline, "site-tagline", envOr("SOCLE_SITE_TAGLINE", f.site.SiteTagline), "line under the name (env SOCLE_SITE_TAGLINE)")
	fs.StringVar(&f.site.LogoFile, "logo", os.Getenv("SOCLE_LOGO"), "image file shown as the collectivity's logo (env SOCLE_LOGO)")
	fs.StringVar(&f.site.TilesURL, "tiles-url", envOr("SOCLE_TILES_URL", f.site.TilesURL), "base map tile URL template with {z} {x} {y}; empty for none (env SOCLE_TILES_URL)")
	fs.StringVar(&f.site.TilesAttribution, "tiles-attribution", envOr("SOCLE_TILES_ATTRIBUTION", f.site.TilesAttribution), "base map attribution")
	fs.DurationVar(&f.site.SessionTTL, "session-ttl", f.site.SessionTTL, "lifetime of a portal login session")
	host, _ := os.Hostname()
	fs.StringVar(&f.mqtt.URL, "mqtt-url", os.Getenv("SOCLE_MQTT_URL"), "MQTT broker to take sensor uplinks from, tcp://HOST:PORT (env SOCLE_MQTT_URL); empty: none")
	fs.StringVar(&f.mqtt.ClientID, "mqtt-client-id", envOr("SOCLE_MQTT_CLIENT_ID", "socle-"+host), "MQTT client ID, stable and unique per node (its session keeps unacknowledged uplinks)")
	fs.StringVar(&f.mqtt.SharedGroup, "mqtt-group", os.Getenv("SOCLE_MQTT_GROUP"), "MQTT v5 shared subscription group, so that several nodes share the uplinks")
	fs.StringVar(&f.mqtt.Username, "mqtt-user", os.Getenv("SOCLE_MQTT_USER"), "MQTT user name")
	f.mqtt.Password = os.Getenv("SOCLE_MQTT_PASSWORD") // never a flag: flags show in process lists
	fs.Var(&f.retention, "raw-retention", retentionUsage)
	fs.StringVar(&f.sobriety, "sobriety-model", os.Getenv("SOCLE_SOBRIETY_MODEL"), "energy and carbon model of the sobriety report: storage=KWH_PER_GB_YEAR,transfer=KWH_PER_GB,carbon=G_PER_KWH (docs/sobriety.md; env SOCLE_SOBRIETY_MODEL)")
	fs.StringVar(&f.codecs, "codecs", os.Getenv("SOCLE_CODECS"), "directory of JavaScript payload decoders, one <model>.js each in the LoRaWAN device repository's format (env SOCLE_CODECS)")
	f.gtfsRT.register(fs)
	fs.StringVar(&f.broker, "mqtt-listen", os.Getenv("SOCLE_MQTT_LISTEN"), "run an embedded MQTT broker on HOST:PORT that ingests the uplinks published to it (clients use an API key as password) (env SOCLE_MQTT_LISTEN)")
}

func envOr(name, def string) string {
	if v, ok := os.LookupEnv(name); ok {
		return v
	}
	return def
}

// siteConfig completes the portal settings from the other flags.
func (f *serveFlags) siteConfig() web.Config {
	c := f.site
	c.MaxUpload = f.maxUpload
	c.StagingDir = filepath.Join(f.data, "staging")
	return c
}

func (f *serveFlags) limits() httpapi.Limits {
	l := httpapi.DefaultLimits
	l.MaxUpload = f.maxUpload
	return l
}

func parseServe(name string, args []string, stderr io.Writer) (*serveFlags, error) {
	var f serveFlags
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	f.registerServe(fs)
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	return &f, nil
}

// shutdownGrace is how long in-flight requests may finish after SIGTERM.
const shutdownGrace = 30 * time.Second

func runServe(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	f, err := parseServe("serve", args, stderr)
	if err != nil {
		return err
	}
	logger := newLogger(slog.LevelInfo)
	a, err := f.open(ctx, logger)
	if err != nil {
		return err
	}
	defer a.Close()
	return serve(ctx, a, f.options(), logger, func(url string) {
		fmt.Fprintf(stdout, "Socle is serving on %s (engine %s)\n", url, a.Store.Engine())
	})
}

// serve runs the HTTP server until ctx is cancelled (SIGINT/SIGTERM), then
// shuts down gracefully: in-flight requests get 30 seconds to finish.
func serve(ctx context.Context, a *app.App, o serveOptions, logger *slog.Logger, ready func(url string)) error {
	if err := a.RefreshCatalog(ctx); err != nil {
		return err
	}
	handler, err := newHandler(a, o.limits, o.site, logger)
	if err != nil {
		return err
	}
	if a.Sobriety, err = sobriety.ParseModel(o.sobriety); err != nil {
		return err
	}
	decoders, err := jscodec.New(jscodec.Config{Dir: o.codecs})
	if err != nil {
		return err
	}
	defer decoders.Close()
	a.Decoder = decoders
	stopMQTT, err := startMQTT(ctx, a, o, logger)
	if err != nil {
		return err
	}
	// Uplinks in hand are stored and acknowledged before the store closes.
	defer stopMQTT()
	stopAlertChecks := startAlertChecks(a, logger)
	defer stopAlertChecks()
	// Webhook deliveries pending at shutdown stay in the outbox for the next start.
	defer a.StartWebhooks()()
	defer a.StartFeeds(ctx)() // live datasets fed by sensors (app/live_feeder.go)
	stopRetention := startRetention(a, o.retention, logger)
	defer stopRetention()
	// GTFS-Realtime next departures (gtfs.go)
	defer startRealtime(a, o.gtfsRT, logger)()
	defer startHarvest(a, logger)() // harvest sources on their schedule (harvest.go)
	ln, err := net.Listen("tcp", o.addr)
	if err != nil {
		return fmt.Errorf("listen %s: %w", o.addr, err)
	}
	// Requests run under a context that shutdown cancels once the grace
	// period is over, so that long exports stop and release the store.
	reqCtx, stopRequests := context.WithCancel(context.WithoutCancel(ctx))
	defer stopRequests()
	srv := &http.Server{
		BaseContext:       func(net.Listener) context.Context { return reqCtx },
		Handler:           handler,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       5 * time.Minute, // uploads
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
	}
	srv.RegisterOnShutdown(a.EndStreams) // event streams never go idle
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	ready("http://" + ln.Addr().String())
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	logger.Info("shutting down")
	sctx, cancel := context.WithTimeout(context.Background(), shutdownGrace)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil && !errors.Is(err, http.ErrServerClosed) {
		logger.Warn("requests still running after the grace period: interrupting them", "err", err)
		stopRequests()
		srv.Close()
	}
	<-errc // Serve has returned
	return a.FlushAudit(context.Background())
}

// newHandler routes the APIs and the health check to package httpapi and
// everything else to the web portal.
func newHandler(a *app.App, limits httpapi.Limits, site web.Config, logger *slog.Logger) (http.Handler, error) {
	api := httpapi.New(a, logger, limits)
	portal, err := web.New(a, api, logger, site)
	if err != nil {
		return nil, err
	}
	mux := http.NewServeMux()
	mux.Handle("/api/", api)
	mux.Handle("/healthz", api)
	mux.Handle("/ngsi-ld/", api)
	mux.Handle("/", portal)
	return mux, nil
}
