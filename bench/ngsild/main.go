// Command ngsild measures NGSI-LD batch upserts end to end, the server
// running as a separate process with durable commits, against a baseline
// run in the same program on the same machine (docs/benchmarks.md,
// "NGSI-LD batch upsert"):
//
//   - NGSI-LD: entities/s through POST /ngsi-ld/v1/entityOperations/upsert,
//     batches of 100 WasteContainer entities with 3 numeric Properties
//     (observedAt) and a location, application/json with the Smart Data
//     Models context in a Link header, from -clients concurrent clients.
//     The first pass over the city creates the entities and their devices;
//     later passes update them.
//   - baseline: the same values as native observations through POST
//     /api/v1/observations (300 readings per request, devices registered
//     beforehand), counted as entities (readings / 3).
//
// Usage (from the repository root):
//
//	go run ./bench/ngsild              # SQLite and PostgreSQL
//	go run ./bench/ngsild -pg ''       # SQLite only
//	go run ./bench/ngsild -runs 3      # medians of 3
//	go run ./bench/ngsild -profile DIR # CPU profiles of the servers
package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/socle/socle/bench/benchkit"
	"github.com/socle/socle/internal/app"
	"github.com/socle/socle/internal/ngsild"
	"github.com/socle/socle/internal/sensors"
)

var (
	flagSocle    = flag.String("socle", "", "socle binary (default: go build ./cmd/socle into the work directory)")
	flagPG       = flag.String("pg", "postgres://postgres@127.0.0.1:5432/test?sslmode=disable", "PostgreSQL base DSN; empty skips PostgreSQL")
	flagRuns     = flag.Int("runs", 1, "runs of each measure; the median is reported")
	flagBatches  = flag.Int("batches", 400, "requests per run")
	flagEntities = flag.Int("entities", 2000, "distinct entities of the city")
	flagClients  = flag.Int("clients", 4, "concurrent HTTP clients")
	flagKeep     = flag.Bool("keep", false, "keep the work directory")
	flagProfile  = flag.String("profile", "", "directory for CPU profiles of the servers (SOCLE_CPUPROFILE)")
)

const (
	batchSize  = 100 // entities per request
	attrs      = 3   // numeric Properties per entity
	orionLD2CP = 3500.0
	sdmContext = "https://raw.githubusercontent.com/smart-data-models/dataModel.WasteManagement/master/context.jsonld"
)

var t0 = time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)

// kit holds the run's work directory, instances and servers.
var kit *benchkit.Kit

func main() {
	flag.Parse()
	kit = benchkit.New("ngsild", *flagSocle, *flagPG, *flagProfile, *flagKeep)
	defer kit.Cleanup()
	engines := []string{"sqlite"}
	if *flagPG != "" {
		engines = append(engines, "postgres")
	}
	ld, native := ldBodies(), nativeBodies()
	fmt.Printf("\nNGSI-LD batch upsert: %d run(s), median; %d clients; %d requests of %d entities × %d numeric Properties; %d distinct entities\n\n",
		*flagRuns, *flagClients, *flagBatches, batchSize, attrs, *flagEntities)
	fmt.Println("| engine | NGSI-LD upsert (entities/s) | baseline: POST /observations, same values (entities/s) | ratio (baseline/NGSI-LD) | vs Orion-LD 2 CPUs (3,500/s) | target ≥ 20,000 |")
	fmt.Println("|---|---:|---:|---:|---:|---|")
	for _, eng := range engines {
		var s, b []float64
		for r := range *flagRuns {
			s = append(s, run(eng, fmt.Sprintf("ngsild-%s-%d", eng, r), "/ngsi-ld/v1/entityOperations/upsert", ld, false))
			b = append(b, run(eng, fmt.Sprintf("native-%s-%d", eng, r), "/api/v1/observations", native, true))
			log.Printf("%s run %d: NGSI-LD %.0f entities/s; native %.0f entities/s", eng, r+1, s[r], b[r])
		}
		ms, mb := benchkit.Median(s), benchkit.Median(b)
		fmt.Printf("| %s | %.0f | %.0f | %.2f× | %.1f× | %s |\n", eng, ms, mb, mb/ms, ms/orionLD2CP, map[bool]string{true: "met", false: "missed"}[ms >= 20000])
	}
}

// entity returns the index of the k-th entity of request j, and the time
// of its values: the city is walked in order, one time step per pass.
func entity(j, k int) (int, time.Time) {
	i := j*batchSize + k
	return i % *flagEntities, t0.Add(time.Duration(i / *flagEntities) * 10 * time.Minute)
}

func entityID(n int) string { return fmt.Sprintf("urn:ngsi-ld:WasteContainer:bench:%05d", n) }

// ldBodies are the NGSI-LD requests: normalized entities, no @context in
// the body (the Link header names it).
func ldBodies() [][]byte {
	out := make([][]byte, *flagBatches)
	for j := range out {
		var b bytes.Buffer
		b.WriteByte('[')
		for k := range batchSize {
			n, at := entity(j, k)
			if k > 0 {
				b.WriteByte(',')
			}
			ts := at.Format(time.RFC3339)
			fmt.Fprintf(&b, `{"id":%q,"type":"WasteContainer","fillingLevel":{"type":"Property","value":%v,"unitCode":"C62","observedAt":%q},`+
				`"temperature":{"type":"Property","value":%v,"unitCode":"CEL","observedAt":%q},`+
				`"methaneConcentration":{"type":"Property","value":%v,"unitCode":"59","observedAt":%q},`+
				`"location":{"type":"GeoProperty","value":{"type":"Point","coordinates":[%v,%v]}}}`,
				entityID(n), float64((j+k)%100)/100, ts, float64(k%30), ts, float64(j%50), ts,
				-0.6+float64(n%100)*0.001, 47.4+float64(n/100)*0.001)
		}
		b.WriteByte(']')
		out[j] = b.Bytes()
	}
	return out
}

// nativeBodies are the same values as native observations.
func nativeBodies() [][]byte {
	out := make([][]byte, *flagBatches)
	for j := range out {
		rs := make([]app.Reading, 0, batchSize*attrs)
		for k := range batchSize {
			n, at := entity(j, k)
			dev := ngsild.DeviceID(entityID(n))
			for p, v := range map[string]float64{"fillingLevel": float64((j+k)%100) / 100, "temperature": float64(k % 30), "methaneConcentration": float64(j % 50)} {
				rs = append(rs, app.Reading{Device: dev, Property: p, Time: at, Value: &v})
			}
		}
		var err error
		out[j], err = json.Marshal(rs)
		check(err)
	}
	return out
}

// run serves a fresh instance and sends bodies to path from -clients
// clients; it returns entities/s.
func run(eng, name, path string, bodies [][]byte, native bool) float64 {
	in := kit.Instance(eng)
	key := setup(in, native)
	s := kit.StartServer(in, name)
	defer s.Stop()
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: *flagClients}, Timeout: 5 * time.Minute}
	var next atomic.Int64
	var wg sync.WaitGroup
	start := time.Now()
	for range *flagClients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				j := next.Add(1) - 1
				if j >= int64(len(bodies)) {
					return
				}
				req, _ := http.NewRequest("POST", s.Base+path, bytes.NewReader(bodies[j]))
				req.Header.Set("Authorization", "Apikey "+key)
				req.Header.Set("Content-Type", "application/json")
				if !native {
					req.Header.Set("Link", ngsild.LinkHeader(sdmContext))
				}
				resp, err := client.Do(req)
				check(err)
				out, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				if resp.StatusCode != http.StatusCreated && resp.StatusCode != http.StatusNoContent {
					fatalf("POST %s: %d %s", path, resp.StatusCode, out)
				}
			}
		}()
	}
	wg.Wait()
	el := time.Since(start)
	return float64(len(bodies)*batchSize) / el.Seconds()
}

// ------------------------------------------------------------ instances

// setup creates an admin's API key and, for the native baseline, the
// devices the NGSI-LD path would derive; it returns the key.
func setup(in benchkit.Instance, devices bool) string {
	var devs []*sensors.Device
	if devices {
		for n := range *flagEntities {
			devs = append(devs, &sensors.Device{ID: ngsild.DeviceID(entityID(n)), Name: entityID(n), Type: "WasteContainer", Domain: "waste",
				Status: sensors.StatusActive, Properties: []sensors.Property{{Name: "fillingLevel"}, {Name: "methaneConcentration"}, {Name: "temperature"}}})
		}
	}
	return in.Setup(devs)
}

// ------------------------------------------------------------ helpers

func check(err error)                   { kit.Check(err) }
func fatalf(format string, args ...any) { kit.Fatalf(format, args...) }
