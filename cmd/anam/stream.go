package main

// This file is the command line's own page walker, which issue 18 ("One
// engine") replaces with api's: the rest of the command line reaches it
// only through listItems (list.go).

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strconv"

	"github.com/anam-ai/anam-go/api"
)

// errLimit stops a walk once --limit items have been printed.
var errLimit = errors.New("limit reached")

// walk is one --all listing.
type walk struct {
	client      *api.Client
	op          *api.Operation
	query       url.Values // the query of every page but "page"
	concurrency int        // pages in flight, at least 1
	limit       int        // items to print at most; 0: all
	emit        func(json.RawMessage) error
	progress    func(page, last, items int) // may be nil

	count int // items printed so far
}

type fetched struct {
	body []byte
	err  error
}

// run walks the pages in order, with up to w.concurrency page requests in
// flight ahead of the page being printed, and stops at the last page, at
// the limit, at the first error or when ctx ends (cancelling the requests
// still in flight and waiting for them). Memory holds at most
// concurrency+1 pages. It returns how many items were printed.
func (w *walk) run(ctx context.Context) (int, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	process := func(body []byte) (pageMeta, int, error) {
		return eachItem(body, func(item json.RawMessage) error {
			if w.limit > 0 && w.count >= w.limit {
				return errLimit
			}
			w.count++
			return w.emit(item)
		})
	}
	finish := func(err error) (int, error) {
		if errors.Is(err, errLimit) {
			err = nil
		}
		return w.count, err
	}

	body, err := w.fetch(ctx, 1)
	if err != nil {
		return finish(err)
	}
	meta, n, err := process(body)
	if err != nil || w.limit > 0 && w.count >= w.limit {
		return finish(err)
	}
	last := 0
	if meta.LastPage != nil {
		last = *meta.LastPage
	}
	w.report(1, last, w.count)
	if meta.LastPage == nil {
		return finish(w.sequential(ctx, meta, n, process))
	}

	var queue []chan fetched
	defer func() {
		cancel()
		for _, ch := range queue {
			<-ch
		}
	}()
	next := 2
	launch := func() {
		ch := make(chan fetched, 1)
		page := next
		next++
		queue = append(queue, ch)
		go func() {
			b, err := w.fetch(ctx, page)
			ch <- fetched{b, err}
		}()
	}
	for len(queue) < max(w.concurrency, 1) && next <= last {
		launch()
	}
	for page := 2; len(queue) > 0; page++ {
		var f fetched
		select {
		case f = <-queue[0]:
		case <-ctx.Done():
			return finish(ctx.Err())
		}
		queue = queue[1:]
		if f.err != nil {
			return finish(f.err)
		}
		if next <= last {
			launch()
		}
		if _, _, err := process(f.body); err != nil {
			return finish(err)
		}
		w.report(page, last, w.count)
		if w.limit > 0 && w.count >= w.limit {
			return finish(nil)
		}
	}
	return finish(nil)
}

// sequential walks a listing whose meta has no lastPage: page after page
// while meta.next names one, or, with no meta at all, while pages are not
// empty.
func (w *walk) sequential(ctx context.Context, meta pageMeta, n int, process func([]byte) (pageMeta, int, error)) error {
	page := 1
	for {
		switch {
		case meta.Next != nil:
			if *meta.Next <= page {
				return fmt.Errorf("%w: page %d says the next page is %d", api.ErrPagination, page, *meta.Next)
			}
			page = *meta.Next
		case n == 0 || meta.CurrentPage != nil:
			return nil // an empty page, or a meta with no next page: the end
		default:
			page++
		}
		body, err := w.fetch(ctx, page)
		if err != nil {
			return err
		}
		if meta, n, err = process(body); err != nil {
			return err
		}
		w.report(page, 0, w.count)
	}
}

// fetch gets one page; a 404 (the API's answer to a page with nothing in
// it) is an empty page.
func (w *walk) fetch(ctx context.Context, page int) ([]byte, error) {
	q := make(url.Values, len(w.query)+1)
	for k, v := range w.query {
		q[k] = v
	}
	q.Set("page", strconv.Itoa(page))
	resp, err := w.client.Do(withCallSlot(ctx), w.op, api.RawRequest{Query: q})
	if errors.Is(err, api.ErrNotFound) {
		return []byte(`{"data":[]}`), nil
	}
	if err != nil {
		return nil, err
	}
	return resp.Body, nil
}

func (w *walk) report(page, last, items int) {
	if w.progress != nil {
		w.progress(page, last, items)
	}
}
