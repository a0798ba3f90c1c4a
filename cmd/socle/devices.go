package main

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/socle/socle/internal/app"
	"github.com/socle/socle/internal/errs"
	"github.com/socle/socle/internal/sensors"
)

const devicesUsage = "usage: socle devices import [--data DIR] [--db DSN] FILE.csv|FILE.geojson | socle devices export [--data DIR] [--db DSN] --format csv|geojson [--domain D]"

// runDevices imports or exports the sensor registry (the layouts are
// documented in internal/sensors/registry.go), as the System principal.
func runDevices(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		return fmt.Errorf("%s", devicesUsage)
	}
	switch args[0] {
	case "import":
		return runDevicesImport(ctx, args[1:], stdout, stderr)
	case "export":
		return runDevicesExport(ctx, args[1:], stdout, stderr)
	}
	return fmt.Errorf("%s", devicesUsage)
}

func runDevicesImport(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var sf storeFlags
	fs := flag.NewFlagSet("devices import", flag.ContinueOnError)
	fs.SetOutput(stderr)
	sf.register(fs)
	if err := fs.Parse(reorder(args)); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return fmt.Errorf("devices import needs exactly one FILE.csv or FILE.geojson")
	}
	ds, err := readDevicesFile(fs.Arg(0))
	if err != nil {
		return err
	}
	a, err := sf.open(ctx, quietLogger())
	if err != nil {
		return err
	}
	defer a.Close()
	n, err := a.ImportDevices(ctx, app.System, ds)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "%d devices imported\n", n)
	return nil
}

// readDevicesFile reads a registry file, its format told by its extension.
func readDevicesFile(path string) ([]*sensors.Device, error) {
	read := sensors.ReadDevicesCSV
	switch strings.ToLower(filepath.Ext(path)) {
	case ".csv":
	case ".geojson", ".json":
		read = sensors.ReadDevicesGeoJSON
	default:
		return nil, errs.E(errs.Invalid, "%s: the file name must end in .csv or .geojson", path)
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, errs.Wrap(errs.Invalid, err, "cannot open %s", path)
	}
	defer f.Close()
	ds, err := read(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", filepath.Base(path), err)
	}
	return ds, nil
}

func runDevicesExport(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var sf storeFlags
	fs := flag.NewFlagSet("devices export", flag.ContinueOnError)
	fs.SetOutput(stderr)
	sf.register(fs)
	format := fs.String("format", "csv", "csv or geojson")
	domain := fs.String("domain", "", "only the devices of this domain")
	if err := fs.Parse(args); err != nil {
		return err
	}
	write := sensors.WriteDevicesCSV
	switch {
	case *format == "geojson":
		write = sensors.WriteDevicesGeoJSON
	case *format != "csv":
		return fmt.Errorf("--format must be csv or geojson, not %q", *format)
	}
	if *domain != "" && !slices.Contains(sensors.Domains, *domain) {
		return errs.E(errs.Invalid, "unknown domain %q (%s)", *domain, strings.Join(sensors.Domains, ", "))
	}
	a, err := sf.open(ctx, quietLogger())
	if err != nil {
		return err
	}
	defer a.Close()
	ds, err := a.Store.Devices(ctx, *domain)
	if err != nil {
		return err
	}
	w := bufio.NewWriter(stdout)
	if err := write(w, ds); err != nil {
		return err
	}
	return w.Flush()
}
