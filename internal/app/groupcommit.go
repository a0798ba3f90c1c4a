package app

import (
	"context"
	"sync"
	"time"

	"github.com/socle/socle/internal/errs"
	"github.com/socle/socle/internal/sensors"
)

// Group commit: every ingestion path (MQTT, webhooks, HTTP, NGSI-LD) hands
// its batch to one committer, which stores what has queued up meanwhile in
// one transaction (sensors.BatchAppender). A commit — an fsync on SQLite,
// a WAL flush on PostgreSQL — costs about as much for one uplink as for
// hundreds, so concurrent small batches (one MQTT message each) share it.
// Nothing waits to fill a group: a batch that arrives while the store is
// idle is committed at once; the ones that arrive during that commit form
// the next group. Each caller still returns only once its own batch is
// committed, so acknowledging after a nil error stays safe.

// Bounds of one group.
const (
	maxGroupBatches      = 512
	maxGroupObservations = 20000
	groupTimeout         = 30 * time.Second
)

type commitReq struct {
	b    sensors.Batch
	res  sensors.AppendResult
	err  error
	done chan struct{}
}

// committer is the group-commit loop's state.
type committer struct {
	once sync.Once
	reqs chan *commitReq
	stop chan struct{} // closed by App.Close
	done chan struct{} // closed when the loop has ended
}

// appendBatch stores b through the committer and returns when it is
// committed (or refused).
func (a *App) appendBatch(ctx context.Context, b sensors.Batch) (int, bool, error) {
	c := &a.commits
	c.once.Do(func() {
		c.reqs, c.done = make(chan *commitReq, maxGroupBatches), make(chan struct{})
		go a.commitLoop()
	})
	req := &commitReq{b: b, done: make(chan struct{})}
	select {
	case c.reqs <- req:
	case <-c.stop:
		return 0, false, errs.E(errs.Unavailable, "the server is stopping")
	case <-ctx.Done():
		return 0, false, ctx.Err()
	}
	select {
	case <-req.done:
	case <-ctx.Done():
		return 0, false, ctx.Err() // it may still be stored: the sender resends, deduplicated
	}
	if req.err != nil {
		return 0, false, req.err
	}
	return req.res.Inserted, req.res.Dup, req.res.Err
}

// commitLoop commits groups until the App closes, then fails what is left.
func (a *App) commitLoop() {
	c := &a.commits
	defer close(c.done)
	for {
		var first *commitReq
		select {
		case first = <-c.reqs:
		case <-c.stop:
			a.failPending()
			return
		}
		a.commitGroup(a.gather(first))
	}
}

// gather takes first and whatever else is already queued, within bounds.
func (a *App) gather(first *commitReq) []*commitReq {
	group, n := []*commitReq{first}, len(first.b.Observations)
	for len(group) < maxGroupBatches && n < maxGroupObservations {
		select {
		case r := <-a.commits.reqs:
			group, n = append(group, r), n+len(r.b.Observations)
		default:
			return group
		}
	}
	return group
}

// commitGroup stores a group in one transaction; should that fail (a
// deadlock, a constraint only the group meets), each batch is stored on
// its own, so that one batch's problem is not the others'.
func (a *App) commitGroup(group []*commitReq) {
	ctx, cancel := context.WithTimeout(context.Background(), groupTimeout)
	defer cancel()
	defer func() {
		for _, r := range group {
			close(r.done)
		}
	}()
	if len(group) > 1 {
		bs := make([]sensors.Batch, len(group))
		for i, r := range group {
			bs[i] = r.b
		}
		res, err := a.Store.AppendBatches(ctx, bs)
		if err == nil {
			for i, r := range group {
				r.res = res[i]
			}
			return
		}
		a.Logger.Warn("group commit failed; storing its batches one by one", "batches", len(group), "err", err)
	}
	for _, r := range group {
		r.res.Inserted, r.res.Dup, r.err = a.Store.AppendBatch(ctx, r.b)
	}
}

// failPending answers the requests still queued when the App closes.
func (a *App) failPending() {
	for {
		select {
		case r := <-a.commits.reqs:
			r.err = errs.E(errs.Unavailable, "the server is stopping")
			close(r.done)
		default:
			return
		}
	}
}

// stopCommits ends the commit loop (App.Close, before the store closes).
func (a *App) stopCommits() {
	close(a.commits.stop)
	a.commits.once.Do(func() { a.commits.done = make(chan struct{}); close(a.commits.done) })
	<-a.commits.done
}
