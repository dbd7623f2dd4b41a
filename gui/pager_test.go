package gui

import (
	"context"
	"sync/atomic"
	"testing"
)

// numbers is a list of n rows whose value is their index; it counts the pages asked.
type numbers struct {
	n       atomic.Int64
	fetches atomic.Int32
}

func (l *numbers) count(context.Context, struct{}) (int, error) { return int(l.n.Load()), nil }

func (l *numbers) fetch(_ context.Context, _ struct{}, offset, limit int) ([]int, error) {
	l.fetches.Add(1)
	var rows []int
	for i := offset; i < offset+limit && i < int(l.n.Load()); i++ {
		rows = append(rows, i)
	}
	return rows, nil
}

func TestPager(t *testing.T) {
	list := &numbers{}
	list.n.Store(100_000)
	p := newPager(list.count, list.fetch)
	changes := 0
	p.onChange = func() { changes++ }

	t.Run("a reset counts and brings the first page in one go", func(t *testing.T) {
		p.reset(struct{}{})
		waitFor(t, "the count", p.Loaded)
		if p.Len() != 100_000 || changes != 1 {
			t.Errorf("len %d after %d changes", p.Len(), changes)
		}
		if v, ok := p.Item(199); !ok || v != 199 {
			t.Errorf("row 199: %d %v", v, ok)
		}
	})
	t.Run("a row far down is fetched once, on demand, then shown", func(t *testing.T) {
		before := list.fetches.Load()
		if _, ok := p.Item(99_999); ok {
			t.Fatal("the last row is there before being fetched")
		}
		p.Item(99_998) // same page: no second question
		waitFor(t, "the last page", func() bool { v, ok := p.Item(99_999); return ok && v == 99_999 })
		if got := list.fetches.Load() - before; got != 1 {
			t.Errorf("%d fetches for one page", got)
		}
	})
	t.Run("only a few pages are kept in memory", func(t *testing.T) {
		for page := 0; page < 30; page++ {
			row := page * p.pageSize
			p.Item(row)
			waitFor(t, "a page", func() bool { _, ok := p.Item(row); return ok })
		}
		if len(p.pages) > p.maxPages {
			t.Errorf("%d pages kept", len(p.pages))
		}
	})
	t.Run("answers to an older question are dropped", func(t *testing.T) {
		p.Item(50_000) // asked, then the question changes before the answer lands
		list.n.Store(10)
		p.reset(struct{}{})
		waitFor(t, "the new count", func() bool { return p.Len() == 10 })
		settle()
		if _, ok := p.pages[50_000/p.pageSize]; ok {
			t.Error("a page of the old question was kept")
		}
		if _, ok := p.Item(50_000); ok {
			t.Error("a row beyond the new count is shown")
		}
	})
}
