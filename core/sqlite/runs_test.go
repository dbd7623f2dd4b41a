package sqlite

import (
	"slices"
	"testing"
)

func TestCreatedRuns(t *testing.T) {
	var c createdRuns
	for _, p := range [][2]int64{{10, 2}, {11, 3}, {12, 5}, {13, 6}, {20, 7}} {
		c.add(p[0], int(p[1]))
	}
	want := createdRuns{{10, 2, 2}, {12, 5, 2}, {20, 7, 1}}
	if !slices.Equal(c, want) {
		t.Fatalf("runs = %v, want %v", c, want)
	}
	for id, line := range map[int64]int{10: 2, 11: 3, 12: 5, 13: 6, 20: 7} {
		if got, ok := c.line(id); !ok || got != line {
			t.Errorf("line(%d) = %d, %v; want %d", id, got, ok, line)
		}
	}
	for _, id := range []int64{9, 14, 19, 21} {
		if _, ok := c.line(id); ok {
			t.Errorf("line(%d) found in %v", id, c)
		}
	}
}
