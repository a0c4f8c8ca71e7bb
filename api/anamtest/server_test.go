package anamtest_test

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"maps"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/anam-ai/anam-go/api/anamtest"
	"github.com/anam-ai/anam-go/internal/specload"
)

// TestServesTheEmbeddedSpec: with no WithSpec, the server serves every
// operation and collection of the embedded document, whatever it holds.
func TestServesTheEmbeddedSpec(t *testing.T) {
	srv := anamtest.NewServer(anamtest.WithT(t), anamtest.WithItems(2))
	doc, err := specload.Load()
	if err != nil {
		t.Fatal(err)
	}
	var want []string
	for _, item := range doc.Paths.Map() {
		for _, op := range item.Operations() {
			want = append(want, op.OperationID)
		}
	}
	slices.Sort(want)
	if ops := srv.Operations(); !slices.Equal(ops, want) {
		t.Errorf("Operations() = %v, want every operation of the embedded spec: %v", ops, want)
	}
	for _, c := range srv.Collections() {
		if !strings.HasPrefix(c, "/") || doc.Paths.Find(c) == nil && !hasItemPath(doc.Paths.Map(), c) {
			t.Errorf("collection %q is no path of the spec", c)
		}
		if items := srv.Items(c); len(items) < 2 {
			t.Errorf("%s: %d items, want at least the 2 generated", c, len(items))
		}
	}
	if srv.Items("/v1/nothing/at/all") != nil {
		t.Error("Items of an unknown collection")
	}
}

// hasItemPath reports whether a path below collection c exists.
func hasItemPath[V any](paths map[string]V, c string) bool {
	for _, p := range slices.Collect(maps.Keys(paths)) {
		if strings.HasPrefix(p, c+"/") {
			return true
		}
	}
	return false
}

func TestWidgetData(t *testing.T) {
	srv := newServer(t, anamtest.WithItems(24))
	if got := srv.Collections(); !slices.Equal(got, []string{"/v2/parts", widgets}) {
		t.Errorf("Collections() = %v", got)
	}
	items := srv.Items(widgets)
	if len(items) != 25 || !bytes.Contains(items[0], []byte(exampleID)) {
		t.Fatalf("%d items, first %s; want the example then 24", len(items), items[0])
	}
	p := listPage(t, srv, "?page=2&perPage=10")
	if p.metaString() != "total=25 last=3 current=2 per=10 prev=1 next=3" || len(p.Data) != 10 {
		t.Errorf("page 2: %s, %d items", p.metaString(), len(p.Data))
	}
	// search matches the label case-insensitively: Olivia and Olivia 2.
	found := listPage(t, srv, "?search=LIV&perPage=25").Data
	for _, w := range found {
		if !strings.Contains(strings.ToLower(w["label"].(string)), "liv") {
			t.Errorf("search LIV matched %v", w["label"])
		}
	}
	if len(found) != 2 {
		t.Errorf("search LIV: %d matches, want 2", len(found))
	}
	if r := get(t, srv, widgets+"/"+strings.ToUpper(exampleID)); r.status != 200 {
		t.Errorf("IDs compare case-insensitively: %d", r.status)
	}
}

func TestDeterministicSeed(t *testing.T) {
	a := newServer(t, anamtest.WithItems(5))
	b := newServer(t, anamtest.WithItems(5))
	c := newServer(t, anamtest.WithItems(5), anamtest.WithSeed(99))
	ja, _ := json.Marshal(a.Items(widgets))
	jb, _ := json.Marshal(b.Items(widgets))
	jc, _ := json.Marshal(c.Items(widgets))
	if !bytes.Equal(ja, jb) || bytes.Equal(ja, jc) {
		t.Errorf("same seed must give the same items, another seed others:\n%s\n%s\n%s", ja, jb, jc)
	}
	nulls := 0
	for _, it := range a.Items(widgets) {
		var w map[string]any
		_ = json.Unmarshal(it, &w)
		if w["notes"] == nil {
			nulls++
		}
	}
	if nulls == 0 || nulls == 6 {
		t.Errorf("nullable notes: %d of 6 null, want some", nulls)
	}
}

// TestItemsFor: a collection's own count replaces WithItems' for it only,
// and nested collections spread theirs over their parent's items.
func TestItemsFor(t *testing.T) {
	srv := newServer(t, anamtest.WithItems(3), anamtest.WithItemsFor(widgets, 40), anamtest.WithItemsFor("/v2/parts", 0))
	if n := len(srv.Items(widgets)); n != 41 {
		t.Errorf("%d widgets, want the example and 40", n)
	}
	if n := len(srv.Items("/v2/parts")); n != 0 {
		t.Errorf("%d parts, want 0", n)
	}
	srv = newServer(t, anamtest.WithItems(3), anamtest.WithItemsFor("/v2/parts", 8))
	if n := len(srv.Items(widgets)); n != 4 {
		t.Errorf("%d widgets, want the example and 3", n)
	}
	parents := map[string]int{}
	for _, b := range srv.Items("/v2/parts") {
		var p struct{ WidgetID string }
		_ = json.Unmarshal(b, &p)
		parents[p.WidgetID]++
	}
	if len(parents) != 4 {
		t.Errorf("8 parts spread over %d widgets, want 4: %v", len(parents), parents)
	}
}

func TestWidgetsSearchAndFilter(t *testing.T) {
	srv := newServer(t, anamtest.WithItems(30))
	page := func(q string) (data []map[string]any, total int) {
		t.Helper()
		r := get(t, srv, widgets+q)
		var env struct {
			Data []map[string]any
			Meta struct{ Total int }
		}
		if r.status != 200 || json.Unmarshal(r.body, &env) != nil {
			t.Fatalf("%s: %d %s", q, r.status, r.body)
		}
		return env.Data, env.Meta.Total
	}
	if data, _ := page(""); len(data) != 5 {
		t.Errorf("default perPage of the spec is 5, got %d", len(data))
	}
	red, total := page("?colour=red&perPage=25")
	if total == 0 || total >= 31 {
		t.Errorf("colour=red: total %d", total)
	}
	for _, w := range red {
		if w["colour"] != "red" {
			t.Errorf("colour=red returned %v", w)
		}
	}
	if _, n := page("?search=sPrOcK&sort=whatever"); n != 1 {
		t.Errorf("search sprock (with an ignored sort): %d, want the example", n)
	}
	if _, n := page("?search=zzz"); n != 0 {
		t.Errorf("search zzz: %d", n)
	}
}

func TestWithData(t *testing.T) {
	doc := widgetSpec()
	w := json.RawMessage(`{"id":"11111111-1111-4111-8111-111111111111","label":"Mine","colour":"blue","createdAt":"2026-01-01T00:00:00.000Z"}`)
	srv := newServer(t, anamtest.WithData(widgets, w), anamtest.WithItems(1))
	if items := srv.Items(widgets); len(items) != 2 || !bytes.Equal(items[0], []byte(`{"colour":"blue","createdAt":"2026-01-01T00:00:00.000Z","id":"11111111-1111-4111-8111-111111111111","label":"Mine"}`)) {
		t.Errorf("items %s", items)
	}
	empty := newServer(t, anamtest.WithData(widgets))
	if n := len(empty.Items(widgets)); n != 0 {
		t.Errorf("WithData with no item: %d items", n)
	}
	for _, tc := range []struct {
		opts []anamtest.Option
		want string
	}{
		{[]anamtest.Option{anamtest.WithData(widgets, json.RawMessage(`{"id":"11111111-1111-4111-8111-111111111111","label":"","colour":"pink"}`))}, "does not match the spec"},
		{[]anamtest.Option{anamtest.WithData(widgets, w, w)}, "two items have ID"},
		{[]anamtest.Option{anamtest.WithData(widgets, json.RawMessage(`[1]`))}, "not a JSON object"},
		{[]anamtest.Option{anamtest.WithData("/v2/gadgets", w)}, "no such collection"},
		{[]anamtest.Option{anamtest.WithItems(-1)}, "must not be negative"},
		{[]anamtest.Option{anamtest.WithItemsFor(widgets, -1)}, "must not be negative"},
		{[]anamtest.Option{anamtest.WithItemsFor("/v2/gadgets", 1)}, `WithItemsFor("/v2/gadgets", 1): no such collection`},
		{[]anamtest.Option{anamtest.WithStorageLimit(0)}, "must be positive"},
		{[]anamtest.Option{anamtest.WithClock(nil)}, "WithClock(nil)"},
		{[]anamtest.Option{anamtest.WithFaults("noSuchOp", anamtest.Status(500))}, `unknown operationId "noSuchOp"`},
	} {
		srv, err := anamtest.Start("127.0.0.1:0", append([]anamtest.Option{anamtest.WithSpec(doc)}, tc.opts...)...)
		if err == nil {
			srv.Close()
			t.Errorf("want an error with %q", tc.want)
		} else if !strings.Contains(err.Error(), tc.want) {
			t.Errorf("error %q, want %q", err, tc.want)
		}
	}
}

func TestStart(t *testing.T) {
	for _, addr := range []string{"0.0.0.0:0", ":0", "192.0.2.1:80", "example.com:80", "nonsense"} {
		if srv, err := anamtest.Start(addr); err == nil {
			srv.Close()
			t.Errorf("Start(%q) listens", addr)
		} else if addr != "nonsense" && !strings.Contains(err.Error(), "not a loopback address") {
			t.Errorf("Start(%q): %v", addr, err)
		}
	}
	srv, err := anamtest.Start("127.0.0.1:0", anamtest.WithSpec(widgetSpec()), anamtest.WithItems(2), anamtest.WithT(t))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(srv.URL, "http://127.0.0.1:") || len(listPage(t, srv, "").Data) != 3 {
		t.Errorf("URL %s", srv.URL)
	}
	// The port is taken now.
	if _, err := anamtest.Start(strings.TrimPrefix(srv.URL, "http://")); err == nil {
		t.Error("Start on a busy port succeeded")
	}
}

func TestInvalidResponsesAreReported(t *testing.T) {
	rec := &recorder{TB: t}
	srv := anamtest.NewServer(anamtest.WithSpec(widgetSpec()), anamtest.WithT(rec), anamtest.WithResponseEditor(func(op string, status int, body []byte) []byte {
		if status == 200 {
			return bytes.Replace(body, []byte(`"id":"`), []byte(`"id":"x`), 1)
		}
		return body
	}))
	defer srv.Close()
	r := get(t, srv, widgets+"/"+exampleID)
	if e, m := errorJSON(t, r); r.status != 500 || e != "Internal Server Error" || !strings.Contains(m, "does not match the spec") {
		t.Errorf("corrupt response: %d %s", r.status, r.body)
	}
	if errs := rec.errors(); len(errs) != 1 || !strings.Contains(errs[0], "getWidget response with status 200 does not match the spec: response body: /id: ") {
		t.Errorf("reports %v", errs)
	}
	// Without WithT, the logger hears of it.
	var log bytes.Buffer
	srv2 := anamtest.NewServer(anamtest.WithSpec(widgetSpec()), anamtest.WithLogger(slog.New(slog.NewTextHandler(&log, nil))), anamtest.WithResponseEditor(func(op string, status int, body []byte) []byte {
		return []byte(`{"data":"nope"}`)
	}))
	defer srv2.Close()
	if r := get(t, srv2, widgets); r.status != 500 || !strings.Contains(log.String(), "operation=listWidgets") {
		t.Errorf("logger: %d %q", r.status, log.String())
	}
}

// TestRequestValidation: a request that does not match the spec gets a
// 400 naming the problem, and is reported to the test, unless
// WithInvalidRequestsAllowed; so are paths and methods the spec does not
// have (404, 405).
func TestRequestValidation(t *testing.T) {
	bad := map[string]string{
		widgets + "?perPage=500":   `parameter \"perPage\" in query: maximum: got 500, want 25`,
		widgets + "?page=abc":      `parameter \"page\" in query`,
		widgets + "/not-a-uuid":    `parameter \"id\" in path`,
		widgets + "?colour=purple": `parameter \"colour\" in query`,
	}
	for _, allow := range []bool{false, true} {
		rec := &recorder{TB: t}
		opts := []anamtest.Option{anamtest.WithSpec(widgetSpec()), anamtest.WithT(rec)}
		if allow {
			opts = append(opts, anamtest.WithInvalidRequestsAllowed())
		}
		srv := anamtest.NewServer(opts...)
		for q, want := range bad {
			r := get(t, srv, q)
			if _, m := errorJSON(t, r); r.status != 400 || !strings.Contains(string(r.body), want) {
				t.Errorf("%s: %d %s (%s)", q, r.status, r.body, m)
			}
		}
		if r := get(t, srv, "/v2/nowhere"); r.status != 404 {
			t.Errorf("unknown path: %d", r.status)
		}
		r := request(t, srv.Client(), http.MethodDelete, srv.URL+widgets, "Authorization", "Bearer "+srv.APIKey())
		if r.status != 405 || r.header.Get("Allow") != "GET, POST" {
			t.Errorf("DELETE on a list: %d %v", r.status, r.header)
		}
		errs := rec.errors()
		switch {
		case allow && len(errs) != 0:
			t.Errorf("WithInvalidRequestsAllowed, yet reports: %q", errs)
		case !allow && len(errs) != len(bad)+2:
			t.Errorf("%d reports, want %d: %q", len(errs), len(bad)+2, errs)
		case !allow:
			joined := strings.Join(errs, "\n")
			for _, want := range []string{"listWidgets request does not match the spec", "getWidget request does not match the spec", "GET /v2/nowhere matches no operation of the spec", "DELETE /v2/widgets matches no operation", "WithInvalidRequestsAllowed"} {
				if !strings.Contains(joined, want) {
					t.Errorf("reports do not say %q: %q", want, errs)
				}
			}
		}
		srv.Close()
	}
}

func TestEmptyListNotFound(t *testing.T) {
	srv := newServer(t, anamtest.WithEmptyListNotFound())
	if r := get(t, srv, widgets+"?search=nobody"); r.status != 404 {
		t.Errorf("empty page: %d", r.status)
	}
	if r := get(t, srv, widgets); r.status != 200 {
		t.Errorf("non-empty page: %d", r.status)
	}
}
