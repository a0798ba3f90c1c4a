// Command benchgen supports scripts/bench.sh: it writes the benchmark's
// synthetic CSV file and times sequential HTTP requests.
//
//	benchgen csv -rows 1000000 -out FILE   # deterministic 10-column CSV
//	benchgen get -n 200 URL                # sequential GETs; prints p50 and p99 in ms
//
// The CSV is bench.WriteCSV's: one column of each common type, so that
// type inference and casting do real work.
package main

import (
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"slices"
	"time"

	"github.com/socle/socle/bench"
)

func main() {
	if len(os.Args) < 2 {
		usage()
	}
	var err error
	switch os.Args[1] {
	case "csv":
		err = runCSV(os.Args[2:])
	case "get":
		err = runGet(os.Args[2:])
	default:
		usage()
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "benchgen:", err)
		os.Exit(1)
	}
}

func usage() {
	fmt.Fprintln(os.Stderr, "usage: benchgen csv -rows N -out FILE | benchgen get -n N URL")
	os.Exit(2)
}

func runCSV(args []string) error {
	fs := flag.NewFlagSet("csv", flag.ContinueOnError)
	rows := fs.Int("rows", 1_000_000, "number of data rows")
	out := fs.String("out", "", "output file (default stdout)")
	seed := fs.Uint64("seed", 1, "random seed")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *out == "" {
		return bench.WriteCSV(os.Stdout, *rows, *seed)
	}
	f, err := os.Create(*out)
	if err != nil {
		return err
	}
	if err := bench.WriteCSV(f, *rows, *seed); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

func runGet(args []string) error {
	fs := flag.NewFlagSet("get", flag.ContinueOnError)
	n := fs.Int("n", 200, "number of sequential requests")
	warm := fs.Int("warmup", 5, "requests before timing starts")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return fmt.Errorf("get needs exactly one URL")
	}
	url := fs.Arg(0)
	c := &http.Client{Timeout: 2 * time.Minute}
	for range *warm {
		if _, err := get(c, url); err != nil {
			return err
		}
	}
	d := make([]time.Duration, 0, *n)
	for range *n {
		t, err := get(c, url)
		if err != nil {
			return err
		}
		d = append(d, t)
	}
	slices.Sort(d)
	fmt.Printf("p50_ms=%.3f p99_ms=%.3f n=%d\n", ms(quantile(d, 0.50)), ms(quantile(d, 0.99)), len(d))
	return nil
}

// get times one request, body read to its end; any status but 200 fails.
func get(c *http.Client, url string) (time.Duration, error) {
	start := time.Now()
	resp, err := c.Get(url)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	if _, err := io.Copy(io.Discard, resp.Body); err != nil {
		return 0, err
	}
	if resp.StatusCode != http.StatusOK {
		return 0, fmt.Errorf("GET %s: %s", url, resp.Status)
	}
	return time.Since(start), nil
}

// quantile returns the nearest-rank q-quantile of sorted d.
func quantile(d []time.Duration, q float64) time.Duration {
	i := int(q*float64(len(d))+0.999999) - 1
	return d[max(0, min(len(d)-1, i))]
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
