package api_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/anam-ai/anam-go/api"
)

const testKey = "sk-test-0123456789abcdef"

// stub is a loopback Anam stand-in for the api tests: a list of avatars
// served with the spec's pagination, plus a hook to override any response.
type stub struct {
	t        *testing.T
	srv      *httptest.Server
	avatars  []map[string]any
	requests atomic.Int64

	mu       sync.Mutex
	lastReq  *http.Request
	queries  []string
	override func(w http.ResponseWriter, r *http.Request) bool
}

func newStub(t *testing.T, n int) *stub {
	t.Helper()
	s := &stub{t: t}
	for i := range n {
		s.avatars = append(s.avatars, map[string]any{
			"id":          fmt.Sprintf("00000000-0000-4000-8000-%012d", i+1),
			"displayName": fmt.Sprintf("Avatar %d", i+1),
			"videoUrl":    nil,
			"createdAt":   "2026-04-20T10:00:00.000Z",
		})
	}
	s.srv = httptest.NewServer(http.HandlerFunc(s.serve))
	t.Cleanup(s.srv.Close)
	return s
}

func (s *stub) setOverride(f func(w http.ResponseWriter, r *http.Request) bool) {
	s.mu.Lock()
	s.override = f
	s.mu.Unlock()
}

func (s *stub) last() *http.Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.lastReq
}

func (s *stub) pagesAsked() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.queries...)
}

func (s *stub) serve(w http.ResponseWriter, r *http.Request) {
	s.requests.Add(1)
	s.mu.Lock()
	s.lastReq = r.Clone(r.Context())
	s.queries = append(s.queries, r.URL.Query().Get("page"))
	override := s.override
	s.mu.Unlock()
	if override != nil && override(w, r) {
		return
	}
	if r.Header.Get("Authorization") != "Bearer "+testKey {
		writeJSON(w, 401, map[string]any{"message": "Invalid API key"})
		return
	}
	if id, ok := strings.CutPrefix(r.URL.Path, "/v1/avatars/"); ok {
		for _, a := range s.avatars {
			if a["id"] == id {
				writeJSON(w, 200, a)
				return
			}
		}
		writeJSON(w, 404, map[string]any{"message": "Avatar not found"})
		return
	}
	if r.URL.Path != "/v1/avatars" {
		writeJSON(w, 404, map[string]any{"message": "Cannot GET " + r.URL.Path, "error": "Not Found"})
		return
	}
	page, perPage := atoiOr(r.URL.Query().Get("page"), 1), atoiOr(r.URL.Query().Get("perPage"), 10)
	writeJSON(w, 200, pageBody(s.avatars, page, perPage))
}

func pageBody(all []map[string]any, page, perPage int) map[string]any {
	total := len(all)
	last := (total + perPage - 1) / perPage
	lo, hi := min((page-1)*perPage, total), min(page*perPage, total)
	meta := map[string]any{"total": total, "lastPage": last, "currentPage": page, "perPage": perPage, "prev": nil, "next": nil}
	if page > 1 {
		meta["prev"] = page - 1
	}
	if page < last {
		meta["next"] = page + 1
	}
	return map[string]any{"data": append([]map[string]any{}, all[lo:hi]...), "meta": meta}
}

func atoiOr(s string, def int) int {
	if n, err := strconv.Atoi(s); err == nil {
		return n
	}
	return def
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func (s *stub) client(t *testing.T, opts ...api.Option) *api.Client {
	t.Helper()
	c, err := api.NewClient(append([]api.Option{api.WithAPIKey(testKey), api.WithBaseURL(s.srv.URL)}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	return c
}
