package sensors

import (
	"testing"
	"time"
)

func TestLatestCache(t *testing.T) {
	at := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	rows := []Latest{{Device: "a", Property: "fill", Time: at, Value: 1}, {Device: "b", Property: "fill", Time: at, Value: 2}}
	fresh := func() *LatestCache {
		c := &LatestCache{}
		c.Store([]int64{3, 5}, rows)
		return c
	}
	moved := []Latest{{Device: "b", Property: "fill", Time: at.Add(time.Hour), Value: 9}}
	for _, tc := range []struct {
		name string
		do   func(c *LatestCache)
		gen  []int64
		ok   bool
		b    float64
	}{
		{"it serves the generation it was stored at", func(*LatestCache) {}, []int64{3, 5}, true, 2},
		{"it misses another generation", func(*LatestCache) {}, []int64{3, 6}, false, 0},
		{"the next commit on a counter moves it on", func(c *LatestCache) { c.Apply(1, 6, moved) }, []int64{3, 6}, true, 9},
		{"a commit it missed on that counter drops it", func(c *LatestCache) { c.Apply(1, 7, moved) }, []int64{3, 7}, false, 0},
		{"a new series drops it", func(c *LatestCache) { c.Apply(0, 4, []Latest{{Device: "c", Property: "fill"}}) }, []int64{4, 5}, false, 0},
		{"an older read does not replace it", func(c *LatestCache) { c.Store([]int64{3, 4}, nil) }, []int64{3, 5}, true, 2},
		{"a newer read replaces it", func(c *LatestCache) { c.Store([]int64{4, 5}, moved) }, []int64{4, 5}, true, 9},
		{"a read that is neither newer nor older drops it", func(c *LatestCache) { c.Store([]int64{4, 4}, nil) }, []int64{3, 5}, false, 0},
		{"invalidated, it misses", func(c *LatestCache) { c.Invalidate() }, []int64{3, 5}, false, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := fresh()
			tc.do(c)
			got, ok := c.Get(tc.gen, []string{"b"})
			if ok != tc.ok || ok && (len(got) != 1 || got[0].Value != tc.b) {
				t.Errorf("got %+v, %v; want b at %v, %v", got, ok, tc.b, tc.ok)
			}
		})
	}
	c := fresh()
	got, _ := c.Get([]int64{3, 5}, nil)
	c.Apply(1, 6, moved)
	if got[1].Value != 2 {
		t.Errorf("a copy handed out changed under its reader: %+v", got)
	}
}

func TestFilterLatest(t *testing.T) {
	var rows []Latest
	for _, d := range []string{"a", "b", "b", "c", "e"} {
		rows = append(rows, Latest{Device: d})
	}
	for _, tc := range []struct {
		name string
		ids  []string
		want string
	}{
		{"nil keeps every row", nil, "abbce"},
		{"sorted IDs are merged", []string{"b", "d", "e"}, "bbe"},
		{"unsorted IDs with repeats go through a set", []string{"e", "a", "e", "x"}, "ae"},
		{"no IDs keep nothing", []string{}, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := ""
			for _, l := range FilterLatest(rows, tc.ids) {
				got += l.Device
			}
			if got != tc.want {
				t.Errorf("got %q, want %q", got, tc.want)
			}
		})
	}
}
