package main

import (
	"context"
	"encoding/json"
	"errors"
	"iter"
	"net/url"

	"github.com/anam-ai/anam-go/api"
)

// listItems is the one seam between the command line and a page walker:
// every item of the list operation op, in order, walking its pages with up
// to concurrency requests in flight, with query on every page but for
// "page". onPage, which may be nil, is called after the items of each page
// were yielded, with its number and the last page's (0 when unknown).
// Breaking out of the loop stops the walk and waits for what is in flight.
// A walk that fails yields the error last, after the items that arrived.
//
// Today it drives the command line's own walker (stream.go); issue 18
// replaces its body with api's one walker over raw pages.
func listItems(ctx context.Context, client *api.Client, op *api.Operation, query url.Values, concurrency int, onPage func(page, last int)) iter.Seq2[json.RawMessage, error] {
	return func(yield func(json.RawMessage, error) bool) {
		w := &walk{client: client, op: op, query: query, concurrency: concurrency, progress: func(page, last, _ int) {
			if onPage != nil {
				onPage(page, last)
			}
		}}
		w.emit = func(item json.RawMessage) error {
			if !yield(item, nil) {
				return errLimit
			}
			return nil
		}
		if _, err := w.run(ctx); err != nil && !errors.Is(err, errLimit) {
			yield(nil, err)
		}
	}
}
