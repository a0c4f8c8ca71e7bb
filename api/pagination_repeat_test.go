package api_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/anam-ai/anam-go/api"
)

// TestRepeatedPageWithoutCurrentPage: issue 18's questionable "a server
// that repeats the same page without currentPage". A meta with lastPage
// but neither currentPage nor next is taken for the page asked for, so
// the walk goes on to lastPage instead of ending after page 1 without a
// word; a server that ignores the page parameter then answers page 2 with
// page 1's body, and the walk stops with ErrPagination after page 1's
// items, never printing them twice nor looping.
func TestRepeatedPageWithoutCurrentPage(t *testing.T) {
	s := newStub(t, 30)
	body := func(page []map[string]any) map[string]any {
		return map[string]any{"data": page, "meta": map[string]any{"total": 30, "lastPage": 3, "perPage": 10}}
	}
	for _, ignores := range []bool{true, false} {
		s.setOverride(func(w http.ResponseWriter, r *http.Request) bool {
			page := atoiOr(r.URL.Query().Get("page"), 1)
			if ignores {
				page = 1
			}
			writeJSON(w, 200, body(s.avatars[(page-1)*10:page*10]))
			return true
		})
		for _, conc := range []int{1, 4} {
			var items []api.Avatar
			var last error
			for a, err := range s.client(t, api.WithPageConcurrency(conc)).Avatars(context.Background(), nil) {
				if err != nil {
					last = err
					break
				}
				items = append(items, a)
			}
			switch {
			case ignores && (len(items) != 10 || !errors.Is(last, api.ErrPagination) || !strings.Contains(last.Error(), "page 2 is the same as page 1")):
				t.Errorf("a server ignoring page, concurrency %d: %d items, then %v; want 10, then ErrPagination", conc, len(items), last)
			case !ignores && (len(items) != 30 || last != nil):
				t.Errorf("a server without currentPage, concurrency %d: %d items, then %v; want all 30", conc, len(items), last)
			}
		}
	}
}
