package api_test

import (
	"context"
	"errors"
	"slices"
	"testing"

	"github.com/anam-ai/anam-go/api"
)

// TestWalkMaxItems: WithCallMaxItems ends a walk after n items, cuts the
// page that reaches n, and requests no page past those that hold them,
// whatever the page concurrency (the CLI's --limit relies on it).
func TestWalkMaxItems(t *testing.T) {
	for _, tc := range []struct {
		name                    string
		total, perPage, max, c  int
		wantItems, wantRequests int
	}{
		{"mid-page, concurrent", 100, 10, 25, 8, 25, 3},
		{"page boundary, concurrent", 100, 10, 30, 8, 30, 3},
		{"one item", 100, 10, 1, 8, 1, 1},
		{"sequential", 100, 10, 25, 1, 25, 3},
		{"more than there are", 42, 10, 1000, 8, 42, 5},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t, tc.total, 0)
			c := f.Client(t, api.WithPageConcurrency(tc.c))
			ids, errs, _ := drain(c.Avatars(context.Background(), &api.ListAvatarsParams{PerPage: new(tc.perPage)}, api.WithCallMaxItems(tc.max)))
			if len(errs) > 0 {
				t.Fatalf("errors: %v", errs)
			}
			if !slices.Equal(ids, idRange(1, tc.wantItems)) {
				t.Fatalf("%d items %v..., want avatars 1 to %d in order", len(ids), ids[:min(len(ids), 3)], tc.wantItems)
			}
			if got := f.Requests.Load(); got != int64(tc.wantRequests) {
				t.Errorf("%d page requests, want %d: no page past those that hold %d items", got, tc.wantRequests, tc.max)
			}
		})
	}
}

// TestWalkMaxItemsPages: a walk of pages (Client.DoPages) ends at the page
// that reaches n items, cut to it.
func TestWalkMaxItemsPages(t *testing.T) {
	f := newFixture(t, 100, 0)
	c := f.Client(t, api.WithPageConcurrency(4))
	op, ok := api.LookupOperation("listAvatars")
	if !ok {
		t.Skip("the spec has no listAvatars")
	}
	var sizes []int
	for p, err := range c.DoPages(context.Background(), op, api.RawRequest{Query: map[string][]string{"perPage": {"10"}}}, api.WithCallMaxItems(25)) {
		if err != nil {
			t.Fatal(err)
		}
		sizes = append(sizes, len(p.Items))
	}
	if !slices.Equal(sizes, []int{10, 10, 5}) {
		t.Errorf("pages of %v items, want [10 10 5]", sizes)
	}
	if got := f.Requests.Load(); got != 3 {
		t.Errorf("%d page requests, want 3", got)
	}
}

// TestWalkMaxItemsRefused: a count under 1 is an ArgumentError, before
// anything is sent.
func TestWalkMaxItemsRefused(t *testing.T) {
	f := newFixture(t, 100, 0)
	c := f.Client(t)
	for _, n := range []int{0, -1} {
		_, errs, _ := drain(c.Avatars(context.Background(), nil, api.WithCallMaxItems(n)))
		var ae *api.ArgumentError
		if len(errs) != 1 || !errors.As(errs[0], &ae) || ae.Name != "WithCallMaxItems" {
			t.Errorf("WithCallMaxItems(%d): %v, want one ArgumentError naming WithCallMaxItems", n, errs)
		}
	}
	if got := f.Requests.Load(); got != 0 {
		t.Errorf("%d requests sent, want none", got)
	}
}
