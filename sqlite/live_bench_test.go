package sqlite

import (
	"testing"

	"github.com/socle/socle/internal/storetest"
)

// BenchmarkLiveUpsert: one push of 100 records into 100,000 rows, in place.
func BenchmarkLiveUpsert(b *testing.B) {
	db := openTest(b)
	defer db.Close()
	storetest.BenchLiveUpsert(b, db, true)
}

// BenchmarkLiveUpsertBaseline: the same push as a LoadVersion upsert.
func BenchmarkLiveUpsertBaseline(b *testing.B) {
	db := openTest(b)
	defer db.Close()
	storetest.BenchLiveUpsert(b, db, false)
}
