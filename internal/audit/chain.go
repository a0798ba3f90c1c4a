package audit

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"hash"
	"strconv"
	"time"
)

// Canonical encoding of an entry, the input of its hash: the fields
// id, time (Unix microseconds, UTC), actor, action, target, records, detail
// and prev_hash, in that order, each written as "<byte length>:<value>\n".
// Length prefixes make the encoding unambiguous whatever the fields hold.
// Microseconds because PostgreSQL keeps no more; both engines' triggers
// (migration 0009_trust.sql) compute exactly this.

// HashFields returns the hex SHA-256 of the canonical encoding of the fields.
func HashFields(id int64, t time.Time, actor, action, target string, records int64, detail, prev string) string {
	h := sha256.New()
	field(h, strconv.FormatInt(id, 10))
	field(h, strconv.FormatInt(t.UnixMicro(), 10))
	field(h, actor)
	field(h, action)
	field(h, target)
	field(h, strconv.FormatInt(records, 10))
	field(h, detail)
	field(h, prev)
	return hex.EncodeToString(h.Sum(nil))
}

func field(h hash.Hash, s string) {
	fmt.Fprintf(h, "%d:%s\n", len(s), s)
}

// ComputeHash returns the hash e should carry given its PrevHash.
func ComputeHash(e *Entry) string {
	return HashFields(e.ID, e.Time, e.Actor, e.Action, e.Target, e.Records, e.Detail, e.PrevHash)
}

// Break names the first entry where the chain does not hold.
type Break struct {
	ID     int64  `json:"id"`     // the entry's ID (for a missing tail: the head's last ID)
	Reason string `json:"reason"` // what differs
}

// Report is the result of a verification.
type Report struct {
	Entries int64  `json:"entries"` // entries checked
	Head    string `json:"head"`    // hash of the last entry checked
	Broken  *Break `json:"broken,omitempty"`
}

// OK reports whether the chain is intact.
func (r Report) OK() bool { return r.Broken == nil }

// Verifier checks entries fed to it in ID order; it keeps only the last
// one, so a log of any size streams through it.
type Verifier struct {
	r      Report
	lastID int64
}

// Add checks the next entry; once the chain is broken it ignores the rest
// and returns false.
func (v *Verifier) Add(e *Entry) bool {
	if v.r.Broken != nil {
		return false
	}
	switch {
	case v.r.Entries > 0 && e.ID <= v.lastID:
		v.fail(e.ID, fmt.Sprintf("id %d is not after %d", e.ID, v.lastID))
	case e.PrevHash != v.r.Head:
		v.fail(e.ID, "prev_hash does not match the previous entry's hash (an entry before it was removed, inserted or changed)")
	case e.Hash != ComputeHash(e):
		v.fail(e.ID, "hash does not match the entry's content (the entry was changed or forged)")
	default:
		v.r.Entries++
		v.r.Head = e.Hash
		v.lastID = e.ID
	}
	return v.r.Broken == nil
}

// Finish compares the last entry with the stored chain head and returns
// the report.
func (v *Verifier) Finish(h Head) Report {
	if v.r.Broken == nil && (h.LastID != v.lastID || h.Hash != v.r.Head) {
		id := h.LastID
		if v.lastID > id {
			id = v.lastID
		}
		v.fail(id, fmt.Sprintf("chain head (entry %d) does not match the last entry (%d): entries were removed from or added to the end", h.LastID, v.lastID))
	}
	return v.r
}

func (v *Verifier) fail(id int64, reason string) {
	v.r.Broken = &Break{ID: id, Reason: reason}
}

// Verify checks a whole log given in ID order against its head.
func Verify(entries []*Entry, h Head) Report {
	var v Verifier
	for _, e := range entries {
		if !v.Add(e) {
			break
		}
	}
	return v.Finish(h)
}
