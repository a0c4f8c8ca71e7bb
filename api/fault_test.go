package api_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"reflect"
	"strings"
	"sync"
	"syscall"
	"testing"
	"testing/synctest"
	"time"

	"github.com/anam-ai/anam-go/api"
)

// searchTerm is the search term of the fault matrix's list calls: private
// data that no error or log line may show.
const searchTerm = "patient-john-doe"

// slashKey is an API key with slashes, which a PHP server echoes
// JSON-escaped (sk\/redteam\/...).
const slashKey = "sk/redteam/0123456789abcdef"

// fakeBase is the base URL of the in-memory server: https, so that no
// option is needed, and a host nothing resolves.
const fakeBase = "https://api.anam.test"

// step is how the in-memory server answers one request.
type step func(req *http.Request) (*http.Response, error)

// fake is an in-memory Anam stand-in for synctest bubbles, where real
// sockets cannot be used: an http.RoundTripper (under a real *http.Client,
// so that redirects go through the SDK's policy) answering the nth request
// with steps[n], and every request after the last with the last step.
type fake struct {
	mu    sync.Mutex
	steps []step
	seen  []seenRequest
}

// seenRequest is what the fake server noted of a request.
type seenRequest struct {
	method, host, path, auth string
	at                       time.Time
	body                     string
}

func newFake(steps ...step) *fake { return &fake{steps: steps} }

func (f *fake) RoundTrip(req *http.Request) (*http.Response, error) {
	s := seenRequest{method: req.Method, host: req.URL.Host, path: req.URL.EscapedPath(), auth: req.Header.Get("Authorization"), at: time.Now()}
	if req.Body != nil {
		b, _ := io.ReadAll(req.Body)
		req.Body.Close()
		s.body = string(b)
	}
	f.mu.Lock()
	n := len(f.seen)
	f.seen = append(f.seen, s)
	st := f.steps[min(n, len(f.steps)-1)]
	f.mu.Unlock()
	return st(req)
}

func (f *fake) requests() []seenRequest {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]seenRequest(nil), f.seen...)
}

// client returns a client of the fake server, with the real backoff: in a
// bubble, waiting costs nothing.
func (f *fake) Client(t *testing.T, opts ...api.Option) *api.Client {
	t.Helper()
	base := []api.Option{api.WithAPIKey(testKey), api.WithBaseURL(fakeBase), api.WithHTTPClient(&http.Client{Transport: f}), api.WithRealBackoff()}
	c, err := api.NewClient(append(base, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func response(req *http.Request, status int, header http.Header, body io.ReadCloser) *http.Response {
	if header == nil {
		header = http.Header{}
	}
	return &http.Response{
		Status: fmt.Sprintf("%d %s", status, http.StatusText(status)), StatusCode: status,
		Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
		Header: header, Body: body, ContentLength: -1, Request: req,
	}
}

// reply answers with status, a Content-Type and body; extra is pairs of
// header names and values.
func reply(status int, ctype, body string, extra ...string) step {
	return func(req *http.Request) (*http.Response, error) {
		h := http.Header{}
		if ctype != "" {
			h.Set("Content-Type", ctype)
		}
		h.Set("X-Request-Id", "req-fault")
		for i := 0; i+1 < len(extra); i += 2 {
			h.Set(extra[i], extra[i+1])
		}
		return response(req, status, h, io.NopCloser(strings.NewReader(body))), nil
	}
}

func jsonReply(status int, body string, extra ...string) step {
	return reply(status, "application/json", body, extra...)
}

const avatarJSON = `{"id":"00000000-0000-4000-8000-000000000001","displayName":"Avatar 1","videoUrl":"https://cdn.example/1.mp4","createdAt":"2026-04-20T10:00:00.000Z"}`

var okAvatar = jsonReply(200, avatarJSON)

// retryAfterDate answers 429 with Retry-After as an HTTP date d from now,
// and a Date header.
func retryAfterDate(d time.Duration) step {
	return func(req *http.Request) (*http.Response, error) {
		now := time.Now()
		return jsonReply(429, `{"message":"Too many requests"}`,
			"Retry-After", now.Add(d).UTC().Format(http.TimeFormat),
			"Date", now.UTC().Format(http.TimeFormat))(req)
	}
}

// stallHeaders never answers: it waits for the request's context to end.
func stallHeaders(req *http.Request) (*http.Response, error) {
	<-req.Context().Done()
	return nil, req.Context().Err()
}

// stallingBody sends prefix, then stalls until the request's context ends
// or the body is closed.
type stallingBody struct {
	ctx    context.Context
	prefix *strings.Reader
	once   sync.Once
	closed chan struct{}
}

func (b *stallingBody) Read(p []byte) (int, error) {
	if b.prefix.Len() > 0 {
		return b.prefix.Read(p)
	}
	select {
	case <-b.ctx.Done():
		return 0, b.ctx.Err()
	case <-b.closed:
		return 0, errors.New("read on closed body")
	}
}

func (b *stallingBody) Close() error {
	b.once.Do(func() { close(b.closed) })
	return nil
}

func stallBody(prefix string) step {
	return func(req *http.Request) (*http.Response, error) {
		body := &stallingBody{ctx: req.Context(), prefix: strings.NewReader(prefix), closed: make(chan struct{})}
		return response(req, 200, http.Header{"Content-Type": {"application/json"}}, body), nil
	}
}

// resetBody sends prefix, then fails as a connection reset by the peer.
func resetBody(prefix string) step {
	return func(req *http.Request) (*http.Response, error) {
		r := io.MultiReader(strings.NewReader(prefix), errReader{&net.OpError{Op: "read", Net: "tcp", Err: os.NewSyscallError("read", syscall.ECONNRESET)}})
		return response(req, 200, http.Header{"Content-Type": {"application/json"}}, io.NopCloser(r)), nil
	}
}

type errReader struct{ err error }

func (r errReader) Read([]byte) (int, error) { return 0, r.err }

// refuse fails as a connection refused: the request never left.
func refuse(req *http.Request) (*http.Response, error) {
	return nil, &net.OpError{Op: "dial", Net: "tcp", Err: os.NewSyscallError("connect", syscall.ECONNREFUSED)}
}

// hugeBody answers 200 with a JSON body of n bytes.
func hugeBody(n int) step {
	return func(req *http.Request) (*http.Response, error) {
		body := `{"displayName":"` + strings.Repeat("x", n) + `"}`
		return response(req, 200, http.Header{"Content-Type": {"application/json"}}, io.NopCloser(strings.NewReader(body))), nil
	}
}

// redirectTo answers 302 to loc.
func redirectTo(loc string) step {
	return reply(302, "text/html", "moved", "Location", loc)
}

// faultCase is one row of the fault matrix.
type faultCase struct {
	name  string
	steps []step
	opts  []api.Option
	key   string // the API key, when not testKey
	list  bool   // call ListAvatars (with a search term) rather than GetAvatar
	// call, when set, makes the call instead; got must be nil on error.
	call func(ctx context.Context, c *api.Client) (got any, err error)

	cancelAfter time.Duration // cancel the call's context after this long
	deadline    time.Duration // give the call's context this deadline

	wantErr      []error // classes the error must match (none: success)
	notErr       []error // classes it must not match
	temporary    bool    // Error.Temporary
	wantStatus   int     // Error.StatusCode
	wantAttempts int     // requests the server saw, and Error.Attempts
	wantRequests int     // requests the server saw, when not wantAttempts (redirects)
	wantInError  string  // text Error() must contain
	elapsed      [2]time.Duration
	check        func(t *testing.T, got any, err *api.Error, seen []seenRequest)
}

func faultMatrix() []faultCase {
	nullAvatar := `{"id":"00000000-0000-4000-8000-000000000001","displayName":"Stock","videoUrl":null,"createdByOrganizationId":null}`
	nullPage := `{"data":[` + nullAvatar + `],"meta":{"total":1,"lastPage":1,"currentPage":1,"perPage":10,"prev":null,"next":null}}`
	backoff1 := [2]time.Duration{250 * time.Millisecond, 500 * time.Millisecond}
	backoff3 := [2]time.Duration{250*time.Millisecond + 500*time.Millisecond + time.Second, 500*time.Millisecond + time.Second + 2*time.Second}
	return []faultCase{
		{name: "500 then 200", steps: []step{jsonReply(500, `{"message":"boom"}`), okAvatar}, wantAttempts: 2, elapsed: backoff1},
		{name: "500", steps: []step{jsonReply(500, `{"message":"boom"}`)}, wantErr: []error{api.ErrServer}, temporary: true,
			wantStatus: 500, wantAttempts: 4, wantInError: "boom", elapsed: backoff3},
		{name: "502", steps: []step{reply(502, "text/html", "<html>Bad Gateway</html>")}, wantErr: []error{api.ErrServer}, temporary: true,
			wantStatus: 502, wantAttempts: 4, elapsed: backoff3},
		{name: "503 Retry-After 1 then 200", steps: []step{jsonReply(503, `{"message":"busy"}`, "Retry-After", "1"), okAvatar},
			wantAttempts: 2, elapsed: [2]time.Duration{time.Second, time.Second}},
		{name: "503 Retry-After 1", steps: []step{jsonReply(503, `{"message":"busy"}`, "Retry-After", "1")}, wantErr: []error{api.ErrServer},
			temporary: true, wantStatus: 503, wantAttempts: 4, wantInError: "retry after 1s", elapsed: [2]time.Duration{3 * time.Second, 3 * time.Second}},
		{name: "504", steps: []step{jsonReply(504, `{"message":"upstream timeout"}`)}, wantErr: []error{api.ErrServer}, temporary: true,
			wantStatus: 504, wantAttempts: 4, elapsed: backoff3},
		{name: "429 Retry-After seconds then 200", steps: []step{jsonReply(429, `{"message":"slow down"}`, "Retry-After", "2"), okAvatar},
			wantAttempts: 2, elapsed: [2]time.Duration{2 * time.Second, 2 * time.Second}},
		{name: "429 Retry-After date then 200", steps: []step{retryAfterDate(3 * time.Second), okAvatar},
			wantAttempts: 2, elapsed: [2]time.Duration{3 * time.Second, 3 * time.Second}},
		{name: "429 Retry-After past the cap", steps: []step{jsonReply(429, `{"message":"Too many requests"}`, "Retry-After", "3600")},
			wantErr: []error{api.ErrRateLimited}, temporary: true, wantStatus: 429, wantAttempts: 1, wantInError: "retry after 1h0m0s",
			check: func(t *testing.T, _ any, e *api.Error, _ []seenRequest) {
				if e.RetryAfter != time.Hour {
					t.Errorf("RetryAfter = %v, want 1h", e.RetryAfter)
				}
			}},
		{name: "429 without Retry-After", steps: []step{jsonReply(429, `{"message":"Concurrency limit reached"}`)},
			wantErr: []error{api.ErrRateLimited}, temporary: true, wantStatus: 429, wantAttempts: 4, elapsed: backoff3},
		{name: "400", steps: []step{jsonReply(400, `{"message":["bad"]}`)}, wantErr: []error{api.ErrBadRequest}, wantStatus: 400, wantAttempts: 1},
		{name: "401", steps: []step{jsonReply(401, `{"error":"Invalid API key"}`)}, wantErr: []error{api.ErrUnauthorized}, wantStatus: 401, wantAttempts: 1, wantInError: "check the API key"},
		{name: "403", steps: []step{jsonReply(403, `{"error":"forbidden"}`)}, wantErr: []error{api.ErrUnauthorized}, wantStatus: 403, wantAttempts: 1},
		{name: "404", steps: []step{jsonReply(404, `{"message":"Avatar not found"}`)}, wantErr: []error{api.ErrNotFound}, wantStatus: 404, wantAttempts: 1},
		{name: "422", steps: []step{jsonReply(422, `{"message":"unprocessable"}`)}, wantErr: []error{api.ErrBadRequest}, wantStatus: 422, wantAttempts: 1},
		{name: "401 echoing the key", steps: []step{jsonReply(401, `{"message":"Invalid API key: Bearer `+testKey+`"}`, "X-Request-Id", "id-"+testKey)},
			wantErr: []error{api.ErrUnauthorized}, wantStatus: 401, wantAttempts: 1, wantInError: "Invalid API key: Bearer [redacted]"},
		{name: "connection refused", steps: []step{refuse}, temporary: true, wantAttempts: 4, wantInError: "connection refused", elapsed: backoff3,
			wantErr: []error{syscall.ECONNREFUSED}},
		{name: "connection refused then 200", steps: []step{refuse, okAvatar}, wantAttempts: 2, elapsed: backoff1},
		{name: "connection reset mid-body then 200", steps: []step{resetBody(avatarJSON[:30]), okAvatar}, wantAttempts: 2, elapsed: backoff1},
		{name: "connection reset mid-body", steps: []step{resetBody(avatarJSON[:30])}, wantErr: []error{syscall.ECONNRESET},
			notErr: []error{api.ErrDecode}, temporary: true, wantStatus: 200, wantAttempts: 4, wantInError: "reading the response body", elapsed: backoff3},
		{name: "truncated JSON", steps: []step{jsonReply(200, avatarJSON[:40])}, wantErr: []error{api.ErrDecode}, wantStatus: 200, wantAttempts: 1, wantInError: "not the documented JSON"},
		{name: "malformed JSON", steps: []step{jsonReply(200, `{"id":"x",,}`)}, wantErr: []error{api.ErrDecode}, wantStatus: 200, wantAttempts: 1, wantInError: "not the documented JSON"},
		{name: "HTML error page with 200", steps: []step{reply(200, "text/html", "<html><h1>Oops</h1></html>")}, wantErr: []error{api.ErrDecode}, wantStatus: 200, wantAttempts: 1, wantInError: "text/html"},
		{name: "wrong content type", steps: []step{reply(200, "text/plain", avatarJSON)}, wantErr: []error{api.ErrDecode}, wantStatus: 200, wantAttempts: 1, wantInError: "text/plain"},
		{name: "empty 200 body", steps: []step{jsonReply(200, "")}, wantErr: []error{api.ErrDecode}, wantStatus: 200, wantAttempts: 1, wantInError: "empty"},
		{name: "2xx with null fields", steps: []step{jsonReply(200, nullAvatar)}, wantAttempts: 1,
			check: func(t *testing.T, got any, _ *api.Error, _ []seenRequest) {
				a := got.(*api.Avatar)
				if !a.VideoURL.IsNull() || !a.CreatedByOrganizationID.IsNull() {
					t.Errorf("nulls not decoded as null: %+v", a)
				}
			}},
		{name: "2xx list with null fields", list: true, steps: []step{jsonReply(200, nullPage)}, wantAttempts: 1,
			check: func(t *testing.T, got any, _ *api.Error, _ []seenRequest) {
				p := got.(*api.Page[api.Avatar])
				if len(p.Items) != 1 || !p.Items[0].VideoURL.IsNull() || !p.Meta.Next.IsNull() || !p.Meta.Prev.IsNull() {
					t.Errorf("page = %+v", p)
				}
				if _, more := p.Next(); more {
					t.Error("a null meta.next is not the last page")
				}
			}},
		{name: "huge body", steps: []step{hugeBody(1 << 20)}, opts: []api.Option{api.WithMaxResponseBytes(64 << 10)},
			wantErr: []error{api.ErrTooLarge}, wantStatus: 200, wantAttempts: 1, wantInError: "WithMaxResponseBytes"},
		{name: "slow headers", steps: []step{stallHeaders}, wantErr: []error{context.DeadlineExceeded}, temporary: true, wantAttempts: 4,
			wantInError: "per-attempt timeout", elapsed: [2]time.Duration{4*api.DefaultTimeout + backoff3[0], 4*api.DefaultTimeout + backoff3[1]}},
		{name: "slow headers then 200", steps: []step{stallHeaders, okAvatar}, opts: []api.Option{api.WithTimeout(2 * time.Second)}, wantAttempts: 2,
			elapsed: [2]time.Duration{2*time.Second + 250*time.Millisecond, 2*time.Second + 500*time.Millisecond}},
		{name: "slow body", steps: []step{stallBody(avatarJSON[:20])}, wantErr: []error{context.DeadlineExceeded}, temporary: true, wantStatus: 200,
			wantAttempts: 4, wantInError: "did not end within 30s", elapsed: [2]time.Duration{4*api.DefaultTimeout + backoff3[0], 4*api.DefaultTimeout + backoff3[1]}},
		{name: "redirect to another host", steps: []step{redirectTo("https://elsewhere.test/v1/avatars/00000000-0000-4000-8000-000000000001")},
			wantAttempts: 1, wantInError: "another origin",
			check: func(t *testing.T, _ any, _ *api.Error, seen []seenRequest) {
				for _, r := range seen {
					if r.host != "api.anam.test" {
						t.Errorf("request sent to %s", r.host)
					}
				}
			}},
		{name: "cancellation during backoff", steps: []step{jsonReply(503, `{"message":"busy"}`)}, cancelAfter: 100 * time.Millisecond,
			wantErr: []error{context.Canceled, api.ErrServer}, temporary: true, wantStatus: 503, wantAttempts: 1, wantInError: "while waiting to retry",
			elapsed: [2]time.Duration{100 * time.Millisecond, 100 * time.Millisecond}},
		{name: "deadline before the next attempt", steps: []step{jsonReply(503, `{"message":"busy"}`, "Retry-After", "10")}, deadline: 5 * time.Second,
			wantErr: []error{api.ErrServer}, notErr: []error{context.DeadlineExceeded}, temporary: true, wantStatus: 503, wantAttempts: 1,
			wantInError: "busy", elapsed: [2]time.Duration{0, 0}},
		// Private data in transport errors (issue 13 item 1): the URL a
		// transport error names loses its query, which holds search terms.
		{name: "list: connection refused, with a search term", list: true, steps: []step{refuse}, temporary: true, wantAttempts: 4,
			wantInError: `"https://api.anam.test/v1/avatars": `, elapsed: backoff3, wantErr: []error{syscall.ECONNREFUSED},
			check: func(t *testing.T, _ any, e *api.Error, _ []seenRequest) {
				var ue *url.Error
				if !errors.As(e, &ue) || ue.URL != "https://api.anam.test/v1/avatars" {
					t.Errorf("errors.As(*url.Error) = %v (%v), want the URL without its query", ue, e)
				}
			}},
		{name: "list: redirect to another host, with a search term", list: true, steps: []step{redirectTo("https://elsewhere.test/v1/avatars")},
			wantAttempts: 1, wantInError: "another origin"},
		// The key echoed back in any form (issue 13 item 2): redacted once
		// decoded, whatever carried it.
		{name: "401 echoing the key JSON-escaped (\\/)", key: slashKey, steps: []step{jsonReply(401, `{"message":"Invalid API key: sk\/redteam\/0123456789abcdef"}`)},
			wantErr: []error{api.ErrUnauthorized}, wantStatus: 401, wantAttempts: 1, wantInError: "Invalid API key: [redacted]"},
		{name: "401 echoing the key \\u-escaped", steps: []step{jsonReply(401, `{"message":"Invalid API key: \u0073k-test-0123456789abcdef"}`)},
			wantErr: []error{api.ErrUnauthorized}, wantStatus: 401, wantAttempts: 1, wantInError: "Invalid API key: [redacted]"},
		{name: "401 echoing the key escaped outside the message", steps: []step{jsonReply(401, `{"detail":{"key":"\u0073k\u002dtest-0123456789abcdef"}}`)},
			wantErr: []error{api.ErrUnauthorized}, wantStatus: 401, wantAttempts: 1, wantInError: "[redacted]"},
		{name: "200 with the key in its Content-Type", steps: []step{reply(200, "text/plain; charset="+testKey, avatarJSON)},
			wantErr: []error{api.ErrDecode}, wantStatus: 200, wantAttempts: 1, wantInError: "[redacted]"},
		{name: "redirect to a host named after the key", steps: []step{redirectTo("https://" + testKey + ".evil.test/x")},
			wantAttempts: 1, wantInError: "another origin"},
		{name: "redirect to an unparseable Location holding the key", steps: []step{redirectTo("https://x.test/%zz" + testKey)},
			wantAttempts: 1, wantInError: "Location"},
		// A null where an item must be (issue 13 item 3) is no zero value.
		{name: "list with a null item", list: true, steps: []step{jsonReply(200, `{"data":[`+nullAvatar+`,null],"meta":{"total":2,"lastPage":1,"currentPage":1,"perPage":10,"prev":null,"next":null}}`)},
			wantErr: []error{api.ErrDecode}, wantStatus: 200, wantAttempts: 1, wantInError: "null"},
		{name: "null body for an object result", steps: []step{jsonReply(200, `null`)},
			wantErr: []error{api.ErrDecode}, wantStatus: 200, wantAttempts: 1},
		// A 404 on a list is "nothing found" only as the spec documents it
		// (issue 13 item 4): on page 1, bodiless (as the spec, and Prism,
		// have it) or a JSON error with a message of its own.
		{name: "list: 404 without a body", list: true, steps: []step{reply(404, "", "")}, wantAttempts: 1,
			check: func(t *testing.T, got any, _ *api.Error, _ []seenRequest) {
				if p := got.(*api.Page[api.Avatar]); len(p.Items) != 0 || p.Total() != 0 || p.Number() != 1 {
					t.Errorf("page = %+v", p)
				}
			}},
		{name: "list: 404 No avatars found", list: true, steps: []step{jsonReply(404, `{"statusCode":404,"message":"No avatars found","error":"Not Found"}`)}, wantAttempts: 1},
		{name: "list: 404 not JSON, as JSON", list: true, steps: []step{jsonReply(404, `not json at all`)},
			wantErr: []error{api.ErrNotFound}, wantStatus: 404, wantAttempts: 1},
		{name: "list: 404 {}", list: true, steps: []step{jsonReply(404, `{}`)}, wantErr: []error{api.ErrNotFound}, wantStatus: 404, wantAttempts: 1},
		{name: "list: 404 from a gateway", list: true, steps: []step{jsonReply(404, `{"message":"Not Found"}`)},
			wantErr: []error{api.ErrNotFound}, wantStatus: 404, wantAttempts: 1},
		{name: "list: 404 route miss", list: true, steps: []step{jsonReply(404, `{"message":"Cannot GET /v1/avatars","error":"Not Found"}`)},
			wantErr: []error{api.ErrNotFound}, wantStatus: 404, wantAttempts: 1},
		{name: "list: 404 without a body on page 2", steps: []step{reply(404, "", "")},
			call: func(ctx context.Context, c *api.Client) (any, error) {
				p, err := c.ListAvatars(ctx, &api.ListAvatarsParams{Page: new(2)})
				if p == nil {
					return nil, err
				}
				return p, err
			},
			wantErr: []error{api.ErrNotFound}, wantStatus: 404, wantAttempts: 1},
		// A redirect loop is permanent (issue 13 item 7): one attempt of 10
		// requests, not 4 of them.
		{name: "same-origin redirect loop", steps: []step{redirectTo(fakeBase + "/v1/avatars/00000000-0000-4000-8000-000000000001")},
			wantAttempts: 1, wantRequests: 10, wantInError: "stopped after 10 redirects"},
		// Retry-After out of range (issue 13 item 7): over the cap, not
		// ignored; and over the cap, it fails the call but leaves the
		// client's other requests alone.
		{name: "429 Retry-After overflowing", steps: []step{jsonReply(429, `{"message":"slow down"}`, "Retry-After", "99999999999999999999999")},
			wantErr: []error{api.ErrRateLimited}, temporary: true, wantStatus: 429, wantAttempts: 1, wantInError: "retry after 24h0m0s"},
		{name: "429 Retry-After past the cap leaves the gate open", steps: []step{jsonReply(429, `{"message":"slow down"}`, "Retry-After", "3600"), okAvatar},
			call: func(ctx context.Context, c *api.Client) (any, error) {
				if _, err := c.GetAvatar(ctx, knownID); !errors.Is(err, api.ErrRateLimited) {
					return nil, fmt.Errorf("first call: %w, want ErrRateLimited", err)
				}
				return c.GetAvatar(ctx, knownID)
			},
			wantAttempts: 2, elapsed: [2]time.Duration{0, 0}},
		// A deadline that ends the attempt after a 503 keeps the 503
		// (issue 13 item 7).
		{name: "deadline during the attempt after a 503", steps: []step{jsonReply(503, `{"message":"busy"}`), stallHeaders}, deadline: time.Second,
			wantErr: []error{context.DeadlineExceeded, api.ErrServer}, temporary: true, wantStatus: 503, wantAttempts: 2,
			wantInError: "busy", elapsed: [2]time.Duration{time.Second, time.Second},
			check: func(t *testing.T, _ any, e *api.Error, _ []seenRequest) {
				if e.Message != "busy" || e.RequestID != "req-fault" {
					t.Errorf("Message %q, RequestID %q: the 503's are lost", e.Message, e.RequestID)
				}
			}},
		// 429 by cause (issue 10 item 7): Anam tells them apart by the
		// body's text. A spend cap or usage limit is never retried, and
		// does not hold back the client's other requests.
		{name: "429 concurrent session limit", steps: []step{jsonReply(429, `{"statusCode":429,"message":"Concurrent session limit reached","error":"Too Many Requests"}`)},
			wantErr: []error{api.ErrRateLimited, api.ErrConcurrencyLimit}, notErr: []error{api.ErrSpendCap, api.ErrUsageLimit},
			temporary: true, wantStatus: 429, wantAttempts: 4, elapsed: backoff3},
		{name: "429 spend cap", steps: []step{jsonReply(429, `{"error":"Spend cap reached"}`)},
			wantErr: []error{api.ErrRateLimited, api.ErrSpendCap}, notErr: []error{api.ErrConcurrencyLimit, api.ErrUsageLimit},
			wantStatus: 429, wantAttempts: 1, wantInError: "Spend cap reached"},
		{name: "429 usage limit", steps: []step{jsonReply(429, `{"message":"Too Many Requests","error":"Usage limit reached"}`)},
			wantErr: []error{api.ErrRateLimited, api.ErrUsageLimit}, notErr: []error{api.ErrConcurrencyLimit, api.ErrSpendCap},
			wantStatus: 429, wantAttempts: 1},
		{name: "429 starting a session, other text", steps: []step{jsonReply(429, `{"error":"Please upgrade"}`)},
			call: func(ctx context.Context, c *api.Client) (any, error) {
				// An operation whose spec documents its 429 as a session
				// limit or spend cap starts sessions (as createEngineSession's does).
				startSession := &api.Operation{ID: "startThing", Method: "POST", Path: "/v1/things",
					Statuses: map[int]string{200: "Started", 429: "Concurrent session limit or spend cap reached"}}
				got, err := c.Do(ctx, startSession, api.RawRequest{})
				if got == nil {
					return nil, err
				}
				return got, err
			},
			wantErr: []error{api.ErrRateLimited, api.ErrUsageLimit}, notErr: []error{api.ErrConcurrencyLimit, api.ErrSpendCap},
			wantStatus: 429, wantAttempts: 1},
		{name: "429 rate limit", steps: []step{jsonReply(429, `{"message":"ThrottlerException: Too Many Requests"}`)},
			wantErr: []error{api.ErrRateLimited}, notErr: []error{api.ErrConcurrencyLimit, api.ErrSpendCap, api.ErrUsageLimit},
			temporary: true, wantStatus: 429, wantAttempts: 4, elapsed: backoff3},
		// Issue 18 item 5: redaction comes before any cut, on every text
		// that leaves the SDK, and through the error chain.
		{name: "the key at the cut of a long X-Request-Id", steps: []step{jsonReply(404, `{"message":"Avatar not found"}`, "X-Request-Id", strings.Repeat("r", 110)+testKey)},
			wantErr: []error{api.ErrNotFound}, wantStatus: 404, wantAttempts: 1, wantInError: "[redacted]"},
		{name: "the key at the cut of a long Content-Type", steps: []step{reply(200, "text/plain; x="+strings.Repeat("a", 50)+testKey, avatarJSON)},
			wantErr: []error{api.ErrDecode}, wantStatus: 200, wantAttempts: 1, wantInError: "[redacted]"},
		{name: "the key at the cut of a non-JSON 2xx's excerpt", steps: []step{jsonReply(200, strings.Repeat("x", 20)+testKey+strings.Repeat("y", 40))},
			wantErr: []error{api.ErrDecode}, wantStatus: 200, wantAttempts: 1, wantInError: "[redacted]"},
		{name: "the key in a field that does not decode", steps: []step{jsonReply(200, `{"id":"00000000-0000-4000-8000-000000000001","createdAt":"`+testKey+`"}`)},
			wantErr: []error{api.ErrDecode}, wantStatus: 200, wantAttempts: 1, wantInError: "[redacted]",
			check: func(t *testing.T, _ any, e *api.Error, _ []seenRequest) {
				var pe *time.ParseError
				if errors.As(e, &pe) && (strings.Contains(pe.Error(), testKey) || strings.Contains(pe.Value, testKey)) {
					t.Errorf("errors.As(*time.ParseError) reaches the key: %q", pe.Value)
				}
				for _, text := range chainTexts(e) {
					if strings.Contains(text, testKey[3:15]) {
						t.Errorf("an error of the chain holds the key: %q", text)
					}
				}
			}},
		{name: "the key echoed in a response header, WithResponseInto", steps: []step{jsonReply(200, avatarJSON, "X-Echo", "Bearer "+testKey, "X-Request-Id", "id-"+testKey)},
			wantAttempts: 1,
			call: func(ctx context.Context, c *api.Client) (any, error) {
				var r api.Response
				a, err := c.GetAvatar(ctx, knownID, api.WithResponseInto(&r))
				if err != nil {
					return nil, err
				}
				if got := r.Header.Get("X-Echo") + r.RequestID; strings.Contains(got, testKey) || got != "Bearer [redacted]id-[redacted]" {
					return nil, fmt.Errorf("WithResponseInto: X-Echo and request ID %q", got)
				}
				return a, nil
			}},
		{name: "a key under 8 bytes echoed", key: "k7q2z", steps: []step{jsonReply(401, `{"message":"Invalid API key k7q2z"}`)},
			wantErr: []error{api.ErrUnauthorized}, wantStatus: 401, wantAttempts: 1, wantInError: "Invalid API key [redacted]",
			check: func(t *testing.T, _ any, e *api.Error, _ []seenRequest) {
				if strings.Contains(e.Error(), "k7q2z") {
					t.Errorf("Error() = %q", e.Error())
				}
			}},
		{name: "terminal escapes and bidi controls in a server message", steps: []step{jsonReply(400, `{"message":"bad \u001b]52;c;eA==\u0007 \u202ename\u001b[2J"}`, "X-Request-Id", "id\x1b[31m")},
			wantErr: []error{api.ErrBadRequest}, wantStatus: 400, wantAttempts: 1, wantInError: `bad \x1b]52;c;eA==\x07 \u202ename\x1b[2J`,
			check: func(t *testing.T, _ any, e *api.Error, _ []seenRequest) {
				for _, text := range []string{e.Error(), e.Message, e.Body, e.RequestID} {
					if strings.ContainsAny(text, "\x1b\x07\u202e") {
						t.Errorf("a control character reaches the error: %q", text)
					}
				}
			}},
		// Issue 18 item 7: a header value or content type that would inject
		// a header is refused before anything is sent, never retried.
		{name: "WithHeader with CR LF", steps: []step{okAvatar}, wantAttempts: 0,
			call: func(ctx context.Context, c *api.Client) (any, error) {
				a, err := c.GetAvatar(ctx, knownID, api.WithHeader("X-Trace", "a\r\nInjected: 1"))
				if !errors.Is(err, api.ErrInvalidArgument) || strings.Contains(err.Error(), "Injected") {
					return nil, fmt.Errorf("err = %v, want an ArgumentError that does not repeat the value", err)
				}
				_, err = c.GetAvatar(ctx, knownID, api.WithHeader("X-Bad\r\nName", "v"))
				if !errors.Is(err, api.ErrInvalidArgument) {
					return nil, fmt.Errorf("a header name with CR LF: err = %v", err)
				}
				return a, nil
			}},
		{name: "RawRequest.ContentType with CR LF", steps: []step{okAvatar}, wantAttempts: 0,
			call: func(ctx context.Context, c *api.Client) (any, error) {
				_, err := c.Do(ctx, bodyOp(http.MethodPut), api.RawRequest{PathArgs: []string{"thing-1"}, Body: strings.NewReader(payload), ContentType: "application/json\r\nX-Injected: 1"})
				var ae *api.ArgumentError
				if !errors.As(err, &ae) || ae.Name != "ContentType" {
					return nil, fmt.Errorf("err = %v, want an ArgumentError on ContentType", err)
				}
				return nil, nil
			}},
		// Issue 18, questionable items, as decided.
		{name: "a 2xx HTML page where no result is documented", steps: []step{reply(200, "text/html", "<html>Welcome to the hotel wifi</html>")},
			wantErr: []error{api.ErrDecode}, wantStatus: 200, wantAttempts: 1, wantInError: "text/html",
			call: func(ctx context.Context, c *api.Client) (any, error) {
				got, err := c.Do(ctx, noResultOp, api.RawRequest{PathArgs: []string{"thing-1"}})
				if got == nil {
					return nil, err
				}
				return got, err
			}},
		{name: "a 2xx text body where no result is documented", steps: []step{reply(200, "", "OK")},
			wantErr: []error{api.ErrDecode}, wantStatus: 200, wantAttempts: 1, wantInError: "neither empty nor JSON",
			call: func(ctx context.Context, c *api.Client) (any, error) {
				got, err := c.Do(ctx, noResultOp, api.RawRequest{PathArgs: []string{"thing-1"}})
				if got == nil {
					return nil, err
				}
				return got, err
			}},
		{name: "a 204, or a 200 message, where no result is documented", steps: []step{reply(204, "", ""), jsonReply(200, `{"message":"deleted"}`)}, wantAttempts: 2,
			call: func(ctx context.Context, c *api.Client) (any, error) {
				for range 2 {
					if _, err := c.Do(ctx, noResultOp, api.RawRequest{PathArgs: []string{"thing-1"}}); err != nil {
						return nil, err
					}
				}
				return nil, nil
			}},
		{name: "a negative WithCallTimeout", steps: []step{okAvatar}, wantAttempts: 0,
			call: func(ctx context.Context, c *api.Client) (any, error) {
				_, err := c.GetAvatar(ctx, knownID, api.WithCallTimeout(-time.Second))
				var ae *api.ArgumentError
				if !errors.As(err, &ae) || ae.Name != "WithCallTimeout" {
					return nil, fmt.Errorf("err = %v, want an ArgumentError on WithCallTimeout", err)
				}
				return nil, nil
			}},
		{name: "a body on an operation that documents none", steps: []step{okAvatar}, wantAttempts: 0,
			call: func(ctx context.Context, c *api.Client) (any, error) {
				_, err := c.Do(ctx, noResultOp, api.RawRequest{PathArgs: []string{"thing-1"}, Body: strings.NewReader(payload), ContentType: "application/json"})
				var ae *api.ArgumentError
				if !errors.As(err, &ae) || ae.Name != "body" {
					return nil, fmt.Errorf("err = %v, want an ArgumentError on the body", err)
				}
				return nil, nil
			}},
		{name: "WithQuery overriding a parameter of the spec", list: true, steps: []step{jsonReply(200, nullPage)}, wantAttempts: 1,
			call: func(ctx context.Context, c *api.Client) (any, error) {
				for _, q := range [][2]string{{"perPage", "1000"}, {"page", "-5"}} {
					_, err := c.ListAvatars(ctx, nil, api.WithQuery(q[0], q[1]))
					if !errors.Is(err, api.ErrInvalidArgument) || !strings.Contains(err.Error(), "WithQuery "+q[0]) {
						return nil, fmt.Errorf("WithQuery(%q, %q): err = %v, want an ArgumentError", q[0], q[1], err)
					}
				}
				// A parameter the spec does not document goes as given.
				return c.ListAvatars(ctx, nil, api.WithQuery("experimental", "1"))
			}},
		{name: "429 concurrent session limit on a POST", steps: []step{jsonReply(429, `{"error":"Concurrent session limit reached"}`)},
			wantErr: []error{api.ErrRateLimited, api.ErrConcurrencyLimit}, temporary: true, wantStatus: 429, wantAttempts: 1,
			call: func(ctx context.Context, c *api.Client) (any, error) {
				got, err := c.Do(ctx, bodyOp(http.MethodPost), api.RawRequest{PathArgs: []string{"thing-1"}, Body: strings.NewReader(payload), ContentType: "application/json"})
				if got == nil {
					return nil, err
				}
				return got, err
			}},
		{name: "429 spend cap with Retry-After leaves the gate open", steps: []step{jsonReply(429, `{"error":"Spend cap reached"}`, "Retry-After", "30"), okAvatar},
			call: func(ctx context.Context, c *api.Client) (any, error) {
				if _, err := c.GetAvatar(ctx, knownID); !errors.Is(err, api.ErrSpendCap) {
					return nil, fmt.Errorf("first call: %w, want ErrSpendCap", err)
				}
				return c.GetAvatar(ctx, knownID)
			},
			wantAttempts: 2, elapsed: [2]time.Duration{0, 0}},
	}
}

// noResultOp is an operation that documents no result (a 204, or only a
// message), as a generic tool describes one.
var noResultOp = &api.Operation{ID: "removeThing", Method: http.MethodDelete, Path: "/v1/things/{id}",
	PathParams: []api.Param{{Name: "id", Required: true}}, Result: api.ResultNone}

// chainTexts are the texts of every error err's chain reaches, through
// Unwrap() error and Unwrap() []error.
func chainTexts(err error) []string {
	var out []string
	var walk func(error)
	walk = func(e error) {
		if e == nil {
			return
		}
		out = append(out, e.Error())
		switch u := e.(type) {
		case interface{ Unwrap() error }:
			walk(u.Unwrap())
		case interface{ Unwrap() []error }:
			for _, w := range u.Unwrap() {
				walk(w)
			}
		}
	}
	walk(err)
	return out
}

// TestFaultMatrix asserts the exact outcome of each fault: result, error
// class, attempts and time taken (on synctest's fake clock). It collects
// every error and log line, and checks that none holds the API key.
func TestFaultMatrix(t *testing.T) {
	var (
		mu      sync.Mutex
		outputs []string // every error string and log line
	)
	for _, tc := range faultMatrix() {
		t.Run(tc.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				var logs bytes.Buffer
				logger := slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
				f := newFake(tc.steps...)
				key := testKey
				if tc.key != "" {
					key = tc.key
				}
				c := f.Client(t, append([]api.Option{api.WithLogger(logger), api.WithAPIKey(key)}, tc.opts...)...)
				ctx, cancel := context.WithCancel(t.Context())
				defer cancel()
				if tc.deadline > 0 {
					ctx, cancel = context.WithTimeout(ctx, tc.deadline)
					defer cancel()
				}
				if tc.cancelAfter > 0 {
					stop := time.AfterFunc(tc.cancelAfter, cancel)
					defer stop.Stop()
				}

				start := time.Now()
				var got any
				var err error
				switch {
				case tc.call != nil:
					got, err = tc.call(ctx, c)
				case tc.list:
					got, err = c.ListAvatars(ctx, &api.ListAvatarsParams{Search: new(searchTerm)})
				default:
					got, err = c.GetAvatar(ctx, knownID)
				}
				elapsed := time.Since(start)
				seen := f.requests()

				mu.Lock()
				outputs = append(outputs, logs.String())
				if err != nil {
					outputs = append(outputs, err.Error(), fmt.Sprintf("%+v", err), fmt.Sprintf("%#v", err))
					var ae *api.Error
					if errors.As(err, &ae) {
						outputs = append(outputs, ae.Message, ae.Body, ae.RequestID)
					}
				}
				mu.Unlock()

				wantRequests := tc.wantAttempts
				if tc.wantRequests > 0 {
					wantRequests = tc.wantRequests
				}
				if len(seen) != wantRequests {
					t.Errorf("the server saw %d requests, want %d", len(seen), wantRequests)
				}
				for i, r := range seen {
					if r.auth != "Bearer "+key {
						t.Errorf("request %d: Authorization %q", i+1, r.auth)
					}
				}
				if lines := strings.Count(logs.String(), "\n"); lines != tc.wantAttempts {
					t.Errorf("%d log lines for %d attempts:\n%s", lines, tc.wantAttempts, logs.String())
				}
				if elapsed < tc.elapsed[0] || elapsed > tc.elapsed[1] {
					t.Errorf("took %v, want %v to %v", elapsed, tc.elapsed[0], tc.elapsed[1])
				}

				var ae *api.Error
				if len(tc.wantErr) == 0 && tc.wantInError == "" {
					if err != nil {
						t.Fatalf("err = %v, want success", err)
					}
					if tc.check != nil {
						tc.check(t, got, nil, seen)
					}
					return
				}
				if !errors.As(err, &ae) {
					t.Fatalf("err = %v (%T), want an *api.Error", err, err)
				}
				if v := reflect.ValueOf(got); v.IsValid() && !v.IsNil() {
					t.Errorf("a result came with the error: %+v", got)
				}
				for _, class := range tc.wantErr {
					if !errors.Is(err, class) {
						t.Errorf("errors.Is(err, %v) = false; err = %v", class, err)
					}
				}
				for _, class := range tc.notErr {
					if errors.Is(err, class) {
						t.Errorf("errors.Is(err, %v) = true; err = %v", class, err)
					}
				}
				if ae.Temporary() != tc.temporary {
					t.Errorf("Temporary() = %v; err = %v", ae.Temporary(), err)
				}
				if ae.StatusCode != tc.wantStatus || ae.Attempts != tc.wantAttempts || ae.Operation == "" {
					t.Errorf("StatusCode %d, Attempts %d; want %d, %d; err = %v", ae.StatusCode, ae.Attempts, tc.wantStatus, tc.wantAttempts, err)
				}
				if !strings.Contains(err.Error(), tc.wantInError) {
					t.Errorf("Error() = %q, want it to mention %q", err, tc.wantInError)
				}
				if tc.wantAttempts > 1 && !strings.Contains(err.Error(), fmt.Sprintf("after %d attempts", tc.wantAttempts)) {
					t.Errorf("Error() = %q does not count the attempts", err)
				}
				if tc.check != nil {
					tc.check(t, got, ae, seen)
				}
			})
		})
	}
	all := strings.Join(outputs, "\n")
	if len(outputs) < len(faultMatrix()) {
		t.Fatalf("only %d outputs collected", len(outputs))
	}
	for _, secret := range []string{testKey, testKey[3:15], slashKey, searchTerm} {
		if strings.Contains(all, secret) {
			for line := range strings.Lines(all) {
				if strings.Contains(line, secret) {
					t.Errorf("%q (the API key, or a search term) appears in an error or a log line: %s", secret, line)
				}
			}
		}
	}
	if strings.Contains(strings.ToLower(all), "authorization") || strings.Contains(all, "Bearer sk") {
		t.Errorf("a header appears in an error or a log line:\n%s", all)
	}
}

// TestSlowBodyUnderDoerIgnoringContext: a body whose Read does not watch the
// request's context (as some HttpRequestDoer test doubles and wrappers do)
// is still bounded by the per-attempt timeout: the SDK closes it.
func TestSlowBodyUnderDoerIgnoringContext(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		doer := doerFunc(func(req *http.Request) (*http.Response, error) {
			body := &stallingBody{ctx: context.Background(), prefix: strings.NewReader(avatarJSON[:20]), closed: make(chan struct{})}
			return response(req, 200, http.Header{"Content-Type": {"application/json"}}, body), nil
		})
		c, err := api.NewClient(api.WithAPIKey(testKey), api.WithBaseURL(fakeBase), api.WithDoer(doer),
			api.WithTimeout(time.Second), api.WithMaxRetries(0))
		if err != nil {
			t.Fatal(err)
		}
		start := time.Now()
		_, err = c.GetAvatar(t.Context(), knownID)
		if !errors.Is(err, context.DeadlineExceeded) || time.Since(start) != time.Second {
			t.Errorf("err = %v after %v; want DeadlineExceeded after 1s", err, time.Since(start))
		}
	})
}
