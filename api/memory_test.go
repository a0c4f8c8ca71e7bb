package api_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"runtime"
	"runtime/metrics"
	"testing"

	"github.com/anam-ai/anam-go/api"
	"github.com/anam-ai/anam-go/internal/loopback"
)

// A walk holds the page in hand and the pages requested ahead, never all
// the pages it went through. These measure the live heap during walks of
// 10,000 and 100,000 items: it must not grow with the number of items.

// liveHeap collects garbage and returns the bytes of live heap objects.
func liveHeap() uint64 {
	runtime.GC()
	s := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	metrics.Read(s)
	return s[0].Value.Uint64()
}

// walkPeakHeap walks f's avatars, 100 per page, with n requests in flight,
// and returns the most live heap seen, every `every` pages, above the
// live heap before the walk (the client and server included).
func walkPeakHeap(tb testing.TB, f *fixture, n, every int) uint64 {
	tb.Helper()
	c := f.Client(tb, api.WithPageConcurrency(n))
	runtime.GC() // a second collection frees what sync.Pools let go of in the first
	base := liveHeap()
	var peak uint64
	items := 0
	for a, err := range c.Avatars(context.Background(), &api.ListAvatarsParams{PerPage: new(100)}) {
		if err != nil {
			tb.Fatal(err)
		}
		if *a.ID != loopback.AvatarID(items+1) {
			tb.Fatalf("item %d is %s", items+1, *a.ID)
		}
		if items++; items%(100*every) == 50 { // mid-page: a page in hand
			if h := liveHeap(); h > base && h-base > peak {
				peak = h - base
			}
		}
	}
	if items != f.Total {
		tb.Fatalf("%d items of %d", items, f.Total)
	}
	return peak
}

func TestWalkMemoryDoesNotGrowWithItems(t *testing.T) {
	if testing.Short() {
		t.Skip("walks 110,000 items")
	}
	// With 4 pages requested ahead; BenchmarkWalkMemory measures the
	// sequential walk too.
	for _, n := range []int{4} {
		peak := map[int]uint64{}
		for _, items := range []int{10_000, 100_000} {
			f := newFixture(t, items, 0)
			f.Slim = true
			peak[items] = walkPeakHeap(t, f, n, 20)
		}
		t.Logf("n=%d: peak live heap %d B for 10,000 items, %d B for 100,000", n, peak[10_000], peak[100_000])
		// Holding every item of the long walk would take some 25 MB; its
		// peak must stay near the short walk's (the slack is for what the
		// runtime and the server keep on the side).
		if peak[100_000] > 2*peak[10_000]+256<<10 || peak[100_000] > 4<<20 {
			t.Errorf("n=%d: the live heap grows with the items walked: %d B for 10,000, %d B for 100,000", n, peak[10_000], peak[100_000])
		}
	}
}

// BenchmarkWalkMemory walks 10,000 and 100,000 avatars of the API's shape,
// 100 per page, sequentially and with 8 pages requested ahead, and reports
// the peak live heap (peak-live-B) and that peak in decoded pages of 100
// avatars, about 113 KB each (peak-pages). Besides the decoded pages, the
// page in hand and up to n requested ahead, it counts the bodies of the
// responses being read (about 64 KB of buffer each) and the buffers the
// client and the test server keep in pools. It must not depend on items.
func BenchmarkWalkMemory(b *testing.B) {
	page := pageHeap(b)
	for _, n := range []int{1, 8} {
		for _, items := range []int{10_000, 100_000} {
			b.Run(fmt.Sprintf("items=%d/n=%d", items, n), func(b *testing.B) {
				f := newFixture(b, items, 0)
				var peak uint64
				for b.Loop() {
					peak = max(peak, walkPeakHeap(b, f, n, 5))
				}
				b.ReportMetric(float64(peak), "peak-live-B")
				b.ReportMetric(float64(peak)/float64(page), "peak-pages")
			})
		}
	}
}

// pageHeap returns the live heap one decoded page of 100 avatars takes.
func pageHeap(b *testing.B) uint64 {
	f := newFixture(b, 100, 0)
	c := f.Client(b)
	if _, err := c.ListAvatars(context.Background(), &api.ListAvatarsParams{PerPage: new(100)}); err != nil {
		b.Fatal(err)
	}
	base := liveHeap()
	p, err := c.ListAvatars(context.Background(), &api.ListAvatarsParams{PerPage: new(100)})
	if err != nil {
		b.Fatal(err)
	}
	h := liveHeap()
	runtime.KeepAlive(p)
	return h - base
}

// bigBody is a response body of n bytes of JSON, made as it is read, that
// counts the bytes read from it.
type bigBody struct {
	n, read int64
}

func (b *bigBody) Read(p []byte) (int, error) {
	if b.read >= b.n {
		return 0, io.EOF
	}
	k := min(int64(len(p)), b.n-b.read)
	for i := range p[:k] {
		switch at := b.read + int64(i); {
		case at < 16:
			p[i] = `{"displayName":"`[at]
		case at >= b.n-2:
			p[i] = `"}`[at-(b.n-2)]
		default:
			p[i] = 'x'
		}
	}
	b.read += k
	return int(k), nil
}

func (b *bigBody) Close() error { return nil }

// TestOversizedBodyMemory measures the bytes allocated by a call whose
// 200 body is 40 MiB, over the default 32 MiB limit (TotalAlloc: an upper
// bound of the peak heap the call adds): sent chunked, the read stops at
// the limit and allocates about the limit once; with a Content-Length over
// the limit, nothing of it is read.
func TestOversizedBodyMemory(t *testing.T) {
	const size = 40 << 20
	for _, tc := range []struct {
		name      string
		length    int64 // the Content-Length sent; -1: chunked
		maxAlloc  uint64
		maxRead   int64
		wantError bool
	}{
		{"chunked, over the limit", -1, api.DefaultMaxResponseBytes + 4<<20, api.DefaultMaxResponseBytes + 1 + 64<<10, true},
		{"Content-Length over the limit", size, 1 << 20, 0, true},
		{"Content-Length under the limit", 24 << 20, 24<<20 + 24<<20 + 4<<20, 24 << 20, false}, // the body, and the decoded string
	} {
		t.Run(tc.name, func(t *testing.T) {
			n := int64(size)
			if tc.length >= 0 {
				n = tc.length
			}
			body := &bigBody{n: n}
			doer := doerFunc(func(req *http.Request) (*http.Response, error) {
				resp := response(req, 200, http.Header{"Content-Type": {"application/json"}}, body)
				resp.ContentLength = tc.length
				return resp, nil
			})
			c, err := api.NewClient(api.WithAPIKey(testKey), api.WithBaseURL(fakeBase), api.WithDoer(doer), api.WithMaxRetries(0))
			if err != nil {
				t.Fatal(err)
			}
			var before, after runtime.MemStats
			runtime.GC()
			runtime.ReadMemStats(&before)
			_, err = c.GetAvatar(context.Background(), knownID)
			runtime.ReadMemStats(&after)
			alloc := after.TotalAlloc - before.TotalAlloc
			t.Logf("%s: %.1f MiB allocated, %.1f MiB of the body read", tc.name, float64(alloc)/(1<<20), float64(body.read)/(1<<20))
			if tc.wantError != errors.Is(err, api.ErrTooLarge) {
				t.Errorf("err = %v", err)
			}
			if alloc > tc.maxAlloc {
				t.Errorf("%.1f MiB allocated, want at most %.1f MiB", float64(alloc)/(1<<20), float64(tc.maxAlloc)/(1<<20))
			}
			if body.read > tc.maxRead {
				t.Errorf("%d bytes of the body read, want at most %d", body.read, tc.maxRead)
			}
		})
	}
}
