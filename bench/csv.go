// Package bench holds Socle's end-to-end benchmarks (go test -bench . ./bench/)
// and the synthetic input they share with scripts/bench.sh: a CSV file of
// ten columns covering the common types, so that type inference and
// casting do real work. docs/benchmarks.md records the figures.
package bench

import (
	"bufio"
	"io"
	"math/rand/v2"
	"strconv"
	"time"
)

// Header is the header line of the generated CSV.
const Header = "id,nom,montant,date_releve,horodatage,actif,quantite,categorie,taux,commentaire"

// PostgresColumns is a typed PostgreSQL column list matching Header, for
// the COPY baseline.
const PostgresColumns = "id bigint, nom text, montant double precision, date_releve date, horodatage timestamptz, " +
	"actif boolean, quantite bigint, categorie text, taux double precision, commentaire text"

var categories = []string{"voirie", "eau", "assainissement", "transport", "culture", "sport", "social",
	"education", "dechets", "espaces-verts", "energie", "logement"}

var places = []string{"rue", "place", "avenue", "quai", "parc", "ecole", "mairie", "gare", "pont", "marche", "stade", "piscine"}

// WriteCSV writes the header and n rows to w. The same seed gives the same
// bytes. Columns: integer id (1..n, in order), text, double with two
// decimals, date, UTC datetime, boolean, integer in [0, 5000), one of 12
// categories, double in [0, 1), and free text that is empty (null) a
// quarter of the time and quoted with a comma and quotes another quarter.
func WriteCSV(w io.Writer, n int, seed uint64) error {
	bw := bufio.NewWriterSize(w, 1<<20)
	r := rand.New(rand.NewPCG(seed, 42))
	base := time.Date(2015, 1, 1, 0, 0, 0, 0, time.UTC)
	bw.WriteString(Header + "\n")
	var b []byte
	for i := 1; i <= n; i++ {
		t := base.Add(time.Duration(r.Int64N(10*365*24*3600)) * time.Second)
		b = strconv.AppendInt(b[:0], int64(i), 10)
		b = append(b, ',')
		b = append(b, places[r.IntN(len(places))]...)
		b = append(b, ' ')
		b = strconv.AppendInt(b, int64(r.IntN(100000)), 10)
		b = append(b, ',')
		b = strconv.AppendFloat(b, float64(r.IntN(10_000_000))/100, 'f', 2, 64)
		b = append(b, ',')
		b = t.AppendFormat(b, "2006-01-02")
		b = append(b, ',')
		b = t.Add(time.Duration(r.IntN(86400))*time.Second).AppendFormat(b, "2006-01-02T15:04:05Z")
		b = append(b, ',')
		b = strconv.AppendBool(b, r.IntN(2) == 0)
		b = append(b, ',')
		b = strconv.AppendInt(b, int64(r.IntN(5000)), 10)
		b = append(b, ',')
		b = append(b, categories[r.IntN(len(categories))]...)
		b = append(b, ',')
		b = strconv.AppendFloat(b, r.Float64(), 'f', 6, 64)
		b = append(b, ',')
		switch r.IntN(4) {
		case 0: // empty: null once typed
		case 1:
			b = append(b, `"Contrôle, suivi ""prioritaire"""`...)
		default:
			b = append(b, "observation n°"...)
			b = strconv.AppendInt(b, int64(r.IntN(1000)), 10)
		}
		b = append(b, '\n')
		if _, err := bw.Write(b); err != nil {
			return err
		}
	}
	return bw.Flush()
}
