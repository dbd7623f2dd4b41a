package gui

import (
	"context"
)

// pager keeps a few pages of a long list that lives in the database. A virtualised
// widget asks it for row i; when the page holding i is not there yet, the pager fetches
// it off Fyne's goroutine and calls onChange when it arrives. Every method runs on Fyne's
// goroutine, so its fields need no lock; the workers only see a copy of the question Q.
type pager[Q, T any] struct {
	pageSize int
	maxPages int
	// count and fetch run on a worker goroutine and must only touch their arguments.
	count func(ctx context.Context, q Q) (int, error)
	fetch func(ctx context.Context, q Q, offset, limit int) ([]T, error)
	// onChange runs on Fyne's goroutine after new rows or a new total arrived.
	onChange func()
	// onError runs on the worker goroutine (showErrorAsync fits); a cancelled
	// question is not an error.
	onError func(error)

	query   Q // the question of the last reset
	total   int
	loaded  bool // the first count arrived
	gen     int  // bumped by reset: answers to older questions are dropped
	pages   map[int][]T
	pending map[int]bool
	used    map[int]int
	tick    int
	cancel  context.CancelFunc
	ctx     context.Context
}

func newPager[Q, T any](count func(context.Context, Q) (int, error), fetch func(context.Context, Q, int, int) ([]T, error)) *pager[Q, T] {
	return &pager[Q, T]{
		pageSize: 200,
		maxPages: 8,
		count:    count,
		fetch:    fetch,
		pages:    map[int][]T{},
		pending:  map[int]bool{},
		used:     map[int]int{},
		ctx:      context.Background(),
		cancel:   func() {},
	}
}

// Len is the number of rows, as last counted.
func (p *pager[Q, T]) Len() int { return p.total }

// Loaded reports whether the rows of the last reset have arrived.
func (p *pager[Q, T]) Loaded() bool { return p.loaded }

// Item returns row i, or false while its page is being fetched.
func (p *pager[Q, T]) Item(i int) (T, bool) {
	var zero T
	if i < 0 || i >= p.total {
		return zero, false
	}
	page := i / p.pageSize
	rows, ok := p.pages[page]
	if !ok {
		p.fetchPageAsync(page)
		return zero, false
	}
	p.tick++
	p.used[page] = p.tick
	if off := i % p.pageSize; off < len(rows) {
		return rows[off], true
	}
	return zero, false
}

// reset asks question q (new filter, new order, changed data): it counts and fetches
// the first page, then replaces what is shown in one go, so the list never flickers
// empty while typing.
func (p *pager[Q, T]) reset(q Q) {
	p.cancel()
	p.gen++
	p.query = q
	gen, count, fetch, size := p.gen, p.count, p.fetch, p.pageSize
	ctx, cancel := context.WithCancel(context.Background())
	p.ctx, p.cancel = ctx, cancel
	p.pending = map[int]bool{}
	go func() {
		n, err := count(ctx, q)
		var rows []T
		if err == nil && n > 0 {
			rows, err = fetch(ctx, q, 0, size)
		}
		if err != nil {
			if ctx.Err() == nil && p.onError != nil {
				p.onError(err)
			}
			return
		}
		doUI(func() {
			if gen != p.gen {
				return
			}
			p.total, p.loaded = n, true
			p.pages, p.used = map[int][]T{0: rows}, map[int]int{0: p.tick}
			if p.onChange != nil {
				p.onChange()
			}
		})
	}()
}

// refresh asks the same question again, keeping the rows on screen until the new ones
// arrive; used after an edit.
func (p *pager[Q, T]) refresh() { p.reset(p.query) }

func (p *pager[Q, T]) fetchPageAsync(page int) {
	if p.pending[page] {
		return
	}
	p.pending[page] = true
	gen, ctx, q, fetch, size := p.gen, p.ctx, p.query, p.fetch, p.pageSize
	go func() {
		rows, err := fetch(ctx, q, page*size, size)
		if err != nil {
			// The page stays marked pending so that a failing database is not asked
			// again for every visible row; the next reset tries again.
			if ctx.Err() == nil && p.onError != nil {
				p.onError(err)
			}
			return
		}
		doUI(func() {
			if gen != p.gen {
				return
			}
			delete(p.pending, page)
			p.tick++
			p.pages[page], p.used[page] = rows, p.tick
			p.evict()
			if p.onChange != nil {
				p.onChange()
			}
		})
	}()
}

// evict drops the pages used least recently beyond maxPages.
func (p *pager[Q, T]) evict() {
	for len(p.pages) > p.maxPages {
		oldest, at := -1, 0
		for page, t := range p.used {
			if oldest < 0 || t < at {
				oldest, at = page, t
			}
		}
		delete(p.pages, oldest)
		delete(p.used, oldest)
	}
}
