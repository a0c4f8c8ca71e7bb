package api

import (
	"context"
	"iter"

	"github.com/anam-ai/anam-go/gen"
	"github.com/anam-ai/anam-go/internal/engine"
	"github.com/anam-ai/anam-go/internal/pager"
)

// Page is one page of a list operation: its Items and the server's
// pagination metadata (Meta), as sent. Number returns meta.currentPage (0
// when the server did not say), Total meta.total (-1 when it did not),
// Last meta.lastPage (0 when it did not), and Next the number of the next page and true, or false on the last
// page: it trusts meta.next when the server sends it (an empty page whose
// meta.next names another page is not the end), and falls back on
// meta.lastPage when it does not.
type Page[T any] = gen.Page[T]

// ListOperation is a paginated list operation whose Params type is P and
// whose items are of type T, for generic code: ListPage, ListPages and
// ListAll take one. P must have the Page and PerPage fields (*int, tagged
// `form:"page"` and `form:"perPage"`) of a generated Params type. The
// generated methods of every list (ListAvatars, Avatars, AvatarPages,
// ListAllAvatars...) do the same for their own operation.
type ListOperation[P, T any] struct {
	Op *Operation
}

// ListPage fetches one page of a list operation. params may be nil; its
// fields are checked against the spec's rules (page >= 1, 1 <= perPage <=
// 100, ...) before anything is sent.
//
// The spec documents "404 Not Found - No avatars found" (and "No voices
// found"), without a body, on list endpoints: Anam may answer a listing or
// a search that matches nothing with 404. ListPage returns that 404 as an
// empty page (meta: total 0, no next page) rather than an error, for every
// paginated operation alike, but only when all of these hold:
//
//   - the page asked for is page 1: a 404 for a later page cannot mean
//     that nothing matches, and taking it for the end would cut a walk
//     short without a word;
//   - the body is empty (as documented), or is a JSON object whose
//     "message" (or "error") is the server's own explanation: not the
//     "Cannot GET /path" a route miss gets from the API's framework, and
//     not a bare "Not Found" as a gateway or proxy sends.
//
// Every other 404 is an *Error matching ErrNotFound: a wrong base URL or
// path, a gateway's page, a body that is not JSON, "{}". ListPages and
// ListAll follow the same rule, so a 404 after the first page of a walk
// ends it with an error.
func ListPage[P, T any](ctx context.Context, c *Client, op ListOperation[P, T], params *P, opts ...RequestOption) (*Page[T], error) {
	return pager.One[P, T, gen.PageMeta](ctx, (*engine.Client)(c), op.Op, params, opts)
}

// ListPages returns an iterator over the pages of a list operation, from
// params.Page (or 1) to the last. Every page is requested with the same
// params and editors but for its number. The iteration stops when the loop
// breaks (no further request is sent), when ctx ends, or at the first
// error, which is yielded last. A server whose meta would make it loop
// (a page number repeated or going backwards, a next page past lastPage)
// ends it with an error matching ErrPagination.
//
// Once a page's meta says which pages follow, pages are requested ahead
// while the loop works, up to WithPageConcurrency at once
// (DefaultPageConcurrency unless set; 1 means one at a time, each once the
// loop is done with the one before), each slot used again as soon as its
// response has come; the pages are still yielded in order, checked
// the same way, and a loop that stops early leaves no request running:
// those in flight are cancelled (or, when their response is being read,
// let finish for at most 100 ms) and waited for before the loop ends.
func ListPages[P, T any](ctx context.Context, c *Client, op ListOperation[P, T], params *P, opts ...RequestOption) iter.Seq2[*Page[T], error] {
	return pager.Pages[P, T, gen.PageMeta](ctx, (*engine.Client)(c), op.Op, params, opts)
}

// ListAll returns an iterator over every item of a list operation, page by
// page, in the server's order, with the behaviour of ListPages. An error
// is yielded once, last, with a zero item.
func ListAll[P, T any](ctx context.Context, c *Client, op ListOperation[P, T], params *P, opts ...RequestOption) iter.Seq2[T, error] {
	return pager.Items(ListPages(ctx, c, op, params, opts...))
}

// Collect gathers the items of an iterator such as ListAll into a slice,
// stopping at the first error, which it returns with the items so far.
func Collect[T any](seq iter.Seq2[T, error]) ([]T, error) { return pager.Collect(seq) }
