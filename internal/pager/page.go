// Package pager is the SDK's one page walker. Every Anam list endpoint
// takes the `page` and `perPage` query parameters and answers {data:
// [...], meta: {...}}; the functions here serve all of them, over the
// request path of internal/engine: Get requests one page, Walk follows a
// list from page to page (requesting pages ahead), Items flattens a walk
// into its items. One and Pages are Get and Walk for a generated Params
// struct, as the generated list methods and package api's ListPage,
// ListPages and ListAll use them; a caller with raw query values (a
// generic tool, the command line) gives Get a Request with Query and Walk
// its own Fetch.
//
// A page is a Page[T, M]: items of type T (a generated model, or
// json.RawMessage for raw items) and meta of type M (the spec's
// pagination schema). The walker reads the meta by its JSON names
// (currentPage, lastPage, total, next), which are the API's, so that
// it depends on no generated type.
package pager

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"hash/maphash"
	"iter"
	"mime"
	"net/http"
	"net/url"
	"reflect"
	"strconv"
	"strings"
	"sync"

	jsonv2 "github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"

	"github.com/anam-ai/anam-go/internal/engine"
)

// Page is one page of a list operation: its items and the server's
// pagination metadata, as sent.
type Page[T, M any] struct {
	Items []T
	Meta  M

	// What a walk keeps of the page's request, besides the page itself.
	resp   engine.Response  // its response, for WithResponseInto (see publish)
	into   *engine.Response // the caller's WithResponseInto, or nil
	sum    uint64           // the body's fingerprint, when summed (see repeats)
	summed bool
}

// Number returns the page's number (meta.currentPage), or 0 when the
// server did not say.
func (p *Page[T, M]) Number() int { return p.cursor().current }

// Total returns the number of items across all pages (meta.total), or -1
// when the server did not say.
func (p *Page[T, M]) Total() int {
	if c := p.cursor(); c.hasTotal {
		return c.total
	}
	return -1
}

// Last returns the number of the last page (meta.lastPage), or 0 when the
// server did not say.
func (p *Page[T, M]) Last() int {
	if c := p.cursor(); c.hasLast {
		return c.last
	}
	return 0
}

// Next returns the number of the next page and true, or false on the last
// page. It trusts meta.next when the server sends it (an empty page whose
// meta.next names another page is not the end), and falls back on
// meta.lastPage when it does not.
func (p *Page[T, M]) Next() (int, bool) { return p.cursor().following() }

// cursor is what a page's meta says of where the page is in its list.
type cursor struct {
	current, last, total, next    int
	hasCurrent, hasLast, hasTotal bool
	nextSent, nextNull            bool // meta.next was sent; it was null
}

// following is Next.
func (c cursor) following() (int, bool) {
	if c.nextSent {
		return c.next, !c.nextNull
	}
	if c.hasCurrent && c.hasLast && c.current < c.last {
		return c.current + 1, true
	}
	return 0, false
}

func (p *Page[T, M]) cursor() cursor {
	var c cursor
	m := reflect.ValueOf(&p.Meta).Elem()
	if m.Kind() != reflect.Struct {
		return c
	}
	f := metaFieldsOf(m.Type())
	c.current, c.hasCurrent, _ = readInt(m, f.current)
	c.last, c.hasLast, _ = readInt(m, f.last)
	c.total, c.hasTotal, _ = readInt(m, f.total)
	c.next, c.nextSent, c.nextNull = readInt(m, f.next)
	return c
}

// metaFields locates the fields of a meta type by their JSON names.
type metaFields struct{ current, last, total, next []int }

var metaFieldsCache sync.Map // reflect.Type -> metaFields

func metaFieldsOf(t reflect.Type) metaFields {
	if v, ok := metaFieldsCache.Load(t); ok {
		return v.(metaFields)
	}
	var mf metaFields
	for _, f := range reflect.VisibleFields(t) {
		if !f.IsExported() {
			continue
		}
		switch name, _, _ := strings.Cut(f.Tag.Get("json"), ","); name {
		case "currentPage":
			mf.current = f.Index
		case "lastPage":
			mf.last = f.Index
		case "total":
			mf.total = f.Index
		case "next":
			mf.next = f.Index
		}
	}
	metaFieldsCache.Store(t, mf)
	return mf
}

// nullableInt is what a nullable.Nullable[int] field offers.
type nullableInt interface {
	IsSpecified() bool
	IsNull() bool
	Get() (int, error)
}

// readInt reads an integer field of a meta: an int, a *int (nil: not
// sent) or a nullable.Nullable[int]. sent is false when the field is
// absent from the type or was not sent; null when it was sent as null.
func readInt(m reflect.Value, index []int) (n int, sent, null bool) {
	if index == nil {
		return 0, false, false
	}
	f := m.FieldByIndex(index)
	switch f.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return int(f.Int()), true, false
	case reflect.Pointer:
		if f.IsNil() {
			return 0, false, false
		}
		if e := f.Elem(); e.CanInt() {
			return int(e.Int()), true, false
		}
	case reflect.Map:
		if v, ok := f.Interface().(nullableInt); ok {
			switch {
			case !v.IsSpecified():
				return 0, false, false
			case v.IsNull():
				return 0, true, true
			}
			n, err := v.Get()
			return n, true, err != nil
		}
	}
	return 0, false, false
}

// envelope is the body of every list response.
type envelope[T, M any] struct {
	Data items[T] `json:"data"`
	Meta *M       `json:"meta"`
}

// items is the data of a page, decoded into a slice made for the page
// asked for, so that it does not grow (and copy its items) as they come.
type items[T any] struct {
	s    []T
	data *[]T // &s once "data" was decoded, unless it was null
}

// UnmarshalJSONFrom is the data's decoding (engine.UnmarshalJSON).
func (it *items[T]) UnmarshalJSONFrom(d *jsontext.Decoder) error {
	if err := jsonv2.UnmarshalDecode(d, &it.s); err != nil {
		return err
	}
	if it.s != nil {
		it.data = &it.s
	}
	return nil
}

// Get requests one page of a list: r asks for page `page` of perPage items
// (in r.Params or r.Query), with its path arguments args, and the reply
// must be the {data, meta} envelope, with no null item. Get sets
// r.Handler to its own.
//
// The spec documents "404 Not Found - No avatars found" (and "No voices
// found"), without a body, on list endpoints: Anam may answer a listing or
// a search that matches nothing with 404. Get returns that 404 as an
// empty page (meta: total 0, no next page) rather than an error, for
// every paginated operation alike, but only when all of these hold:
//
//   - the operation documents a 404;
//   - the page asked for is page 1: a 404 for a later page cannot mean
//     that nothing matches, and taking it for the end would cut a walk
//     short without a word;
//   - the body is empty (as documented), or is a JSON object whose
//     "message" (or "error") is the server's own explanation: not the
//     "Cannot GET /path" a route miss gets from the API's framework, and
//     not a bare "Not Found" as a gateway or proxy sends.
//
// Every other 404 is an *engine.Error matching ErrNotFound: a wrong base
// URL or path, a gateway's page, a body that is not JSON, "{}".
func Get[T, M any](ctx context.Context, c *engine.Client, r *engine.Request, page, perPage int, args ...string) (*Page[T, M], error) {
	h := &pageHandler[T, M]{op: r.Op, page: page, perPage: perPage, replied: repliedHook(ctx)}
	r.Handler = h
	if err := c.Call(ctx, r, args...); err != nil {
		return nil, err
	}
	return h.out, nil
}

// pageHandler reads the reply of a page request.
type pageHandler[T, M any] struct {
	op            *engine.Operation
	page, perPage int
	replied       func() // when its 2xx reply has come, before it is decoded (see withReplied)
	out           *Page[T, M]
}

type repliedKey struct{}

// withReplied returns ctx with f, which Get calls when the 2xx reply of
// its page has come, before it decodes it: a walk refills the page's slot
// then (see walk.topUpLocked).
func withReplied(ctx context.Context, f func()) context.Context {
	return context.WithValue(ctx, repliedKey{}, f)
}

func repliedHook(ctx context.Context) func() {
	f, _ := ctx.Value(repliedKey{}).(func())
	return f
}

func (h *pageHandler[T, M]) Handle(x *engine.Exchange, r *engine.Reply) error {
	switch {
	case r.Status == http.StatusNotFound && engine.Documents(h.op, http.StatusNotFound) && h.page == 1 && isNothingFound(r):
		p, err := emptyPage[T, M](h.page, h.perPage)
		if err != nil {
			return x.DecodeError(r, err)
		}
		h.out = p
		return nil
	case r.Status < 200 || r.Status > 299:
		return x.StatusError(r)
	}
	if h.replied != nil {
		h.replied()
	}
	env := envelope[T, M]{Data: items[T]{s: make([]T, 0, min(max(h.perPage, 1), maxPerPage))}}
	if err := x.Decode(r, &env, engine.ResultObject); err != nil {
		return err
	}
	if err := x.CheckList(r, env.Data.data, env.Meta != nil); err != nil {
		return err
	}
	p := &Page[T, M]{Items: env.Data.s, Meta: *env.Meta}
	if at := p.cursor(); !at.hasCurrent && !at.nextSent {
		// Nothing in the meta tells this page from another: keep its
		// fingerprint, so that a server that ignores the page parameter
		// is caught (see walk.run).
		p.sum, p.summed = maphash.Bytes(fingerprintSeed, r.Body), true
	}
	h.out = p
	return nil
}

// maxPerPage bounds the items a page's slice is made for: a perPage the
// server does not honour costs no more than this.
const maxPerPage = 1000

// fingerprintSeed seeds the fingerprints of page bodies.
var fingerprintSeed = maphash.MakeSeed()

// isNothingFound reports whether a 404 reply is the "nothing found" the
// spec documents (see Get).
func isNothingFound(r *engine.Reply) bool {
	body := bytes.TrimSpace(r.Body)
	if len(body) == 0 {
		return true
	}
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if mt != "application/json" || body[0] != '{' {
		return false
	}
	msg := engine.JSONMessage(body)
	return msg != "" && !strings.HasPrefix(msg, "Cannot ") && !strings.EqualFold(msg, http.StatusText(http.StatusNotFound))
}

// emptyPage is the page a "nothing found" 404 stands for. Its meta is
// decoded from the JSON the API would send, so that it fills whatever
// fields M has.
func emptyPage[T, M any](page, perPage int) (*Page[T, M], error) {
	prev := "null"
	if page > 1 {
		prev = fmt.Sprint(page - 1)
	}
	p := &Page[T, M]{Items: []T{}}
	meta := fmt.Sprintf(`{"total":0,"lastPage":0,"currentPage":%d,"perPage":%d,"next":null,"prev":%s}`, page, perPage, prev)
	if err := json.Unmarshal([]byte(meta), &p.Meta); err != nil {
		return nil, fmt.Errorf("the empty page's meta does not decode: %w", err)
	}
	return p, nil
}

// One requests one page of a list operation whose query parameters are a
// generated Params struct P: page params.Page (or 1). params may be nil;
// its fields are checked against the spec's rules (page >= 1, 1 <= perPage
// <= 100, ...) before anything is sent.
func One[P, T, M any](ctx context.Context, c *engine.Client, op *engine.Operation, params *P, opts []engine.RequestOption) (*Page[T, M], error) {
	page, perPage := pageOf(params)
	return Get[T, M](ctx, c, &engine.Request{Op: op, Params: params, Opts: opts}, page, perPage)
}

// Pages walks a list operation whose query parameters are a generated
// Params struct P, from params.Page (or 1) on: every page is requested
// with the same params and options but for its number, and up to the
// client's page concurrency at once (see Walk). A bad argument is refused
// before any page is requested.
func Pages[P, T, M any](ctx context.Context, c *engine.Client, op *engine.Operation, params *P, opts []engine.RequestOption) iter.Seq2[*Page[T, M], error] {
	return func(yield func(*Page[T, M], error) bool) {
		// A copy per iteration: the same iterator may be ranged over by
		// several goroutines, and params may be nil.
		p := new(P)
		if params != nil {
			*p = *params
		}
		if fieldsOf(reflect.TypeFor[P]()).page == nil {
			yield(nil, fmt.Errorf("anam: %s: %w: %v has no Page *int field tagged `form:\"page\"`, so it cannot be paged through", op.ID, engine.ErrInvalidArgument, reflect.TypeFor[P]()))
			return
		}
		if err := c.Check(&engine.Request{Op: op, Params: p, Opts: opts}); err != nil {
			yield(nil, err)
			return
		}
		start, perPage := pageOf(p)
		walkPages(ctx, c, op, start, perPage, opts, yield, func(n int, opts []engine.RequestOption) *engine.Request {
			return &engine.Request{Op: op, Params: withPage(p, n), Opts: opts}
		})
	}
}

// RawPages walks a list operation called in raw form (as Client.Do takes
// it: query values, path arguments, no body), from the page its "page"
// value names (or 1) on, with json.RawMessage items: every page is
// requested with the same values and options but for its page, through
// the same walker, with the same checks, prefetch and 404 rule as Pages. A
// bad argument, a body, or an operation that is not a paginated list, is
// refused before any page is requested.
func RawPages[M any](ctx context.Context, c *engine.Client, op *engine.Operation, req engine.RawRequest, opts []engine.RequestOption) iter.Seq2[*Page[json.RawMessage, M], error] {
	return func(yield func(*Page[json.RawMessage, M], error) bool) {
		query, args := req.Query, req.PathArgs
		switch {
		case op == nil:
			yield(nil, &engine.ArgumentError{Name: "op", Rule: "an operation (see LookupOperation)"})
			return
		case !op.Paginated:
			yield(nil, &engine.ArgumentError{Operation: op.ID, Name: "op", Rule: "a paginated list operation (Operation.Paginated), whose pages a walk can follow"})
			return
		case req.Body != nil:
			yield(nil, &engine.ArgumentError{Operation: op.ID, Name: "body", Rule: "absent: the pages of a list are requested without a body"})
			return
		}
		if err := c.Check(&engine.Request{Op: op, Query: query, Opts: opts}, args...); err != nil {
			yield(nil, err)
			return
		}
		start, perPage := 1, 10
		if n, err := strconv.Atoi(query.Get("page")); err == nil {
			start = n
		}
		if n, err := strconv.Atoi(query.Get("perPage")); err == nil {
			perPage = n
		}
		walkPages(ctx, c, op, start, perPage, opts, yield, func(n int, opts []engine.RequestOption) *engine.Request {
			q := make(url.Values, len(query)+1)
			for k, v := range query {
				q[k] = v
			}
			q.Set("page", strconv.Itoa(n))
			return &engine.Request{Op: op, Query: q, Opts: opts}
		}, args...)
	}
}

// walkPages walks op from page start with Walk, each page's request made
// by request, and yields its pages. The options' page concurrency (or the
// client's) sets the window. WithResponseInto is honoured without a race:
// each page request stores its response in a Response of its own, which
// the walk copies to the caller's when it yields that page (or the error
// of that request), in the caller's goroutine (see publish).
func walkPages[T, M any](ctx context.Context, c *engine.Client, op *engine.Operation, start, perPage int, opts []engine.RequestOption,
	yield func(*Page[T, M], error) bool, request func(n int, opts []engine.RequestOption) *engine.Request, args ...string) {
	cfg := engine.Options(opts)
	width := c.PageConcurrency()
	if cfg.PageConcurrency > 0 {
		width = int(cfg.PageConcurrency)
	}
	if width < 1 {
		width = DefaultPageConcurrency
	}
	fetch := func(ctx context.Context, n int) (*Page[T, M], error) {
		if cfg.Into == nil {
			return Get[T, M](ctx, c, request(n, opts), n, perPage, args...)
		}
		resp := new(engine.Response)
		own := append(opts[:len(opts):len(opts)], func(cc *engine.CallConfig) { cc.Into = resp })
		p, err := Get[T, M](ctx, c, request(n, own), n, perPage, args...)
		if p == nil {
			p = new(Page[T, M]) // carries the response of the failed request
		}
		p.resp, p.into = *resp, cfg.Into
		return p, err
	}
	for page, err := range Walk(ctx, op.ID, start, width, int(cfg.MaxItems), fetch) {
		if !yield(page, err) {
			return
		}
	}
}

// Items returns an iterator over the items of the pages of a walk, in
// order. An error is yielded once, last, with a zero item.
func Items[T, M any](pages iter.Seq2[*Page[T, M], error]) iter.Seq2[T, error] {
	return func(yield func(T, error) bool) {
		for p, err := range pages {
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

// Collect gathers the items of an iterator such as Items into a slice,
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
	if pf := fieldsOf(v.Type()); pf.page != nil { // Pages checked it is
		v.FieldByIndex(pf.page).Set(reflect.ValueOf(&n))
	}
	return &q
}
