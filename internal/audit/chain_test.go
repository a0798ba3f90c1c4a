package audit

import (
	"strings"
	"testing"
	"time"
)

// chain builds n well-chained entries.
func chain(n int) []*Entry {
	var out []*Entry
	prev := ""
	for i := range n {
		e := &Entry{ID: int64(i + 1), Time: time.Date(2024, 1, 1, 0, 0, i, 123456000, time.UTC), Actor: "zoe", Action: "records.read", Target: "trees", Records: int64(i), Detail: "d", PrevHash: prev}
		e.Hash = ComputeHash(e)
		prev = e.Hash
		out = append(out, e)
	}
	return out
}

func headOf(es []*Entry) Head {
	if len(es) == 0 {
		return Head{}
	}
	return Head{LastID: es[len(es)-1].ID, Hash: es[len(es)-1].Hash}
}

func TestVerify(t *testing.T) {
	for _, tc := range []struct {
		name   string
		tamper func(es []*Entry) ([]*Entry, Head)
		broken int64 // 0: intact
		reason string
	}{
		{"an untouched chain is intact", func(es []*Entry) ([]*Entry, Head) { return es, headOf(es) }, 0, ""},
		{"an empty log is intact", func(es []*Entry) ([]*Entry, Head) { return nil, Head{} }, 0, ""},
		{"an edited detail breaks at that entry", func(es []*Entry) ([]*Entry, Head) {
			es[2].Detail = "changed"
			return es, headOf(es)
		}, 3, "content"},
		{"an edited time breaks at that entry", func(es []*Entry) ([]*Entry, Head) {
			es[1].Time = es[1].Time.Add(time.Microsecond)
			return es, headOf(es)
		}, 2, "content"},
		{"an entry rehashed after an edit breaks at the next one", func(es []*Entry) ([]*Entry, Head) {
			es[1].Records = 99
			es[1].Hash = ComputeHash(es[1])
			return es, headOf(es)
		}, 3, "prev_hash"},
		{"a deleted entry breaks at the one after it", func(es []*Entry) ([]*Entry, Head) {
			return append(es[:2:2], es[3:]...), headOf(es)
		}, 4, "prev_hash"},
		{"a deleted last entry breaks at the head", func(es []*Entry) ([]*Entry, Head) {
			return es[:4], headOf(es)
		}, 5, "head"},
		{"a forged entry at the end breaks at it", func(es []*Entry) ([]*Entry, Head) {
			f := &Entry{ID: 6, Time: es[4].Time, Actor: "mallory", Action: "x", PrevHash: es[4].Hash, Hash: strings.Repeat("0", 64)}
			return append(es, f), headOf(es)
		}, 6, "content"},
		{"a forged entry hashed correctly but missing from the head breaks at the head", func(es []*Entry) ([]*Entry, Head) {
			f := &Entry{ID: 6, Time: es[4].Time, Actor: "mallory", Action: "x", PrevHash: es[4].Hash}
			f.Hash = ComputeHash(f)
			return append(es, f), headOf(es)
		}, 6, "head"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			es, h := tc.tamper(chain(5))
			rep := Verify(es, h)
			if tc.broken == 0 {
				if !rep.OK() || rep.Entries != int64(len(es)) {
					t.Fatalf("want intact, got %+v", rep)
				}
				return
			}
			if rep.OK() || rep.Broken.ID != tc.broken || !strings.Contains(rep.Broken.Reason, tc.reason) {
				t.Fatalf("want broken at %d (%s), got %+v %+v", tc.broken, tc.reason, rep, rep.Broken)
			}
		})
	}
}

// TestHashFieldsIsUnambiguous checks that moving bytes between fields
// changes the hash (the length prefixes).
func TestHashFieldsIsUnambiguous(t *testing.T) {
	tm := time.Unix(0, 0)
	if HashFields(1, tm, "ab", "c", "", 0, "", "") == HashFields(1, tm, "a", "bc", "", 0, "", "") {
		t.Fatal("field boundaries are not part of the hash")
	}
}

// TestHashFieldsGolden pins the canonical encoding the SQL triggers compute.
func TestHashFieldsGolden(t *testing.T) {
	got := HashFields(1, time.Date(2024, 1, 1, 0, 0, 0, 123456789, time.UTC), "zoé", "records.read", "trees", 3, "", "")
	const want = "70a42d84e3363463c6bc1b20c651dcc771b3c3d917945239077aaeb3a226ce50" // printf ... | sha256sum
	if got != want {
		t.Fatalf("got %s", got)
	}
}
