package api

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
	"regexp"
	"strings"
	"time"
)

// Version is the SDK's version, sent in the default User-Agent.
const Version = "0.1.0"

// DefaultBaseURL is the server named in the Anam OpenAPI document.
const DefaultBaseURL = "https://api.anam.ai"

// DefaultTimeout bounds each attempt of a request, from sending it to
// reading the last byte of its response, unless WithTimeout says otherwise.
// It is per attempt: a call that is retried (see WithMaxRetries) may take
// longer in all, and only the caller's context bounds the whole call.
const DefaultTimeout = 30 * time.Second

// Environment variables read by NewClient when the matching option is absent.
const (
	EnvAPIKey  = "ANAM_API_KEY"
	EnvBaseURL = "ANAM_BASE_URL"
)

// Client calls the Anam API. Create one with NewClient and share it: it is
// safe for concurrent use, and reusing it reuses connections.
type Client struct {
	base      *url.URL // the parsed base URL, without a trailing slash
	send      *sender
	authorize func(*http.Request)
	baseURL   string
	userAgent string
	timeout   time.Duration
	cfg       config
	gate      *gate // the client-wide 429 Retry-After gate
	// bodyHonoursContext is true when the doer is an *http.Client on
	// net/http's own transport, whose response bodies stop reading when
	// the request's context ends.
	bodyHonoursContext bool
	red                *redactor // removes the API key from what goes into errors and logs
}

// Option configures a Client in NewClient.
type Option func(*config) error

type config struct {
	apiKey       *string
	baseURL      *string
	doer         Doer
	uaSuffix     string
	timeout      time.Duration
	editors      []RequestEditor
	insecureHTTP bool
	maxBodyBytes int64
	maxRetries   int
	retryPolicy  RetryPolicy
	backoff      backoff
	logger       *slog.Logger

	pageConcurrency int // see WithPageConcurrency; 0 means DefaultPageConcurrency
}

// WithAPIKey sets the API key sent as a Bearer token. It takes precedence
// over the ANAM_API_KEY environment variable.
func WithAPIKey(key string) Option {
	return func(c *config) error {
		c.apiKey = &key
		return nil
	}
}

// WithBaseURL sets the API's base URL, e.g. "https://api.anam.ai". It takes
// precedence over the ANAM_BASE_URL environment variable. Plain http:// is
// refused unless the host is loopback or WithInsecureHTTP is given.
func WithBaseURL(u string) Option {
	return func(c *config) error {
		c.baseURL = &u
		return nil
	}
}

// WithHTTPClient sets the *http.Client used to send requests. The default is
// a client of the SDK's own with a private connection pool. The SDK uses a
// copy of hc, sharing its Transport, whose CheckRedirect refuses a redirect
// to another origin (scheme, host or port) before hc's own is consulted, so
// that the API key is never sent to another server. hc.Timeout, if set,
// bounds each attempt, as WithTimeout does.
func WithHTTPClient(hc *http.Client) Option {
	return func(c *config) error {
		if hc == nil {
			return errors.New("WithHTTPClient: nil *http.Client")
		}
		c.doer = guardRedirects(hc)
		return nil
	}
}

// WithDoer sets anything with the Do method of *http.Client as the sender of
// requests, e.g. a test double or an instrumented client. Unlike with
// WithHTTPClient, the SDK cannot see how d follows redirects: if it does,
// it must not send the Authorization header to another host. d should
// honour the request's context, which carries the per-attempt timeout and
// the caller's cancellation (a response body that stalls is closed by the
// SDK either way).
func WithDoer(d Doer) Option {
	return func(c *config) error {
		if d == nil {
			return errors.New("WithDoer: nil Doer")
		}
		c.doer = d
		return nil
	}
}

// WithUserAgent appends suffix (e.g. "myapp/1.2") to the SDK's User-Agent.
// A suffix with a control character (a line break, say), which no HTTP
// header may hold, is refused.
func WithUserAgent(suffix string) Option {
	return func(c *config) error {
		suffix = strings.TrimSpace(suffix)
		if hasControl(suffix) {
			return errors.New("WithUserAgent: the suffix contains a control character (such as a line break), which no HTTP header may hold")
		}
		c.uaSuffix = suffix
		return nil
	}
}

// hasControl reports whether s holds an ASCII control character (DEL
// included), which net/http refuses in a header value.
func hasControl(s string) bool {
	for i := range len(s) {
		if s[i] < 0x20 || s[i] == 0x7f {
			return true
		}
	}
	return false
}

// WithTimeout sets the timeout of each attempt of a request, from sending it
// to reading the last byte of its response (DefaultTimeout when not given).
// A server that stalls before or in the middle of its response is bounded by
// it; an attempt that times out is retried like a broken connection. Zero or
// a negative value disables it, leaving only the caller's context, which
// bounds the whole call, retries and waits included: a deadline on it that
// is earlier still wins.
func WithTimeout(d time.Duration) Option {
	return func(c *config) error {
		c.timeout = d
		return nil
	}
}

// RequestEditor changes a request before it is sent; an error stops the
// call, which is not retried.
type RequestEditor func(ctx context.Context, req *http.Request) error

// WithRequestEditor adds a function that may change every request before it
// is sent, after the SDK has set its own headers. It runs once per attempt,
// on a new request each time. It may not send the request elsewhere: a
// request whose scheme, host or port it changed is refused unsent, as the
// API key goes to the base URL's origin only.
func WithRequestEditor(fn RequestEditor) Option {
	return func(c *config) error {
		if fn == nil {
			return errors.New("WithRequestEditor: nil function")
		}
		c.editors = append(c.editors, fn)
		return nil
	}
}

// WithInsecureHTTP allows a plain http:// base URL on a non-loopback host.
// The API key then travels unencrypted: use it only on a network you trust.
func WithInsecureHTTP() Option {
	return func(c *config) error {
		c.insecureHTTP = true
		return nil
	}
}

// WithMaxResponseBytes bounds the size of a response body the client reads
// (DefaultMaxResponseBytes when not given). A larger body is an error
// (ErrTooLarge), not an out-of-memory: one whose Content-Length is over
// the limit is refused before any of it is read, and one of unknown length
// is read no further than the limit, in about that much memory.
func WithMaxResponseBytes(n int64) Option {
	return func(c *config) error {
		if n <= 0 {
			return fmt.Errorf("WithMaxResponseBytes: %d is not a positive size", n)
		}
		c.maxBodyBytes = n
		return nil
	}
}

// DefaultMaxResponseBytes is the default bound on a response body: 32 MiB,
// far above the largest page of 100 items the API sends.
const DefaultMaxResponseBytes = 32 << 20

// NewClient returns a client configured by opts. The API key comes from
// WithAPIKey or else the ANAM_API_KEY environment variable; the base URL
// from WithBaseURL, else ANAM_BASE_URL, else DefaultBaseURL. The environment
// is read here only, never later.
func NewClient(opts ...Option) (*Client, error) {
	cfg := config{timeout: DefaultTimeout, maxBodyBytes: DefaultMaxResponseBytes, maxRetries: DefaultMaxRetries, backoff: defaultBackoff}
	for _, opt := range opts {
		if opt == nil {
			continue
		}
		if err := opt(&cfg); err != nil {
			return nil, &ConfigError{Reason: err.Error()}
		}
	}

	key := os.Getenv(EnvAPIKey)
	if cfg.apiKey != nil {
		key = *cfg.apiKey
	}
	key = strings.TrimSpace(key)
	if key == "" {
		return nil, &ConfigError{Reason: "no API key: pass api.WithAPIKey(key) or set " + EnvAPIKey +
			" (create a key in the Anam Lab under API keys)"}
	}
	if strings.ContainsAny(key, "\r\n\t ") {
		return nil, &ConfigError{Reason: "the API key contains white space or a line break: check how it was copied"}
	}
	if hasControl(key) {
		return nil, &ConfigError{Reason: "the API key contains a control character, which no HTTP header may hold: check how it was copied"}
	}

	base := os.Getenv(EnvBaseURL)
	source := EnvBaseURL
	if cfg.baseURL != nil {
		base, source = *cfg.baseURL, "WithBaseURL"
	}
	if base == "" {
		base, source = DefaultBaseURL, "DefaultBaseURL"
	}
	base, err := checkBaseURL(base, cfg.insecureHTTP)
	if err != nil {
		return nil, &ConfigError{Reason: fmt.Sprintf("base URL from %s: %v", source, err)}
	}

	if cfg.doer == nil {
		cfg.doer = newHTTPClient()
	}
	c := &Client{
		baseURL: base,
		timeout: cfg.timeout,
		cfg:     cfg,
		gate:    new(gate),
		red:     &redactor{key: key},
	}
	if hc, ok := cfg.doer.(*http.Client); ok {
		switch hc.Transport.(type) {
		case nil, *http.Transport:
			c.bodyHonoursContext = true
		}
	}
	c.userAgent = "anam-go/" + Version
	if cfg.uaSuffix != "" {
		c.userAgent += " " + cfg.uaSuffix
	}

	c.base, _ = url.Parse(base) // checkBaseURL parsed it already
	c.send = &sender{next: cfg.doer}

	// The key lives only in this closure and in c.red, which prints as
	// "[redacted]": no way of printing an SDK value can show it.
	c.cfg.apiKey = nil
	bearer := []string{"Bearer " + key}
	ua := []string{c.userAgent}
	accept := []string{"application/json"}
	c.authorize = func(req *http.Request) {
		// Direct map writes of shared, never-modified slices: the
		// canonical keys need no canonicalising, and this runs per attempt.
		req.Header["Authorization"] = bearer
		req.Header["User-Agent"] = ua
		req.Header["Accept"] = accept
	}
	return c, nil
}

// newRequest builds the HTTP request of one attempt.
func (c *Client) newRequest(ctx context.Context, o *outgoing, first bool) (*http.Request, error) {
	var body io.Reader
	var contentType string
	length := int64(0)
	if o.body != nil {
		var err error
		if body, contentType, length, err = o.body.open(first); err != nil {
			return nil, err
		}
	}
	req, err := http.NewRequestWithContext(ctx, o.method, "", nil)
	if err != nil {
		closeBody(body)
		return nil, err
	}
	req.URL, req.Host = o.url, o.url.Host
	if len(c.cfg.editors) > 0 {
		u := *o.url // an editor may change it in place: not the next attempt's
		req.URL = &u
	}
	if len(o.cfg.header) > 0 {
		req.Header = o.cfg.header.Clone()
	}
	c.authorize(req)
	if body != nil {
		rc, ok := body.(io.ReadCloser)
		if !ok {
			rc = io.NopCloser(body)
		}
		req.Body, req.ContentLength = rc, length
		req.Header["Content-Type"] = []string{contentType}
		if b, ok := o.body.(*bytesBody); ok { // lets net/http replay it on a 307/308
			req.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(b.data)), nil }
		}
	}
	for _, edit := range c.cfg.editors {
		if err := edit(ctx, req); err != nil {
			closeBody(req.Body)
			return nil, fmt.Errorf("request editor: %w", err)
		}
	}
	if len(c.cfg.editors) > 0 && (req.URL == nil || !sameOrigin(req.URL, o.url)) {
		closeBody(req.Body)
		return nil, fmt.Errorf("a request editor changed the request's origin from %s: the SDK sends the API key to the base URL's origin only", origin(o.url))
	}
	return req, nil
}

func closeBody(r io.Reader) {
	if c, ok := r.(io.Closer); ok {
		c.Close()
	}
}

// CloseIdleConnections closes the connections the client keeps open for
// reuse that no request is using now, as http.Client's method of that name
// does; a request under way keeps its own. Later calls open new ones as
// needed. It calls the CloseIdleConnections method of the client's Doer
// (the *http.Client of WithHTTPClient, whose Transport it is, or the SDK's
// own), and does nothing for a WithDoer Doer without one.
func (c *Client) CloseIdleConnections() {
	if d, ok := c.cfg.doer.(interface{ CloseIdleConnections() }); ok {
		d.CloseIdleConnections()
	}
}

// BaseURL returns the base URL requests are sent to.
func (c *Client) BaseURL() string { return c.baseURL }

// String describes the client without its API key.
func (c Client) String() string {
	return fmt.Sprintf("api.Client{BaseURL: %q, APIKey: [redacted], UserAgent: %q, Timeout: %v, MaxRetries: %d}", c.baseURL, c.userAgent, c.timeout, c.cfg.maxRetries)
}

// GoString is String, so that %#v does not print the API key either.
func (c Client) GoString() string { return c.String() }

// Format implements fmt.Formatter so that every verb, %+v included, prints
// String and never the fields.
func (c Client) Format(f fmt.State, verb rune) { _, _ = f.Write([]byte(c.String())) }

// checkBaseURL checks a base URL and returns it normalised. Its errors
// never repeat the URL's userinfo, query or fragment, which may hold a
// password or a key: they show scheme://host/path at most.
func checkBaseURL(raw string, insecure bool) (string, error) {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil {
		// url.Parse's errors quote the URL, or the part of it that is
		// wrong (a port, an escape): keep only what they say is wrong.
		why := "it does not parse"
		var ue *url.Error
		if errors.As(err, &ue) {
			why = strings.TrimSpace(quoted.ReplaceAllString(ue.Err.Error(), ""))
		}
		return "", fmt.Errorf("the value is not a URL (%s), e.g. %s", why, DefaultBaseURL)
	}
	shown := (&url.URL{Scheme: u.Scheme, Host: u.Host, Path: u.Path, RawPath: u.RawPath}).String()
	if u.Scheme != "https" && u.Scheme != "http" {
		return "", fmt.Errorf("%q: the scheme must be https (or http for a local server), e.g. %s", shown, DefaultBaseURL)
	}
	if u.Host == "" {
		return "", fmt.Errorf("%q has no host, e.g. %s", shown, DefaultBaseURL)
	}
	if u.User != nil {
		return "", fmt.Errorf("%s://%s...: credentials in the URL are not supported; use WithAPIKey", u.Scheme, u.Host)
	}
	if u.RawQuery != "" || u.ForceQuery || u.Fragment != "" {
		return "", fmt.Errorf("%q + a query or fragment (not shown): a base URL has no query or fragment", shown)
	}
	if u.Scheme == "http" && !insecure && !isLoopback(u.Hostname()) {
		return "", fmt.Errorf("%q uses plain http to a non-loopback host, which would send the API key unencrypted: use https, or WithInsecureHTTP() if you really mean it", shown)
	}
	u.Path = strings.TrimRight(u.Path, "/")
	return u.String(), nil
}

// quoted matches a quoted part of an error message, with the space before.
var quoted = regexp.MustCompile(`\s*"[^"]*"`)

func isLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
