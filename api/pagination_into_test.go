package api_test

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"testing"

	"github.com/anam-ai/anam-go/api"
)

// TestResponseIntoOnAWalk: item 6 of issue 18. WithResponseInto on an
// iterator that requests pages ahead (the default concurrency) is written
// in the loop's goroutine only, just before each page is yielded: in the
// loop, it describes the page in hand, never one requested ahead (run
// under -race, the test also proves there is no race on it); after a
// failed walk, the failed page's response. The same holds for the raw
// walker (DoPages).
func TestResponseIntoOnAWalk(t *testing.T) {
	s := newStub(t, 95) // 10 pages of 10
	s.setOverride(func(w http.ResponseWriter, r *http.Request) bool {
		page := r.URL.Query().Get("page")
		w.Header().Set("X-Request-Id", "page-"+page)
		if page == "8" {
			writeJSON(w, 404, map[string]any{"message": "Avatar not found"})
			return true
		}
		return false
	})
	c := s.client(t, api.WithPageConcurrency(4))
	listAvatars, _ := api.LookupOperation("listAvatars")
	walks := map[string]func(dst *api.Response) func(yield func(int, error) bool){
		"typed": func(dst *api.Response) func(yield func(int, error) bool) {
			return func(yield func(int, error) bool) {
				for p, err := range c.AvatarPages(context.Background(), nil, api.WithResponseInto(dst)) {
					n := 0
					if p != nil {
						n = p.Number()
					}
					if !yield(n, err) {
						return
					}
				}
			}
		},
		"raw": func(dst *api.Response) func(yield func(int, error) bool) {
			return func(yield func(int, error) bool) {
				for p, err := range c.DoPages(context.Background(), listAvatars, api.RawRequest{}, api.WithResponseInto(dst)) {
					n := 0
					if p != nil {
						n = p.Number()
					}
					if !yield(n, err) {
						return
					}
				}
			}
		},
	}
	for name, walk := range walks {
		for run := range 20 {
			var dst api.Response
			seen := 0
			var last error
			for n, err := range walk(&dst) {
				if err != nil {
					last = err
					break
				}
				seen++
				if dst.RequestID != "page-"+strconv.Itoa(n) || dst.StatusCode != 200 || dst.Attempts != 1 {
					t.Fatalf("%s, run %d: in the loop for page %d, WithResponseInto says %d %q after %d attempts", name, run, n, dst.StatusCode, dst.RequestID, dst.Attempts)
				}
			}
			var ae *api.Error
			if seen != 7 || !errors.As(last, &ae) || ae.Page != 8 || !errors.Is(last, api.ErrNotFound) {
				t.Fatalf("%s, run %d: %d pages, then %v; want 7, then page 8's 404", name, run, seen, last)
			}
			if dst.StatusCode != 404 || dst.RequestID != "page-8" {
				t.Fatalf("%s, run %d: after the walk, WithResponseInto says %d %q; want page 8's 404", name, run, dst.StatusCode, dst.RequestID)
			}
		}
	}
}
