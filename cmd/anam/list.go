package main

import (
	"context"
	"encoding/json"
	"iter"
	"net/url"

	"github.com/anam-ai/anam-go/api"
)

// listItems is the one seam between the command line and the SDK's page
// walker: every item of the list operation op (with its path arguments
// args), in order, walking its pages
// with api's walker over raw pages (Client.DoPages: the checks, prefetch
// and 404 rule of the typed iterators) with up to concurrency requests in
// flight, with query on every page but for "page". onPage, which may be
// nil, is called after the items of each page were yielded, with its
// number and the last page's (0 when unknown). Breaking out of the loop
// stops the walk and waits for what is in flight. A walk that fails yields
// the error last, after the items that arrived; the error says at which
// page it stopped, and why.
func listItems(ctx context.Context, client *api.Client, op *api.Operation, args []string, query url.Values, concurrency int, opts []api.RequestOption, onPage func(page, last int)) iter.Seq2[json.RawMessage, error] {
	return func(yield func(json.RawMessage, error) bool) {
		opts = append(opts[:len(opts):len(opts)], api.WithCallPageConcurrency(concurrency))
		for page, err := range client.DoPages(ctx, op, api.RawRequest{PathArgs: args, Query: query}, opts...) {
			if err != nil {
				yield(nil, err)
				return
			}
			for _, item := range page.Items {
				if !yield(item, nil) {
					return
				}
			}
			if onPage != nil {
				onPage(page.Number(), page.Last())
			}
		}
	}
}
