package pipe

import (
	"errors"
	"io"
	"testing"
)

func counter(n int, end error) func() (int, error) {
	i := 0
	return func() (int, error) {
		if i == n {
			return 0, end
		}
		i++
		return i, nil
	}
}

func TestPrefetchDeliversEverythingInOrder(t *testing.T) {
	for _, n := range []int{0, 1, prefetchBatch, prefetchBatch*3 + 7} {
		p := New(counter(n, io.EOF))
		for want := 1; want <= n; want++ {
			got, err := p.Next()
			if err != nil || got != want {
				t.Fatalf("n=%d: item %d = %d, %v", n, want, got, err)
			}
		}
		if _, err := p.Next(); err != io.EOF {
			t.Fatalf("n=%d: end = %v, want io.EOF", n, err)
		}
		p.Close()
	}
}

func TestPrefetchReportsTheErrorAfterTheItems(t *testing.T) {
	boom := errors.New("boom")
	p := New(counter(10, boom))
	defer p.Close()
	for i := 0; i < 10; i++ {
		if _, err := p.Next(); err != nil {
			t.Fatalf("item %d: %v", i, err)
		}
	}
	if _, err := p.Next(); err != boom {
		t.Fatalf("got %v, want the producer's error", err)
	}
}

func TestCloseStopsAnEndlessProducer(t *testing.T) {
	p := New(func() (int, error) { return 1, nil })
	p.Next()
	p.Close() // must return: the producer is blocked sending and sees stop
}
