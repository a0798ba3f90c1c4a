package harvest

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"strconv"
	"strings"
	"time"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// Action is what a run does with one remote dataset.
type Action int

// The actions.
const (
	// Fetch: new or changed at the source; download its data, then
	// compare the content hash.
	Fetch Action = iota + 1
	// Skip: same modified date and metadata as last time.
	Skip
)

// Decide compares a remote dataset with its mapping (nil for a new one).
// Both the remote modified date and the metadata hash must be equal to
// skip: a source that does not date its changes is still compared by
// content, after download.
func Decide(m *Mapping, d RemoteDataset) Action {
	if m == nil || m.State != StateActive || d.Modified.IsZero() || !m.Modified.Equal(d.Modified) {
		return Fetch
	}
	if m.MetaHash != MetaHash(d) {
		return Fetch
	}
	return Skip
}

// MetaHash is the SHA-256 of the metadata and declared fields, so that a
// metadata-only change is an update without a new data version.
func MetaHash(d RemoteDataset) string {
	b, _ := json.Marshal(struct {
		Slug   string
		Meta   any
		Fields any
		Data   any
	}{d.Slug, d.Meta, d.Fields, d.Data})
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:])
}

// Vanished updates the mappings of datasets absent from a complete
// listing (seen holds the remote IDs listed) and returns those whose state
// changed: active ones become missing at now, missing ones past grace
// become archived. A dataset seen again is the caller's business (it is
// harvested as usual and its mapping set active).
func Vanished(ms []*Mapping, seen map[string]bool, now time.Time, grace time.Duration) (changed []*Mapping) {
	if grace <= 0 {
		grace = DefaultGrace
	}
	for _, m := range ms {
		if seen[m.RemoteID] {
			continue
		}
		switch m.State {
		case StateActive:
			m.State, m.MissingSince = StateMissing, now
			changed = append(changed, m)
		case StateMissing:
			if !now.Before(m.MissingSince.Add(grace)) {
				m.State = StateArchived
				changed = append(changed, m)
			}
		}
	}
	return changed
}

// maxSlug keeps local IDs within the 100 characters a dataset ID may have,
// leaving room for the prefix and a "-N" suffix.
const maxSlug = 60

// Slugify turns a remote name or title into the lower-case letters,
// digits and hyphens of a dataset ID, accents folded.
func Slugify(s string) string {
	var b strings.Builder
	dash := false
	for _, r := range norm.NFD.String(s) {
		switch {
		case unicode.Is(unicode.Mn, r):
			continue
		case r < 128 && (unicode.IsLetter(r) || unicode.IsDigit(r)):
			b.WriteRune(unicode.ToLower(r))
			dash = false
		case b.Len() > 0 && !dash:
			b.WriteByte('-')
			dash = true
		}
		if b.Len() >= maxSlug {
			break
		}
	}
	return strings.Trim(b.String(), "-")
}

// LocalID derives the local dataset ID of a new remote dataset: prefix and
// slug, made unique with -2, -3… against taken. It is computed once, when
// the dataset is first harvested, and stored in its mapping.
func LocalID(prefix, slug, remoteID string, taken func(string) (bool, error)) (string, error) {
	s := Slugify(slug)
	if s == "" {
		s = Slugify(remoteID)
	}
	if s == "" {
		s = "jeu"
	}
	base := s
	if p := Slugify(prefix); p != "" {
		base = p + "-" + s
	}
	for i := 1; ; i++ {
		id := base
		if i > 1 {
			id = base + "-" + strconv.Itoa(i)
		}
		t, err := taken(id)
		if err != nil || !t {
			return id, err
		}
	}
}
