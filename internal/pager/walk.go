package api

import (
	"context"
	"fmt"
	"runtime"
	"sync"
	"time"
)

// DefaultPageConcurrency is how many page requests ListPages and ListAll
// keep in flight when WithPageConcurrency is not given: a few, enough to
// make a long listing about four times faster, few enough to stay well
// within the API's limits.
const DefaultPageConcurrency = 4

// WithPageConcurrency lets ListPages and ListAll (so also Avatars,
// AvatarPages and ListAllAvatars) keep up to n page requests in flight.
// The default is DefaultPageConcurrency; 1 means one page at a time, each
// requested only when the loop needs it.
//
// With n > 1, once a page's meta gives lastPage and names the next page
// as the one after it, the walk requests the pages after it ahead of
// time, at most n at once, while the loop works through the items in
// hand. Items are still yielded in order and only once, and every page is
// checked like in a sequential walk: when one's meta does not match what
// was assumed (another next page, another lastPage), the pages requested
// ahead are cancelled and the walk goes on from what that page says. A
// walk of L pages of latency d then takes about L*d/n instead of L*d.
//
// The cost is that a loop that breaks early, a context that ends or a
// failing page leave up to n requests that were sent for nothing (the n
// pages requested ahead of the one in hand; none with n == 1): they are
// cancelled, and no new ones are sent. One whose response is already
// being read is let finish, for at most 100 ms, so that its connection
// stays open for reuse instead of being closed by the cancellation. Each walk holds at most n+1
// pages in memory (n requested ahead, one in hand), besides the bodies of
// the responses being read. Anam limits the requests an account may have in flight
// (it answers 429 past the limit), so keep n small. Request editors (see
// WithRequestEditor) may then be called from several goroutines at once.
func WithPageConcurrency(n int) Option {
	return func(c *config) error {
		if n < 1 {
			return fmt.Errorf("WithPageConcurrency: %d is not a positive number of requests", n)
		}
		c.pageConcurrency = n
		return nil
	}
}

// pageConcurrency returns the client's page concurrency, the default when
// it was not set.
func (c *Client) pageConcurrency() int {
	if c.cfg.pageConcurrency < 1 {
		return DefaultPageConcurrency
	}
	return c.cfg.pageConcurrency
}

// walk is one iteration of ListPages. It requests the page it needs next
// itself, or takes it from the pages requested ahead (the window), which
// it keeps filled up to its width while the pages it has seen say the
// following pages exist.
type walk[P, T any] struct {
	ctx    context.Context // the caller's
	c      *Client
	op     ListOperation[P, T]
	params *P
	opts   []RequestOption
	width  int // the most requests in flight; 1: no window

	wctx   context.Context // the window's, cancelled when the walk ends
	cancel context.CancelFunc
	wg     sync.WaitGroup // the window's goroutines

	mu     sync.Mutex
	ahead  []*flight[T] // pages requested ahead, consecutive and ascending
	failed bool         // a page of ahead failed: request nothing after it
	lost   *flight[T]   // the first flight that panicked
}

// flight is a page requested ahead, in a goroutine of its own.
type flight[T any] struct {
	number int
	cancel func()        // drops it: see softCancel
	done   chan struct{} // closed when the fields below are set

	page     *Page[T]
	err      error
	finished bool // ListPage returned (false: it panicked or called Goexit)
	panicVal any  // what it panicked with; nil after runtime.Goexit

	dropped bool // guarded by walk.mu: cancelled, its result unwanted
}

func newWalk[P, T any](ctx context.Context, c *Client, op ListOperation[P, T], params *P, opts []RequestOption) *walk[P, T] {
	w := &walk[P, T]{ctx: ctx, c: c, op: op, params: params, opts: opts, width: c.pageConcurrency()}
	if w.width > 1 {
		w.wctx, w.cancel = context.WithCancel(ctx)
	}
	return w
}

// run yields the pages from number want on, as ListPages documents. The
// pages are checked here, in order, whether they were requested ahead or
// not, with the rules of a sequential walk.
func (w *walk[P, T]) run(yield func(*Page[T], error) bool, want int) {
	empty := 0
	for {
		if err := w.ctx.Err(); err != nil {
			w.dropAll()
			yield(nil, err)
			return
		}
		p, err := w.page(want)
		if err != nil {
			w.dropAll()
			yield(nil, err)
			return
		}
		if cur := p.Meta.CurrentPage; cur != nil && *cur != want {
			w.dropAll()
			yield(nil, paginationError(w.op.Op.ID, "asked for page %d, the server answered with page %d", want, *cur))
			return
		}
		next, more := p.Next()
		var stop error
		if more {
			if len(p.Items) == 0 {
				empty++
			} else {
				empty = 0
			}
			switch last := p.Meta.LastPage; {
			case next <= want:
				stop = paginationError(w.op.Op.ID, "after page %d the server says the next page is %d: following it would repeat pages", want, next)
			case last != nil && next > *last:
				stop = paginationError(w.op.Op.ID, "after page %d the server says the next page is %d, past its last page %d", want, next, *last)
			case empty >= maxEmptyPages:
				stop = paginationError(w.op.Op.ID, "%d empty pages in a row, each saying there is more: the server does not seem to end", empty)
			}
		}
		// Before handing the page over, settle the window: cancel it if
		// the walk ends here or leaves the consecutive pages it holds,
		// else top it up to the last page this one announces.
		switch {
		case !more || stop != nil || next != want+1:
			w.dropAll()
		case w.width > 1 && p.Meta.LastPage != nil:
			w.fill(next, *p.Meta.LastPage)
		}
		if !yield(p, nil) || !more {
			return
		}
		if stop != nil {
			yield(nil, stop)
			return
		}
		want = next
	}
}

// page returns page n: from the window if it was requested ahead, else
// requested now, in this goroutine.
func (w *walk[P, T]) page(n int) (*Page[T], error) {
	var f *flight[T]
	if w.width > 1 {
		f = w.take(n)
	}
	if f == nil {
		return ListPage(w.ctx, w.c, w.op, withPage(w.params, n), w.opts...)
	}
	<-f.done
	if !f.finished {
		if f.panicVal != nil {
			panic(f.panicVal)
		}
		runtime.Goexit()
	}
	return f.page, f.err
}

// take removes page n from the head of the window and returns it, or
// returns nil, with the window emptied, when the window does not start
// with n.
func (w *walk[P, T]) take(n int) *flight[T] {
	w.mu.Lock()
	defer w.mu.Unlock()
	if len(w.ahead) > 0 && w.ahead[0].number == n {
		f := w.ahead[0]
		w.ahead[0] = nil
		w.ahead = w.ahead[1:]
		return f
	}
	w.dropLocked(0)
	return nil
}

// fill requests pages ahead, from `from` (or after the last one already
// requested) up to `last`, until width requests are in flight. Pages
// already requested past last are cancelled.
func (w *walk[P, T]) fill(from, last int) {
	w.mu.Lock()
	defer w.mu.Unlock()
	for i, f := range w.ahead {
		if f.number > last {
			w.dropLocked(i)
			break
		}
	}
	if w.failed {
		return
	}
	n := from
	if k := len(w.ahead); k > 0 {
		n = w.ahead[k-1].number + 1
	}
	for ; n <= last && len(w.ahead) < w.width; n++ {
		w.launchLocked(n)
	}
}

// launchLocked requests page n in a new goroutine and appends it to the
// window.
func (w *walk[P, T]) launchLocked(n int) {
	ctx, cancel := context.WithCancel(w.wctx)
	sc := &softCancel{cancel: cancel}
	ctx = context.WithValue(ctx, softCancelKey{}, sc)
	f := &flight[T]{number: n, cancel: sc.drop, done: make(chan struct{})}
	w.ahead = append(w.ahead, f)
	params := withPage(w.params, n)
	w.wg.Add(1)
	go func() {
		defer func() {
			if !f.finished {
				if f.panicVal = recover(); f.panicVal != nil {
					w.mu.Lock()
					if w.lost == nil {
						w.lost = f
					}
					w.mu.Unlock()
				}
			}
			cancel()
			close(f.done)
			w.wg.Done()
		}()
		f.page, f.err = ListPage(ctx, w.c, w.op, params, w.opts...)
		f.finished = true
		if f.err != nil {
			w.failedAt(f)
		}
	}()
}

// failedAt cancels the pages requested after the failed page f, and stops
// the window from growing: the walk ends at f if it gets there.
func (w *walk[P, T]) failedAt(f *flight[T]) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if f.dropped {
		return
	}
	for i, g := range w.ahead {
		if g.number > f.number {
			w.dropLocked(i)
			break
		}
	}
	w.failed = true
}

// dropAll cancels every page requested ahead.
func (w *walk[P, T]) dropAll() {
	if w.width > 1 {
		w.mu.Lock()
		w.dropLocked(0)
		w.mu.Unlock()
	}
}

// dropLocked cancels the pages of the window from index i on and removes
// them. With i == 0 the window is empty again and may grow anew.
func (w *walk[P, T]) dropLocked(i int) {
	for j, f := range w.ahead[i:] {
		f.dropped = true
		f.cancel()
		w.ahead[i+j] = nil
	}
	w.ahead = w.ahead[:i]
	if i == 0 {
		w.failed = false
	}
}

// close cancels what is still in flight and waits for the window's
// goroutines to end, so that none outlives the loop. A page whose
// response is being read is given up to dropGrace to finish (see
// softCancel) before it is cancelled too.
func (w *walk[P, T]) close() {
	if w.width > 1 {
		w.dropAll()
		w.wg.Wait()
		w.cancel()
	}
}

// dropGrace is how long a page requested ahead whose response is being
// read when it is dropped may go on reading, so that its connection stays
// open for reuse, before it is cancelled (which closes the connection).
const dropGrace = 100 * time.Millisecond

// softCancel cancels a page requested ahead, but not in the middle of
// reading its response: cancelling then would close the connection, and
// a walk that drops pages often (a server whose lastPage moves) would open
// about one connection per dropped page. Such a page is let finish into
// the bin, for at most dropGrace, and is not retried. The SDK's attempt
// marks the reading (see readingResponse).
type softCancel struct {
	mu      sync.Mutex
	cancel  context.CancelFunc
	reading bool // a response is being read
	dropped bool
	timer   *time.Timer
}

type softCancelKey struct{}

// drop cancels at once, or when the response being read has been read.
func (s *softCancel) drop() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.dropped {
		return
	}
	s.dropped = true
	if !s.reading {
		s.cancel()
		return
	}
	s.timer = time.AfterFunc(dropGrace, s.cancel)
}

// readingResponse marks, in the context of a page requested ahead, that
// its response came back and its body is being read; the function it
// returns marks the end of the reading, when a dropped page is cancelled
// so that it is not retried. Elsewhere it does nothing.
func readingResponse(ctx context.Context) (done func()) {
	s, _ := ctx.Value(softCancelKey{}).(*softCancel)
	if s == nil {
		return func() {}
	}
	s.mu.Lock()
	s.reading = !s.dropped
	s.mu.Unlock()
	return func() {
		s.mu.Lock()
		defer s.mu.Unlock()
		s.reading = false
		if s.dropped {
			if s.timer != nil {
				s.timer.Stop()
			}
			s.cancel()
		}
	}
}

// lostPanic returns what a page requested ahead panicked with, if one
// did. After run returned normally, that page was not needed: its panic
// would be lost but for this.
func (w *walk[P, T]) lostPanic() (any, bool) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.lost == nil {
		return nil, false
	}
	return w.lost.panicVal, true
}
