package api_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"iter"
	"net/http"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/anam-ai/anam-go/api"
	"github.com/anam-ai/anam-go/internal/loopback"
)

// These tests cover WithPageConcurrency: a walk that requests pages ahead
// must yield what a sequential one yields, in order and once, stop
// cleanly, and never leave a request or a goroutine behind. They count;
// they never time. Where a server must hold a request, it holds it until
// the client cancels it (or the test ends).

// idRange returns the IDs of avatars from..to.
func idRange(from, to int) []string {
	var ids []string
	for i := from; i <= to; i++ {
		ids = append(ids, loopback.AvatarID(i))
	}
	return ids
}

// drain runs an item iterator to its end without breaking, and returns
// the IDs of its items, its errors, and how many items came after the
// first error.
func drain(seq iter.Seq2[api.Avatar, error]) (ids []string, errs []error, after int) {
	for a, err := range seq {
		switch {
		case err != nil:
			errs = append(errs, err)
		case len(errs) > 0:
			after++
		default:
			ids = append(ids, *a.ID)
		}
	}
	return ids, errs, after
}

// walkFrames counts the stack frames, across all goroutines, of a walk's
// page requests (the functions of concurrent.go).
func walkFrames() int {
	buf := make([]byte, 1<<16)
	for {
		n := runtime.Stack(buf, true)
		if n < len(buf) {
			return strings.Count(string(buf[:n]), "api.(*walk[")
		}
		buf = make([]byte, 2*len(buf))
	}
}

// noWalkGoroutines fails the test unless the goroutines of every walk have
// ended. A walk waits for them before its loop ends; they may still be
// returning from their last deferred call, so this waits a moment.
func noWalkGoroutines(t *testing.T) {
	t.Helper()
	for range 1000 {
		if walkFrames() == 0 {
			return
		}
		time.Sleep(time.Millisecond)
	}
	t.Errorf("%d frames of page requests still running after the loop", walkFrames())
}

// watchdog panics, dumping every goroutine, unless the returned function
// is called within a minute: a walk that does not end is one waiting for
// a request that was never cancelled.
func watchdog(what string) (done func()) {
	ch := make(chan struct{})
	go func() {
		select {
		case <-ch:
		case <-time.After(time.Minute):
			panic(what + " did not end: a request in flight was not cancelled")
		}
	}()
	return func() { close(ch) }
}

// holder makes a fixture's handlers hold requests until the client
// cancels them, and counts them.
type holder struct {
	stop     chan struct{}
	mu       sync.Mutex
	held     map[int]bool // page -> still held
	released int          // by the client's cancellation
}

func newHolder(t *testing.T) *holder {
	h := &holder{stop: make(chan struct{}), held: map[int]bool{}}
	t.Cleanup(func() { close(h.stop) }) // runs before the fixture's Close
	return h
}

func (h *holder) hold(r *http.Request, page int) {
	h.mu.Lock()
	h.held[page] = true
	h.mu.Unlock()
	select {
	case <-r.Context().Done():
		h.mu.Lock()
		delete(h.held, page)
		h.released++
		h.mu.Unlock()
	case <-h.stop:
	}
}

// waitReleased waits until no request is held any more, i.e. the server
// has seen every held request cancelled, and returns how many were.
func (h *holder) waitReleased(t *testing.T) int {
	t.Helper()
	for range 2000 {
		h.mu.Lock()
		n, r := len(h.held), h.released
		h.mu.Unlock()
		if n == 0 {
			return r
		}
		time.Sleep(5 * time.Millisecond)
	}
	t.Fatalf("the server still holds requests the client should have cancelled: %v", h.held)
	return 0
}

func TestWithPageConcurrencyRefusesNonPositive(t *testing.T) {
	for _, n := range []int{0, -1} {
		_, err := api.NewClient(api.WithAPIKey(testKey), api.WithPageConcurrency(n))
		var ce *api.ConfigError
		if !errors.As(err, &ce) || !strings.Contains(err.Error(), "WithPageConcurrency") {
			t.Errorf("WithPageConcurrency(%d): err = %v", n, err)
		}
	}
}

func TestConcurrentWalkYieldsEveryItemOnceInOrder(t *testing.T) {
	cases := []struct{ total, perPage, start int }{
		{0, 10, 1}, {1, 10, 1}, {10, 10, 1}, {95, 7, 1}, {100, 10, 1}, {100, 10, 4}, {30, 100, 1},
	}
	for _, n := range []int{1, 2, 3, 8} {
		for _, tc := range cases {
			t.Run(fmt.Sprintf("n=%d/total=%d/perPage=%d/from=%d", n, tc.total, tc.perPage, tc.start), func(t *testing.T) {
				f := newFixture(t, tc.total, 0)
				f.Hook = func(w http.ResponseWriter, r *http.Request, page int) bool {
					time.Sleep(time.Duration(page*7%5) * 200 * time.Microsecond) // answers out of order
					return false
				}
				c := f.Client(t, api.WithPageConcurrency(n))
				ids, errs, _ := drain(c.Avatars(context.Background(), &api.ListAvatarsParams{Page: new(tc.start), PerPage: new(tc.perPage)}))
				if len(errs) != 0 {
					t.Fatal(errs)
				}
				if want := idRange((tc.start-1)*tc.perPage+1, tc.total); !slices.Equal(ids, want) {
					t.Fatalf("got %d items %v..., want %d in order", len(ids), ids[:min(len(ids), 3)], len(want))
				}
				pages := max(1, (tc.total+tc.perPage-1)/tc.perPage-tc.start+1)
				if got := f.Requests.Load(); got != int64(pages) {
					t.Errorf("%d requests for %d pages: a whole walk requests each page once", got, pages)
				}
				if p := f.Peak.Load(); p > int64(n) {
					t.Errorf("%d requests in flight at once, more than %d", p, n)
				}
				noWalkGoroutines(t)
			})
		}
	}
}

func TestConcurrentPagesComeInOrder(t *testing.T) {
	f := newFixture(t, 230, 0)
	f.Hook = func(w http.ResponseWriter, r *http.Request, page int) bool {
		time.Sleep(time.Duration(10-page%10) * 100 * time.Microsecond)
		return false
	}
	var numbers []int
	for p, err := range f.Client(t, api.WithPageConcurrency(5)).AvatarPages(context.Background(), nil) {
		if err != nil {
			t.Fatal(err)
		}
		numbers = append(numbers, p.Number())
	}
	if want := slices.Collect(func(yield func(int) bool) {
		for i := 1; i <= 23 && yield(i); i++ {
		}
	}); !slices.Equal(numbers, want) {
		t.Errorf("pages %v", numbers)
	}
}

// TestConcurrentWalkRequestsAhead proves that pages are requested
// concurrently without timing anything: the server answers pages 2 to 5
// only once all four are in flight together, which a sequential walk
// never does.
func TestConcurrentWalkRequestsAhead(t *testing.T) {
	f := newFixture(t, 100, 0)
	var arrived sync.WaitGroup
	arrived.Add(4)
	together := make(chan struct{})
	go func() { arrived.Wait(); close(together) }()
	f.Hook = func(w http.ResponseWriter, r *http.Request, page int) bool {
		if page >= 2 && page <= 5 {
			arrived.Done()
			select {
			case <-together:
			case <-time.After(30 * time.Second):
				t.Errorf("page %d: pages 2 to 5 were never in flight together", page)
			}
		}
		return false
	}
	ids, errs, _ := drain(f.Client(t, api.WithPageConcurrency(4)).Avatars(context.Background(), nil))
	if len(errs) != 0 || len(ids) != 100 {
		t.Fatalf("%d items, errors %v", len(ids), errs)
	}
}

func TestConcurrentWalkFailingPage(t *testing.T) {
	failures := map[string]struct {
		write func(w http.ResponseWriter)
		is    error
	}{
		"400": {func(w http.ResponseWriter) { writeJSON(w, 400, map[string]any{"message": "boom"}) }, api.ErrBadRequest},
		"500": {func(w http.ResponseWriter) { writeJSON(w, 500, map[string]any{"message": "boom"}) }, api.ErrServer},
		"429": {func(w http.ResponseWriter) {
			writeJSON(w, 429, map[string]any{"message": "Concurrency limit reached"})
		}, api.ErrRateLimited},
		"not JSON": {func(w http.ResponseWriter) {
			w.Header().Set("Content-Type", "application/json")
			_, _ = w.Write([]byte(`{"data": [`))
		}, api.ErrDecode},
	}
	for name, fail := range failures {
		t.Run(name, func(t *testing.T) {
			// 20 pages of 10, 4 in flight: after page 3, pages 4 to 7 are
			// requested. Page 6 fails once page 7 is sent; the server holds
			// page 7 until the client cancels it, and the client does not
			// send pages 4 and 5 before page 7 is cancelled, which only
			// page 6's failure can do while the loop waits for page 4.
			f := newFixture(t, 200, 0)
			h := newHolder(t)
			var d *pageDoer
			f.Hook = func(w http.ResponseWriter, r *http.Request, page int) bool {
				switch {
				case page == 6:
					d.wait(7)
					fail.write(w)
					return true
				case page > 6:
					h.hold(r, page)
					return true
				}
				return false
			}
			d = &pageDoer{hc: &http.Client{Transport: http.DefaultTransport.(*http.Transport).Clone()}, arrived: map[int]context.Context{}}
			t.Cleanup(d.hc.CloseIdleConnections)
			d.before = func(page int) {
				if page == 4 || page == 5 {
					<-d.wait(7).Done()
				}
			}
			c := f.Client(t, api.WithPageConcurrency(4), api.WithMaxRetries(0), api.WithDoer(d))
			done := watchdog("the walk")
			ids, errs, after := drain(c.Avatars(context.Background(), nil))
			done()
			if !slices.Equal(ids, idRange(1, 50)) {
				t.Errorf("got %d items, want the 50 of pages 1 to 5 in order", len(ids))
			}
			var ae *api.Error
			if len(errs) != 1 || after != 0 || !errors.Is(errs[0], fail.is) || !errors.As(errs[0], &ae) || !strings.Contains(ae.Path, "/v1/avatars") {
				t.Fatalf("errors %v, %d items after the first; want one matching %v, last", errs, after, fail.is)
			}
			noWalkGoroutines(t)
			h.waitReleased(t)
			// Once page 6 had failed, no page was requested. A reply that
			// is not JSON is a 2xx: it refilled its slot (page 8, which the
			// server holds, cancelled since) before it was decoded.
			want := []int{1, 2, 3, 4, 5, 6, 7}
			if name == "not JSON" {
				want = append(want, 8)
			}
			if got := d.pages(); !slices.Equal(got, want) {
				t.Errorf("pages requested %v, want %v", got, want)
			}
		})
	}
}

// pageDoer sends requests with hc, calling before(page) first, and
// records the pages requested and their contexts.
type pageDoer struct {
	hc     *http.Client
	before func(page int)

	mu      sync.Mutex
	arrived map[int]context.Context
	cond    *sync.Cond
}

func (d *pageDoer) Do(r *http.Request) (*http.Response, error) {
	page := atoiOr(r.URL.Query().Get("page"), 1)
	d.mu.Lock()
	d.arrived[page] = r.Context()
	if d.cond != nil {
		d.cond.Broadcast()
	}
	d.mu.Unlock()
	if d.before != nil {
		d.before(page)
	}
	return d.hc.Do(r)
}

// wait returns the context of the request for page, once it is sent.
func (d *pageDoer) wait(page int) context.Context {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.cond == nil {
		d.cond = sync.NewCond(&d.mu)
	}
	for d.arrived[page] == nil {
		d.cond.Wait()
	}
	return d.arrived[page]
}

func (d *pageDoer) pages() []int {
	d.mu.Lock()
	defer d.mu.Unlock()
	var ps []int
	for p := range d.arrived {
		ps = append(ps, p)
	}
	slices.Sort(ps)
	return ps
}

func TestConcurrentWalkBreakCancelsInFlight(t *testing.T) {
	f := newFixture(t, 500, 0)
	h := newHolder(t)
	f.Hook = func(w http.ResponseWriter, r *http.Request, page int) bool {
		if page >= 3 {
			h.hold(r, page)
			return true
		}
		return false
	}
	var sent atomic.Int64
	c := f.Client(t, api.WithPageConcurrency(4), api.WithRequestEditor(func(context.Context, *http.Request) error {
		sent.Add(1)
		return nil
	}))
	var ids []string
	done := watchdog("the loop")
	for a, err := range c.Avatars(context.Background(), nil) {
		if err != nil {
			t.Fatal(err)
		}
		if ids = append(ids, *a.ID); len(ids) == 15 {
			break
		}
	}
	done()
	if !slices.Equal(ids, idRange(1, 15)) {
		t.Errorf("items %v", ids)
	}
	noWalkGoroutines(t)
	atBreak := sent.Load()
	released := h.waitReleased(t)
	// Page 2 in hand, the window held pages 3 to 6: 6 requests at most,
	// and those the server received were all cancelled.
	if atBreak > 6 || f.Requests.Load() > 6 {
		t.Errorf("%d requests sent, %d received: more than the 2 pages read and a window of 4", atBreak, f.Requests.Load())
	}
	if got := f.Requests.Load() - 2; int64(released) != got {
		t.Errorf("%d of the %d requests ahead were cancelled", released, got)
	}
	if after := sent.Load(); after != atBreak {
		t.Errorf("%d requests sent after the loop had ended", after-atBreak)
	}
}

func TestConcurrentWalkStopsWhenContextEnds(t *testing.T) {
	f := newFixture(t, 500, 0)
	h := newHolder(t)
	f.Hook = func(w http.ResponseWriter, r *http.Request, page int) bool {
		if page >= 3 {
			h.hold(r, page)
			return true
		}
		return false
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var items int
	var errs []error
	done := watchdog("the loop")
	for _, err := range f.Client(t, api.WithPageConcurrency(4)).Avatars(ctx, nil) {
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if items++; items == 12 {
			cancel()
		}
	}
	done()
	if items != 20 || len(errs) != 1 || !errors.Is(errs[0], context.Canceled) {
		t.Fatalf("items %d, errors %v; want the page in hand finished, then Canceled", items, errs)
	}
	noWalkGoroutines(t)
	h.waitReleased(t)
	if got := f.Requests.Load(); got > 6 {
		t.Errorf("%d requests", got)
	}
}

// TestConcurrentWalkMatchesSequential runs servers whose meta does not
// follow the plan a concurrent walk makes (or is plainly wrong) and checks
// that a walk with 4 requests in flight yields exactly what a sequential
// walk yields: the same items in the same order, then the same error.
func TestConcurrentWalkMatchesSequential(t *testing.T) {
	cases := []struct {
		name string
		edit func(page int, body map[string]any, meta map[string]any)
	}{
		{"well behaved", func(int, map[string]any, map[string]any) {}},
		{"repeats a page", func(page int, _, m map[string]any) { m["next"] = 2 }},
		{"goes backwards", func(page int, _, m map[string]any) {
			if page == 3 {
				m["next"] = 1
			}
		}},
		{"past lastPage", func(page int, _, m map[string]any) { m["lastPage"] = 2; m["next"] = page + 1 }},
		{"wrong current page", func(page int, _, m map[string]any) { m["currentPage"] = 1 }},
		{"endless empty pages", func(page int, _, m map[string]any) { m["lastPage"] = 1 << 30; m["next"] = page + 1 }},
		{"skips a page", func(page int, _, m map[string]any) {
			if page == 3 {
				m["next"] = 5
			}
		}},
		{"jumps past the window", func(page int, _, m map[string]any) {
			if page == 2 {
				m["next"] = 12
			}
		}},
		{"ends early", func(page int, _, m map[string]any) {
			if page == 5 {
				m["next"] = nil
			}
		}},
		{"lastPage shrinks", func(page int, _, m map[string]any) {
			if page >= 4 {
				m["lastPage"] = 6
			}
		}},
		{"lastPage grows", func(page int, _, m map[string]any) {
			if page < 3 {
				m["lastPage"] = 3
			}
		}},
		{"no lastPage", func(page int, _, m map[string]any) { delete(m, "lastPage") }},
		{"no next", func(page int, _, m map[string]any) { delete(m, "next") }},
		{"no currentPage", func(page int, _, m map[string]any) { delete(m, "currentPage") }},
		{"empty page with next", func(page int, b map[string]any, _ map[string]any) {
			if page == 2 || page == 7 {
				b["data"] = []any{}
			}
		}},
		{"nothing found midway", func(page int, b map[string]any, _ map[string]any) {
			if page == 4 {
				b["status"] = 404
			}
		}},
	}
	avatars := make([]map[string]any, 200)
	for i := range avatars {
		avatars[i] = map[string]any{"id": loopback.AvatarID(i + 1), "displayName": fmt.Sprintf("Avatar %d", i+1)}
	}
	type outcome struct {
		ids      []string
		errs     []string
		requests int64
	}
	walk := func(t *testing.T, n int, edit func(int, map[string]any, map[string]any)) outcome {
		f := newFixture(t, 0, 0)
		f.Hook = func(w http.ResponseWriter, r *http.Request, page int) bool {
			time.Sleep(time.Duration(page%3) * 200 * time.Microsecond) // answers out of order
			body := pageBody(avatars, page, 10)
			edit(page, body, body["meta"].(map[string]any))
			if body["status"] == 404 {
				writeJSON(w, 404, map[string]any{"message": "No avatars found"})
				return true
			}
			writeJSON(w, 200, body)
			return true
		}
		ids, errs, after := drain(f.Client(t, api.WithPageConcurrency(n)).Avatars(context.Background(), nil))
		if after != 0 || len(errs) > 1 {
			t.Errorf("n=%d: errors %v, %d items after the first", n, errs, after)
		}
		o := outcome{ids: ids, requests: f.Requests.Load()}
		for _, err := range errs {
			o.errs = append(o.errs, err.Error())
		}
		noWalkGoroutines(t)
		return o
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			seq := walk(t, 1, tc.edit)
			seen := map[string]bool{}
			for _, id := range seq.ids {
				if seen[id] {
					t.Fatalf("sequential walk yielded %s twice", id)
				}
				seen[id] = true
			}
			for _, n := range []int{2, 4} {
				got := walk(t, n, tc.edit)
				if !slices.Equal(got.ids, seq.ids) || !slices.Equal(got.errs, seq.errs) {
					t.Errorf("n=%d: %d items then %q; sequentially %d items then %q", n, len(got.ids), got.errs, len(seq.ids), seq.errs)
				}
				// A page whose meta does not match the plan wastes at most
				// the 2n pages the window holds ahead of it (n in flight,
				// the others received).
				if got.requests > seq.requests+int64(2*n) {
					t.Errorf("n=%d: %d requests, sequentially %d", n, got.requests, seq.requests)
				}
			}
		})
	}
}

// A 429 whose Retry-After has passed is tried again (the retry engineer's
// business); the walk must then still yield each item once, in order.
func TestConcurrentWalkRetriedPage(t *testing.T) {
	f := newFixture(t, 200, 0)
	var once sync.Once
	f.Hook = func(w http.ResponseWriter, r *http.Request, page int) bool {
		limited := false
		if page == 5 {
			once.Do(func() { limited = true })
		}
		if limited {
			w.Header().Set("Retry-After", "0")
			writeJSON(w, 429, map[string]any{"message": "Concurrency limit reached"})
		}
		return limited
	}
	ids, errs, _ := drain(f.Client(t, api.WithPageConcurrency(4)).Avatars(context.Background(), nil))
	if len(errs) != 0 || !slices.Equal(ids, idRange(1, 200)) {
		t.Fatalf("%d items, errors %v", len(ids), errs)
	}
	if got := f.Requests.Load(); got != 21 {
		t.Errorf("%d requests, want 20 pages and 1 retry", got)
	}
}

// panicDoer panics when asked for a given page, once it has closed hit.
type panicDoer struct {
	hc   *http.Client
	page string
	hit  chan struct{}
}

func (d panicDoer) Do(r *http.Request) (*http.Response, error) {
	if r.URL.Query().Get("page") == d.page {
		close(d.hit)
		panic("doer panic on page " + d.page)
	}
	return d.hc.Do(r)
}

func TestConcurrentWalkPanicReachesTheLoop(t *testing.T) {
	for _, endsAt2 := range []bool{false, true} {
		// Either the walk reaches page 3, whose request panics, or page 2
		// says it is the last: page 3, requested ahead, is not needed, but
		// its panic is not lost either.
		t.Run(fmt.Sprintf("page 2 is the last=%v", endsAt2), func(t *testing.T) {
			f := newFixture(t, 100, 0)
			d := panicDoer{hc: &http.Client{}, page: "3", hit: make(chan struct{})}
			f.Hook = func(w http.ResponseWriter, r *http.Request, page int) bool {
				if page == 2 && endsAt2 {
					<-d.hit
					w.Header().Set("Content-Type", "application/json")
					_, _ = w.Write(loopback.AppendPage(nil, 20, 2, 10, false))
					return true
				}
				return false
			}
			c := f.Client(t, api.WithPageConcurrency(4), api.WithDoer(d))
			var items int
			got := func() (v any) {
				defer func() { v = recover() }()
				for _, err := range c.Avatars(context.Background(), nil) {
					if err != nil {
						t.Fatal(err)
					}
					items++
				}
				return nil
			}()
			if got != "doer panic on page 3" || items != 20 {
				t.Errorf("recovered %v after %d items", got, items)
			}
			noWalkGoroutines(t)
		})
	}
}

// TestSequentialCallsReuseOneConnection makes 1,000 calls one after the
// other, errors among them, and counts the TCP connections the server
// accepted.
func TestSequentialCallsReuseOneConnection(t *testing.T) {
	f := newFixture(t, 95, 0)
	c := f.Client(t, api.WithPageConcurrency(1)) // sequential, walk included
	ctx := context.Background()
	for i := range 1000 {
		var err error
		switch i % 10 {
		case 0, 1, 2, 3, 4, 5:
			_, err = c.GetAvatar(ctx, loopback.AvatarID(1))
		case 6, 7, 8:
			_, err = c.ListAvatars(ctx, &api.ListAvatarsParams{Page: new(i%10 + 1), PerPage: new(10)})
		case 9:
			if _, err = c.GetAvatar(ctx, loopback.AvatarID(2)); errors.Is(err, api.ErrNotFound) {
				err = nil
			}
		}
		if err != nil {
			t.Fatalf("call %d: %v", i, err)
		}
	}
	if ids, errs, _ := drain(c.Avatars(ctx, nil)); len(ids) != 95 || len(errs) != 0 {
		t.Fatalf("walk: %d items, %v", len(ids), errs)
	}
	checkConns(t, f.Conns.Load(), 1, "1,000 sequential calls and a walk")
}

// connSlack is how many connections over the ideal count a test accepts.
// net/http does not reuse a connection whose writer goroutine has not
// reported within 50 ms that the request went out (persistConn.
// wroteRequest), which a starved CPU (the race detector, a busy machine)
// can cause now and then. What these tests catch, a body not read to its
// end or an idle pool too small, opens a connection per call.
const connSlack = 2

func checkConns(t *testing.T, got, want int64, what string) {
	t.Helper()
	switch {
	case got > want+connSlack:
		t.Errorf("%s opened %d connections, want %d", what, got, want)
	case got > want:
		t.Logf("%s opened %d connections, want %d: the transport gave up on a connection a starved goroutine had not released in time", what, got, want)
	}
}

// TestConcurrentWalkConnections counts the connections of whole walks:
// no more than the requests they keep in flight. The server holds the
// first n pages requested ahead until all n have arrived, so that every
// connection is open before one is free again (else a connection freed
// while another was being dialled could make one more, which the
// transport, not the walk, decides).
func TestConcurrentWalkConnections(t *testing.T) {
	for _, n := range []int{1, 2, 4, 8} {
		t.Run(fmt.Sprintf("n=%d", n), func(t *testing.T) {
			f := newFixture(t, 250, 0)
			var arrived sync.WaitGroup
			together := make(chan struct{})
			if n > 1 {
				arrived.Add(n)
				go func() { arrived.Wait(); close(together) }()
			}
			var first atomic.Bool
			first.Store(true)
			f.Hook = func(w http.ResponseWriter, r *http.Request, page int) bool {
				if n > 1 && page >= 2 && page <= n+1 && first.Load() {
					arrived.Done()
					<-together
				}
				return false
			}
			c := f.Client(t, api.WithPageConcurrency(n))
			for range 2 {
				if ids, errs, _ := drain(c.Avatars(context.Background(), nil)); len(ids) != 250 || len(errs) != 0 {
					t.Fatalf("%d items, %v", len(ids), errs)
				}
				first.Store(false)
			}
			checkConns(t, f.Conns.Load(), int64(n), fmt.Sprintf("two walks of 25 pages, %d in flight,", n))
			if p := f.Peak.Load(); p > int64(n) {
				t.Errorf("%d requests in flight at once, more than %d", p, n)
			}
		})
	}
}

// TestConcurrentWalkBreakWaste measures what WithPageConcurrency documents:
// a loop that breaks on the first page, once the walk has requested ahead
// all it may, leaves n requests sent for nothing (none when n is 1), and
// the server sees every one of them cancelled.
func TestConcurrentWalkBreakWaste(t *testing.T) {
	for _, n := range []int{1, 2, 4, 8} {
		t.Run(fmt.Sprintf("n=%d", n), func(t *testing.T) {
			f := newFixture(t, 500, 0)
			h := newHolder(t)
			f.Hook = func(w http.ResponseWriter, r *http.Request, page int) bool {
				if page >= 2 {
					h.hold(r, page)
					return true
				}
				return false
			}
			done := watchdog("the loop")
			for _, err := range f.Client(t, api.WithPageConcurrency(n)).Avatars(context.Background(), nil) {
				if err != nil {
					t.Fatal(err)
				}
				// Break once every request the walk may send ahead has
				// reached the server.
				want := int64(1 + n)
				if n == 1 {
					want = 1
				}
				for range 2000 {
					if f.Requests.Load() >= want {
						break
					}
					time.Sleep(time.Millisecond)
				}
				break
			}
			done()
			noWalkGoroutines(t)
			wasted := f.Requests.Load() - 1
			released := h.waitReleased(t)
			t.Logf("n=%d: %d requests sent for nothing, %d cancelled", n, wasted, released)
			wantWaste := int64(n)
			if n == 1 {
				wantWaste = 0
			}
			if wasted != wantWaste || int64(released) != wasted {
				t.Errorf("n=%d: %d requests sent for nothing (%d cancelled), want %d", n, wasted, released, wantWaste)
			}
		})
	}
}

// TestConcurrentWalkOscillatingLastPageConnections walks a server whose
// meta.lastPage oscillates (every odd page says the next page is the
// last, every even one the real last), so that the walk keeps dropping
// the pages it requested ahead, and counts the TCP connections. The
// server sends each body in two parts, 2 ms apart, so that many dropped
// pages are being read when they are dropped: those are let finish into
// the bin (bounded) rather than cancelled, which would close their
// connections. It logs the connections opened, and fails if they come
// near one per dropped request.
func TestConcurrentWalkOscillatingLastPageConnections(t *testing.T) {
	avatars := make([]map[string]any, 250)
	for i := range avatars {
		avatars[i] = map[string]any{"id": loopback.AvatarID(i + 1), "displayName": fmt.Sprintf("Avatar %d", i+1)}
	}
	const n = 8
	f := newFixture(t, 0, 0)
	f.Hook = func(w http.ResponseWriter, r *http.Request, page int) bool {
		body := pageBody(avatars, page, 10)
		if m := body["meta"].(map[string]any); page%2 == 1 && page < 24 {
			m["lastPage"] = page + 1
		}
		b, _ := json.Marshal(body)
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Content-Length", fmt.Sprint(len(b)))
		_, _ = w.Write(b[:len(b)/2])
		w.(http.Flusher).Flush()
		time.Sleep(2 * time.Millisecond)
		_, _ = w.Write(b[len(b)/2:])
		return true
	}
	c := f.Client(t, api.WithPageConcurrency(n))
	ids, errs, _ := drain(c.Avatars(context.Background(), nil))
	if len(ids) != 250 || len(errs) != 0 {
		t.Fatalf("%d items, %v", len(ids), errs)
	}
	noWalkGoroutines(t)
	requests, conns := f.Requests.Load(), f.Conns.Load()
	wasted := requests - 25
	t.Logf("n=%d: %d requests (%d dropped), %d connections", n, requests, wasted, conns)
	if conns > n+wasted/2 {
		t.Errorf("%d connections for %d requests, %d of them dropped: dropped requests close their connections", conns, requests, wasted)
	}
}
