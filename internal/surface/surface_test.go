// Package surface tests the generated typed surface of package api on the
// shapes of the vendored spec that the small seed spec lacks: JSON and
// multipart bodies, actions, nested resources, bare-array lists, query
// arrays, enums, booleans and times, per-call options. (package api's own
// tests use only the avatar operations, so that they also run on an SDK
// regenerated from the seed spec.) The server here is a recording loopback
// server, so each test sees the exact request on the wire.
package surface

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/anam-ai/anam-go/api"
	"github.com/anam-ai/anam-go/gen"
	"github.com/anam-ai/anam-go/upload"
)

const (
	testKey = "sk-surface-test-key-0123456789"
	id      = "071b0286-4cce-4808-bee2-e642f1062de3"
)

// seen is one request as the server received it.
type seen struct {
	method, path, rawQuery string
	header                 http.Header
	body                   []byte
	form                   map[string]string // multipart fields (files as "filename:content")
}

// recorder answers every request with the next reply and records it.
type recorder struct {
	base    string // the server's URL
	mu      sync.Mutex
	reqs    []seen
	replies []func(w http.ResponseWriter)
}

func reply(status int, body string, headers ...string) func(http.ResponseWriter) {
	return func(w http.ResponseWriter) {
		for i := 0; i+1 < len(headers); i += 2 {
			w.Header().Set(headers[i], headers[i+1])
		}
		if body != "" {
			w.Header().Set("Content-Type", "application/json")
		}
		w.WriteHeader(status)
		io.WriteString(w, body)
	}
}

func newRecorder(t *testing.T, replies ...func(http.ResponseWriter)) (*recorder, *api.Client) {
	t.Helper()
	rec := &recorder{replies: replies}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s := seen{method: r.Method, path: r.URL.EscapedPath(), rawQuery: r.URL.RawQuery, header: r.Header.Clone()}
		if mt, params, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mt == "multipart/form-data" {
			s.form = map[string]string{}
			mr := multipart.NewReader(r.Body, params["boundary"])
			for {
				p, err := mr.NextPart()
				if err != nil {
					break
				}
				b, _ := io.ReadAll(p)
				if p.FileName() != "" {
					s.form[p.FormName()] = p.FileName() + ":" + string(b)
				} else {
					s.form[p.FormName()] = string(b)
				}
			}
		} else {
			s.body, _ = io.ReadAll(r.Body)
		}
		rec.mu.Lock()
		rec.reqs = append(rec.reqs, s)
		var next func(http.ResponseWriter)
		if len(rec.replies) > 0 {
			next = rec.replies[0]
			if len(rec.replies) > 1 {
				rec.replies = rec.replies[1:]
			}
		}
		rec.mu.Unlock()
		if next == nil {
			w.WriteHeader(http.StatusTeapot)
			return
		}
		next(w)
	}))
	t.Cleanup(srv.Close)
	rec.base = srv.URL
	c, err := api.NewClient(api.WithAPIKey(testKey), api.WithBaseURL(srv.URL))
	if err != nil {
		t.Fatal(err)
	}
	return rec, c
}

func (r *recorder) requests() []seen {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]seen(nil), r.reqs...)
}

func (r *recorder) only(t *testing.T) seen {
	t.Helper()
	reqs := r.requests()
	if len(reqs) != 1 {
		t.Fatalf("%d requests, want 1", len(reqs))
	}
	return reqs[0]
}

const personaJSON = `{"id":"` + id + `","name":"Cara","createdAt":"2026-07-01T10:00:00.000Z"}`

func TestJSONBodyCreatesAndDecodes(t *testing.T) {
	rec, c := newRecorder(t, reply(201, personaJSON))
	p, err := c.CreatePersona(context.Background(), api.CreatePersonaRequest{Name: new("Cara"), AvatarID: new(id)})
	if err != nil {
		t.Fatal(err)
	}
	if p.GetName() != "Cara" || p.GetID() != id || p.GetCreatedAt().Year() != 2026 {
		t.Errorf("created %v", p)
	}
	r := rec.only(t)
	if r.method != "POST" || r.path != "/v1/personas" || r.header.Get("Content-Type") != "application/json" {
		t.Errorf("sent %s %s (%s)", r.method, r.path, r.header.Get("Content-Type"))
	}
	if got := string(r.body); got != `{"avatarId":"`+id+`","name":"Cara"}` {
		t.Errorf("body %s", got)
	}
	if r.header.Get("Authorization") != "Bearer "+testKey {
		t.Errorf("Authorization %q", r.header.Get("Authorization"))
	}
}

// An update body sends false, 0 and "" when set, and nothing it was not given.
func TestUpdateSendsZeroValuesButNotAbsentOnes(t *testing.T) {
	rec, c := newRecorder(t, reply(200, personaJSON))
	body := api.UpdatePersonaRequest{SkipGreeting: new(false), Description: new(""), ToolIds: &[]string{}}
	body.InitialMessage.SetNull()
	if _, err := c.UpdatePersona(context.Background(), id, body); err != nil {
		t.Fatal(err)
	}
	r := rec.only(t)
	var got map[string]any
	if err := json.Unmarshal(r.body, &got); err != nil {
		t.Fatal(err)
	}
	want := map[string]any{"skipGreeting": false, "description": "", "toolIds": []any{}, "initialMessage": nil}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("PUT %s body %s, want %v", r.path, r.body, want)
	}
	if r.method != "PUT" || r.path != "/v1/personas/"+id {
		t.Errorf("sent %s %s", r.method, r.path)
	}
}

// onlyReader hides a reader's type, so the SDK cannot seek it back.
type onlyReader struct{ io.Reader }

func TestMultipartUploadStreamsFileAndFields(t *testing.T) {
	rec, c := newRecorder(t, reply(201, `{"id":"`+id+`","filename":"faq.md"}`))
	doc, err := c.UploadKnowledgeGroupDocument(context.Background(), id, api.UploadKnowledgeGroupDocumentForm{
		File:      upload.File{Name: `faq "v2".md`, ContentType: "text/markdown", Reader: onlyReader{strings.NewReader("# FAQ\n")}},
		ChunkSize: new(512),
	})
	if err != nil {
		t.Fatal(err)
	}
	if doc.GetID() != id {
		t.Errorf("decoded %v", doc)
	}
	r := rec.only(t)
	if r.method != "POST" || r.path != "/v1/knowledge/groups/"+id+"/documents" {
		t.Errorf("sent %s %s", r.method, r.path)
	}
	if r.form["file"] != `faq "v2".md:# FAQ`+"\n" || r.form["chunkSize"] != "512" || len(r.form) != 2 {
		t.Errorf("form %q", r.form)
	}
}

func TestMultipartRequiresTheFile(t *testing.T) {
	rec, c := newRecorder(t, reply(201, `{}`))
	_, err := c.CreateVoiceMultipart(context.Background(), api.CreateVoiceForm{Name: "Narrator"})
	var ae *api.ArgumentError
	if !errors.As(err, &ae) || ae.Name != "audioFile" {
		t.Fatalf("err = %v, want an ArgumentError for audioFile", err)
	}
	if n := len(rec.requests()); n != 0 {
		t.Errorf("%d requests sent", n)
	}
}

// A streamed upload that fails is not retried, and the error says why; one
// whose file can seek back is retried with the whole file again.
func TestUploadRetryNeedsASeekableFile(t *testing.T) {
	retryAll := api.WithRetryPolicy(func(_ context.Context, info api.RetryInfo) (bool, time.Duration) { return true, 0 })
	for _, tc := range []struct {
		name     string
		reader   io.Reader
		requests int
	}{
		{"stream", onlyReader{strings.NewReader("RIFF....WAVE")}, 1},
		{"seekable", bytes.NewReader([]byte("RIFF....WAVE")), 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rec, _ := newRecorder(t, reply(503, `{"message":"busy"}`), reply(201, `{"id":"`+id+`"}`))
			c, err := api.NewClient(api.WithAPIKey(testKey), api.WithBaseURL(rec.base), retryAll)
			if err != nil {
				t.Fatal(err)
			}
			_, err = c.CreateVoiceMultipart(context.Background(), api.CreateVoiceForm{Name: "N", AudioFile: upload.File{Name: "v.wav", Reader: tc.reader}})
			reqs := rec.requests()
			if len(reqs) != tc.requests {
				t.Fatalf("%d requests, want %d (err %v)", len(reqs), tc.requests, err)
			}
			for _, r := range reqs {
				if r.form["audioFile"] != "v.wav:RIFF....WAVE" {
					t.Errorf("attempt sent %q", r.form)
				}
			}
			if tc.requests == 1 {
				if !errors.Is(err, api.ErrServer) || !strings.Contains(err.Error(), "cannot be sent twice") {
					t.Errorf("err = %v", err)
				}
			} else if err != nil {
				t.Error(err)
			}
		})
	}
}

func TestActionWithoutBody(t *testing.T) {
	rec, c := newRecorder(t, reply(200, `{}`))
	if err := c.StopSession(context.Background(), id); err != nil {
		t.Fatal(err)
	}
	r := rec.only(t)
	if r.method != "POST" || r.path != "/v1/sessions/"+id+"/stop" || len(r.body) != 0 || r.header.Get("Content-Type") != "" {
		t.Errorf("sent %s %s with %q (%s)", r.method, r.path, r.body, r.header.Get("Content-Type"))
	}
}

func TestBareArrayList(t *testing.T) {
	rec, c := newRecorder(t,
		reply(200, `[{"id":"`+id+`","name":"FAQ"},{"id":"b","name":"Docs"}]`),
		reply(200, `{"data":[]}`))
	groups, err := c.ListKnowledgeGroups(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(groups) != 2 || groups[1].GetName() != "Docs" {
		t.Errorf("groups %v", groups)
	}
	// An object where the spec promises an array is not a silent empty list.
	if _, err := c.ListKnowledgeGroups(context.Background()); !errors.Is(err, api.ErrDecode) {
		t.Errorf("err = %v, want ErrDecode", err)
	}
	if n := len(rec.requests()); n != 2 {
		t.Errorf("%d requests", n)
	}
}

func TestQueryShapes(t *testing.T) {
	rec, c := newRecorder(t, reply(200, `{"data":[],"meta":{"total":0,"lastPage":0,"currentPage":1,"perPage":10}}`), reply(200, `{}`))
	style := gen.ListAvatarsParamsRenderStyle("realistic")
	_, err := c.ListAvatars(context.Background(), &api.ListAvatarsParams{
		Tags: &[]string{"professional", "a,b&c"}, RenderStyle: &style, OnlyOneShot: new(true), PerPage: new(5),
	})
	if err != nil {
		t.Fatal(err)
	}
	from := time.Date(2026, 7, 1, 10, 0, 0, 0, time.UTC)
	if _, err := c.GetAggregatedSessionAnalytics(context.Background(), &api.GetAggregatedSessionAnalyticsParams{From: &from}); err != nil {
		t.Fatal(err)
	}
	reqs := rec.requests()
	if want := "perPage=5&renderStyle=realistic&tags=professional,a%2Cb%26c&onlyOneShot=true"; reqs[0].rawQuery != want {
		t.Errorf("query %q, want %q", reqs[0].rawQuery, want)
	}
	if want := "from=2026-07-01T10%3A00%3A00Z"; reqs[1].rawQuery != want {
		t.Errorf("query %q, want %q", reqs[1].rawQuery, want)
	}
}

func TestArgumentsRefusedBeforeSending(t *testing.T) {
	rec, c := newRecorder(t, reply(200, `{}`))
	bad := gen.ListAvatarsParamsRenderStyle("cartoon")
	calls := map[string]func() error{
		"enum": func() error {
			_, err := c.ListAvatars(context.Background(), &api.ListAvatarsParams{RenderStyle: &bad})
			return err
		},
		"perPage": func() error {
			_, err := c.ListVoices(context.Background(), &api.ListVoicesParams{PerPage: new(500)})
			return err
		},
		"uuid":        func() error { return c.StopSession(context.Background(), "not-a-uuid") },
		"nested uuid": func() error { _, err := c.ListKnowledgeGroupDocuments(context.Background(), ".."); return err },
	}
	for name, call := range calls {
		err := call()
		var ae *api.ArgumentError
		if !errors.As(err, &ae) || !errors.Is(err, api.ErrInvalidArgument) || !strings.Contains(err.Error(), "no request was sent") {
			t.Errorf("%s: err = %v", name, err)
		}
	}
	if n := len(rec.requests()); n != 0 {
		t.Errorf("%d requests sent", n)
	}
}

func TestDeleteShapes(t *testing.T) {
	rec, c := newRecorder(t, reply(200, `{"message":"Avatar deleted"}`), reply(204, ""))
	if err := c.DeleteAvatar(context.Background(), id, &api.DeleteAvatarParams{Hard: new(true)}); err != nil {
		t.Fatal(err)
	}
	if err := c.DeleteTool(context.Background(), id); err != nil {
		t.Fatal(err)
	}
	reqs := rec.requests()
	if reqs[0].method != "DELETE" || reqs[0].rawQuery != "hard=true" || reqs[1].path != "/v1/tools/"+id {
		t.Errorf("sent %+v", reqs)
	}
}

func TestPerCallOptions(t *testing.T) {
	rec, c := newRecorder(t,
		reply(503, `{"message":"busy"}`, "X-Request-Id", "req-1"),
		reply(200, personaJSON, "RateLimit-Remaining", "41", "X-Request-Id", "req-2"))
	var failed, ok api.Response
	_, err := c.GetPersona(context.Background(), id, api.WithCallMaxRetries(0), api.WithResponseInto(&failed))
	if !errors.Is(err, api.ErrServer) || failed.StatusCode != 503 || failed.RequestID != "req-1" || failed.Attempts != 1 {
		t.Errorf("err %v, response %+v", err, failed)
	}
	_, err = c.GetPersona(context.Background(), id,
		api.WithHeader("X-Trace", "t-1"), api.WithHeader("Authorization", "Bearer stolen"),
		api.WithQuery("preview", "yes"), api.WithResponseInto(&ok))
	if err != nil {
		t.Fatal(err)
	}
	if ok.StatusCode != 200 || ok.Header.Get("RateLimit-Remaining") != "41" || ok.RequestID != "req-2" {
		t.Errorf("response %+v", ok)
	}
	r := rec.requests()[1]
	if r.header.Get("X-Trace") != "t-1" || r.header.Get("Authorization") != "Bearer "+testKey || r.rawQuery != "preview=yes" {
		t.Errorf("sent headers %v, query %q", r.header, r.rawQuery)
	}
}

func TestPerCallTimeout(t *testing.T) {
	release := make(chan struct{})
	defer close(release)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}))
	defer srv.Close()
	c, err := api.NewClient(api.WithAPIKey(testKey), api.WithBaseURL(srv.URL))
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.GetPersona(context.Background(), id, api.WithCallTimeout(50*time.Millisecond), api.WithCallMaxRetries(0))
	if !errors.Is(err, context.DeadlineExceeded) || !strings.Contains(err.Error(), "per-attempt timeout") {
		t.Errorf("err = %v", err)
	}
}

func TestModelsReadEasily(t *testing.T) {
	var p *gen.Persona
	if p.GetName() != "" || p.GetBrain() != nil || p.GetDescription() != "" {
		t.Error("getters on a nil model are not zero")
	}
	var a gen.Avatar
	if err := json.Unmarshal([]byte(`{"id":"`+id+`","displayName":"Liv","videoUrl":null,"activeVersion":null}`), &a); err != nil {
		t.Fatal(err)
	}
	if a.GetDisplayName() != "Liv" || a.GetVideoURL() != "" || !a.VideoURL.IsNull() || a.GetVariantName() != "" {
		t.Errorf("avatar %v", a)
	}
	for _, verb := range []string{"%v", "%+v", "%s"} {
		if out := fmt.Sprintf(verb, a); strings.Contains(out, "0x") || !strings.Contains(out, `"displayName":"Liv"`) {
			t.Errorf("%s of an Avatar: %s", verb, out)
		}
	}
}

// The README's first call: a session token for a stateful persona.
func TestSessionTokenForAPersona(t *testing.T) {
	rec, c := newRecorder(t, reply(200, `{"sessionToken":"st-123"}`))
	var persona gen.PersonaConfig
	if err := persona.FromPersonaConfig1(gen.PersonaConfig1{PersonaID: id}); err != nil {
		t.Fatal(err)
	}
	token, err := c.CreateSessionToken(context.Background(), api.CreateSessionTokenRequest{PersonaConfig: &persona, ClientLabel: new("web")})
	if err != nil {
		t.Fatal(err)
	}
	if token.GetSessionToken() != "st-123" {
		t.Errorf("token %v", token)
	}
	r := rec.only(t)
	if want := `{"clientLabel":"web","personaConfig":{"personaId":"` + id + `"}}`; string(r.body) != want || r.path != "/v1/auth/session-token" {
		t.Errorf("sent %s %s, want %s", r.path, r.body, want)
	}
}

// A null element of a bare-array result is no zero value (the fault matrix
// of package api covers paginated lists; the vendored spec has the arrays).
func TestNullElementOfAnArray(t *testing.T) {
	_, c := newRecorder(t, reply(200, `[{"id":"`+id+`","name":"g"},null]`))
	got, err := c.ListKnowledgeGroups(context.Background())
	if !errors.Is(err, api.ErrDecode) || !strings.Contains(err.Error(), "null") || got != nil {
		t.Errorf("got %v, err %v; want ErrDecode naming the null", got, err)
	}
}
