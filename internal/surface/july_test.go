//go:build surface_july

// The tests of this file need fixed shapes: they name the Go types and
// methods that the SDK generated from the July 2026 fixture has
// (testdata/july: Anam's document and the overlay taken for it, frozen),
// and check the exact request each one puts on the wire: JSON and
// multipart bodies, actions, nested resources, bare-array lists, query
// arrays, enums, booleans and times, deletes, unions, per-call options.
// They would not compile against an SDK generated from another document,
// so the build tag surface_july keeps them out of every build but the one
// internal/regen's TestRegenerate makes: a copy of the module whose spec/
// holds the July fixture, regenerated, where it runs
//
//	go test -tags surface_july ./internal/surface
//
// (go test ./internal/regen -run TestRegenerate/july does just that). The
// server here is a recording loopback server, so each test sees the exact
// request on the wire.

package surface

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/anam-ai/anam-go/api"
	"github.com/anam-ai/anam-go/gen"
	"github.com/anam-ai/anam-go/internal/loopback"
	"github.com/anam-ai/anam-go/upload"
)

// id is an ID the requests name (testKey, the key they carry, is in
// rules_test.go).
const id = "071b0286-4cce-4808-bee2-e642f1062de3"

// reply is the reply of a status, a JSON body and headers.
var reply = loopback.Respond

// newRecorder starts a recording loopback server answering with replies,
// and a client of it.
func newRecorder(t *testing.T, replies ...loopback.Reply) (*loopback.Recorder, *api.Client) {
	t.Helper()
	rec := loopback.NewRecorder(t, replies...)
	c, err := api.NewClient(api.WithAPIKey(testKey), api.WithBaseURL(rec.URL))
	if err != nil {
		t.Fatal(err)
	}
	return rec, c
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
	r := rec.Only(t)
	if r.Method != "POST" || r.Path != "/v1/personas" || r.Header.Get("Content-Type") != "application/json" {
		t.Errorf("sent %s %s (%s)", r.Method, r.Path, r.Header.Get("Content-Type"))
	}
	if got := string(r.Body); got != `{"avatarId":"`+id+`","name":"Cara"}` {
		t.Errorf("body %s", got)
	}
	if r.Header.Get("Authorization") != "Bearer "+testKey {
		t.Errorf("Authorization %q", r.Header.Get("Authorization"))
	}
}

// An update body sends false, 0 and "" when set, and nothing it was not given.
func TestUpdateSendsZeroValuesButNotAbsentOnes(t *testing.T) {
	rec, c := newRecorder(t, reply(200, personaJSON))
	body := api.UpdatePersonaRequest{SkipGreeting: new(false), Description: new(""), ToolIDs: &[]string{}}
	body.InitialMessage.SetNull()
	if _, err := c.UpdatePersona(context.Background(), id, body); err != nil {
		t.Fatal(err)
	}
	r := rec.Only(t)
	var got map[string]any
	if err := json.Unmarshal(r.Body, &got); err != nil {
		t.Fatal(err)
	}
	want := map[string]any{"skipGreeting": false, "description": "", "toolIds": []any{}, "initialMessage": nil}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("PUT %s body %s, want %v", r.Path, r.Body, want)
	}
	if r.Method != "PUT" || r.Path != "/v1/personas/"+id {
		t.Errorf("sent %s %s", r.Method, r.Path)
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
	r := rec.Only(t)
	if r.Method != "POST" || r.Path != "/v1/knowledge/groups/"+id+"/documents" {
		t.Errorf("sent %s %s", r.Method, r.Path)
	}
	if r.Form["file"] != `faq "v2".md:# FAQ`+"\n" || r.Form["chunkSize"] != "512" || len(r.Form) != 2 {
		t.Errorf("form %q", r.Form)
	}
}

func TestMultipartRequiresTheFile(t *testing.T) {
	rec, c := newRecorder(t, reply(201, `{}`))
	_, err := c.CreateVoiceMultipart(context.Background(), api.CreateVoiceForm{Name: "Narrator"})
	var ae *api.ArgumentError
	if !errors.As(err, &ae) || ae.Name != "audioFile" {
		t.Fatalf("err = %v, want an ArgumentError for audioFile", err)
	}
	if n := len(rec.Requests()); n != 0 {
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
			c, err := api.NewClient(api.WithAPIKey(testKey), api.WithBaseURL(rec.URL), retryAll)
			if err != nil {
				t.Fatal(err)
			}
			_, err = c.CreateVoiceMultipart(context.Background(), api.CreateVoiceForm{Name: "N", AudioFile: upload.File{Name: "v.wav", Reader: tc.reader}})
			reqs := rec.Requests()
			if len(reqs) != tc.requests {
				t.Fatalf("%d requests, want %d (err %v)", len(reqs), tc.requests, err)
			}
			for _, r := range reqs {
				if r.Form["audioFile"] != "v.wav:RIFF....WAVE" {
					t.Errorf("attempt sent %q", r.Form)
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
	r := rec.Only(t)
	if r.Method != "POST" || r.Path != "/v1/sessions/"+id+"/stop" || len(r.Body) != 0 || r.Header.Get("Content-Type") != "" {
		t.Errorf("sent %s %s with %q (%s)", r.Method, r.Path, r.Body, r.Header.Get("Content-Type"))
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
	if n := len(rec.Requests()); n != 2 {
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
	reqs := rec.Requests()
	if want := "perPage=5&renderStyle=realistic&tags=professional,a%2Cb%26c&onlyOneShot=true"; reqs[0].RawQuery != want {
		t.Errorf("query %q, want %q", reqs[0].RawQuery, want)
	}
	if want := "from=2026-07-01T10%3A00%3A00Z"; reqs[1].RawQuery != want {
		t.Errorf("query %q, want %q", reqs[1].RawQuery, want)
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
	if n := len(rec.Requests()); n != 0 {
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
	reqs := rec.Requests()
	if reqs[0].Method != "DELETE" || reqs[0].RawQuery != "hard=true" || reqs[1].Path != "/v1/tools/"+id {
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
	r := rec.Requests()[1]
	if r.Header.Get("X-Trace") != "t-1" || r.Header.Get("Authorization") != "Bearer "+testKey || r.RawQuery != "preview=yes" {
		t.Errorf("sent headers %v, query %q", r.Header, r.RawQuery)
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

// The README's first call: a session token for a stateful persona (the
// union branch titled by the July overlay).
func TestSessionTokenForAPersona(t *testing.T) {
	rec, c := newRecorder(t, reply(200, `{"sessionToken":"st-123"}`))
	token, err := c.CreateSessionToken(context.Background(), api.CreateSessionTokenRequest{PersonaConfig: api.NewPersonaConfigStateful(api.PersonaConfigStateful{PersonaID: id}), ClientLabel: new("web")})
	if err != nil {
		t.Fatal(err)
	}
	if token.GetSessionToken() != "st-123" {
		t.Errorf("token %v", token)
	}
	r := rec.Only(t)
	if want := `{"clientLabel":"web","personaConfig":{"personaId":"` + id + `"}}`; string(r.Body) != want || r.Path != "/v1/auth/session-token" {
		t.Errorf("sent %s %s, want %s", r.Path, r.Body, want)
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

// A union constructor has no error to check: a branch that does not
// encode as JSON makes the call that sends it fail with an *ArgumentError,
// before anything is sent, never send null in its place.
func TestUnionThatDoesNotEncodeIsRefusedUnsent(t *testing.T) {
	rec, c := newRecorder(t, reply(201, `{"id":"`+id+`"}`))
	config := api.NewCreateToolRequestConfigClientTool(api.CreateToolRequestConfigClientTool{ToolTimeoutSeconds: new(float32(math.NaN()))})
	_, err := c.CreateTool(context.Background(), api.CreateToolRequest{Name: "t", Type: gen.CreateToolRequestTypeCLIENT, Config: config})
	var ae *api.ArgumentError
	if !errors.As(err, &ae) || ae.Name != "body" || !strings.Contains(err.Error(), "CreateToolRequestConfig") {
		t.Fatalf("err = %v, want an *ArgumentError about the body's config", err)
	}
	if n := len(rec.Requests()); n != 0 {
		t.Errorf("%d requests sent", n)
	}
	ok := api.NewCreateToolRequestConfigClientTool(api.CreateToolRequestConfigClientTool{ToolTimeoutSeconds: new(float32(30))})
	if _, err := c.CreateTool(context.Background(), api.CreateToolRequest{Name: "t", Type: gen.CreateToolRequestTypeCLIENT, Config: ok}); err != nil {
		t.Fatal(err)
	}
	if got := string(rec.Only(t).Body); !strings.Contains(got, `"config":{"toolTimeoutSeconds":30}`) {
		t.Errorf("sent %s", got)
	}
}
