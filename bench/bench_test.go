package bench_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/anam-ai/anam-go/api"
	"github.com/anam-ai/anam-go/bench/oapigen"
	"github.com/anam-ai/anam-go/gen"
	"github.com/anam-ai/anam-go/internal/loopback"
)

// The benchmarks here compare the SDK with what a careful engineer writes
// by hand with net/http and encoding/json, and with a plain oapi-codegen
// client (package oapigen, generated here for the benchmark only: `go
// generate` in this module), against the same loopback server; and they
// measure concurrent pagination. Run them with `make bench`, or
//
//	cd bench && go generate ./... && go test -run '^$' -bench . -benchmem -count 6
//
// This module is not the SDK's: nothing of it ships.

const testKey = "sk-bench-0123456789abcdef"

// benchAvatarID is the avatar every Get benchmark fetches.
var benchAvatarID = loopback.AvatarID(1)

// fixture is the loopback avatar server of internal/loopback.
type fixture = loopback.Avatars

func newFixture(tb testing.TB, total int, latency time.Duration) *fixture {
	tb.Helper()
	return loopback.NewAvatars(tb, testKey, total, latency)
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

// newCodegenClient is a plain oapi-codegen ClientWithResponses, generated
// for this benchmark from the same document, with the same transport
// settings and authentication: the generated client the SDK's typed calls
// must not be slower than.
func newCodegenClient(tb testing.TB, base string) *oapigen.ClientWithResponses {
	tb.Helper()
	h := newHandClient(base)
	c, err := oapigen.NewClientWithResponses(base, oapigen.WithHTTPClient(h.hc), oapigen.WithRequestEditorFn(func(_ context.Context, req *http.Request) error {
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
		c := f.Client(b)
		for b.Loop() {
			if a, err := c.GetAvatar(ctx, benchAvatarID); err != nil || *a.ID != benchAvatarID {
				b.Fatal(a, err)
			}
		}
	})
	b.Run("impl=oapi-codegen", func(b *testing.B) {
		c := newCodegenClient(b, f.URL)
		for b.Loop() {
			if r, err := c.GetAvatarWithResponse(ctx, benchAvatarID); err != nil || r.JSON200 == nil || *r.JSON200.ID != benchAvatarID {
				b.Fatal(r, err)
			}
		}
	})
	for _, readAll := range []bool{false, true} {
		b.Run("impl=nethttp-"+map[bool]string{false: "decoder", true: "readall"}[readAll], func(b *testing.B) {
			h := newHandClient(f.URL)
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
		c := f.Client(b)
		params := &api.ListAvatarsParams{Page: new(1), PerPage: new(100)}
		for b.Loop() {
			if p, err := c.ListAvatars(ctx, params); err != nil || len(p.Items) != 100 {
				b.Fatal(p, err)
			}
		}
	})
	b.Run("impl=oapi-codegen", func(b *testing.B) {
		c := newCodegenClient(b, f.URL)
		params := &oapigen.ListAvatarsParams{Page: new(1), PerPage: new(100)}
		for b.Loop() {
			if r, err := c.ListAvatarsWithResponse(ctx, params); err != nil || r.JSON200 == nil || len(*r.JSON200.Data) != 100 {
				b.Fatal(r, err)
			}
		}
	})
	for _, readAll := range []bool{false, true} {
		b.Run("impl=nethttp-"+map[bool]string{false: "decoder", true: "readall"}[readAll], func(b *testing.B) {
			h := newHandClient(f.URL)
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
			c := f.Client(b, api.WithPageConcurrency(n))
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
			b.ReportMetric(float64(f.Requests.Load())/float64(b.N), "requests/op")
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
	hc := &http.Client{Transport: canned{body: loopback.AppendAvatar(nil, 1)}}
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
		c, err := oapigen.NewClientWithResponses(base, oapigen.WithHTTPClient(hc), oapigen.WithRequestEditorFn(func(_ context.Context, req *http.Request) error {
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
