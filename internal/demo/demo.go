package demo

import (
	"hash/fnv"
	"io"
	"math"
	"math/rand/v2"
	"time"

	"github.com/socle/socle/internal/agreements"
	"github.com/socle/socle/internal/catalog"
)

// Territory is everything "socle demo" loads into an empty Socle.
type Territory struct {
	// Name is the metropolis's name, which the demo portal shows.
	Name string
	// Organizations: the metropolis, its communes, partners and delegates.
	Organizations []*catalog.Organization
	// Users: one per role. Their passwords are public: change them.
	Users []DemoUser
	// Datasets, in the order they should be created.
	Datasets []*DatasetSpec
	// Agreements share datasets of access level shared with partners.
	Agreements []*agreements.Agreement
}

// DemoUser is an account created by the demo. Password is deterministic and
// printed in this package's documentation: it must be changed (or the
// account disabled) on any instance reachable by others.
type DemoUser struct {
	Login    string
	Name     string
	Role     string // admin, steward, producer, agent or partner
	Org      string // organization ID
	Password string
}

// DatasetSpec is one demo dataset: its catalog entry (UID left empty for
// the caller to fill), its key fields and a generator of its rows.
type DatasetSpec struct {
	Dataset *catalog.Dataset
	Keys    []string
	// Rows returns a fresh stream, identical on every call, of rows aligned
	// with Dataset.Fields. Rows are generated on demand, never held.
	Rows func() catalog.RowSource
	// Schema is the Table Schema the dataset declares (JSON), if any: the
	// demo checks the data against it, as a steward would.
	Schema []byte
}

// Seed is the fixed seed every generator derives its stream from.
const Seed uint64 = 0x50C1E_DE30_2026

// New builds the demo territory. Two calls return identical values and row
// streams.
func New() *Territory {
	return &Territory{
		Name:          metropolisName,
		Organizations: organizations(),
		Users:         users(),
		Datasets: []*DatasetSpec{
			parkings(),
			stops(),
			trees(),
			facilities(),
			subsidies(),
			airQuality(),
			water(),
			wastePoints(),
			streetLighting(),
			buildingEnergy(),
			poolAttendance(),
			communeBoundaries(),
			sportLicences(),
		},
		Agreements: sportAgreements(),
	}
}

// source is a RowSource of n rows built one at a time by row(i), called
// with i = 0, 1, … n-1 in order.
type source struct {
	i, n int
	row  func(i int) catalog.Row
}

func (s *source) Next() (catalog.Row, error) {
	if s.i >= s.n {
		return nil, io.EOF
	}
	r := s.row(s.i)
	s.i++
	return r, nil
}

// newRand returns the random stream of one dataset: the package seed mixed
// with a hash of the stream's name, so datasets are independent of each
// other and of their order.
func newRand(name string) *rand.Rand {
	h := fnv.New64a()
	h.Write([]byte(name))
	return rand.New(rand.NewPCG(Seed, h.Sum64()))
}

// between returns a uniform float in [lo, hi).
func between(r *rand.Rand, lo, hi float64) float64 { return lo + r.Float64()*(hi-lo) }

// intBetween returns a uniform int in [lo, hi].
func intBetween(r *rand.Rand, lo, hi int) int { return lo + r.IntN(hi-lo+1) }

// chance reports true with probability p.
func chance(r *rand.Rand, p float64) bool { return r.Float64() < p }

// pick returns a uniform element of xs.
func pick[T any](r *rand.Rand, xs []T) T { return xs[r.IntN(len(xs))] }

// round rounds x to n decimals, so that values print without float noise.
func round(x float64, n int) float64 {
	p := math.Pow10(n)
	return math.Round(x*p) / p
}

// day is UTC midnight of a calendar day, the Go value of a date field.
func day(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }

// ptr returns a pointer to t, for Metadata.TemporalStart/End.
func ptr(t time.Time) *time.Time { return &t }

// orNil returns nil with probability p, else v: the occasional null.
func orNil(r *rand.Rand, p float64, v any) any {
	if chance(r, p) {
		return nil
	}
	return v
}
