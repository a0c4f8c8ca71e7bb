package api_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/anam-ai/anam-go/api"
	"github.com/anam-ai/anam-go/internal/loopback"
)

// otherServer is a loopback server that answers every request with an
// avatar and notes the Authorization header of each.
func otherServer(t *testing.T) *loopback.Recorder {
	return loopback.NewRecorder(t, loopback.Respond(200, avatarJSON))
}

// authSeen returns the Authorization headers r received.
func authSeen(r *loopback.Recorder) []string {
	var out []string
	for _, req := range r.Requests() {
		out = append(out, req.Header.Get("Authorization"))
	}
	return out
}

// redirector is a loopback server that redirects every request to target
// plus the request's path.
func redirector(t *testing.T, target string) *httptest.Server {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, target+r.URL.Path, http.StatusFound)
	}))
	t.Cleanup(srv.Close)
	return srv
}

// TestAuthorizationNotSentToAnotherHost redirects the SDK from one loopback
// server to another, by another host name and by another port of the same
// host, with every kind of HTTP client the SDK may be given. The other
// server must never see the API key; the SDK refuses to follow at all.
func TestAuthorizationNotSentToAnotherHost(t *testing.T) {
	other := otherServer(t)
	_, port, _ := strings.Cut(other.Listener.Addr().String(), ":")
	targets := map[string]string{
		"another host": "http://localhost:" + port, // the redirector is 127.0.0.1
		"another port": other.URL,                  // 127.0.0.1, another port
	}
	clients := map[string]func() []api.Option{
		"SDK client":          func() []api.Option { return nil },
		"plain http.Client":   func() []api.Option { return []api.Option{api.WithHTTPClient(&http.Client{})} },
		"naive CheckRedirect": func() []api.Option { return []api.Option{api.WithHTTPClient(naiveClient())} },
	}
	for tname, target := range targets {
		for cname, opts := range clients {
			t.Run(tname+"/"+cname, func(t *testing.T) {
				from := redirector(t, target)
				c, err := api.NewClient(append([]api.Option{api.WithAPIKey(testKey), api.WithBaseURL(from.URL)}, opts()...)...)
				if err != nil {
					t.Fatal(err)
				}
				before := len(authSeen(other))
				a, err := c.GetAvatar(context.Background(), knownID)
				var ae *api.Error
				if a != nil || !errors.As(err, &ae) || ae.Attempts != 1 || ae.Temporary() || !strings.Contains(err.Error(), "another origin") {
					t.Fatalf("GetAvatar = %v, %v; want the redirect refused, once", a, err)
				}
				for _, auth := range authSeen(other)[before:] {
					t.Errorf("the other server got a request, with Authorization %q", auth)
				}
				if strings.Contains(err.Error(), testKey) {
					t.Errorf("error leaks the key: %v", err)
				}
			})
		}
	}

	// The control: without the SDK's policy, a redirect to another port of
	// the same host does carry the key. This is what the test guards.
	from := redirector(t, other.URL)
	req, _ := http.NewRequest("GET", from.URL+"/v1/avatars/"+knownID, nil)
	req.Header.Set("Authorization", "Bearer "+testKey)
	hc := &http.Client{Transport: &http.Transport{}}
	defer hc.CloseIdleConnections()
	resp, err := hc.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if got := authSeen(other); len(got) == 0 || got[len(got)-1] != "Bearer "+testKey {
		t.Logf("note: net/http no longer forwards Authorization to another port (saw %q)", got)
	}
}

// naiveClient follows every redirect and copies the Authorization header
// along, as some hand-written clients do.
func naiveClient() *http.Client {
	return &http.Client{CheckRedirect: func(req *http.Request, via []*http.Request) error {
		req.Header.Set("Authorization", via[0].Header.Get("Authorization"))
		return nil
	}}
}

// A redirect within the API's origin is followed, with the key.
func TestSameOriginRedirectIsFollowed(t *testing.T) {
	s := newStub(t, 1)
	s.setOverride(func(w http.ResponseWriter, r *http.Request) bool {
		if r.URL.Path == "/old/v1/avatars/"+knownID {
			http.Redirect(w, r, "/v1/avatars/"+knownID, http.StatusMovedPermanently)
			return true
		}
		return false
	})
	c, err := api.NewClient(api.WithAPIKey(testKey), api.WithBaseURL(s.srv.URL+"/old"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.GetAvatar(context.Background(), knownID); err != nil {
		t.Fatalf("same-origin redirect: %v", err)
	}
	if got := s.last().Header.Get("Authorization"); got != "Bearer "+testKey {
		t.Errorf("Authorization after the redirect = %q", got)
	}
}

// A redirect from https to http on the same host is another origin too.
func TestRedirectToPlainHTTPIsRefused(t *testing.T) {
	f := newFake(redirectTo("http://api.anam.test/v1/avatars/"+knownID), okAvatar)
	_, err := f.Client(t).GetAvatar(context.Background(), knownID)
	if err == nil || !strings.Contains(err.Error(), "another origin") {
		t.Fatalf("err = %v", err)
	}
	if seen := f.requests(); len(seen) != 1 {
		t.Errorf("%d requests, want 1: the http:// one must not be sent", len(seen))
	}
}

// TestPathCannotChange sends path parameters that would climb out of, or
// end, the path segment they fill: none may change the path the request
// goes to. GetAvatar refuses anything but a UUID; api.Get with an operation
// whose parameter has no rule in the spec escapes "/", "?" and "#" and
// refuses "", "." and "..", which URL resolution would otherwise remove.
func TestPathCannotChange(t *testing.T) {
	s := newStub(t, 1)
	var paths []string
	var mu sync.Mutex
	s.setOverride(func(w http.ResponseWriter, r *http.Request) bool {
		mu.Lock()
		paths = append(paths, r.URL.EscapedPath()+"?"+r.URL.RawQuery)
		mu.Unlock()
		writeJSONRaw(w, 200, avatarJSON)
		return true
	})
	c := s.client(t)
	// An operation whose path parameter has no rule in the spec.
	custom := &api.Operation{ID: "getThingWithoutRules", Method: "GET", Path: "/v1/avatars/{thingId}",
		PathParams: []api.Param{{Name: "thingId", Required: true}}, Result: api.ResultObject}

	hostile := []string{"", ".", "..", "a/b", "../../v1/avatars", "a?x=1", "a#frag", "%2e%2e", "a/../../b", "..%2f..%2f", knownID + "/..", "?", "#", "/"}
	for _, id := range hostile {
		if _, err := c.GetAvatar(context.Background(), id); !errors.Is(err, api.ErrInvalidArgument) {
			t.Errorf("GetAvatar(%q) = %v, want ErrInvalidArgument", id, err)
		}
	}
	if len(paths) != 0 {
		t.Fatalf("GetAvatar sent %v", paths)
	}

	for _, id := range hostile {
		mu.Lock()
		paths = nil
		mu.Unlock()
		_, err := c.Do(context.Background(), custom, api.RawRequest{PathArgs: []string{id}})
		switch id {
		case "", ".", "..":
			var arg *api.ArgumentError
			if !errors.As(err, &arg) || arg.Name != "thingId" || len(paths) != 0 {
				t.Errorf("Do(%q) = %v after %v; want it refused before sending", id, err, paths)
			}
			continue
		}
		if err != nil {
			t.Errorf("Do(%q) = %v", id, err)
			continue
		}
		want := "/v1/avatars/" + url.PathEscape(id) + "?"
		if len(paths) != 1 || paths[0] != want {
			t.Errorf("Do(%q) requested %v, want %q", id, paths, want)
		}
	}
}

// TestNoSDKValuePrintsKey prints every SDK value a caller can get hold of,
// with every verb, and looks for the key.
func TestNoSDKValuePrintsKey(t *testing.T) {
	f := newFake(jsonReply(503, `{"message":"busy"}`, "Retry-After", "0"), jsonReply(401, `{"message":"no"}`))
	var infos []api.RetryInfo
	c := f.Client(t, api.WithMaxRetries(1), api.WithRetryPolicy(func(_ context.Context, info api.RetryInfo) (bool, time.Duration) {
		infos = append(infos, info)
		return info.Retry, info.Delay
	}))
	_, err := c.GetAvatar(context.Background(), knownID)
	if err == nil || len(infos) != 1 {
		t.Fatalf("err = %v, %d retry infos", err, len(infos))
	}
	page, _ := newFake(jsonReply(200, `{"data":[],"meta":{"total":0}}`)).Client(t).ListAvatars(context.Background(), nil)
	values := []any{c, *c, err, infos[0], page}
	for _, v := range values {
		for _, verb := range []string{"%v", "%+v", "%#v", "%s"} {
			out := fmt.Sprintf(verb, v)
			if strings.Contains(out, testKey) || strings.Contains(out, testKey[3:15]) {
				t.Errorf("fmt %s of %T prints the key: %s", verb, v, out)
			}
		}
	}
}

// TestNothingPointsRequestsElsewhere: with Client.Gen gone, the one way
// left for a caller to send a request to another origin (a plain-http
// remote host, say) was a request editor rewriting its URL. The SDK
// refuses such a request before sending it; an Operation's Path, a path
// argument, a Host header or a query cannot change the origin.
func TestNothingPointsRequestsElsewhere(t *testing.T) {
	s := newStub(t, 1)
	other := newStub(t, 1)
	otherURL, _ := url.Parse(other.srv.URL)
	for name, edit := range map[string]func(*http.Request){
		"URL":    func(r *http.Request) { r.URL, _ = url.Parse(other.srv.URL + "/v1/avatars/" + knownID) },
		"host":   func(r *http.Request) { r.URL.Host = otherURL.Host },
		"scheme": func(r *http.Request) { r.URL.Scheme = "https" },
	} {
		c := s.client(t, api.WithRequestEditor(func(_ context.Context, r *http.Request) error { edit(r); return nil }))
		_, err := c.GetAvatar(context.Background(), knownID)
		var ae *api.Error
		if !errors.As(err, &ae) || ae.Attempts != 1 || !strings.Contains(err.Error(), "origin") {
			t.Errorf("an editor changing the %s: err = %v, want the request refused", name, err)
		}
	}
	if n := other.requests.Load(); n != 0 {
		t.Errorf("the other server received %d requests", n)
	}

	// What the caller may set through the SDK's own options stays on the
	// base URL's origin.
	c := s.client(t)
	custom := &api.Operation{ID: "custom", Method: "GET", Path: "//127.0.0.2:1/v1/avatars", Result: api.ResultObject}
	_, _ = c.Do(context.Background(), custom, api.RawRequest{})
	_, _ = c.GetAvatar(context.Background(), knownID, api.WithHeader("Host", otherURL.Host), api.WithQuery("x", "@"+otherURL.Host))
	if n := other.requests.Load(); n != 0 || s.requests.Load() != 2 {
		t.Errorf("the other server received %d requests, the base URL's %d of 2", n, s.requests.Load())
	}
}
