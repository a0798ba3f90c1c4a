package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/socle/socle/internal/annual"
	"github.com/socle/socle/internal/errs"
	"github.com/socle/socle/internal/sobriety"
	"github.com/socle/socle/web"
)

// runReport prints the annual public report of a year (the page
// /rapport/YEAR shows the same figures): JSON, a plain-text summary, or
// the PDF of /rapport/YEAR.pdf written to --out.
func runReport(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var sf storeFlags
	fs := flag.NewFlagSet("report", flag.ContinueOnError)
	fs.SetOutput(stderr)
	sf.register(fs)
	year := fs.Int("year", time.Now().UTC().Year(), "the year to report on")
	format := fs.String("format", "json", "json, text or pdf")
	out := fs.String("out", "", "the file to write (required with --format pdf); default standard output")
	model := fs.String("sobriety-model", "", "energy and carbon model (docs/sobriety.md); default the documented one")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *format != "json" && *format != "text" && *format != "pdf" {
		return errs.E(errs.Invalid, "--format must be json, text or pdf")
	}
	if *format == "pdf" && *out == "" {
		return errs.E(errs.Invalid, "--format pdf needs --out FILE")
	}
	a, err := sf.open(ctx, quietLogger())
	if err != nil {
		return err
	}
	defer a.Close()
	if a.Sobriety, err = sobriety.ParseModel(*model); err != nil {
		return err
	}
	r, err := a.AnnualReport(ctx, *year)
	if err != nil {
		return err
	}
	return writeReport(stdout, *out, *format, r)
}

// writeReport writes r in format to the file out, or to stdout when out is
// empty; the file is replaced only once the report is whole.
func writeReport(stdout io.Writer, out, format string, r *annual.Report) error {
	var buf bytes.Buffer
	var err error
	switch format {
	case "text":
		err = writeReportText(&buf, r)
	case "pdf":
		err = web.AnnualPDF(&buf, r)
	default:
		enc := json.NewEncoder(&buf)
		enc.SetIndent("", "  ")
		err = enc.Encode(r)
	}
	if err != nil {
		return err
	}
	if out == "" {
		_, err = stdout.Write(buf.Bytes())
		return err
	}
	tmp := out + ".tmp"
	if err := os.WriteFile(tmp, buf.Bytes(), 0o644); err != nil {
		return fmt.Errorf("writing the report: %w", err)
	}
	return os.Rename(tmp, out)
}

// writeReportText is the report's summary for a terminal.
func writeReportText(w io.Writer, r *annual.Report) error {
	_, err := fmt.Fprintf(w, `Rapport annuel %d (du %s au %s)
Jeux de données : %d (%d ouverts, %d mis à jour dans l'année), %d enregistrements
Usage : %d consultations, %d téléchargements
Capteurs : %d dans le registre, %d présentés au public
Avis des habitants : %d reçus, %d publiés, %d rejetés, %d en attente, %d avec réponse
Accords de partage : %d en vigueur, %d requêtes, %d enregistrements lus
Registres : %d traitements, %d algorithmes (dont %d de la plateforme)
Incidents : %d alertes (%d résolues), %d purges (%d mesures)
Sobriété : %.1f kWh/an, %.1f kg CO2e/an, %d jeux non lus depuis 12 mois, %d en double
`, r.Year, r.From.Format(time.DateOnly), r.To.Format(time.DateOnly),
		r.Datasets.Total, r.Datasets.Opened, r.Datasets.Updated, r.Datasets.Records,
		r.Use.Views, r.Use.Downloads, r.Sensors.Devices, r.Sensors.Public,
		r.Opinions.Received, r.Opinions.Published, r.Opinions.Rejected, r.Opinions.Pending, r.Opinions.Answered,
		r.Agreements.InForce, r.Agreements.Requests, r.Agreements.Records,
		r.Registers.Processings, r.Registers.Algorithms, r.Registers.PlatformAlgorithms,
		r.Incidents.Alerts, r.Incidents.Resolved, r.Incidents.Purges, r.Incidents.PurgedRows,
		r.Sobriety.KWhPerYear, r.Sobriety.GCO2ePerYear/1000, r.Sobriety.Unread, r.Sobriety.Duplicates)
	return err
}
