package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"

	"github.com/socle/socle/internal/tableschema"
)

// runValidate exits 0 when FILE conforms to the schema and 1 when it does not.
func runValidate(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("validate", flag.ContinueOnError)
	fs.SetOutput(stderr)
	schemaPath := fs.String("schema", "", "Table Schema (JSON) to validate against (required)")
	asJSON := fs.Bool("json", false, "print the report as JSON")
	if err := fs.Parse(reorder(args)); err != nil {
		return err
	}
	if *schemaPath == "" || fs.NArg() != 1 {
		fmt.Fprintln(stderr, "Usage: socle validate --schema SCHEMA [--json] FILE")
		return fmt.Errorf("validate needs --schema and exactly one FILE")
	}
	s, err := tableschema.Load(*schemaPath)
	if err != nil {
		return fmt.Errorf("schema %s: %w", *schemaPath, err)
	}
	report, err := tableschema.ValidateFile(fs.Arg(0), s, tableschema.Options{})
	if err != nil {
		return err
	}
	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(report); err != nil {
			return err
		}
	} else if err := report.WriteText(stdout); err != nil {
		return err
	}
	if !report.Valid {
		return errValidationFailed
	}
	return nil
}
