package pager

import (
	"context"
	"fmt"
	"iter"
	"runtime"
	"sync"

	"github.com/anam-ai/anam-go/internal/engine"
)

// DefaultPageConcurrency is how many page requests a walk keeps in flight
// when the client does not say (api.WithPageConcurrency): a few, enough to
// make a long listing about four times faster, few enough to stay well
// within the API's limits.
const DefaultPageConcurrency = 4

// maxEmptyPages is how many empty pages in a row a walk follows before it
// decides the server will never end.
const maxEmptyPages = 16

// Fetch requests page n of a list, in ctx. With an error, the page it
// returns, if any, carries only what WithResponseInto is to see of the
// failed request (see walkPages).
type Fetch[T, M any] func(ctx context.Context, n int) (*Page[T, M], error)

// Walk returns an iterator over the pages of a list operation (op is its
// operationId, for errors), from page start to the last, each requested
// with fetch: the one page walker of the SDK, for the typed iterators and
// for raw pages alike. The iteration stops when the loop breaks (no
// further request is sent), when ctx ends, or at the first error, which is
// yielded last; an error of a page request says which page it asked for
// (engine.Error.Page). A server whose meta would make it loop (a page
// number repeated or going backwards, a next page past lastPage, more than
// maxEmptyPages empty pages in a row that each say there is more, a page
// the same as the one before when the meta names neither) ends it with an
// error matching ErrPagination, which says after which page.
//
// The next page is meta.next when the server sends it, else the page
// after meta.currentPage up to meta.lastPage. A meta with lastPage but
// neither next nor currentPage is taken to describe the page asked for,
// rather than end the walk there without a word; a server that ignores
// the page parameter then answers the next page with the same body, which
// the walk refuses.
//
// Once a page's meta gives lastPage and names the next page as the one
// after it, the pages after it are requested ahead (width > 1), in
// goroutines of their own, while the loop works: up to width requests in
// flight, each refilled as soon as its response has come (its page is
// decoded while the next request waits for its own response, so that
// decoding is never added to a round trip), and up to 2*width pages ahead
// of the one the loop is on. The pages are still yielded in order, checked
// the same way, and a loop that stops early leaves no request running:
// those in flight are dropped (engine.SoftCancel) and waited for before
// the iteration ends. A panic in a page requested ahead reaches the loop.
//
// With maxItems > 0 the walk ends once it has yielded that many items:
// the page that reaches the count is cut to it, and no page is requested
// ahead past those that, at the size of the latest page, hold the items
// still wanted.
func Walk[T, M any](ctx context.Context, op string, start, width, maxItems int, fetch Fetch[T, M]) iter.Seq2[*Page[T, M], error] {
	return func(yield func(*Page[T, M], error) bool) {
		w := &walk[T, M]{ctx: ctx, op: op, fetch: fetch, width: max(width, 1), maxItems: maxItems}
		if w.width > 1 {
			w.wctx, w.cancel = context.WithCancel(ctx)
		}
		returned := false
		defer func() {
			w.close()
			if v, lost := w.lostPanic(); lost && returned {
				panic(v)
			}
		}()
		w.run(yield, start)
		returned = true
	}
}

// walk is one iteration of Walk. It requests the page it needs next
// itself, or takes it from the pages requested ahead (the window), which
// it keeps filled up to its width while the pages it has seen say the
// following pages exist.
type walk[T, M any] struct {
	ctx   context.Context // the caller's
	op    string          // the operationId, for errors
	fetch Fetch[T, M]
	width int // the most requests in flight; 1: no window
	// maxItems, when above 0, is the most items the walk yields.
	maxItems int

	wctx   context.Context // the window's, cancelled when the walk ends
	cancel context.CancelFunc
	wg     sync.WaitGroup // the window's goroutines

	mu       sync.Mutex
	ahead    []*flight[T, M] // pages requested ahead, consecutive and ascending
	inFlight int             // requests of the window whose response has not come
	next     int             // the page the window requests next
	last     int             // the last page it may request (the latest page's lastPage)
	failed   bool            // a page of ahead failed: request nothing after it
	closed   bool            // the walk is over: request nothing more
	lost     *flight[T, M]   // the first flight that panicked
}

// flight is a page requested ahead, in a goroutine of its own.
type flight[T, M any] struct {
	number int
	cancel func()        // drops it: see engine.SoftCancel
	done   chan struct{} // closed when the fields below are set

	page     *Page[T, M]
	err      error
	finished bool // fetch returned (false: it panicked or called Goexit)
	panicVal any  // what it panicked with; nil after runtime.Goexit

	dropped bool // guarded by walk.mu: cancelled, its result unwanted
	replied bool // guarded by walk.mu: its response has come, or it ended
}

// run yields the pages from number want on, as Walk documents. The pages
// are checked here, in order, whether they were requested ahead or not,
// with the rules of a sequential walk.
func (w *walk[T, M]) run(yield func(*Page[T, M], error) bool, want int) {
	empty, seen := 0, 0  // empty pages in a row; items yielded
	var prev *Page[T, M] // the page before, when its meta named no page
	for {
		if err := w.ctx.Err(); err != nil {
			w.dropAll()
			yield(nil, fmt.Errorf("anam: %s: the walk stopped before page %d: %w", w.op, want, err))
			return
		}
		p, err := w.page(want)
		publish(p)
		if err != nil {
			w.dropAll()
			yield(nil, err)
			return
		}
		at := p.cursor()
		if at.hasCurrent && at.current != want {
			w.dropAll()
			yield(nil, paginationError(w.op, "asked for page %d, the server answered with page %d", want, at.current))
			return
		}
		if !at.hasCurrent && !at.nextSent && at.hasLast {
			at.current, at.hasCurrent = want, true // the page asked for: see Walk
		}
		next, more := at.following()
		var stop error
		switch {
		case p.summed && prev != nil && p.sum == prev.sum && len(p.Items) > 0:
			w.dropAll()
			yield(nil, paginationError(w.op, "page %d is the same as page %d, and its meta names neither: the server seems to ignore the page parameter", want, want-1))
			return
		case more:
			if len(p.Items) == 0 {
				empty++
			} else {
				empty = 0
			}
			switch {
			case next <= want:
				stop = paginationError(w.op, "after page %d the server says the next page is %d: following it would repeat pages", want, next)
			case at.hasLast && next > at.last:
				stop = paginationError(w.op, "after page %d the server says the next page is %d, past its last page %d", want, next, at.last)
			case empty >= maxEmptyPages:
				stop = paginationError(w.op, "%d empty pages in a row (pages %d to %d), each saying there is more: the server does not seem to end", empty, want-empty+1, want)
			}
		}
		prev = nil
		if p.summed {
			prev = p
		}
		last := at.last
		if w.maxItems > 0 {
			if left := w.maxItems - seen; len(p.Items) >= left {
				// Enough items: this page ends the walk, whatever its
				// meta says of the pages after it.
				p.Items, more, stop = p.Items[:left], false, nil
			} else if len(p.Items) > 0 {
				// No page ahead past those that hold what is still wanted.
				left -= len(p.Items)
				last = min(last, want+(left+len(p.Items)-1)/len(p.Items))
			}
			seen += len(p.Items)
		}
		// Before handing the page over, settle the window: cancel it if
		// the walk ends here or leaves the consecutive pages it holds,
		// else top it up to the last page this one announces (or, with
		// maxItems, the last one the walk may need).
		switch {
		case !more || stop != nil || next != want+1:
			w.dropAll()
		case w.width > 1 && at.hasLast:
			w.fill(next, last)
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

// publish copies the response of p's request to the caller's
// WithResponseInto, when it gave one: in the loop's goroutine, just before
// p (or the error of its request) is yielded, so that what the loop reads
// there is the response of the page in its hands, and no page requested
// ahead ever writes to it.
func publish[T, M any](p *Page[T, M]) {
	if p != nil && p.into != nil {
		*p.into = p.resp
	}
}

// page returns page n: from the window if it was requested ahead, else
// requested now, in this goroutine.
func (w *walk[T, M]) page(n int) (*Page[T, M], error) {
	var f *flight[T, M]
	if w.width > 1 {
		f = w.take(n)
	}
	if f == nil {
		return w.fetch(w.ctx, n)
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
func (w *walk[T, M]) take(n int) *flight[T, M] {
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

// fill lets the window request pages up to last, from `from` (or after the
// last one already requested), and requests what it may now (see
// topUpLocked). Pages already requested past last are cancelled.
func (w *walk[T, M]) fill(from, last int) {
	w.mu.Lock()
	defer w.mu.Unlock()
	for i, f := range w.ahead {
		if f.number > last {
			w.dropLocked(i)
			break
		}
	}
	w.last = last
	if len(w.ahead) == 0 {
		w.next = from
	}
	w.topUpLocked()
}

// topUpLocked requests the pages after the window's, up to w.last, while
// fewer than width requests are in flight and fewer than 2*width pages are
// ahead of the loop. It runs when the loop takes a page (fill) and as soon
// as a response comes (replied): a slot does not wait for its page to be
// decoded and taken before it is used again.
func (w *walk[T, M]) topUpLocked() {
	if w.failed || w.closed {
		return
	}
	for w.next <= w.last && w.inFlight < w.width && len(w.ahead) < 2*w.width {
		w.launchLocked(w.next)
		w.next++
	}
}

// replied frees f's slot once its response has come (or f has ended
// without one), and refills it.
func (w *walk[T, M]) replied(f *flight[T, M]) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if f.replied {
		return
	}
	f.replied = true
	if f.dropped {
		return // dropLocked freed its slot
	}
	w.inFlight--
	w.topUpLocked()
}

// launchLocked requests page n in a new goroutine and appends it to the
// window.
func (w *walk[T, M]) launchLocked(n int) {
	ctx, drop, cancel := engine.SoftCancel(w.wctx)
	f := &flight[T, M]{number: n, cancel: drop, done: make(chan struct{})}
	w.ahead = append(w.ahead, f)
	w.inFlight++
	ctx = withReplied(ctx, func() { w.replied(f) })
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
			w.replied(f)
			cancel()
			close(f.done)
			w.wg.Done()
		}()
		f.page, f.err = w.fetch(ctx, n)
		f.finished = true
		if f.err != nil {
			w.failedAt(f)
		}
	}()
}

// failedAt cancels the pages requested after the failed page f, and stops
// the window from growing: the walk ends at f if it gets there.
func (w *walk[T, M]) failedAt(f *flight[T, M]) {
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
func (w *walk[T, M]) dropAll() {
	if w.width > 1 {
		w.mu.Lock()
		w.dropLocked(0)
		w.mu.Unlock()
	}
}

// dropLocked cancels the pages of the window from index i on and removes
// them. With i == 0 the window is empty again and may grow anew.
func (w *walk[T, M]) dropLocked(i int) {
	for j, f := range w.ahead[i:] {
		f.dropped = true
		if !f.replied {
			w.inFlight--
		}
		f.cancel()
		w.ahead[i+j] = nil
	}
	w.ahead = w.ahead[:i]
	if i > 0 {
		w.next = w.ahead[i-1].number + 1
	} else {
		w.failed = false
	}
}

// close cancels what is still in flight and waits for the window's
// goroutines to end, so that none outlives the loop. A page whose
// response is being read is given a moment to finish (see
// engine.SoftCancel) before it is cancelled too.
func (w *walk[T, M]) close() {
	if w.width > 1 {
		w.mu.Lock()
		w.closed = true
		w.mu.Unlock()
		w.dropAll()
		w.wg.Wait()
		w.cancel()
	}
}

// lostPanic returns what a page requested ahead panicked with, if one
// did. After run returned normally, that page was not needed: its panic
// would be lost but for this.
func (w *walk[T, M]) lostPanic() (any, bool) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.lost == nil {
		return nil, false
	}
	return w.lost.panicVal, true
}

func paginationError(op, format string, args ...any) error {
	return fmt.Errorf("anam: %s: %w: %s", op, engine.ErrPagination, fmt.Sprintf(format, args...))
}
