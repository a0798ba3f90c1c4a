package main

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"io"
	"net/url"

	"github.com/socle/socle/httpapi"
	"github.com/socle/socle/internal/app"
)

// runExport streams a dataset to stdout with the same parameters and writer
// as the HTTP export endpoint.
func runExport(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var sf storeFlags
	fs := flag.NewFlagSet("export", flag.ContinueOnError)
	fs.SetOutput(stderr)
	sf.register(fs)
	id := fs.String("dataset", "", "dataset ID (required)")
	format := fs.String("format", "csv", "csv, json, jsonl, geojson, parquet or xlsx")
	where := fs.String("where", "", "ODSQL filter")
	sel := fs.String("select", "", "ODSQL select")
	order := fs.String("order-by", "", "ODSQL order_by")
	groupBy := fs.String("group-by", "", "ODSQL group_by")
	limit := fs.Int("limit", -1, "maximum rows (-1 = all)")
	delimiter := fs.String("delimiter", ";", "CSV delimiter")
	bom := fs.Bool("with-bom", false, "CSV: start with a UTF-8 byte-order mark")
	if err := fs.Parse(reorder(args)); err != nil {
		return err
	}
	if *id == "" {
		return fmt.Errorf("export needs --dataset")
	}
	v := url.Values{}
	for k, s := range map[string]string{"where": *where, "select": *sel, "order_by": *order, "group_by": *groupBy, "delimiter": *delimiter} {
		if s != "" {
			v.Set(k, s)
		}
	}
	v.Set("limit", fmt.Sprint(*limit))
	v.Set("with_bom", fmt.Sprint(*bom))
	defer batchGC()()
	a, err := sf.open(ctx, quietLogger())
	if err != nil {
		return err
	}
	defer a.Close()
	w := bufio.NewWriterSize(stdout, 256<<10)
	if _, err := httpapi.Export(ctx, a, app.System, *id, *format, v, w); err != nil {
		return err
	}
	return w.Flush()
}
