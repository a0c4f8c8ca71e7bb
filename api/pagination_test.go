package api_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/anam-ai/anam-go/api"
	"github.com/anam-ai/anam-go/gen"
)

func TestListAvatarsPage(t *testing.T) {
	s := newStub(t, 25)
	p, err := s.client(t).ListAvatars(context.Background(), &api.ListAvatarsParams{Page: new(3), PerPage: new(10), Search: new("x y"), OnlyOneShot: new(true)})
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Items) != 5 || p.Number() != 3 || p.Total() != 25 || *p.Items[0].ID != "00000000-0000-4000-8000-000000000021" {
		t.Fatalf("page = %+v", p)
	}
	if n, more := p.Next(); more {
		t.Errorf("Next() = %d, true on the last page", n)
	}
	if !p.Items[0].VideoURL.IsNull() {
		t.Errorf("videoUrl null not seen as null")
	}
	q := s.last().URL.Query()
	if q.Get("page") != "3" || q.Get("perPage") != "10" || q.Get("search") != "x y" || q.Get("onlyOneShot") != "true" {
		t.Errorf("query sent = %v", q)
	}
}

func TestIterateAllPages(t *testing.T) {
	s := newStub(t, 95)
	var ids []string
	for a, err := range s.client(t).Avatars(context.Background(), &api.ListAvatarsParams{PerPage: new(7)}) {
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, *a.ID)
	}
	want := make([]string, 95)
	for i := range want {
		want[i] = fmt.Sprintf("00000000-0000-4000-8000-%012d", i+1)
	}
	if !slices.Equal(ids, want) {
		t.Fatalf("got %d ids, not the 95 in order: %v", len(ids), ids)
	}
	// Pages after the first may be requested concurrently, in any order,
	// but each exactly once.
	got := s.pagesAsked()
	slices.SortFunc(got, func(a, b string) int { return atoiOr(a, 0) - atoiOr(b, 0) })
	wantPages := make([]string, 14)
	for i := range wantPages {
		wantPages[i] = fmt.Sprint(i + 1)
	}
	if !slices.Equal(got, wantPages) {
		t.Errorf("pages asked = %v, want each of 1..14 once", got)
	}
	for _, r := range []*http.Request{s.last()} {
		if r.URL.Query().Get("perPage") != "7" {
			t.Errorf("perPage not kept on later pages: %v", r.URL.Query())
		}
	}
}

func TestIterationStartsAtGivenPageAndKeepsFilters(t *testing.T) {
	s := newStub(t, 30)
	got, err := s.client(t).ListAllAvatars(context.Background(), &api.ListAvatarsParams{Page: new(2), PerPage: new(10), Search: new("Avatar")})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 20 || *got[0].ID != "00000000-0000-4000-8000-000000000011" {
		t.Fatalf("got %d items from %v", len(got), *got[0].ID)
	}
	if q := s.last().URL.Query(); q.Get("search") != "Avatar" || q.Get("page") != "3" {
		t.Errorf("last query = %v", q)
	}
}

func TestBreakStopsRequests(t *testing.T) {
	s := newStub(t, 100)
	n := 0
	for _, err := range s.client(t, api.WithPageConcurrency(1)).Avatars(context.Background(), nil) {
		if err != nil {
			t.Fatal(err)
		}
		if n++; n == 15 {
			break
		}
	}
	if got := s.requests.Load(); got != 2 {
		t.Errorf("%d requests for 15 items of 10 per page, want 2", got)
	}
}

func TestCancellationStopsIteration(t *testing.T) {
	s := newStub(t, 100)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var items int
	var last error
	for _, err := range s.client(t, api.WithPageConcurrency(1)).Avatars(ctx, nil) {
		if err != nil {
			last = err
			break
		}
		if items++; items == 12 {
			cancel()
		}
	}
	if !errors.Is(last, context.Canceled) || items != 20 {
		t.Fatalf("items %d, err %v; want the page in hand finished, then Canceled", items, last)
	}
	if got := s.requests.Load(); got != 2 {
		t.Errorf("%d requests, want 2", got)
	}
}

func TestErrorOnPageThree(t *testing.T) {
	s := newStub(t, 50)
	s.setOverride(func(w http.ResponseWriter, r *http.Request) bool {
		if r.URL.Query().Get("page") == "3" {
			writeJSON(w, 500, map[string]any{"message": "boom"})
			return true
		}
		return false
	})
	var items, errs int
	var last error
	for _, err := range s.client(t).Avatars(context.Background(), nil) {
		if err != nil {
			errs++
			last = err
			continue
		}
		items++
	}
	var ae *api.Error
	if items != 20 || errs != 1 || !errors.As(last, &ae) || ae.StatusCode != 500 || ae.Message != "boom" {
		t.Fatalf("items %d, errors %d, last %v", items, errs, last)
	}
	got, err := s.client(t).ListAllAvatars(context.Background(), nil)
	if len(got) != 20 || !errors.Is(err, api.ErrServer) {
		t.Errorf("ListAllAvatars = %d items, %v", len(got), err)
	}
}

func TestEmptyList(t *testing.T) {
	s := newStub(t, 0)
	got, err := s.client(t).ListAllAvatars(context.Background(), nil)
	if err != nil || len(got) != 0 || s.requests.Load() != 1 {
		t.Fatalf("got %v, %v after %d requests", got, err, s.requests.Load())
	}
}

func TestNothingFound404IsAnEmptyPage(t *testing.T) {
	s := newStub(t, 5)
	s.setOverride(func(w http.ResponseWriter, r *http.Request) bool {
		writeJSON(w, 404, map[string]any{"message": "No avatars found"})
		return true
	})
	c := s.client(t)
	p, err := c.ListAvatars(context.Background(), &api.ListAvatarsParams{Search: new("zzz"), PerPage: new(20)})
	if err != nil {
		t.Fatalf("404 No avatars found became %v", err)
	}
	if len(p.Items) != 0 || p.Total() != 0 || p.Number() != 1 || *p.Meta.PerPage != 20 || !p.Meta.Next.IsNull() {
		t.Errorf("page = %+v", p)
	}
	var n int
	for _, err := range c.Avatars(context.Background(), &api.ListAvatarsParams{Search: new("zzz")}) {
		if err != nil {
			t.Fatal(err)
		}
		n++
	}
	if n != 0 {
		t.Errorf("%d items from nothing", n)
	}
}

func TestReal404OnListIsAnError(t *testing.T) {
	bodies := map[string]func(w http.ResponseWriter){
		"html": func(w http.ResponseWriter) {
			w.Header().Set("Content-Type", "text/html")
			w.WriteHeader(404)
			_, _ = w.Write([]byte("<h1>404</h1>"))
		},
		"route": func(w http.ResponseWriter) {
			writeJSON(w, 404, map[string]any{"message": "Cannot GET /v2/avatars", "error": "Not Found"})
		},
	}
	for name, write := range bodies {
		s := newStub(t, 5)
		s.setOverride(func(w http.ResponseWriter, r *http.Request) bool { write(w); return true })
		if _, err := s.client(t).ListAvatars(context.Background(), nil); !errors.Is(err, api.ErrNotFound) {
			t.Errorf("%s 404: err = %v, want ErrNotFound", name, err)
		}
	}
}

// misbehave serves 10 avatars per page but lets meta be rewritten.
func misbehave(t *testing.T, edit func(page int, meta map[string]any)) *stub {
	s := newStub(t, 1000)
	s.setOverride(func(w http.ResponseWriter, r *http.Request) bool {
		page := atoiOr(r.URL.Query().Get("page"), 1)
		body := pageBody(s.avatars, page, 10)
		edit(page, body["meta"].(map[string]any))
		writeJSON(w, 200, body)
		return true
	})
	return s
}

func TestMisbehavingServerIsStopped(t *testing.T) {
	cases := []struct {
		name  string
		edit  func(page int, meta map[string]any)
		want  string
		pages int64
	}{
		{"repeats a page", func(page int, m map[string]any) { m["next"] = 2; m["currentPage"] = page }, "repeat", 2},
		{"goes backwards", func(page int, m map[string]any) {
			if page == 3 {
				m["next"] = 1
			}
		}, "repeat", 3},
		{"past lastPage", func(page int, m map[string]any) { m["lastPage"] = 2; m["next"] = page + 1 }, "past its last page", 2},
		{"wrong current page", func(page int, m map[string]any) { m["currentPage"] = 1 }, "answered with page 1", 2},
		{"endless empty pages", func(page int, m map[string]any) { m["lastPage"] = 1 << 30; m["next"] = page + 1 }, "empty pages", 116},
	}
	for _, tc := range cases {
		for _, conc := range []int{1, 4} {
			t.Run(fmt.Sprintf("%s/concurrency=%d", tc.name, conc), func(t *testing.T) {
				misbehaving(t, tc.edit, conc, tc.want, tc.pages)
			})
		}
	}
}

// misbehaving walks a misbehaving server and checks the walk ends with
// ErrPagination, never yielding an item twice; a sequential walk must have
// sent exactly pages requests, a concurrent one may have sent up to the
// 2*conc its window holds ahead.
func misbehaving(t *testing.T, edit func(page int, meta map[string]any), conc int, want string, pages int64) {
	{
		{
			s := misbehave(t, edit)
			seen := map[string]bool{}
			var last error
			for a, err := range s.client(t, api.WithPageConcurrency(conc)).Avatars(context.Background(), nil) {
				if err != nil {
					last = err
					break
				}
				if seen[*a.ID] {
					t.Fatalf("item %s yielded twice", *a.ID)
				}
				seen[*a.ID] = true
			}
			if !errors.Is(last, api.ErrPagination) || !strings.Contains(last.Error(), want) {
				t.Fatalf("err = %v, want ErrPagination mentioning %q", last, want)
			}
			got := s.requests.Load()
			if conc == 1 && got != pages || got < pages || got > pages+int64(2*conc) {
				t.Errorf("%d requests at concurrency %d, want %d", got, conc, pages)
			}
		}
	}
}

func TestEmptyPageWithNextIsNotTheEnd(t *testing.T) {
	s := misbehave(t, func(page int, m map[string]any) {})
	s.setOverride(func(w http.ResponseWriter, r *http.Request) bool {
		page := atoiOr(r.URL.Query().Get("page"), 1)
		body := pageBody(s.avatars[:30], page, 10)
		if page == 2 { // a page emptied by a concurrent delete, say
			body["data"] = []any{}
		}
		writeJSON(w, 200, body)
		return true
	})
	got, err := s.client(t).ListAllAvatars(context.Background(), nil)
	if err != nil || len(got) != 20 || *got[10].ID != "00000000-0000-4000-8000-000000000021" {
		t.Fatalf("got %d, %v", len(got), err)
	}
}

func TestPageIterator(t *testing.T) {
	s := newStub(t, 23)
	var numbers []int
	for p, err := range s.client(t).AvatarPages(context.Background(), nil) {
		if err != nil {
			t.Fatal(err)
		}
		numbers = append(numbers, p.Number())
		if p.Total() != 23 {
			t.Errorf("total %d", p.Total())
		}
	}
	if !slices.Equal(numbers, []int{1, 2, 3}) {
		t.Errorf("pages %v", numbers)
	}
}

// A list operation described by configuration alone: the generic machinery
// needs no code of its own per endpoint.
func TestGenericListOperation(t *testing.T) {
	s := newStub(t, 12)
	listAvatars, ok := api.LookupOperation("listAvatars")
	if !ok || !listAvatars.Paginated {
		t.Fatalf("LookupOperation(listAvatars) = %v, %v", listAvatars, ok)
	}
	op := api.ListOperation[gen.ListAvatarsParams, gen.Avatar]{Op: listAvatars}
	n := 0
	for _, err := range api.ListAll(context.Background(), s.client(t), op, &gen.ListAvatarsParams{PerPage: new(5)}) {
		if err != nil {
			t.Fatal(err)
		}
		n++
	}
	if n != 12 || s.requests.Load() != 3 {
		t.Errorf("%d items in %d requests", n, s.requests.Load())
	}

	type noPaging struct{ Search *string }
	bad := api.ListOperation[noPaging, gen.Avatar]{Op: listAvatars}
	for _, err := range api.ListAll(context.Background(), s.client(t), bad, nil) {
		if !errors.Is(err, api.ErrInvalidArgument) {
			t.Errorf("err = %v", err)
		}
	}
}

// TestWalk404MidwayIsAnError: a 404 on page 4 of 10, even the spec's
// "No avatars found", ends a walk with an error after the 30 items of
// pages 1 to 3, never silently.
func TestWalk404MidwayIsAnError(t *testing.T) {
	for _, n := range []int{1, 4} {
		for name, write := range map[string]func(w http.ResponseWriter){
			"bodiless":         func(w http.ResponseWriter) { w.WriteHeader(404) },
			"No avatars found": func(w http.ResponseWriter) { writeJSON(w, 404, map[string]any{"message": "No avatars found"}) },
		} {
			s := newStub(t, 100)
			s.setOverride(func(w http.ResponseWriter, r *http.Request) bool {
				if r.URL.Query().Get("page") == "4" {
					write(w)
					return true
				}
				return false
			})
			got, err := s.client(t, api.WithPageConcurrency(n)).ListAllAvatars(context.Background(), nil)
			if len(got) != 30 || !errors.Is(err, api.ErrNotFound) {
				t.Errorf("n=%d, %s: %d items, err %v; want 30 items, then ErrNotFound", n, name, len(got), err)
			}
		}
	}
}

// TestSameIteratorRangedConcurrently ranges one iterator from two
// goroutines at once, with nil params and with params: each range is a
// walk of its own, and none writes what the iterator captured (run with
// -race: ListPages writing a new P into its captured params was a data
// race).
func TestSameIteratorRangedConcurrently(t *testing.T) {
	s := newStub(t, 45)
	c := s.client(t, api.WithPageConcurrency(2))
	for _, params := range []*api.ListAvatarsParams{nil, {PerPage: new(10)}} {
		pages := c.AvatarPages(context.Background(), params)
		items := c.Avatars(context.Background(), params)
		counts := make([]int, 4)
		var wg sync.WaitGroup
		for g := range 2 {
			wg.Go(func() {
				for p, err := range pages {
					if err != nil {
						t.Error(err)
						return
					}
					counts[g] += len(p.Items)
				}
			})
			wg.Go(func() {
				for _, err := range items {
					if err != nil {
						t.Error(err)
						return
					}
					counts[2+g]++
				}
			})
		}
		wg.Wait()
		if !slices.Equal(counts, []int{45, 45, 45, 45}) {
			t.Errorf("params %v: the four ranges yielded %v items, want 45 each", params, counts)
		}
		if params != nil && (params.Page != nil || *params.PerPage != 10) {
			t.Errorf("the walk changed the caller's params: %+v", params)
		}
	}
}

// A list whose spec documents no 404 has no "nothing found": its 404 is an
// error even on page 1, with a body the documented one would be read as
// an empty page by.
func TestNothingFoundOnlyWhereTheSpecDocumentsIt(t *testing.T) {
	listAvatars, ok := api.LookupOperation("listAvatars")
	if !ok {
		t.Fatal("no listAvatars")
	}
	undocumented := &api.Operation{ID: listAvatars.ID, Method: listAvatars.Method, Path: listAvatars.Path,
		Query: listAvatars.Query, Result: listAvatars.Result, Paginated: true, Statuses: map[int]string{200: "ok"}}
	s := newStub(t, 10)
	s.setOverride(func(w http.ResponseWriter, r *http.Request) bool {
		writeJSON(w, 404, map[string]any{"message": "No avatars found"})
		return true
	})
	c := s.client(t)
	page, err := api.ListPage(context.Background(), c, api.ListOperation[gen.ListAvatarsParams, gen.Avatar]{Op: listAvatars}, nil)
	if err != nil || len(page.Items) != 0 {
		t.Errorf("documented 404: page %v, err %v; want an empty page", page, err)
	}
	_, err = api.ListPage(context.Background(), c, api.ListOperation[gen.ListAvatarsParams, gen.Avatar]{Op: undocumented}, nil)
	if !errors.Is(err, api.ErrNotFound) {
		t.Errorf("undocumented 404: err %v, want ErrNotFound", err)
	}
}
