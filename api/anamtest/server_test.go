package anamtest_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"log/slog"
	"math"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/anam-ai/anam-go/api/anamtest"
	"github.com/anam-ai/anam-go/gen"
)

const livID = "071b0286-4cce-4808-bee2-e642f1062de3"

func TestExampleSeed(t *testing.T) {
	srv := newServer(t)
	avatars := srv.Avatars()
	// AvatarResponse and AvatarListResponse hold the same avatar: one entry.
	if len(avatars) != 1 {
		t.Fatalf("default data set has %d avatars, want 1 (the spec examples, deduplicated)", len(avatars))
	}
	a := avatars[0]
	if *a.ID != livID || *a.DisplayName != "Liv" || a.OneShot {
		t.Errorf("seed avatar = %s %s oneShot=%v, want %s Liv false", *a.ID, *a.DisplayName, a.OneShot, livID)
	}
	if !a.CreatedByOrganizationID.IsNull() {
		t.Errorf("stock example avatar: createdByOrganizationId should be null")
	}
	// Served exactly as the example writes it, milliseconds included.
	r := get(t, srv, "/v1/avatars/"+livID)
	if !bytes.Contains(r.body, []byte(`"createdAt":"2026-04-20T10:00:00.000Z"`)) ||
		!bytes.Contains(r.body, []byte(`"createdByOrganizationId":null`)) {
		t.Errorf("getAvatar body %s: want the example's createdAt with .000Z and a null createdByOrganizationId", r.body)
	}
}

func TestPagination(t *testing.T) {
	srv := newServer(t, anamtest.WithAvatars(24)) // 25 with the example
	tests := []struct {
		query string
		n     int
		meta  string
	}{
		{"", 10, "total=25 last=3 current=1 per=10 prev=null next=2"},
		{"?page=1&perPage=10", 10, "total=25 last=3 current=1 per=10 prev=null next=2"},
		{"?page=2", 10, "total=25 last=3 current=2 per=10 prev=1 next=3"},
		{"?page=3", 5, "total=25 last=3 current=3 per=10 prev=2 next=null"},
		{"?page=4", 0, "total=25 last=3 current=4 per=10 prev=3 next=null"},
		{"?page=1000", 0, "total=25 last=3 current=1000 per=10 prev=999 next=null"},
		{"?perPage=7&page=4", 4, "total=25 last=4 current=4 per=7 prev=3 next=null"},
		{"?perPage=25", 25, "total=25 last=1 current=1 per=25 prev=null next=null"},
		{"?perPage=24&page=2", 1, "total=25 last=2 current=2 per=24 prev=1 next=null"},
		{"?perPage=100", 25, "total=25 last=1 current=1 per=100 prev=null next=null"},
		{"?perPage=1&page=25", 1, "total=25 last=25 current=25 per=1 prev=24 next=null"},
		{fmt.Sprintf("?page=%d", math.MaxInt64), 0, fmt.Sprintf("total=25 last=3 current=%d per=10 prev=%d next=null", math.MaxInt64, math.MaxInt64-1)},
	}
	for _, tt := range tests {
		p := listPage(t, srv, tt.query)
		if len(p.Data) != tt.n || p.metaString() != tt.meta {
			t.Errorf("GET /v1/avatars%s: %d avatars, meta %s; want %d, %s", tt.query, len(p.Data), p.metaString(), tt.n, tt.meta)
		}
	}

	// Walking the pages by next returns the data set, in order, once.
	var want []string
	for _, a := range srv.Avatars() {
		want = append(want, *a.ID)
	}
	var got []string
	for pg := 1; ; {
		p := listPage(t, srv, fmt.Sprintf("?perPage=7&page=%d", pg))
		got = append(got, p.ids()...)
		if p.Meta.Next == nil {
			break
		}
		pg = *p.Meta.Next
	}
	if !slices.Equal(got, want) {
		t.Errorf("paging by 7 returned %d IDs %v, want the data set's %d in order", len(got), got, len(want))
	}
}

func TestPaginationEmptyDataSet(t *testing.T) {
	srv := newServer(t, anamtest.WithAvatarData())
	for query, meta := range map[string]string{
		"":        "total=0 last=0 current=1 per=10 prev=null next=null",
		"?page=2": "total=0 last=0 current=2 per=10 prev=1 next=null",
	} {
		p := listPage(t, srv, query)
		if len(p.Data) != 0 || p.metaString() != meta {
			t.Errorf("GET /v1/avatars%s: %d avatars, meta %s; want 0, %s", query, len(p.Data), p.metaString(), meta)
		}
		if !bytes.Contains(get(t, srv, "/v1/avatars"+query).body, []byte(`"data":[]`)) {
			t.Errorf("GET /v1/avatars%s: want \"data\":[]", query)
		}
	}
}

func TestMaxPerPage(t *testing.T) {
	srv := newServer(t, anamtest.WithAvatars(150))
	p := listPage(t, srv, "?perPage=100&page=2")
	if len(p.Data) != 51 || p.metaString() != "total=151 last=2 current=2 per=100 prev=1 next=null" {
		t.Errorf("perPage=100 page 2: %d avatars, %s", len(p.Data), p.metaString())
	}
	if r := get(t, srv, "/v1/avatars?perPage=101"); r.status != http.StatusBadRequest {
		t.Errorf("perPage=101: status %d, want 400", r.status)
	}
}

func TestSearch(t *testing.T) {
	srv := newServer(t, anamtest.WithAvatars(24))
	tests := []struct {
		search string
		want   []string
	}{
		{"liv", []string{"Liv", "Olivia", "Olivia 2"}},
		{"LIV", []string{"Liv", "Olivia", "Olivia 2"}},
		{"oLiViA%202", []string{"Olivia 2"}},
		{"a%202", []string{"Cara 2", "Mia 2", "Olivia 2", "Nora 2", "Sofia 2"}},
		{"zzz", nil},
		{"", nil}, // empty search: no filter (checked by count below)
	}
	for _, tt := range tests {
		p := listPage(t, srv, "?perPage=100&search="+tt.search)
		if tt.search == "" {
			if *p.Meta.Total != 25 {
				t.Errorf("search=: total %d, want 25", *p.Meta.Total)
			}
			continue
		}
		if !slices.Equal(p.names(), tt.want) || *p.Meta.Total != len(tt.want) {
			t.Errorf("search=%s: %v (total %d), want %v", tt.search, p.names(), *p.Meta.Total, tt.want)
		}
	}
	// meta counts the matches, not the data set.
	p := listPage(t, srv, "?search=a%202&perPage=2&page=2")
	if !slices.Equal(p.names(), []string{"Olivia 2", "Nora 2"}) || p.metaString() != "total=5 last=3 current=2 per=2 prev=1 next=3" {
		t.Errorf("search page 2: %v %s", p.names(), p.metaString())
	}
}

func TestOnlyOneShot(t *testing.T) {
	srv := newServer(t, anamtest.WithAvatars(24))
	p := listPage(t, srv, "?onlyOneShot=true&perPage=100")
	want := []string{"Mia", "Hugo", "Maxine", "Finn 2"} // generated 2, 8, 14, 20
	if !slices.Equal(p.names(), want) || *p.Meta.Total != 4 {
		t.Errorf("onlyOneShot=true: %v (total %d), want %v", p.names(), *p.Meta.Total, want)
	}
	var flagged []string
	for _, a := range srv.Avatars() {
		if a.OneShot {
			flagged = append(flagged, *a.DisplayName)
			if a.CreatedByOrganizationID.IsNull() {
				t.Errorf("one-shot avatar %s is a stock avatar", *a.DisplayName)
			}
		}
	}
	if !slices.Equal(flagged, want) {
		t.Errorf("Avatars() flags %v as one-shot, want %v", flagged, want)
	}
	if p := listPage(t, srv, "?onlyOneShot=false&perPage=100"); *p.Meta.Total != 25 {
		t.Errorf("onlyOneShot=false: total %d, want 25", *p.Meta.Total)
	}
	if p := listPage(t, srv, "?onlyOneShot=true&search=I"); !slices.Equal(p.names(), []string{"Mia", "Maxine", "Finn 2"}) {
		t.Errorf("onlyOneShot=true&search=I: %v", p.names())
	}
	// Supplied avatars carry their own flag.
	a, b := anamtest.GeneratedAvatar(0), anamtest.GeneratedAvatar(1)
	b.OneShot = true
	srv2 := newServer(t, anamtest.WithAvatarData(a, b))
	if p := listPage(t, srv2, "?onlyOneShot=true"); !slices.Equal(p.ids(), []string{*b.ID}) {
		t.Errorf("WithAvatarData one-shot listing: %v, want [%s]", p.ids(), *b.ID)
	}
}

func TestGetAvatar(t *testing.T) {
	srv := newServer(t, anamtest.WithAvatars(30))
	listed := listPage(t, srv, "?perPage=100")
	for _, want := range listed.Data {
		id := want["id"].(string)
		r := get(t, srv, "/v1/avatars/"+id)
		var got map[string]any
		if err := json.Unmarshal(r.body, &got); err != nil || r.status != http.StatusOK {
			t.Fatalf("GET %s: %d %s", id, r.status, r.body)
		}
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("GET %s = %v, want the listed %v", id, got, want)
		}
	}
	// UUIDs compare case-insensitively.
	if r := get(t, srv, "/v1/avatars/"+strings.ToUpper(livID)); r.status != http.StatusOK || !bytes.Contains(r.body, []byte(`"id":"`+livID+`"`)) {
		t.Errorf("GET upper-case ID: %d %s", r.status, r.body)
	}
	r := get(t, srv, "/v1/avatars/00000000-0000-4000-8000-000000000000")
	if e, m := errorJSON(t, r); r.status != http.StatusNotFound || e != "Not Found" || m != "Avatar not found" {
		t.Errorf("unknown ID: %d %s", r.status, r.body)
	}
}

func TestBadRequest(t *testing.T) {
	srv := newServer(t)
	tests := []struct {
		path string
		want string // the whole message
	}{
		{"/v1/avatars/not-a-uuid", `parameter "id" in path: 'not-a-uuid' is not valid uuid: want 8-4-4-4-12 hexadecimal digits`},
		{"/v1/avatars/" + livID + "0", `parameter "id" in path: '` + livID + `0' is not valid uuid: want 8-4-4-4-12 hexadecimal digits`},
		{"/v1/avatars?perPage=500", `parameter "perPage" in query: maximum: got 500, want 100`},
		{"/v1/avatars?perPage=0", `parameter "perPage" in query: minimum: got 0, want 1`},
		{"/v1/avatars?page=0", `parameter "page" in query: minimum: got 0, want 1`},
		{"/v1/avatars?page=-3", `parameter "page" in query: minimum: got -3, want 1`},
		{"/v1/avatars?page=abc", `parameter "page" in query: value abc: an invalid integer: invalid syntax`},
		{"/v1/avatars?page=1.5", `parameter "page" in query: value 1.5: an invalid integer: invalid syntax`},
		{"/v1/avatars?onlyOneShot=maybe", `parameter "onlyOneShot" in query: value maybe: an invalid boolean: invalid syntax`},
		{"/v1/avatars?page=0&perPage=500", `parameter "page" in query: minimum: got 0, want 1; parameter "perPage" in query: maximum: got 500, want 100`},
	}
	for _, tt := range tests {
		r := get(t, srv, tt.path)
		e, m := errorJSON(t, r)
		if r.status != http.StatusBadRequest || e != "Bad Request" || m != tt.want {
			t.Errorf("GET %s: %d %q %q, want 400 %q", tt.path, r.status, e, m, tt.want)
		}
	}
	if n := srv.Requests(anamtest.AllOperations); n != len(tests) {
		t.Errorf("Requests(*) = %d, want %d: invalid requests count too", n, len(tests))
	}
}

func TestUnauthorized(t *testing.T) {
	srv := newServer(t, anamtest.WithAPIKey("sk-test"))
	if srv.APIKey() != "sk-test" {
		t.Fatalf("APIKey() = %q", srv.APIKey())
	}
	url := srv.URL + "/v1/avatars"
	tests := []struct {
		name    string
		headers []string
		status  int
		message string
	}{
		{"none", nil, 401, "Invalid or missing API key: missing Authorization header"},
		{"wrong key", []string{"Authorization", "Bearer " + anamtest.DefaultAPIKey}, 401, "Invalid or missing API key: invalid API key"},
		{"basic", []string{"Authorization", "Basic c2stdGVzdA=="}, 401, "Invalid or missing API key: authorization header is not a Bearer token"},
		{"bare key", []string{"Authorization", "sk-test"}, 401, "Invalid or missing API key: authorization header is not a Bearer token"},
		{"right", []string{"Authorization", "Bearer sk-test"}, 200, ""},
		{"lower-case scheme", []string{"Authorization", "bearer sk-test"}, 200, ""},
	}
	for _, tt := range tests {
		r := request(t, srv.Client(), http.MethodGet, url, tt.headers...)
		if r.status != tt.status {
			t.Errorf("%s: status %d, want %d (%s)", tt.name, r.status, tt.status, r.body)
			continue
		}
		if tt.status == 401 {
			e, m := errorJSON(t, r)
			if e != "Unauthorized" || m != tt.message || r.header.Get("WWW-Authenticate") != "Bearer" {
				t.Errorf("%s: %q %q WWW-Authenticate %q", tt.name, e, m, r.header.Get("WWW-Authenticate"))
			}
		}
	}
	// Authentication comes before parameter validation.
	r := request(t, srv.Client(), http.MethodGet, srv.URL+"/v1/avatars/not-a-uuid")
	if r.status != http.StatusUnauthorized {
		t.Errorf("unauthenticated bad UUID: status %d, want 401", r.status)
	}
}

func TestEmptyListNotFound(t *testing.T) {
	on := newServer(t, anamtest.WithEmptyListNotFound(), anamtest.WithAvatars(5))
	off := newServer(t, anamtest.WithAvatars(5))
	for _, query := range []string{"?search=nobody", "?page=2", "?onlyOneShot=true&search=cara"} {
		r := get(t, on, "/v1/avatars"+query)
		if e, m := errorJSON(t, r); r.status != http.StatusNotFound || e != "Not Found" || m != "No avatars found" {
			t.Errorf("WithEmptyListNotFound %s: %d %s", query, r.status, r.body)
		}
		if p := listPage(t, off, query); len(p.Data) != 0 {
			t.Errorf("default %s: %d avatars, want 0", query, len(p.Data))
		}
	}
	if p := listPage(t, on, "?search=mia"); !slices.Equal(p.names(), []string{"Mia"}) {
		t.Errorf("WithEmptyListNotFound, non-empty page: %v", p.names())
	}
}

func TestUnknownPathAndMethod(t *testing.T) {
	srv := newServer(t)
	auth := []string{"Authorization", "Bearer " + srv.APIKey()}
	r := request(t, srv.Client(), http.MethodGet, srv.URL+"/v1/personas", auth...)
	if e, _ := errorJSON(t, r); r.status != http.StatusNotFound || e != "Not Found" {
		t.Errorf("unknown path: %d %s", r.status, r.body)
	}
	r = request(t, srv.Client(), http.MethodGet, srv.URL+"/v1/avatars/", auth...)
	if r.status != http.StatusNotFound {
		t.Errorf("trailing slash: %d %s", r.status, r.body)
	}
	r = request(t, srv.Client(), http.MethodDelete, srv.URL+"/v1/avatars/"+livID, auth...)
	if e, _ := errorJSON(t, r); r.status != http.StatusMethodNotAllowed || e != "Method Not Allowed" || r.header.Get("Allow") != "GET" {
		t.Errorf("DELETE: %d Allow=%q %s", r.status, r.header.Get("Allow"), r.body)
	}
	if n := srv.Requests(anamtest.AllOperations); n != 0 {
		t.Errorf("Requests(*) = %d, want 0: requests matching no operation are not counted", n)
	}
}

func TestInvalidResponseWithT(t *testing.T) {
	rec := &recorder{TB: t}
	srv := anamtest.NewServer(anamtest.WithT(rec),
		anamtest.WithResponseEditor(func(op string, status int, body []byte) []byte {
			if op != anamtest.OpGetAvatar || status != http.StatusOK {
				return body
			}
			return bytes.Replace(body, []byte(`"displayName":"Liv"`), []byte(`"displayName":42`), 1)
		}))
	r := get(t, srv, "/v1/avatars/"+livID)
	e, m := errorJSON(t, r)
	if r.status != http.StatusInternalServerError || e != "Internal Server Error" || !strings.Contains(m, "/displayName") {
		t.Errorf("client got %d %s, want a 500 naming /displayName", r.status, r.body)
	}
	errs := rec.errors()
	want := "anamtest: getAvatar response with status 200 does not match the spec: /displayName: got number, want string"
	if len(errs) != 1 || errs[0] != want {
		t.Errorf("Errorf calls = %q, want [%q]", errs, want)
	}
	// listAvatars is not edited: valid, so no report.
	if p := listPage(t, srv, ""); len(p.Data) != 1 || len(rec.errors()) != 1 {
		t.Errorf("valid listAvatars: %d avatars, %d reports", len(p.Data), len(rec.errors()))
	}
}

func TestInvalidAvatarDataWithT(t *testing.T) {
	rec := &recorder{TB: t}
	bad := anamtest.GeneratedAvatar(0)
	id := "not-a-uuid"
	bad.ID = &id
	url := "relative/image.png"
	bad.ImageURL = &url
	srv := anamtest.NewServer(anamtest.WithT(rec), anamtest.WithAvatarData(anamtest.GeneratedAvatar(1), bad))
	r := get(t, srv, "/v1/avatars")
	if r.status != http.StatusInternalServerError {
		t.Errorf("status %d, want 500", r.status)
	}
	errs := rec.errors()
	if len(errs) != 1 ||
		!strings.Contains(errs[0], "listAvatars response with status 200") ||
		!strings.Contains(errs[0], `/data/1/id: string doesn't match the format "uuid"`) ||
		!strings.Contains(errs[0], `/data/1/imageUrl: string doesn't match the format "uri"`) {
		t.Errorf("Errorf calls = %q, want one naming /data/1/id and /data/1/imageUrl", errs)
	}
	// The same invalid response is reported every time, not remembered.
	get(t, srv, "/v1/avatars")
	if n := len(rec.errors()); n != 2 {
		t.Errorf("second invalid response: %d reports in all, want 2", n)
	}
}

func TestInvalidResponseWithoutT(t *testing.T) {
	var logs syncBuffer
	srv := anamtest.NewServer(
		anamtest.WithLogger(slog.New(slog.NewTextHandler(&logs, nil))),
		anamtest.WithResponseEditor(func(op string, status int, body []byte) []byte {
			if op == anamtest.OpListAvatars {
				return bytes.Replace(body, []byte(`"total":1`), []byte(`"total":"1"`), 1)
			}
			return body
		}))
	defer srv.Close()

	if r := get(t, srv, "/v1/avatars/"+livID); r.status != http.StatusOK || logs.String() != "" {
		t.Fatalf("valid getAvatar: %d, logs %q", r.status, logs.String())
	}
	r := get(t, srv, "/v1/avatars")
	e, m := errorJSON(t, r)
	if r.status != http.StatusInternalServerError || e != "Internal Server Error" ||
		m != "anamtest: listAvatars response with status 200 does not match the spec: /meta/total: value must be an integer" {
		t.Errorf("client got %d %s", r.status, r.body)
	}
	log := logs.String()
	for _, want := range []string{"level=ERROR", "operation=listAvatars", "status=200", `problem="/meta/total: value must be an integer"`} {
		if !strings.Contains(log, want) {
			t.Errorf("log %q lacks %q", log, want)
		}
	}
}

func TestResponseEditorValidEdit(t *testing.T) {
	srv := newServer(t, anamtest.WithResponseEditor(func(op string, status int, body []byte) []byte {
		return bytes.ReplaceAll(body, []byte(`"Liv"`), []byte(`"Livia"`))
	}))
	if r := get(t, srv, "/v1/avatars/"+livID); r.status != http.StatusOK || !bytes.Contains(r.body, []byte(`"displayName":"Livia"`)) {
		t.Errorf("edited response: %d %s", r.status, r.body)
	}
}

func TestGeneratedAvatars(t *testing.T) {
	idRE := regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)
	msRE := regexp.MustCompile(`^"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z"$`)
	ids := map[string]bool{}
	names := map[string]bool{}
	var nullVideo, org, stock int
	for i := range 200 {
		a := anamtest.GeneratedAvatar(i)
		if again := anamtest.GeneratedAvatar(i); mustJSON(t, again) != mustJSON(t, a) {
			t.Fatalf("GeneratedAvatar(%d) is not deterministic", i)
		}
		if !idRE.MatchString(*a.ID) || ids[*a.ID] {
			t.Fatalf("GeneratedAvatar(%d).ID = %s: want a new version 4 UUID", i, *a.ID)
		}
		ids[*a.ID] = true
		names[*a.DisplayName] = true
		if a.UpdatedAt.Before(*a.CreatedAt) {
			t.Errorf("avatar %d updated before created", i)
		}
		if a.VideoURL.IsNull() {
			nullVideo++
		}
		if a.CreatedByOrganizationID.IsNull() {
			stock++
		} else {
			org++
		}
	}
	if len(names) != 200 || nullVideo != 50 || org != 66 || stock != 134 {
		t.Errorf("200 avatars: %d names, %d null videoUrl, %d org, %d stock", len(names), nullVideo, org, stock)
	}
	// On the wire, timestamps have exactly three fractional digits.
	srv := newServer(t, anamtest.WithAvatarData(), anamtest.WithAvatars(20))
	var p struct {
		Data []map[string]json.RawMessage `json:"data"`
	}
	if err := json.Unmarshal(get(t, srv, "/v1/avatars?perPage=20").body, &p); err != nil {
		t.Fatal(err)
	}
	for _, a := range p.Data {
		for _, k := range []string{"createdAt", "updatedAt"} {
			if !msRE.Match(a[k]) {
				t.Errorf("%s = %s, want milliseconds", k, a[k])
			}
		}
	}
}

func TestAvatarsIsACopy(t *testing.T) {
	srv := newServer(t)
	a := srv.Avatars()
	*a[0].DisplayName = "changed"
	a[0].VideoURL.SetNull()
	if b := srv.Avatars(); *b[0].DisplayName != "Liv" || b[0].VideoURL.IsNull() {
		t.Errorf("modifying Avatars() changed the server's data")
	}
}

func TestConstructorPanics(t *testing.T) {
	dup := anamtest.GeneratedAvatar(3)
	upper := dup
	id := strings.ToUpper(*dup.ID)
	upper.Avatar = gen.Avatar{ID: &id}
	srv := newServer(t)
	tests := map[string]func(){
		"duplicate IDs":       func() { anamtest.NewServer(anamtest.WithAvatarData(dup, upper)) },
		"negative WithAvatar": func() { anamtest.WithAvatars(-1) },
		"unknown operation":   func() { srv.Requests("listAvatar") },
		"unknown fault op":    func() { srv.InjectFaults("getAvatars", anamtest.DropConnection()) },
		"zero fault":          func() { srv.InjectFaults(anamtest.OpGetAvatar, anamtest.Fault{}) },
		"status 99":           func() { anamtest.Status(99) },
		"redirect 200":        func() { anamtest.Redirect(200, "/") },
		"huge -1":             func() { anamtest.HugeBody(-1) },
		"WithBody on drop":    func() { anamtest.DropConnection().WithBody("text/plain", "x") },
	}
	for name, f := range tests {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("%s: no panic", name)
				}
			}()
			f()
		}()
	}
}

func TestConcurrentRequests(t *testing.T) {
	srv := newServer(t, anamtest.WithAvatars(60))
	var wg sync.WaitGroup
	for i := range 40 {
		path := "/v1/avatars/" + livID
		if i%2 == 0 {
			path = fmt.Sprintf("/v1/avatars?perPage=5&page=%d", i%13+1)
		}
		wg.Go(func() {
			// Not get: t.Fatal must not be called from another goroutine.
			req, _ := http.NewRequest(http.MethodGet, srv.URL+path, nil)
			req.Header.Set("Authorization", "Bearer "+srv.APIKey())
			resp, err := srv.Client().Do(req)
			if err != nil {
				t.Errorf("GET %s: %v", path, err)
				return
			}
			defer resp.Body.Close()
			var v map[string]any
			if err := json.NewDecoder(resp.Body).Decode(&v); err != nil || resp.StatusCode != http.StatusOK {
				t.Errorf("GET %s: %s, %v", path, resp.Status, err)
			}
		})
	}
	wg.Wait()
	if l, g, all := srv.Requests(anamtest.OpListAvatars), srv.Requests(anamtest.OpGetAvatar), srv.Requests(anamtest.AllOperations); l != 20 || g != 20 || all != 40 {
		t.Errorf("Requests: list %d, get %d, all %d; want 20, 20, 40", l, g, all)
	}
}

func TestCounters(t *testing.T) {
	srv := newServer(t)
	if srv.LastHeader(anamtest.OpGetAvatar) != nil || srv.Requests(anamtest.OpGetAvatar) != 0 {
		t.Fatal("counters not zero on a new server")
	}
	c := srv.Client()
	request(t, c, http.MethodGet, srv.URL+"/v1/avatars/"+livID, "Authorization", "Bearer "+srv.APIKey(), "X-Attempt", "1")
	request(t, c, http.MethodGet, srv.URL+"/v1/avatars/"+livID, "X-Attempt", "2") // 401, still counted
	request(t, c, http.MethodGet, srv.URL+"/v1/avatars", "Authorization", "Bearer other", "X-Attempt", "3")

	if n := srv.Requests(anamtest.OpGetAvatar); n != 2 {
		t.Errorf("Requests(getAvatar) = %d, want 2", n)
	}
	if n := srv.Requests(anamtest.OpListAvatars); n != 1 {
		t.Errorf("Requests(listAvatars) = %d, want 1", n)
	}
	h := srv.LastHeader(anamtest.OpGetAvatar)
	if h.Get("X-Attempt") != "2" || h.Get("Authorization") != "" {
		t.Errorf("LastHeader(getAvatar): X-Attempt %q Authorization %q, want 2 and none", h.Get("X-Attempt"), h.Get("Authorization"))
	}
	all := srv.LastHeader(anamtest.AllOperations)
	if all.Get("X-Attempt") != "3" || all.Get("Authorization") != "Bearer other" {
		t.Errorf("LastHeader(*): %v", all)
	}
	all.Set("X-Attempt", "changed")
	if srv.LastHeader(anamtest.AllOperations).Get("X-Attempt") != "3" {
		t.Error("LastHeader returned the server's own header map")
	}
}

func TestConnections(t *testing.T) {
	srv := newServer(t)
	for range 5 {
		get(t, srv, "/v1/avatars") // reads and closes the body: the connection is reused
	}
	if n := srv.Connections(); n != 1 {
		t.Errorf("5 sequential requests with keep-alive: %d connections, want 1", n)
	}
	noKeepAlive := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}
	for range 3 {
		request(t, noKeepAlive, http.MethodGet, srv.URL+"/v1/avatars", "Authorization", "Bearer "+srv.APIKey())
	}
	if n := srv.Connections(); n != 4 {
		t.Errorf("then 3 requests without keep-alive: %d connections, want 4", n)
	}
}

// syncBuffer is a bytes.Buffer safe for concurrent use.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func mustJSON(t testing.TB, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
