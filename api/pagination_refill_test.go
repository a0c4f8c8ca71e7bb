package api_test

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"slices"
	"strconv"
	"sync"
	"testing"
	"testing/synctest"

	"github.com/anam-ai/anam-go/api"
	"github.com/anam-ai/anam-go/internal/loopback"
)

// TestConcurrentWalkRefillsOnReply: a slot of the window is refilled as
// soon as its page's response has come, not once the loop has taken the
// page (after decoding it), so that decoding is not added to every round
// trip. With n = 4 and page 2 held, the walk goes on requesting the pages
// after it up to page 2 + 2n = 10, the window's bound (n requests in
// flight, 2n pages ahead of the page the loop waits for), and no further
// until page 2 comes; it never has more than n requests in flight.
func TestConcurrentWalkRefillsOnReply(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		const n, pages, perPage = 4, 20, 10
		release := make(chan struct{})
		var (
			mu        sync.Mutex
			requested []int
			inFlight  int
			peak      int
		)
		doer := doerFunc(func(req *http.Request) (*http.Response, error) {
			page, _ := strconv.Atoi(req.URL.Query().Get("page"))
			mu.Lock()
			requested = append(requested, page)
			inFlight++
			peak = max(peak, inFlight)
			mu.Unlock()
			defer func() {
				mu.Lock()
				inFlight--
				mu.Unlock()
			}()
			if page == 2 {
				select {
				case <-release:
				case <-req.Context().Done():
					return nil, req.Context().Err()
				}
			}
			body := loopback.AppendPage(nil, pages*perPage, page, perPage, true)
			return response(req, 200, http.Header{"Content-Type": {"application/json"}}, io.NopCloser(bytes.NewReader(body))), nil
		})
		c, err := api.NewClient(api.WithAPIKey(testKey), api.WithBaseURL(fakeBase), api.WithDoer(doer), api.WithPageConcurrency(n))
		if err != nil {
			t.Fatal(err)
		}
		type outcome struct {
			ids  []string
			errs []error
		}
		done := make(chan outcome)
		go func() {
			ids, errs, _ := drain(c.Avatars(context.Background(), &api.ListAvatarsParams{PerPage: new(perPage)}))
			done <- outcome{ids, errs}
		}()

		synctest.Wait() // every goroutine blocked: the walk waits for page 2
		mu.Lock()
		held := slices.Sorted(slices.Values(requested))
		mu.Unlock()
		if want := []int{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}; !slices.Equal(held, want) {
			t.Errorf("with page 2 held, pages %v were requested; want %v", held, want)
		}

		close(release)
		o := <-done
		if len(o.errs) > 0 || !slices.Equal(o.ids, idRange(1, pages*perPage)) {
			t.Errorf("%d items, errors %v; want the %d items in order", len(o.ids), o.errs, pages*perPage)
		}
		mu.Lock()
		defer mu.Unlock()
		if got := slices.Sorted(slices.Values(requested)); len(got) != pages || got[0] != 1 || got[pages-1] != pages {
			t.Errorf("pages requested %v, want 1 to %d once each", got, pages)
		}
		if peak > n {
			t.Errorf("%d requests in flight at once, more than %d", peak, n)
		}
	})
}
