package api_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/anam-ai/anam-go/api"
	"github.com/anam-ai/anam-go/gen"
)

// The benchmarks here compare the SDK with what a careful engineer writes
// by hand with net/http and encoding/json, against the same loopback
// server, and measure concurrent pagination and the memory a long walk
// holds. Run them with
//
//	go test ./api -run '^$' -bench . -benchmem -count 5
//
// (make bench). They are excluded from `go test`.

// benchAvatarID is the avatar every Get benchmark fetches.
const benchAvatarID = "00000000-0000-4000-8000-000000000001"

// appendAvatar appends the JSON of avatar i (from 1), shaped like the API's:
// every field of the spec, about 430 bytes.
func appendAvatar(b []byte, i int) []byte {
	b = append(b, `{"id":"`...)
	b = appendID(b, i)
	b = append(b, `","displayName":"Avatar `...)
	b = strconv.AppendInt(b, int64(i), 10)
	b = append(b, `","variantName":"studio, soft light","imageUrl":"https://lab.anam.ai/persona_thumbnails/`...)
	b = appendID(b, i)
	b = append(b, `.png","videoUrl":null,"createdByOrganizationId":null,"activeVersion":"v2","availableVersions":["v1","v2"],"createdAt":"2026-04-20T10:00:00.000Z","updatedAt":"2026-04-21T08:30:00.000Z"}`...)
	return b
}

// appendID appends the UUID of avatar i, 00000000-0000-4000-8000-<i in
// 12 digits>, without allocating.
func appendID(b []byte, i int) []byte {
	b = append(b, "00000000-0000-4000-8000-000000000000"...)
	for j := len(b) - 1; i > 0; j-- {
		b[j] = byte('0' + i%10)
		i /= 10
	}
	return b
}

// appendPage appends page `page` of perPage avatars out of total, with the
// spec's meta; slim avatars have only their ID.
func appendPage(b []byte, total, page, perPage int, slim bool) []byte {
	last := (total + perPage - 1) / perPage
	b = append(b, `{"data":[`...)
	for i := (page-1)*perPage + 1; i <= min(page*perPage, total); i++ {
		if i > (page-1)*perPage+1 {
			b = append(b, ',')
		}
		if slim {
			b = append(appendID(append(b, `{"id":"`...), i), `"}`...)
		} else {
			b = appendAvatar(b, i)
		}
	}
	b = fmt.Appendf(b, `],"meta":{"total":%d,"lastPage":%d,"currentPage":%d,"perPage":%d,"prev":`, total, last, page, perPage)
	b = appendNullableInt(b, page-1, page > 1)
	b = append(b, `,"next":`...)
	b = appendNullableInt(b, page+1, page < last)
	return append(b, "}}\n"...)
}

func appendNullableInt(b []byte, n int, ok bool) []byte {
	if !ok {
		return append(b, "null"...)
	}
	return strconv.AppendInt(b, int64(n), 10)
}

// fixture is a loopback Anam stand-in built for measuring: it serves
// GET /v1/avatars/{id} and GET /v1/avatars of `total` avatars, writes
// bodies from a pool of buffers (so that the server's own garbage stays
// small and constant), can wait `latency` before answering, and counts
// requests and TCP connections.
type fixture struct {
	srv      *httptest.Server
	total    int
	latency  time.Duration
	slim     bool // list items with an ID only, for tests that walk many
	avatar   []byte
	requests atomic.Int64
	conns    atomic.Int64 // connections opened (http.StateNew)
	inflight atomic.Int64 // requests received and not yet answered
	peak     atomic.Int64 // the most requests received and not yet answered

	// hook, when set, sees each list request first (page number from the
	// query) and may answer it itself by returning true. A request stays
	// in flight (see peak) until the hook returns.
	hook func(w http.ResponseWriter, r *http.Request, page int) bool
}

var bodyPool = sync.Pool{New: func() any { return new([]byte) }}

func newFixture(tb testing.TB, total int, latency time.Duration) *fixture {
	tb.Helper()
	f := &fixture{total: total, latency: latency, avatar: append(appendAvatar(nil, 1), '\n')}
	f.srv = httptest.NewUnstartedServer(http.HandlerFunc(f.serve))
	f.srv.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			f.conns.Add(1)
		}
	}
	f.srv.Start()
	tb.Cleanup(f.srv.Close)
	return f
}

func (f *fixture) serve(w http.ResponseWriter, r *http.Request) {
	f.requests.Add(1)
	n := f.inflight.Add(1)
	for p := f.peak.Load(); n > p && !f.peak.CompareAndSwap(p, n); p = f.peak.Load() {
	}
	// A request is no longer in flight once the server starts answering
	// (f.answering): the client may send its next one as soon as it has
	// read the answer.
	if f.latency > 0 {
		t := time.NewTimer(f.latency)
		select {
		case <-t.C:
		case <-r.Context().Done():
			t.Stop()
			f.answering()
			return
		}
	}
	if r.Header.Get("Authorization") != "Bearer "+testKey {
		f.answering()
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusUnauthorized)
		_, _ = io.WriteString(w, `{"message":"Invalid API key"}`)
		return
	}
	if id, ok := strings.CutPrefix(r.URL.Path, "/v1/avatars/"); ok {
		f.answering()
		w.Header().Set("Content-Type", "application/json")
		if id != benchAvatarID {
			w.WriteHeader(http.StatusNotFound)
			_, _ = io.WriteString(w, `{"message":"Avatar not found"}`)
			return
		}
		w.Header().Set("Content-Length", strconv.Itoa(len(f.avatar)))
		_, _ = w.Write(f.avatar)
		return
	}
	q := r.URL.Query()
	page, perPage := atoiOr(q.Get("page"), 1), atoiOr(q.Get("perPage"), 10)
	if f.hook != nil && f.hook(w, r, page) {
		f.answering()
		return
	}
	f.answering()
	bp := bodyPool.Get().(*[]byte)
	*bp = appendPage((*bp)[:0], f.total, page, perPage, f.slim)
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Length", strconv.Itoa(len(*bp)))
	_, _ = w.Write(*bp)
	bodyPool.Put(bp)
}

// answering marks a request as answered: it no longer counts as in flight.
func (f *fixture) answering() { f.inflight.Add(-1) }

func (f *fixture) client(tb testing.TB, opts ...api.Option) *api.Client {
	tb.Helper()
	c, err := api.NewClient(append([]api.Option{api.WithAPIKey(testKey), api.WithBaseURL(f.srv.URL)}, opts...)...)
	if err != nil {
		tb.Fatal(err)
	}
	return c
}

// handClient is the baseline: net/http and encoding/json used the way a
// careful engineer would without an SDK. Its *http.Client has the same
// transport settings as the SDK's default one.
type handClient struct {
	hc   *http.Client
	base string
	auth string
}

func newHandClient(base string) *handClient {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.MaxIdleConnsPerHost = 16
	return &handClient{hc: &http.Client{Transport: t}, base: base, auth: "Bearer " + testKey}
}

// get sends a GET and decodes a 200 JSON body into out, with
// json.NewDecoder (readAll false) or io.ReadAll and json.Unmarshal.
func (h *handClient) get(ctx context.Context, u string, readAll bool, out any) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", h.auth)
	req.Header.Set("Accept", "application/json")
	resp, err := h.hc.Do(req)
	if err != nil {
		return err
	}
	defer func() {
		_, _ = io.Copy(io.Discard, resp.Body)
		_ = resp.Body.Close()
	}()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("GET %s: %s", req.URL.Path, resp.Status)
	}
	if !readAll {
		return json.NewDecoder(resp.Body).Decode(out)
	}
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return err
	}
	return json.Unmarshal(body, out)
}

func (h *handClient) getAvatar(ctx context.Context, id string, readAll bool) (*gen.Avatar, error) {
	var a gen.Avatar
	if err := h.get(ctx, h.base+"/v1/avatars/"+url.PathEscape(id), readAll, &a); err != nil {
		return nil, err
	}
	return &a, nil
}

// avatarPage is the hand-written client's own envelope type.
type avatarPage struct {
	Data *[]gen.Avatar  `json:"data"`
	Meta gen.Pagination `json:"meta"`
}

func (h *handClient) listAvatars(ctx context.Context, page, perPage int, readAll bool) (*avatarPage, error) {
	var l avatarPage
	u := h.base + "/v1/avatars?page=" + strconv.Itoa(page) + "&perPage=" + strconv.Itoa(perPage)
	if err := h.get(ctx, u, readAll, &l); err != nil {
		return nil, err
	}
	return &l, nil
}

// newCodegenClient is oapi-codegen's own ClientWithResponses, with the same
// transport settings and authentication: the generated client the SDK's
// typed calls must not be slower than.
func newCodegenClient(tb testing.TB, base string) *gen.ClientWithResponses {
	tb.Helper()
	h := newHandClient(base)
	c, err := gen.NewClientWithResponses(base, gen.WithHTTPClient(h.hc), gen.WithRequestEditorFn(func(_ context.Context, req *http.Request) error {
		req.Header.Set("Authorization", h.auth)
		return nil
	}))
	if err != nil {
		tb.Fatal(err)
	}
	return c
}

// BenchmarkGetAvatar fetches one avatar (about 430 bytes of JSON) through
// the SDK, the hand-written baseline and oapi-codegen's ClientWithResponses.
func BenchmarkGetAvatar(b *testing.B) {
	f := newFixture(b, 1, 0)
	ctx := context.Background()
	b.Run("impl=sdk", func(b *testing.B) {
		c := f.client(b)
		for b.Loop() {
			if a, err := c.GetAvatar(ctx, benchAvatarID); err != nil || *a.ID != benchAvatarID {
				b.Fatal(a, err)
			}
		}
	})
	b.Run("impl=oapi-codegen", func(b *testing.B) {
		c := newCodegenClient(b, f.srv.URL)
		for b.Loop() {
			if r, err := c.GetAvatarWithResponse(ctx, benchAvatarID); err != nil || r.JSON200 == nil || *r.JSON200.ID != benchAvatarID {
				b.Fatal(r, err)
			}
		}
	})
	for _, readAll := range []bool{false, true} {
		b.Run("impl=nethttp-"+map[bool]string{false: "decoder", true: "readall"}[readAll], func(b *testing.B) {
			h := newHandClient(f.srv.URL)
			for b.Loop() {
				if a, err := h.getAvatar(ctx, benchAvatarID, readAll); err != nil || *a.ID != benchAvatarID {
					b.Fatal(a, err)
				}
			}
		})
	}
}

// BenchmarkListPage100 fetches the same page of 100 avatars (about 44 KB
// of JSON) through the SDK, the hand-written baseline and oapi-codegen's
// ClientWithResponses.
func BenchmarkListPage100(b *testing.B) {
	f := newFixture(b, 1000, 0)
	ctx := context.Background()
	b.Run("impl=sdk", func(b *testing.B) {
		c := f.client(b)
		params := &api.ListAvatarsParams{Page: new(1), PerPage: new(100)}
		for b.Loop() {
			if p, err := c.ListAvatars(ctx, params); err != nil || len(p.Items) != 100 {
				b.Fatal(p, err)
			}
		}
	})
	b.Run("impl=oapi-codegen", func(b *testing.B) {
		c := newCodegenClient(b, f.srv.URL)
		params := &gen.ListAvatarsParams{Page: new(1), PerPage: new(100)}
		for b.Loop() {
			if r, err := c.ListAvatarsWithResponse(ctx, params); err != nil || r.JSON200 == nil || len(*r.JSON200.Data) != 100 {
				b.Fatal(r, err)
			}
		}
	})
	for _, readAll := range []bool{false, true} {
		b.Run("impl=nethttp-"+map[bool]string{false: "decoder", true: "readall"}[readAll], func(b *testing.B) {
			h := newHandClient(f.srv.URL)
			for b.Loop() {
				if l, err := h.listAvatars(ctx, 1, 100, readAll); err != nil || len(*l.Data) != 100 {
					b.Fatal(l, err)
				}
			}
		})
	}
}

// BenchmarkWalk100Pages20ms walks 100 pages of 100 avatars from a server
// that takes 20 ms to answer each request, with 1 (sequential), 4 and 8
// page requests in flight. Sequentially that is 100 round trips, about
// 2 s; with n in flight about 100/n of them.
func BenchmarkWalk100Pages20ms(b *testing.B) {
	for _, n := range []int{1, 4, 8} {
		b.Run(fmt.Sprintf("n=%d", n), func(b *testing.B) {
			f := newFixture(b, 10_000, 20*time.Millisecond)
			c := f.client(b, api.WithPageConcurrency(n))
			params := &api.ListAvatarsParams{PerPage: new(100)}
			for b.Loop() {
				items := 0
				for _, err := range c.Avatars(context.Background(), params) {
					if err != nil {
						b.Fatal(err)
					}
					items++
				}
				if items != 10_000 {
					b.Fatalf("%d items", items)
				}
			}
			b.ReportMetric(float64(f.requests.Load())/float64(b.N), "requests/op")
		})
	}
}

// canned is an in-process RoundTripper that answers every request with the
// same 200 JSON body, without a network: on it, a benchmark measures what
// a client itself costs, which loopback I/O otherwise buries in noise.
type canned struct{ body []byte }

func (c canned) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.Body != nil {
		_, _ = io.Copy(io.Discard, req.Body)
		req.Body.Close()
	}
	return &http.Response{
		StatusCode: 200, Status: "200 OK", Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
		Header:        http.Header{"Content-Type": {"application/json"}},
		Body:          io.NopCloser(strings.NewReader(string(c.body))),
		ContentLength: int64(len(c.body)), Request: req,
	}, nil
}

// BenchmarkClientCost is BenchmarkGetAvatar on the in-process transport:
// the client's own cost per call (request building, checks, timeout,
// retries bookkeeping, reading and decoding), SDK against the baseline
// and oapi-codegen, each on an *http.Client with that transport.
func BenchmarkClientCost(b *testing.B) {
	const base = "http://127.0.0.1:1"
	hc := &http.Client{Transport: canned{body: appendAvatar(nil, 1)}}
	ctx := context.Background()
	b.Run("impl=sdk", func(b *testing.B) {
		c, err := api.NewClient(api.WithAPIKey(testKey), api.WithBaseURL(base), api.WithHTTPClient(hc))
		if err != nil {
			b.Fatal(err)
		}
		for b.Loop() {
			if a, err := c.GetAvatar(ctx, benchAvatarID); err != nil || *a.ID != benchAvatarID {
				b.Fatal(a, err)
			}
		}
	})
	b.Run("impl=oapi-codegen", func(b *testing.B) {
		c, err := gen.NewClientWithResponses(base, gen.WithHTTPClient(hc), gen.WithRequestEditorFn(func(_ context.Context, req *http.Request) error {
			req.Header.Set("Authorization", "Bearer "+testKey)
			return nil
		}))
		if err != nil {
			b.Fatal(err)
		}
		for b.Loop() {
			if r, err := c.GetAvatarWithResponse(ctx, benchAvatarID); err != nil || r.JSON200 == nil || *r.JSON200.ID != benchAvatarID {
				b.Fatal(r, err)
			}
		}
	})
	b.Run("impl=nethttp-decoder", func(b *testing.B) {
		h := &handClient{hc: hc, base: base, auth: "Bearer " + testKey}
		for b.Loop() {
			if a, err := h.getAvatar(ctx, benchAvatarID, false); err != nil || *a.ID != benchAvatarID {
				b.Fatal(a, err)
			}
		}
	})
}
