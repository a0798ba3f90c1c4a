// Package pipe overlaps the two halves of a streaming job (reading and
// decoding on one side, writing on the other) on two goroutines, with a
// bounded number of batches in flight so that memory stays flat.
package pipe

import (
	"io"
)

// prefetchBatch is how many items travel together between the goroutines:
// enough to amortise channel operations, small enough to keep memory flat.
const prefetchBatch = 512

// Prefetch runs a producer (reading, decoding and casting the file) in its
// own goroutine, a few batches ahead of the consumer (inferring types, or
// the store inserting rows), so that the two halves use two cores.
type Prefetch[T any] struct {
	batches chan batch[T]
	stop    chan struct{}
	cur     []T
	err     error
}

type batch[T any] struct {
	items []T
	err   error // the producer's error after items, io.EOF at the end
}

// New starts a producer goroutine calling next until it returns an error
// (io.EOF at the end); Close stops it.
func New[T any](next func() (T, error)) *Prefetch[T] {
	p := &Prefetch[T]{batches: make(chan batch[T], 4), stop: make(chan struct{})}
	go p.fill(next)
	return p
}

func (p *Prefetch[T]) fill(next func() (T, error)) {
	defer close(p.batches)
	for {
		b := batch[T]{items: make([]T, 0, prefetchBatch)}
		for len(b.items) < prefetchBatch && b.err == nil {
			item, err := next()
			if err != nil {
				b.err = err
				break
			}
			b.items = append(b.items, item)
		}
		select {
		case p.batches <- b:
		case <-p.stop:
			return
		}
		if b.err != nil {
			return
		}
	}
}

// Next returns the next item, or the producer's error once its items are
// out.
func (p *Prefetch[T]) Next() (T, error) {
	for len(p.cur) == 0 {
		var zero T
		if p.err != nil {
			return zero, p.err
		}
		b, ok := <-p.batches
		if !ok {
			return zero, io.EOF
		}
		p.cur, p.err = b.items, b.err
	}
	item := p.cur[0]
	p.cur = p.cur[1:]
	return item, nil
}

// Close stops the producer and waits for it, whether or not everything was
// consumed (a failed load stops early). Call it before closing what the
// producer reads.
func (p *Prefetch[T]) Close() {
	close(p.stop)
	for range p.batches {
	}
}
