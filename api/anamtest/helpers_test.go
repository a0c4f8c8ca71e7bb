package anamtest_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"sync"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/anam-ai/anam-go/api/anamtest"
	"github.com/anam-ai/anam-go/internal/specload"
)

// The tests of this file's package serve testdata/widgets.yaml, a fixture
// whose shapes they may rely on; nothing here depends on the vendored
// document.
const (
	opList    = "listWidgets"
	opGet     = "getWidget"
	widgets   = "/v2/widgets"
	exampleID = "6f1c2a4e-0b5d-4c1e-9a77-2b1f3c4d5e6f" // the widget of the fixture's examples
)

// widgetSpec is testdata/widgets.yaml, and sessionSpec
// testdata/sessions.yaml, each loaded once.
var (
	widgetSpec  = sync.OnceValue(func() *openapi3.T { return mustLoad("testdata/widgets.yaml") })
	sessionSpec = sync.OnceValue(func() *openapi3.T { return mustLoad("testdata/sessions.yaml") })
)

func mustLoad(path string) *openapi3.T {
	b, err := os.ReadFile(path)
	if err != nil {
		panic(err)
	}
	doc, err := specload.LoadBytes(b, nil)
	if err != nil {
		panic(err)
	}
	return doc
}

// newServer starts a server of the widgets fixture that fails t on any
// invalid request or response and closes with the test.
func newServer(t *testing.T, opts ...anamtest.Option) *anamtest.Server {
	t.Helper()
	return anamtest.NewServer(append([]anamtest.Option{anamtest.WithT(t), anamtest.WithSpec(widgetSpec())}, opts...)...)
}

// result is a response read in full.
type result struct {
	status int
	header http.Header
	body   []byte
}

// request sends method path to srv with the given headers (name, value
// pairs) and reads the response.
func request(t testing.TB, client *http.Client, method, url string, headers ...string) result {
	t.Helper()
	req, err := http.NewRequest(method, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, url, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("%s %s: read body: %v", method, url, err)
	}
	return result{status: resp.StatusCode, header: resp.Header, body: body}
}

// get sends an authenticated GET of path to srv.
func get(t testing.TB, srv *anamtest.Server, path string) result {
	t.Helper()
	return request(t, srv.Client(), http.MethodGet, srv.URL+path, "Authorization", "Bearer "+srv.APIKey())
}

// send sends method path with a JSON body (none if "") and the bearer
// token to srv, and reads the response.
func send(t testing.TB, srv *anamtest.Server, method, path, token, body string) result {
	t.Helper()
	req, err := http.NewRequest(method, srv.URL+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+token)
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := srv.Client().Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return result{status: resp.StatusCode, header: resp.Header, body: b}
}

// object decodes a JSON object, failing t if it is none.
func object(t testing.TB, b []byte) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil || m == nil {
		t.Fatalf("want a JSON object: %s (%v)", b, err)
	}
	return m
}

// page is a decoded widget list. Pointers tell null from absent.
type page struct {
	Data []map[string]any `json:"data"`
	Meta struct {
		Total       *int `json:"total"`
		LastPage    *int `json:"lastPage"`
		CurrentPage *int `json:"currentPage"`
		PerPage     *int `json:"perPage"`
		Prev        *int `json:"prev"`
		Next        *int `json:"next"`
	} `json:"meta"`
	rawMeta map[string]json.RawMessage
}

func listPage(t testing.TB, srv *anamtest.Server, query string) page {
	t.Helper()
	r := get(t, srv, widgets+query)
	if r.status != http.StatusOK {
		t.Fatalf("GET %s%s: status %d, body %s", widgets, query, r.status, r.body)
	}
	var p page
	if err := json.Unmarshal(r.body, &p); err != nil {
		t.Fatalf("GET %s%s: %v in %s", widgets, query, err, r.body)
	}
	var raw struct {
		Data json.RawMessage            `json:"data"`
		Meta map[string]json.RawMessage `json:"meta"`
	}
	if err := json.Unmarshal(r.body, &raw); err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(raw.Data, []byte("[")) {
		t.Fatalf("GET %s%s: data is %s, want an array", widgets, query, raw.Data)
	}
	p.rawMeta = raw.Meta
	// prev and next must be present, as null or a number: never absent.
	for _, k := range []string{"total", "lastPage", "currentPage", "perPage", "prev", "next"} {
		if _, ok := p.rawMeta[k]; !ok {
			t.Fatalf("GET %s%s: meta has no %q: %s", widgets, query, k, r.body)
		}
	}
	return p
}

// metaString renders meta like "total=25 last=3 current=1 per=10 prev=null next=2".
func (p page) metaString() string {
	f := func(v *int) string {
		if v == nil {
			return "null"
		}
		return fmt.Sprint(*v)
	}
	m := p.Meta
	return fmt.Sprintf("total=%s last=%s current=%s per=%s prev=%s next=%s",
		f(m.Total), f(m.LastPage), f(m.CurrentPage), f(m.PerPage), f(m.Prev), f(m.Next))
}

// errorJSON decodes an error body, failing t unless it has both fields.
func errorJSON(t testing.TB, r result) (errField, message string) {
	t.Helper()
	var e struct {
		Error   *string `json:"error"`
		Message *string `json:"message"`
	}
	if ct := r.header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Fatalf("error response Content-Type = %q, want JSON; body %s", ct, r.body)
	}
	if err := json.Unmarshal(r.body, &e); err != nil || e.Error == nil || e.Message == nil {
		t.Fatalf("error body %s: want {\"error\", \"message\"} (%v)", r.body, err)
	}
	return *e.Error, *e.Message
}

// recorder is a testing.TB that records Errorf calls instead of failing.
type recorder struct {
	testing.TB
	mu   sync.Mutex
	errs []string
}

func (r *recorder) Errorf(format string, args ...any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.errs = append(r.errs, fmt.Sprintf(format, args...))
}

func (r *recorder) Helper() {}

func (r *recorder) errors() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.errs...)
}
