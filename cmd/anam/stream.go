package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/url"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/anam-ai/anam-go/api"
)

// pageMeta is what --all reads of a page's meta.
type pageMeta struct {
	CurrentPage *int `json:"currentPage"`
	LastPage    *int `json:"lastPage"`
	Next        *int `json:"next"`
	Total       *int `json:"total"`
}

// eachItem calls fn with every item of a page body, the {data: [...],
// meta: {...}} envelope, one at a time (each item is decoded on its own,
// so no page is ever decoded into Go values), and returns the meta.
func eachItem(body []byte, fn func(json.RawMessage) error) (pageMeta, int, error) {
	var meta pageMeta
	n := 0
	dec := json.NewDecoder(bytes.NewReader(body))
	if t, err := dec.Token(); err != nil || t != json.Delim('{') {
		return meta, 0, fmt.Errorf("%w: a list page is not a JSON object", api.ErrDecode)
	}
	for dec.More() {
		t, err := dec.Token()
		if err != nil {
			return meta, n, fmt.Errorf("%w: %v", api.ErrDecode, err)
		}
		switch t {
		case "data":
			if t, err := dec.Token(); err != nil || t != json.Delim('[') {
				return meta, n, fmt.Errorf("%w: a list page's data is not an array", api.ErrDecode)
			}
			for dec.More() {
				var item json.RawMessage
				if err := dec.Decode(&item); err != nil {
					return meta, n, fmt.Errorf("%w: %v", api.ErrDecode, err)
				}
				n++
				if err := fn(item); err != nil {
					return meta, n, err
				}
			}
			if _, err := dec.Token(); err != nil {
				return meta, n, fmt.Errorf("%w: %v", api.ErrDecode, err)
			}
		case "meta":
			if err := dec.Decode(&meta); err != nil {
				return meta, n, fmt.Errorf("%w: a list page's meta: %v", api.ErrDecode, err)
			}
		default:
			var skip json.RawMessage
			if err := dec.Decode(&skip); err != nil {
				return meta, n, fmt.Errorf("%w: %v", api.ErrDecode, err)
			}
		}
	}
	return meta, n, nil
}

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
	resp, err := w.client.Do(ctx, w.op, api.RawRequest{Query: q})
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

// jsonLines prints items as JSON Lines: each item compacted onto one line,
// its content as sent.
type jsonLines struct {
	w   *bufio.Writer
	buf bytes.Buffer
}

func newJSONLines(w io.Writer) *jsonLines { return &jsonLines{w: bufio.NewWriter(w)} }

func (j *jsonLines) emit(item json.RawMessage) error {
	j.buf.Reset()
	if err := json.Compact(&j.buf, item); err != nil {
		return err
	}
	j.buf.WriteByte('\n')
	_, err := j.w.Write(j.buf.Bytes())
	return err
}

func (j *jsonLines) flush() error { return j.w.Flush() }

// streamTable prints items as a table as they come, in constant memory:
// the column widths are fixed by the first rows (up to one page), and a
// longer cell later is cut to its column's width.
type streamTable struct {
	w       *bufio.Writer
	cols    []column
	choose  func(first json.RawMessage) []column
	pending [][]string
	widths  []int
	started bool
}

// headRows is how many rows fix the column widths.
const headRows = 100

func (t *streamTable) emit(item json.RawMessage) error {
	if t.cols == nil {
		t.cols = t.choose(item)
	}
	row := cells(t.cols, item)
	if t.started {
		return t.write(row)
	}
	t.pending = append(t.pending, row)
	if len(t.pending) >= headRows {
		return t.start()
	}
	return nil
}

// start fixes the widths and writes the header and the rows so far.
func (t *streamTable) start() error {
	t.started = true
	t.widths = make([]int, len(t.cols))
	titles := make([]string, len(t.cols))
	for i, c := range t.cols {
		titles[i] = c.title
		t.widths[i] = utf8.RuneCountInString(c.title)
		for _, r := range t.pending {
			t.widths[i] = max(t.widths[i], utf8.RuneCountInString(r[i]))
		}
	}
	if err := t.write(titles); err != nil {
		return err
	}
	for _, r := range t.pending {
		if err := t.write(r); err != nil {
			return err
		}
	}
	t.pending = nil
	return nil
}

func (t *streamTable) write(row []string) error {
	var b strings.Builder
	for i, cell := range row {
		if i == len(row)-1 {
			b.WriteString(cut(cell, max(t.widths[i], cellWidth)))
			break
		}
		cell = cut(cell, t.widths[i])
		b.WriteString(cell)
		b.WriteString(strings.Repeat(" ", t.widths[i]-utf8.RuneCountInString(cell)+2))
	}
	b.WriteByte('\n')
	_, err := t.w.WriteString(b.String())
	return err
}

// flush writes what is pending; it is called after every page.
func (t *streamTable) flush() error {
	if !t.started && len(t.pending) > 0 && t.cols != nil {
		if err := t.start(); err != nil {
			return err
		}
	}
	return t.w.Flush()
}
