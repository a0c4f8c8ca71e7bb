package anamtest_test

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"net/http"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/anam-ai/anam-go/api/anamtest"
	"github.com/anam-ai/anam-go/internal/specload"
)

func widgetSpec(t testing.TB) *openapi3.T {
	t.Helper()
	b, err := os.ReadFile("testdata/widgets.yaml")
	if err != nil {
		t.Fatal(err)
	}
	doc, err := specload.LoadBytes(b, nil)
	if err != nil {
		t.Fatal(err)
	}
	return doc
}

func TestEmbeddedSpecData(t *testing.T) {
	srv := newServer(t, anamtest.WithItems(24))
	if got := srv.Collections(); !slices.Contains(got, "/v1/avatars") {
		t.Errorf("Collections() = %v", got)
	}
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
	items := srv.Items("/v1/avatars")
	if len(items) != 25 || !bytes.Contains(items[0], []byte(livID)) {
		t.Fatalf("%d items, first %s; want the example then 24", len(items), items[0])
	}
	if srv.Items("/v1/nothing") != nil {
		t.Error("Items of an unknown collection")
	}
	p := listPage(t, srv, "?page=2&perPage=10")
	if p.metaString() != "total=25 last=3 current=2 per=10 prev=1 next=3" || len(p.Data) != 10 {
		t.Errorf("page 2: %s, %d items", p.metaString(), len(p.Data))
	}
	// search matches the display name case-insensitively.
	for _, a := range listPage(t, srv, "?search=LIV&perPage=100").Data {
		if !strings.Contains(strings.ToLower(a["displayName"].(string)), "liv") {
			t.Errorf("search LIV matched %v", a["displayName"])
		}
	}
	if n := len(listPage(t, srv, "?search=LIV&perPage=100").Data); n != 3 { // Liv, Olivia, Olivia 2
		t.Errorf("search LIV: %d matches, want 3", n)
	}
	// onlyOneShot maps to no field of the embedded Avatar: accepted, ignored.
	if n := listPage(t, srv, "?onlyOneShot=true&perPage=100").Meta.Total; *n != 25 {
		t.Errorf("onlyOneShot: total %d, want every avatar", *n)
	}
	if r := get(t, srv, "/v1/avatars/"+strings.ToUpper(livID)); r.status != 200 {
		t.Errorf("IDs compare case-insensitively: %d", r.status)
	}
}

func TestDeterministicSeed(t *testing.T) {
	doc := widgetSpec(t)
	a := newServer(t, anamtest.WithSpec(doc), anamtest.WithItems(5))
	b := newServer(t, anamtest.WithSpec(doc), anamtest.WithItems(5))
	c := newServer(t, anamtest.WithSpec(doc), anamtest.WithItems(5), anamtest.WithSeed(99))
	ja, _ := json.Marshal(a.Items("/v2/widgets"))
	jb, _ := json.Marshal(b.Items("/v2/widgets"))
	jc, _ := json.Marshal(c.Items("/v2/widgets"))
	if !bytes.Equal(ja, jb) || bytes.Equal(ja, jc) {
		t.Errorf("same seed must give the same items, another seed others:\n%s\n%s\n%s", ja, jb, jc)
	}
	nulls := 0
	for _, it := range a.Items("/v2/widgets") {
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

func TestWidgetsSearchAndFilter(t *testing.T) {
	srv := newServer(t, anamtest.WithSpec(widgetSpec(t)), anamtest.WithItems(30))
	page := func(q string) (data []map[string]any, total int) {
		t.Helper()
		r := get(t, srv, "/v2/widgets"+q)
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
	doc := widgetSpec(t)
	w := json.RawMessage(`{"id":"11111111-1111-4111-8111-111111111111","label":"Mine","colour":"blue","createdAt":"2026-01-01T00:00:00.000Z"}`)
	srv := newServer(t, anamtest.WithSpec(doc), anamtest.WithData("/v2/widgets", w), anamtest.WithItems(1))
	if items := srv.Items("/v2/widgets"); len(items) != 2 || !bytes.Equal(items[0], []byte(`{"colour":"blue","createdAt":"2026-01-01T00:00:00.000Z","id":"11111111-1111-4111-8111-111111111111","label":"Mine"}`)) {
		t.Errorf("items %s", items)
	}
	empty := newServer(t, anamtest.WithSpec(doc), anamtest.WithData("/v2/widgets"))
	if n := len(empty.Items("/v2/widgets")); n != 0 {
		t.Errorf("WithData with no item: %d items", n)
	}
	for _, tc := range []struct {
		opts []anamtest.Option
		want string
	}{
		{[]anamtest.Option{anamtest.WithData("/v2/widgets", json.RawMessage(`{"id":"11111111-1111-4111-8111-111111111111","label":"","colour":"pink"}`))}, "does not match the spec"},
		{[]anamtest.Option{anamtest.WithData("/v2/widgets", w, w)}, "two items have ID"},
		{[]anamtest.Option{anamtest.WithData("/v2/widgets", json.RawMessage(`[1]`))}, "not a JSON object"},
		{[]anamtest.Option{anamtest.WithData("/v2/gadgets", w)}, "no such collection"},
		{[]anamtest.Option{anamtest.WithItems(-1)}, "must not be negative"},
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
	srv, err := anamtest.Start("127.0.0.1:0", anamtest.WithItems(2), anamtest.WithT(t))
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
	srv := anamtest.NewServer(anamtest.WithT(rec), anamtest.WithResponseEditor(func(op string, status int, body []byte) []byte {
		if status == 200 {
			return bytes.Replace(body, []byte(`"id":"`), []byte(`"id":"x`), 1)
		}
		return body
	}))
	r := get(t, srv, "/v1/avatars/"+livID)
	if e, m := errorJSON(t, r); r.status != 500 || e != "Internal Server Error" || !strings.Contains(m, "does not match the spec") {
		t.Errorf("corrupt response: %d %s", r.status, r.body)
	}
	if errs := rec.errors(); len(errs) != 1 || !strings.Contains(errs[0], "getAvatar response with status 200") {
		t.Errorf("reports %v", errs)
	}
	// Without WithT, the logger hears of it.
	var log bytes.Buffer
	srv2 := anamtest.NewServer(anamtest.WithLogger(slog.New(slog.NewTextHandler(&log, nil))), anamtest.WithResponseEditor(func(op string, status int, body []byte) []byte {
		return []byte(`{"data":"nope"}`)
	}))
	defer srv2.Close()
	if r := get(t, srv2, "/v1/avatars"); r.status != 500 || !strings.Contains(log.String(), "operation=listAvatars") {
		t.Errorf("logger: %d %q", r.status, log.String())
	}
}

func TestRequestValidation(t *testing.T) {
	// The embedded spec documents no 400 for listAvatars: the 400s are
	// sent, and reported as answers the spec does not allow.
	rec := &recorder{TB: t}
	srv := anamtest.NewServer(anamtest.WithT(rec))
	for q, want := range map[string]string{
		"/v1/avatars?perPage=500":      `parameter \"perPage\" in query`,
		"/v1/avatars?page=abc":         `parameter \"page\" in query`,
		"/v1/avatars/not-a-uuid":       `parameter \"id\" in path`,
		"/v1/avatars?onlyOneShot=mayb": `parameter \"onlyOneShot\" in query`,
	} {
		r := get(t, srv, q)
		if _, m := errorJSON(t, r); r.status != 400 || !strings.Contains(string(r.body), want) {
			t.Errorf("%s: %d %s (%s)", q, r.status, r.body, m)
		}
	}
	if errs := rec.errors(); len(errs) != 3 || !strings.Contains(errs[0], "listAvatars response with status 400 does not match the spec: status is not supported") {
		t.Errorf("reports: %q", errs)
	}
	if r := get(t, srv, "/v1/nowhere"); r.status != 404 {
		t.Errorf("unknown path: %d", r.status)
	}
	r := request(t, srv.Client(), http.MethodDelete, srv.URL+"/v1/avatars", "Authorization", "Bearer "+srv.APIKey())
	if r.status != 405 || r.header.Get("Allow") != "GET, POST" {
		t.Errorf("DELETE on a list: %d %v", r.status, r.header)
	}
}

func TestEmptyListNotFound(t *testing.T) {
	srv := newServer(t, anamtest.WithEmptyListNotFound())
	if r := get(t, srv, "/v1/avatars?search=nobody"); r.status != 404 {
		t.Errorf("empty page: %d", r.status)
	}
	if r := get(t, srv, "/v1/avatars"); r.status != 200 {
		t.Errorf("non-empty page: %d", r.status)
	}
}
