// Package transit is the public transport domain: a GTFS feed read from its
// zip archive under limits (entry count, sizes, compression ratio), its
// model (agency time zone, stops, routes, trips, calendar, stop times), the
// rows of the datasets an import publishes, and the next-departures
// computation that applies GTFS-Realtime TripUpdates to the schedule. It
// imports no infrastructure: the app reads and writes datasets, and package
// gtfsrt fetches and decodes realtime feeds.
package transit

import (
	"archive/zip"
	"fmt"
	"io"
	"path"
	"strings"

	"github.com/socle/socle/internal/errs"
)

// Limits bound what reading an archive may cost, against zip bombs.
type Limits struct {
	MaxEntries    int   // entries in the archive
	MaxEntryBytes int64 // uncompressed bytes of one entry
	MaxTotalBytes int64 // uncompressed bytes of all entries
	// MaxRatio is the largest uncompressed/compressed ratio of an entry
	// larger than ratioFloor; text compresses about 5 to 20 times.
	MaxRatio int64
}

// DefaultLimits fit the timetables of a large urban network.
var DefaultLimits = Limits{MaxEntries: 64, MaxEntryBytes: 1 << 30, MaxTotalBytes: 2 << 30, MaxRatio: 100}

// ratioFloor is the size under which an entry's ratio is not checked: a
// small file may compress very well without costing anything.
const ratioFloor = 1 << 20

// Archive is a GTFS zip whose directory passed the limits.
type Archive struct {
	files map[string]*zip.File // by base name
	lim   Limits
}

// OpenArchive checks the archive's directory against lim; errs.TooLarge
// for an archive over a limit, errs.Invalid for one that is not a zip.
func OpenArchive(r io.ReaderAt, size int64, lim Limits) (*Archive, error) {
	zr, err := zip.NewReader(r, size)
	if err != nil {
		return nil, errs.Wrap(errs.Invalid, err, "the file is not a zip archive")
	}
	if len(zr.File) > lim.MaxEntries {
		return nil, errs.E(errs.TooLarge, "the archive has %d entries: at most %d", len(zr.File), lim.MaxEntries)
	}
	a := &Archive{files: map[string]*zip.File{}, lim: lim}
	var total uint64
	for _, f := range zr.File {
		if f.FileInfo().IsDir() {
			continue
		}
		if err := lim.checkEntry(f); err != nil {
			return nil, err
		}
		total += f.UncompressedSize64
		if total > uint64(lim.MaxTotalBytes) {
			return nil, errs.E(errs.TooLarge, "the archive holds more than %d bytes uncompressed", lim.MaxTotalBytes)
		}
		// Feeds are often zipped with their folder: files are found by name.
		name := path.Base(strings.ReplaceAll(f.Name, `\`, "/"))
		if _, dup := a.files[name]; !dup {
			a.files[name] = f
		}
	}
	return a, nil
}

func (lim Limits) checkEntry(f *zip.File) error {
	if f.UncompressedSize64 > uint64(lim.MaxEntryBytes) {
		return errs.E(errs.TooLarge, "%s holds %d bytes uncompressed: at most %d", clean(f.Name), f.UncompressedSize64, lim.MaxEntryBytes)
	}
	if f.UncompressedSize64 > ratioFloor {
		if f.CompressedSize64 == 0 || f.UncompressedSize64/f.CompressedSize64 > uint64(lim.MaxRatio) {
			return errs.E(errs.TooLarge, "%s is compressed more than %d times: refused as a possible zip bomb", clean(f.Name), lim.MaxRatio)
		}
	}
	return nil
}

// Has reports whether the archive holds the file name (e.g. "stops.txt").
func (a *Archive) Has(name string) bool {
	_, ok := a.files[name]
	return ok
}

// open returns the content of file name. Reading past the size the
// directory declared fails: a lying directory cannot get round the limits.
func (a *Archive) open(name string) (io.ReadCloser, error) {
	f, ok := a.files[name]
	if !ok {
		return nil, errs.E(errs.Invalid, "the feed has no %s (required)", name)
	}
	rc, err := f.Open()
	if err != nil {
		return nil, errs.Wrap(errs.Invalid, err, "%s cannot be read from the archive", name)
	}
	return &limitedEntry{rc: rc, name: name, left: int64(f.UncompressedSize64)}, nil
}

type limitedEntry struct {
	rc   io.ReadCloser
	name string
	left int64
}

func (l *limitedEntry) Read(p []byte) (int, error) {
	if l.left < 0 {
		return 0, errs.E(errs.TooLarge, "%s is larger than the archive says", l.name)
	}
	if int64(len(p)) > l.left+1 {
		p = p[:l.left+1]
	}
	n, err := l.rc.Read(p)
	l.left -= int64(n)
	if l.left < 0 {
		return 0, errs.E(errs.TooLarge, "%s is larger than the archive says", l.name)
	}
	if err != nil && err != io.EOF {
		err = errs.Wrap(errs.Invalid, err, "%s cannot be read from the archive", l.name)
	}
	return n, err
}

func (l *limitedEntry) Close() error { return l.rc.Close() }

// clean keeps names from the archive short and printable in messages.
func clean(s string) string {
	s = strings.ToValidUTF8(s, "?")
	if len(s) > 60 {
		s = s[:60] + "…"
	}
	return fmt.Sprintf("%q", s)
}
