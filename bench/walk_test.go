package bench_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/anam-ai/anam-go/api"
	"github.com/anam-ai/anam-go/gen"
	"github.com/anam-ai/anam-go/internal/loopback"
)

// BenchmarkWalk walks 100 pages of 100 avatars from the loopback server,
// which waits `latency` before answering each request, with c page
// requests in flight: through the SDK's iterator (WithPageConcurrency(c)),
// through a hand-written concurrent walker (net/http, a window of c
// requests refilled as soon as a response is read, decoding outside it),
// and through the same walker doing no work (impl=nowork: it reads the
// bodies of pages 2 to 100 and drops them, decoding nothing), the floor
// of a walk on this machine. Besides wall and CPU time per walk it
// reports x-limit: the wall time over the physical limit of a walk,
// (1 + ⌈99/c⌉) × latency (page 1 alone, since it says how many pages
// there are, then the 99 others c at a time), which a real server's
// timers and the machine's scheduling add to even when nothing is done.
func BenchmarkWalk(b *testing.B) {
	const pages, perPage = serverTotal / 100, 100
	for _, latency := range []time.Duration{5 * time.Millisecond, 20 * time.Millisecond} {
		base := serverURL(b, latency)
		for _, c := range []int{1, 4, 8} {
			limit := time.Duration(1+(pages-1+c-1)/c) * latency
			b.Run(fmt.Sprintf("latency=%v/c=%d", latency, c), func(b *testing.B) {
				runImpls(b,
					impl{"sdk", func(b *testing.B) {
						client := newSDK(b, base, nil, api.WithPageConcurrency(c))
						measureWalk(b, limit, func(each func(*gen.Avatar)) error {
							for a, err := range client.Avatars(context.Background(), &api.ListAvatarsParams{PerPage: new(perPage)}) {
								if err != nil {
									return err
								}
								each(&a)
							}
							return nil
						})
					}},
					impl{"nethttp", func(b *testing.B) {
						h := newHandClient(base, nil)
						measureWalk(b, limit, func(each func(*gen.Avatar)) error {
							return h.walk(context.Background(), perPage, c, each)
						})
					}},
					impl{"nowork", func(b *testing.B) {
						h := newHandClient(base, nil)
						measureWalk(b, limit, func(func(*gen.Avatar)) error {
							return h.walk(context.Background(), perPage, c, nil)
						})
					}},
				)
			})
		}
	}
}

// measureWalk measures walk, which must yield avatars 1 to serverTotal in
// order, and reports x-limit.
func measureWalk(b *testing.B, limit time.Duration, walk func(each func(*gen.Avatar)) error) {
	b.Helper()
	op := func() error {
		n := 0
		var want []byte
		err := walk(func(a *gen.Avatar) {
			n++
			if want = loopback.AppendID(want[:0], n); a.GetID() != string(want) {
				panic(fmt.Sprintf("item %d is %s", n, a.GetID()))
			}
		})
		if err == nil && n != serverTotal && n != 0 { // 0: a walk that decodes nothing
			err = fmt.Errorf("%d items, want %d", n, serverTotal)
		}
		return err
	}
	warm(b, 1, op)
	loop(b, func() {
		if err := op(); err != nil {
			b.Fatal(err)
		}
	})
	b.ReportMetric(float64(b.Elapsed())/float64(b.N)/float64(limit), "x-limit")
}

// walk is what a careful engineer writes to list everything quickly with
// net/http: page 1, which says how many pages there are, then the others
// with up to c requests in flight, each slot refilled as soon as its
// response is read (the JSON is decoded outside the slot), and at most 2c
// pages ahead of the loop; items are handed to each in order. With each
// nil, it does no work: it reads the bodies of pages 2 and later, and
// drops them.
func (h *handClient) walk(ctx context.Context, perPage, c int, each func(*gen.Avatar)) error {
	first, err := h.listAvatars(ctx, 1, perPage)
	if err != nil {
		return err
	}
	nowork := each == nil
	if nowork {
		each = func(*gen.Avatar) {}
	}
	for i := range first.Data {
		each(&first.Data[i])
	}
	if first.Meta.LastPage == nil {
		return fmt.Errorf("page 1 does not say how many pages there are")
	}
	last := *first.Meta.LastPage
	if c <= 1 {
		for p := 2; p <= last; p++ {
			if nowork {
				if _, err := h.getRaw(ctx, "/v1/avatars?page="+strconv.Itoa(p)+"&perPage="+strconv.Itoa(perPage)); err != nil {
					return err
				}
				continue
			}
			l, err := h.listAvatars(ctx, p, perPage)
			if err != nil {
				return err
			}
			for i := range l.Data {
				each(&l.Data[i])
			}
		}
		return nil
	}
	type result struct {
		page *avatarPage
		err  error
	}
	results := make([]chan result, last+1)
	for p := 2; p <= last; p++ {
		results[p] = make(chan result, 1)
	}
	inFlight := make(chan struct{}, c) // a token per request in flight
	ahead := make(chan struct{}, 2*c)  // a token per page not yet handed over
	ctx, cancel := context.WithCancel(ctx)
	var wg sync.WaitGroup
	defer wg.Wait()
	defer cancel()
	wg.Go(func() {
		for p := 2; p <= last; p++ {
			select {
			case ahead <- struct{}{}:
			case <-ctx.Done():
				return
			}
			select {
			case inFlight <- struct{}{}:
			case <-ctx.Done():
				return
			}
			wg.Go(func() {
				body, err := h.getRaw(ctx, "/v1/avatars?page="+strconv.Itoa(p)+"&perPage="+strconv.Itoa(perPage))
				<-inFlight
				var l avatarPage
				if err == nil && !nowork {
					err = json.Unmarshal(body, &l)
				}
				results[p] <- result{&l, err}
			})
		}
	})
	for p := 2; p <= last; p++ {
		var r result
		select {
		case r = <-results[p]:
		case <-ctx.Done():
			return ctx.Err()
		}
		<-ahead
		if r.err != nil {
			return r.err
		}
		for i := range r.page.Data {
			each(&r.page.Data[i])
		}
	}
	return nil
}

// getRaw sends a GET of base+path and returns its 200 body.
func (h *handClient) getRaw(ctx context.Context, path string) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, h.base+path, nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Authorization", h.auth)
	req.Header.Set("Accept", "application/json")
	resp, err := h.hc.Do(req)
	if err != nil {
		return nil, err
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err == nil && resp.StatusCode != http.StatusOK {
		err = fmt.Errorf("GET %s: %s", path, resp.Status)
	}
	return body, err
}
