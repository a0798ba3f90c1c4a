package app

import (
	"context"
	"time"
)

// Job is a background component that runs a task at once, then every
// interval, until Stop: the silence and periodic alert checks, the
// retention purges. Each run of a bounded job gets the interval as its
// deadline, so that a slow database does not pile runs up. Start it once;
// Stop it before the store closes.
type Job struct {
	every   time.Duration
	bounded bool
	run     func(ctx context.Context)
	ctx     context.Context
	cancel  context.CancelFunc // Stop interrupts a run in progress
	done    chan struct{}
}

func newJob(every time.Duration, bounded bool, run func(ctx context.Context)) *Job {
	ctx, cancel := context.WithCancel(context.Background())
	return &Job{every: every, bounded: bounded, run: run, ctx: ctx, cancel: cancel, done: make(chan struct{})}
}

// Start runs the task at once, then every interval, until Stop.
func (j *Job) Start() {
	go func() {
		defer close(j.done)
		t := time.NewTicker(j.every)
		defer t.Stop()
		for {
			j.once()
			select {
			case <-j.ctx.Done():
				return
			case <-t.C:
			}
		}
	}()
}

func (j *Job) once() {
	ctx := j.ctx
	if j.bounded {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(j.ctx, j.every)
		defer cancel()
	}
	j.run(ctx)
}

// Stop ends the schedule and waits for a run in progress.
func (j *Job) Stop() {
	j.cancel()
	<-j.done
}
