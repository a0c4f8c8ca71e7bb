package api_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/anam-ai/anam-go/api"
	"github.com/anam-ai/anam-go/spec"
)

func TestRequestCarriesAuthAndUserAgent(t *testing.T) {
	s := newStub(t, 1)
	c := s.client(t, api.WithUserAgent("myapp/1.2"))
	if _, err := c.GetAvatar(context.Background(), "00000000-0000-4000-8000-000000000001"); err != nil {
		t.Fatal(err)
	}
	r := s.last()
	if got := r.Header.Get("Authorization"); got != "Bearer "+testKey {
		t.Errorf("Authorization = %q", got)
	}
	if got, want := r.Header.Get("User-Agent"), "anam-go/"+api.Version+" myapp/1.2"; got != want {
		t.Errorf("User-Agent = %q, want %q", got, want)
	}
	if got := r.Header.Get("Accept"); got != "application/json" {
		t.Errorf("Accept = %q", got)
	}
}

func TestRequestEditorRunsOnEveryRequest(t *testing.T) {
	s := newStub(t, 25)
	var n atomic.Int64
	c := s.client(t, api.WithRequestEditor(func(_ context.Context, r *http.Request) error {
		n.Add(1)
		r.Header.Set("X-Trace", "abc")
		return nil
	}))
	if _, err := c.ListAllAvatars(context.Background(), nil); err != nil {
		t.Fatal(err)
	}
	if n.Load() != 3 || s.last().Header.Get("X-Trace") != "abc" {
		t.Errorf("editor ran %d times (want 3), X-Trace=%q", n.Load(), s.last().Header.Get("X-Trace"))
	}
}

func TestEnvironmentConfiguresClient(t *testing.T) {
	s := newStub(t, 1)
	t.Setenv(api.EnvAPIKey, testKey)
	t.Setenv(api.EnvBaseURL, s.srv.URL)
	c, err := api.NewClient()
	if err != nil {
		t.Fatal(err)
	}
	if c.BaseURL() != s.srv.URL {
		t.Errorf("BaseURL = %q, want %q", c.BaseURL(), s.srv.URL)
	}
	if _, err := c.ListAvatars(context.Background(), nil); err != nil {
		t.Fatalf("env-configured client failed: %v", err)
	}
}

func TestOptionsBeatEnvironment(t *testing.T) {
	s := newStub(t, 1)
	t.Setenv(api.EnvAPIKey, "env-key-wrong")
	t.Setenv(api.EnvBaseURL, "http://127.0.0.1:1") // nothing listens there
	c := s.client(t)                               // options: the stub's URL and the right key
	if c.BaseURL() != s.srv.URL {
		t.Errorf("BaseURL = %q, want the option's %q", c.BaseURL(), s.srv.URL)
	}
	if _, err := c.ListAvatars(context.Background(), nil); err != nil {
		t.Fatalf("option-configured client failed: %v", err)
	}
	if got := s.last().Header.Get("Authorization"); got != "Bearer "+testKey {
		t.Errorf("Authorization = %q: the env key won over the option", got)
	}
}

func TestEnvironmentReadAtConstructionOnly(t *testing.T) {
	s := newStub(t, 1)
	t.Setenv(api.EnvAPIKey, testKey)
	t.Setenv(api.EnvBaseURL, s.srv.URL)
	c, err := api.NewClient()
	if err != nil {
		t.Fatal(err)
	}
	t.Setenv(api.EnvAPIKey, "changed-later")
	t.Setenv(api.EnvBaseURL, "http://127.0.0.1:1")
	if _, err := c.ListAvatars(context.Background(), nil); err != nil {
		t.Fatalf("client changed with the environment: %v", err)
	}
	if got := s.last().Header.Get("Authorization"); got != "Bearer "+testKey {
		t.Errorf("Authorization = %q", got)
	}
}

func TestDefaultBaseURLIsTheSpecServer(t *testing.T) {
	var doc struct {
		Servers []struct{ URL string }
	}
	if err := json.Unmarshal(spec.JSON, &doc); err != nil || len(doc.Servers) == 0 {
		t.Fatalf("spec servers: %v %v", doc.Servers, err)
	}
	if api.DefaultBaseURL != doc.Servers[0].URL {
		t.Fatalf("DefaultBaseURL %q, the spec's server is %q", api.DefaultBaseURL, doc.Servers[0].URL)
	}
	t.Setenv(api.EnvBaseURL, "")
	c, err := api.NewClient(api.WithAPIKey("k"))
	if err != nil {
		t.Fatal(err)
	}
	if c.BaseURL() != "https://api.anam.ai" {
		t.Errorf("BaseURL = %q", c.BaseURL())
	}
}

func TestNewClientRefusesBadConfiguration(t *testing.T) {
	t.Setenv(api.EnvAPIKey, "")
	t.Setenv(api.EnvBaseURL, "")
	cases := []struct {
		name string
		opts []api.Option
		want string
	}{
		{"no key", nil, "ANAM_API_KEY"},
		{"blank key", []api.Option{api.WithAPIKey("   ")}, "WithAPIKey"},
		{"key with newline", []api.Option{api.WithAPIKey("abc\ndef")}, "line break"},
		{"not a URL", []api.Option{api.WithAPIKey("k"), api.WithBaseURL("://nope")}, "not a URL"},
		{"no scheme", []api.Option{api.WithAPIKey("k"), api.WithBaseURL("api.anam.ai")}, "scheme"},
		{"ftp", []api.Option{api.WithAPIKey("k"), api.WithBaseURL("ftp://api.anam.ai")}, "scheme"},
		{"no host", []api.Option{api.WithAPIKey("k"), api.WithBaseURL("https://")}, "no host"},
		{"query", []api.Option{api.WithAPIKey("k"), api.WithBaseURL("https://api.anam.ai/?x=1")}, "no query"},
		{"credentials", []api.Option{api.WithAPIKey("k"), api.WithBaseURL("https://u:p@api.anam.ai")}, "credentials"},
		{"plain http remote", []api.Option{api.WithAPIKey("k"), api.WithBaseURL("http://api.anam.ai")}, "WithInsecureHTTP"},
		{"nil http client", []api.Option{api.WithAPIKey("k"), api.WithHTTPClient(nil)}, "nil"},
		{"bad body limit", []api.Option{api.WithAPIKey("k"), api.WithMaxResponseBytes(0)}, "positive"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c, err := api.NewClient(tc.opts...)
			var ce *api.ConfigError
			if !errors.As(err, &ce) {
				t.Fatalf("NewClient = %v, %v; want a *ConfigError", c, err)
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %q does not mention %q", err, tc.want)
			}
			if strings.Contains(err.Error(), "u:p") {
				t.Errorf("error %q repeats URL credentials", err)
			}
		})
	}
}

func TestBaseURLFromEnvironmentIsChecked(t *testing.T) {
	t.Setenv(api.EnvBaseURL, "http://example.com")
	_, err := api.NewClient(api.WithAPIKey("k"))
	if err == nil || !strings.Contains(err.Error(), api.EnvBaseURL) {
		t.Fatalf("err = %v, want it to name %s", err, api.EnvBaseURL)
	}
}

func TestInsecureHTTPOptIn(t *testing.T) {
	c, err := api.NewClient(api.WithAPIKey("k"), api.WithBaseURL("http://anam.internal:8080/"), api.WithInsecureHTTP())
	if err != nil {
		t.Fatal(err)
	}
	if c.BaseURL() != "http://anam.internal:8080" {
		t.Errorf("BaseURL = %q (trailing slash kept?)", c.BaseURL())
	}
	for _, u := range []string{"http://localhost:1234", "http://127.0.0.1:9", "http://[::1]:9"} {
		if _, err := api.NewClient(api.WithAPIKey("k"), api.WithBaseURL(u)); err != nil {
			t.Errorf("loopback %s refused: %v", u, err)
		}
	}
}

func TestClientNeverPrintsKey(t *testing.T) {
	c, err := api.NewClient(api.WithAPIKey(testKey), api.WithBaseURL("https://api.anam.ai"))
	if err != nil {
		t.Fatal(err)
	}
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q"} {
		for _, v := range []any{c, *c} {
			out := fmt.Sprintf(verb, v)
			if strings.Contains(out, testKey) || strings.Contains(out, testKey[3:12]) {
				t.Errorf("fmt %s of %T prints the key: %s", verb, v, out)
			}
		}
	}
}

func TestTimeoutOption(t *testing.T) {
	s := newStub(t, 1)
	release := make(chan struct{})
	t.Cleanup(func() { close(release) })
	s.setOverride(func(w http.ResponseWriter, r *http.Request) bool {
		select {
		case <-release:
		case <-r.Context().Done():
		}
		return true
	})
	c := s.client(t, api.WithTimeout(50*time.Millisecond), api.WithMaxRetries(1))
	_, err := c.GetAvatar(context.Background(), "00000000-0000-4000-8000-000000000001")
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err = %v, want DeadlineExceeded", err)
	}
	var ae *api.Error
	if !errors.As(err, &ae) || ae.StatusCode != 0 || ae.Operation != "getAvatar" || ae.Attempts != 2 || !ae.Temporary() {
		t.Fatalf("err = %#v", err)
	}
	if !strings.Contains(err.Error(), "per-attempt timeout") || !strings.Contains(err.Error(), "WithTimeout") {
		t.Errorf("Error() = %q does not say which timeout expired", err)
	}
}

// WithHTTPClient uses the caller's client (its transport) but does not
// change it.
func TestWithHTTPClientLeavesTheClientAlone(t *testing.T) {
	s := newStub(t, 1)
	var used bool
	hc := &http.Client{Transport: roundTripFunc(func(r *http.Request) (*http.Response, error) {
		used = true
		return http.DefaultTransport.RoundTrip(r)
	})}
	c := s.client(t, api.WithHTTPClient(hc))
	if _, err := c.GetAvatar(context.Background(), "00000000-0000-4000-8000-000000000001"); err != nil {
		t.Fatal(err)
	}
	if !used || hc.CheckRedirect != nil {
		t.Errorf("transport used: %v; CheckRedirect changed: %v", used, hc.CheckRedirect != nil)
	}
	http.DefaultTransport.(*http.Transport).CloseIdleConnections()
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

func TestClientString(t *testing.T) {
	c, err := api.NewClient(api.WithAPIKey(testKey), api.WithMaxRetries(2), api.WithTimeout(time.Second))
	if err != nil {
		t.Fatal(err)
	}
	if got := c.String(); !strings.Contains(got, "MaxRetries: 2") || !strings.Contains(got, "Timeout: 1s") || strings.Contains(got, testKey) {
		t.Errorf("String() = %s", got)
	}
}

// TestNewClientRefusesUnsafeConfiguration: what would make every request
// fail without reaching the server (a header value with a control
// character) is refused at once, and no ConfigError repeats a secret: the
// key, or a password, query or fragment of a base URL.
func TestNewClientRefusesUnsafeConfiguration(t *testing.T) {
	t.Setenv(api.EnvAPIKey, "")
	t.Setenv(api.EnvBaseURL, "")
	const secret = "hunter2secret"
	cases := []struct {
		name string
		opts []api.Option
		want string
	}{
		{"user agent with CR LF", []api.Option{api.WithAPIKey(testKey), api.WithUserAgent("app/1\r\nX-Evil: " + secret)}, "WithUserAgent"},
		{"user agent with NUL", []api.Option{api.WithAPIKey(testKey), api.WithUserAgent("app/1\x00")}, "control character"},
		{"key with NUL", []api.Option{api.WithAPIKey("sk-" + secret + "\x00x")}, "control character"},
		{"key with ESC", []api.Option{api.WithAPIKey("sk-" + secret + "\x1b[2J")}, "control character"},
		{"key with DEL", []api.Option{api.WithAPIKey("sk-" + secret + "\x7f")}, "control character"},
		{"query with a key", []api.Option{api.WithAPIKey(testKey), api.WithBaseURL("https://api.anam.ai/?api_key=" + secret)}, "no query"},
		{"fragment", []api.Option{api.WithAPIKey(testKey), api.WithBaseURL("https://api.anam.ai/#" + secret)}, "no query or fragment"},
		{"password", []api.Option{api.WithAPIKey(testKey), api.WithBaseURL("https://u:" + secret + "@api.anam.ai")}, "credentials"},
		{"password and bad scheme", []api.Option{api.WithAPIKey(testKey), api.WithBaseURL("ftp://u:" + secret + "@api.anam.ai")}, "scheme"},
		{"password on plain http", []api.Option{api.WithAPIKey(testKey), api.WithBaseURL("http://u:" + secret + "@api.anam.ai")}, "credentials"},
		{"query on plain http", []api.Option{api.WithAPIKey(testKey), api.WithBaseURL("http://api.anam.ai/?k=" + secret)}, "api.anam.ai"},
		{"unparseable, secret as port", []api.Option{api.WithAPIKey(testKey), api.WithBaseURL("https://api.anam.ai:" + secret + "/")}, "not a URL"},
		{"unparseable, secret in query", []api.Option{api.WithAPIKey(testKey), api.WithBaseURL("https://api.anam.ai/%zz?k=" + secret)}, "not a URL"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c, err := api.NewClient(tc.opts...)
			var ce *api.ConfigError
			if !errors.As(err, &ce) {
				t.Fatalf("NewClient = %v, %v; want a *ConfigError", c, err)
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %q does not mention %q", err, tc.want)
			}
			if strings.Contains(err.Error(), secret) || strings.Contains(err.Error(), testKey) {
				t.Errorf("error %q repeats a secret", err)
			}
		})
	}
}
