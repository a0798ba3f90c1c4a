package sqlite

import (
	"bytes"
	"cmp"
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/socle/socle/internal/sensors"
)

// The latest state of many devices (the map of the whole fleet) is read
// packed: SQLite formats each row as text and concatenates a chunk of rows
// into one value, so that a chunk crosses the driver as one row instead of
// thousands. Each row and each column that crosses the driver costs a few
// cgo calls and an allocation: 80,000 rows took 100 ms that way, against
// 9 ms for SQLite to walk them. And a list that names a large part of the
// fleet reads the whole table in key order, filtering in Go, rather than
// seeking each device (a seek costs about ten rows of a walk).

// bumpLatestGen increments the latest state's generation when set is not
// empty, in the batch's transaction, and returns it.
func bumpLatestGen(ctx context.Context, tx *sql.Tx, set []sensors.Latest) (int64, error) {
	if len(set) == 0 {
		return 0, nil
	}
	var n int64
	err := tx.QueryRowContext(ctx, `UPDATE latest_gen SET n = n + 1 WHERE shard = 0 RETURNING n`).Scan(&n)
	return n, err
}

// latestChunk is how many rows one packed value holds (about 40 bytes each).
const latestChunk = 16384

// latestSeekMax is the longest ID list always read by seeks; a longer one
// is served by the cache, or walks the table when it names at least a
// tenth as many devices as the table has rows.
const latestSeekMax = 512

// latestPackedSQL formats a chunk of rows after the key (?1, ?2) as
// "len device len property t value;" each: lengths in bytes, the time in
// Unix milliseconds, the value with 17 significant digits (which reads back
// as the same float64). The subquery's order is the concatenation's.
const latestPackedSQL = `SELECT count(*), coalesce(group_concat(r, ''), '') FROM (
		SELECT printf('%d %s%d %s%d %!.17g;', octet_length(device), device, octet_length(property), property, t, value) AS r
		FROM latest WHERE (device, property) > (?1, ?2) ORDER BY device, property LIMIT ?3)`

// latestAll returns the latest state of the devices of ids (all when nil)
// from the cache when it reflects the stored generation; else, when ids is
// nil or names at least a tenth as many devices as the table has rows,
// from a walk of the table in one read transaction, which refreshes the
// cache. ok is false when seeking each device is the better read.
func (db *DB) latestAll(ctx context.Context, ids []string) (out []sensors.Latest, ok bool, err error) {
	var gen int64
	if err := db.read.QueryRowContext(ctx, latestGenSQL).Scan(&gen); err != nil {
		return nil, false, err
	}
	if out, ok := db.latest.Get([]int64{gen}, ids); ok {
		return out, true, nil
	}
	tx, err := db.read.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return nil, false, err
	}
	defer tx.Rollback()
	if err := tx.QueryRowContext(ctx, latestGenSQL).Scan(&gen); err != nil {
		return nil, false, err
	}
	if ids != nil {
		var rows int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM latest`).Scan(&rows); err != nil {
			return nil, false, err
		}
		if 10*len(ids) < rows {
			return nil, false, nil
		}
	}
	all, err := latestWalk(ctx, tx, 2*len(ids))
	if err != nil {
		return nil, false, err
	}
	db.latest.Store([]int64{gen}, all)
	if ids == nil {
		return all, true, nil
	}
	return sensors.FilterLatest(all, ids), true, nil
}

const latestGenSQL = `SELECT n FROM latest_gen WHERE shard = 0`

// latestWalk reads the whole latest table packed, in device then property
// order.
func latestWalk(ctx context.Context, tx *sql.Tx, hint int) ([]sensors.Latest, error) {
	out := make([]sensors.Latest, 0, hint)
	p := latestParser{props: map[string]string{}}
	lastDev, lastProp := "", ""
	for {
		var n int
		var chunk []byte
		if err := tx.QueryRowContext(ctx, latestPackedSQL, lastDev, lastProp, latestChunk).Scan(&n, &chunk); err != nil {
			return nil, err
		}
		var err error
		if out, lastDev, lastProp, err = p.parse(chunk, out); err != nil {
			return nil, err
		}
		if n < latestChunk {
			break
		}
	}
	if !slices.IsSortedFunc(out, compareLatest) { // group_concat's order is the subquery's in practice, not by contract
		slices.SortFunc(out, compareLatest)
	}
	return out, nil
}

func compareLatest(a, b sensors.Latest) int {
	return cmp.Or(cmp.Compare(a.Device, b.Device), cmp.Compare(a.Property, b.Property))
}

// latestParser reads packed rows, sharing the strings of repeated devices
// and properties.
type latestParser struct {
	props map[string]string
	dev   string // the last device read
}

// parse appends the rows of chunk to out, and returns the key of the
// chunk's last row.
func (p *latestParser) parse(chunk []byte, out []sensors.Latest) ([]sensors.Latest, string, string, error) {
	var lastDev, lastProp []byte
	for len(chunk) > 0 {
		dev, rest, err := lengthPrefixed(chunk)
		if err != nil {
			return nil, "", "", err
		}
		prop, rest, err := lengthPrefixed(rest)
		if err != nil {
			return nil, "", "", err
		}
		sp := bytes.IndexByte(rest, ' ')
		end := bytes.IndexByte(rest, ';')
		if sp < 0 || end < sp {
			return nil, "", "", fmt.Errorf("latest: malformed packed row")
		}
		chunk, lastDev, lastProp = rest[end+1:], dev, prop
		t, err1 := strconv.ParseInt(string(rest[:sp]), 10, 64)
		v, err2 := strconv.ParseFloat(string(rest[sp+1:end]), 64)
		if err1 != nil || err2 != nil {
			return nil, "", "", fmt.Errorf("latest: malformed packed row")
		}
		if string(dev) != p.dev {
			p.dev = string(dev)
		}
		name, ok := p.props[string(prop)]
		if !ok {
			name = string(prop)
			p.props[name] = name
		}
		out = append(out, sensors.Latest{Device: p.dev, Property: name, Time: time.UnixMilli(t).UTC(), Value: v})
	}
	return out, string(lastDev), string(lastProp), nil
}

// lengthPrefixed reads "len bytes" from b.
func lengthPrefixed(b []byte) ([]byte, []byte, error) {
	sp := bytes.IndexByte(b, ' ')
	if sp < 0 {
		return nil, nil, fmt.Errorf("latest: malformed packed row")
	}
	n, err := strconv.Atoi(string(b[:sp]))
	if err != nil || n < 0 || sp+1+n > len(b) {
		return nil, nil, fmt.Errorf("latest: malformed packed row")
	}
	return b[sp+1 : sp+1+n], b[sp+1+n:], nil
}
