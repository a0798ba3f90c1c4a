package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// Observations are partitioned by month (UTC) so that retention drops
// whole partitions. AppendBatch creates the partitions of a batch's months
// before inserting it, each in its own short transaction, and remembers in
// db.months the months it has seen (per process: another process creating
// the same partition is harmless, IF NOT EXISTS).
//
// A month must get its partition before any of its rows lands in the
// default partition: attaching a partition whose range already has rows in
// the default one fails. So partitions are created for every month in the
// window [partitionsFrom, next month], and only times outside it (a device
// clock far off: 1970, 2106…) go to the default partition. If a month
// entering the window later already has such rows, its partition cannot be
// created: the month stays in the default partition (still correct, only
// not droppable by partition), and creation is not retried.

// partitionsFrom is the first month that gets its own partition.
var partitionsFrom = time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)

// month is the first instant of t's month, UTC.
func month(t time.Time) time.Time {
	y, m, _ := t.UTC().Date()
	return time.Date(y, m, 1, 0, 0, 0, 0, time.UTC)
}

// ensurePartitions creates the missing partitions of the given months
// (first instants) that fall in the window.
func (db *DB) ensurePartitions(ctx context.Context, months map[time.Time]bool) error {
	last := month(time.Now()).AddDate(0, 1, 0)
	for m := range months {
		if m.Before(partitionsFrom) || m.After(last) {
			continue
		}
		if _, ok := db.months.Load(m); ok {
			continue
		}
		if err := db.createPartition(ctx, m); err != nil {
			return fmt.Errorf("partition %s: %w", m.Format("2006-01"), err)
		}
		db.months.Store(m, true)
	}
	return nil
}

// createPartition creates month m's partition. Creating a partition locks
// the parent table: lock_timeout bounds how long a long reader can make
// the batch (and the queries queued behind the lock) wait.
func (db *DB) createPartition(ctx context.Context, m time.Time) error {
	name := quoteIdent("observations_" + m.Format("2006_01"))
	stmt := fmt.Sprintf(`CREATE TABLE IF NOT EXISTS %s PARTITION OF observations FOR VALUES FROM ('%s') TO ('%s')`,
		name, m.Format(time.RFC3339), m.AddDate(0, 1, 0).Format(time.RFC3339))
	err := db.inTx(ctx, pgx.TxOptions{}, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `SET LOCAL lock_timeout = '10s'`); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, stmt)
		return err
	})
	var pe *pgconn.PgError
	switch {
	case err == nil:
		return nil
	case errors.As(err, &pe) && pe.Code == "23514":
		return nil // rows of m already in the default partition: m stays there
	case errors.As(err, &pe) && (pe.Code == "42P07" || pe.Code == "23505"):
		return nil // created by another process at the same time
	}
	return err
}
