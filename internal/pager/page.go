package api

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"iter"
	"mime"
	"net/http"
	"reflect"
	"strings"
	"sync"

	"github.com/anam-ai/anam-go/gen"
)

// Every Anam list endpoint takes the `page` and `perPage` query parameters
// and answers {data: [...], meta: Pagination}. The functions here serve all
// of them: a list operation is described once, by a ListOperation value,
// and paged through with ListPage, ListPages and ListAll.

// Page is one page of a list operation: its items and the server's
// pagination metadata, as sent.
type Page[T any] struct {
	Items []T
	Meta  gen.Pagination
}

// Number returns the page's number (meta.currentPage), or 0 when the
// server did not say.
func (p *Page[T]) Number() int { return deref(p.Meta.CurrentPage) }

// Total returns the number of items across all pages (meta.total), or -1
// when the server did not say.
func (p *Page[T]) Total() int {
	if p.Meta.Total == nil {
		return -1
	}
	return *p.Meta.Total
}

// Next returns the number of the next page and true, or false on the last
// page. It trusts meta.next when the server sends it (an empty page whose
// meta.next names another page is not the end), and falls back on
// meta.lastPage when it does not.
func (p *Page[T]) Next() (int, bool) {
	if p.Meta.Next.IsSpecified() {
		n, err := p.Meta.Next.Get()
		return n, err == nil
	}
	if cur, last := p.Meta.CurrentPage, p.Meta.LastPage; cur != nil && last != nil && *cur < *last {
		return *cur + 1, true
	}
	return 0, false
}

// ListOperation is a paginated list operation whose Params type is P and
// whose items are of type T: the generated methods of every list endpoint
// (ListAvatars, Avatars, AvatarPages, ListAllAvatars...) are made of one,
// and ListPage, ListPages and ListAll take one for generic code. P must
// have the Page and PerPage fields (*int, tagged `form:"page"` and
// `form:"perPage"`) of a generated Params type.
type ListOperation[P, T any] struct {
	Op *Operation
}

// envelope is the body of every list response.
type envelope[T any] struct {
	Data *[]T            `json:"data"`
	Meta *gen.Pagination `json:"meta"`
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
	r := request{op: op.Op, params: params, opts: opts}
	cl := new(call)
	if err := c.prepare(&r, cl, nil); err != nil {
		return nil, err
	}
	var page *Page[T]
	err := c.exchange(ctx, cl, handlerFunc(func(r *response) error {
		switch {
		case r.status == http.StatusNotFound && op.Op.documents(http.StatusNotFound) && isNothingFound(r, params):
			page = emptyPage[T](params)
			return nil
		case r.status < 200 || r.status > 299:
			return cl.apiError(r)
		}
		var env envelope[T]
		if err := cl.decodeJSON(r, &env, ResultObject); err != nil {
			return err
		}
		if env.Data == nil || env.Meta == nil {
			e := cl.error(r.status, fmt.Errorf("%w: the body has no %q array or no %q object, so it is not a page", ErrDecode, "data", "meta"))
			e.Body = cl.excerpt(r.body)
			return e
		}
		if i, null := nullElement(reflect.ValueOf(*env.Data), func() ([]json.RawMessage, error) {
			var raw struct{ Data []json.RawMessage }
			return raw.Data, json.Unmarshal(r.body, &raw)
		}); null {
			return cl.nullItemError(r, i)
		}
		page = &Page[T]{Items: *env.Data, Meta: *env.Meta}
		return nil
	}))
	if err != nil {
		return nil, err
	}
	return page, nil
}

// isNothingFound reports whether a 404 response to a list request for
// params is the "nothing found" the spec documents (see ListPage).
func isNothingFound[P any](r *response, params *P) bool {
	if page, _ := pageOf(params); page != 1 {
		return false
	}
	body := bytes.TrimSpace(r.body)
	if len(body) == 0 {
		return true
	}
	mt, _, _ := mime.ParseMediaType(r.header.Get("Content-Type"))
	if mt != "application/json" || body[0] != '{' {
		return false
	}
	var v struct {
		Message json.RawMessage `json:"message"`
		Error   json.RawMessage `json:"error"`
	}
	if json.Unmarshal(body, &v) != nil {
		return false
	}
	msg := strings.TrimSpace(textOf(v.Message))
	if msg == "" {
		msg = strings.TrimSpace(textOf(v.Error))
	}
	return msg != "" && !strings.HasPrefix(msg, "Cannot ") && !strings.EqualFold(msg, http.StatusText(http.StatusNotFound))
}

// emptyPage is the page a "nothing found" 404 stands for.
func emptyPage[T any, P any](params *P) *Page[T] {
	page, perPage := pageOf(params)
	zero := 0
	p := &Page[T]{Items: []T{}, Meta: gen.Pagination{Total: &zero, LastPage: &zero, CurrentPage: &page, PerPage: &perPage}}
	p.Meta.Next.SetNull()
	if page > 1 {
		p.Meta.Prev.Set(page - 1)
	} else {
		p.Meta.Prev.SetNull()
	}
	return p
}

// ListPages returns an iterator over the pages of a list operation, from
// params.Page (or 1) to the last. Every page is requested with the same
// params and editors but for its number. The iteration stops when the loop
// breaks (no further request is sent), when ctx ends, or at the first
// error, which is yielded last. A server whose meta would make it loop
// (a page number repeated or going backwards, a next page past lastPage)
// ends it with an error matching ErrPagination.
//
// Once a page's meta says which pages follow, up to WithPageConcurrency
// pages (DefaultPageConcurrency unless set; 1 means one at a time, each
// once the loop is done with the one before) are requested ahead while
// the loop works; the pages are still yielded in order, checked
// the same way, and a loop that stops early leaves no request running:
// those in flight are cancelled (or, when their response is being read,
// let finish for at most 100 ms) and waited for before the loop ends.
func ListPages[P, T any](ctx context.Context, c *Client, op ListOperation[P, T], params *P, opts ...RequestOption) iter.Seq2[*Page[T], error] {
	return func(yield func(*Page[T], error) bool) {
		// A copy per iteration: the same iterator may be ranged over by
		// several goroutines, and params may be nil.
		p := new(P)
		if params != nil {
			*p = *params
		}
		if fieldsOf(reflect.TypeFor[P]()).page == nil {
			yield(nil, fmt.Errorf("anam: %s: %w: %v has no Page *int field tagged `form:\"page\"`, so it cannot be paged through", op.Op.ID, ErrInvalidArgument, reflect.TypeFor[P]()))
			return
		}
		// Check the arguments once, up front: a bad one is refused before
		// any page is requested (each page is prepared again for its number).
		r := request{op: op.Op, params: p, opts: opts}
		if err := c.prepare(&r, new(call), nil); err != nil {
			yield(nil, err)
			return
		}
		start, _ := pageOf(p)
		w := newWalk(ctx, c, op, p, opts)
		returned := false
		defer func() {
			w.close()
			if v, lost := w.lostPanic(); lost && returned {
				panic(v)
			}
		}()
		w.run(yield, start)
		returned = true
	}
}

// maxEmptyPages is how many empty pages in a row ListPages follows before
// it decides the server will never end.
const maxEmptyPages = 16

// ListAll returns an iterator over every item of a list operation, page by
// page, in the server's order, with the behaviour of ListPages. An error
// is yielded once, last, with a zero item.
func ListAll[P, T any](ctx context.Context, c *Client, op ListOperation[P, T], params *P, opts ...RequestOption) iter.Seq2[T, error] {
	return func(yield func(T, error) bool) {
		for p, err := range ListPages(ctx, c, op, params, opts...) {
			if err != nil {
				var zero T
				yield(zero, err)
				return
			}
			for _, item := range p.Items {
				if !yield(item, nil) {
					return
				}
			}
		}
	}
}

// Collect gathers the items of an iterator such as ListAll into a slice,
// stopping at the first error, which it returns with the items so far.
func Collect[T any](seq iter.Seq2[T, error]) ([]T, error) {
	var out []T
	for item, err := range seq {
		if err != nil {
			return out, err
		}
		out = append(out, item)
	}
	return out, nil
}

func paginationError(op, format string, args ...any) error {
	return fmt.Errorf("anam: %s: %w: %s", op, ErrPagination, fmt.Sprintf(format, args...))
}

// pageFields locates the Page and PerPage fields of a generated Params type.
type pageFields struct{ page, perPage []int }

var pageFieldsCache sync.Map // reflect.Type -> pageFields

func fieldsOf(t reflect.Type) pageFields {
	if v, ok := pageFieldsCache.Load(t); ok {
		return v.(pageFields)
	}
	var pf pageFields
	intPtr := reflect.TypeFor[*int]()
	for _, f := range reflect.VisibleFields(t) {
		if f.Type != intPtr {
			continue
		}
		switch name, _, _ := strings.Cut(f.Tag.Get("form"), ","); name {
		case "page":
			pf.page = f.Index
		case "perPage":
			pf.perPage = f.Index
		}
	}
	pageFieldsCache.Store(t, pf)
	return pf
}

// pageOf returns params' page and perPage, with the spec's defaults.
func pageOf[P any](params *P) (page, perPage int) {
	page, perPage = 1, 10
	if params == nil {
		return
	}
	v := reflect.ValueOf(params).Elem()
	pf := fieldsOf(v.Type())
	if pf.page != nil {
		if f := v.FieldByIndex(pf.page); !f.IsNil() {
			page = int(f.Elem().Int())
		}
	}
	if pf.perPage != nil {
		if f := v.FieldByIndex(pf.perPage); !f.IsNil() {
			perPage = int(f.Elem().Int())
		}
	}
	return
}

// withPage returns a copy of params asking for page n.
func withPage[P any](params *P, n int) *P {
	q := *params
	v := reflect.ValueOf(&q).Elem()
	if pf := fieldsOf(v.Type()); pf.page != nil { // ListPages checked it is
		v.FieldByIndex(pf.page).Set(reflect.ValueOf(&n))
	}
	return &q
}

func deref[T any](p *T) T {
	var zero T
	if p == nil {
		return zero
	}
	return *p
}
