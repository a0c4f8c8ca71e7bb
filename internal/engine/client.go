package engine

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"time"
)

// Config is a Client's configuration, as api.NewClient makes it from its
// options: checked there (the key, the base URL), trusted here.
type Config struct {
	APIKey          string        // sent as a Bearer token; New keeps it out of every printable value
	BaseURL         string        // an absolute http(s) URL without a trailing slash
	UserAgent       string        // the whole User-Agent header
	Doer            Doer          // nil: the SDK's own *http.Client
	Timeout         time.Duration // each attempt's bound; 0: none but the context
	MaxBodyBytes    int64         // the largest response body read
	MaxRetries      int           // retries after a failed attempt
	RetryPolicy     RetryPolicy   // nil: the SDK's decisions stand
	Backoff         Backoff       // zero: DefaultBackoff
	Editors         []RequestEditor
	Logger          *slog.Logger // nil: no logging
	LogQuery        bool         // log lines carry the query string (see api.WithLogQuery)
	PageConcurrency int          // page requests a walk keeps in flight (internal/pager)
}

// Client sends the requests of every call of one configured client: the
// state every attempt shares (the connection pool's Doer, the 429 gate,
// the redactor). gen.Client is a Client with the generated methods.
type Client struct {
	base      *url.URL // the parsed base URL, without a trailing slash
	send      *sender
	authorize func(*http.Request)
	baseURL   string
	userAgent string
	timeout   time.Duration
	cfg       Config
	gate      *gate // the client-wide 429 Retry-After gate
	// bodyHonoursContext is true when the doer is an *http.Client on
	// net/http's own transport, whose response bodies stop reading when
	// the request's context ends.
	bodyHonoursContext bool
	red                *redactor // removes the API key from what goes into errors and logs
}

// RequestEditor changes a request before it is sent; an error stops the
// call, which is not retried.
type RequestEditor func(ctx context.Context, req *http.Request) error

// New returns a Client configured by cfg, which api.NewClient has checked.
func New(cfg Config) (*Client, error) {
	base, err := url.Parse(cfg.BaseURL)
	if err != nil {
		return nil, fmt.Errorf("base URL: %w", err)
	}
	if cfg.Doer == nil {
		cfg.Doer = newHTTPClient()
	}
	if cfg.Backoff == (Backoff{}) {
		cfg.Backoff = DefaultBackoff
	}
	key := cfg.APIKey
	c := &Client{
		base:      base,
		send:      &sender{next: cfg.Doer},
		baseURL:   cfg.BaseURL,
		userAgent: cfg.UserAgent,
		timeout:   cfg.Timeout,
		cfg:       cfg,
		gate:      new(gate),
		red:       newRedactor(key),
	}
	if hc, ok := cfg.Doer.(*http.Client); ok {
		switch hc.Transport.(type) {
		case nil, *http.Transport:
			c.bodyHonoursContext = true
		}
	}

	// The key lives only in this closure and in c.red, which prints as
	// "[redacted]": no way of printing an SDK value can show it.
	c.cfg.APIKey = ""
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

// newRequest builds the HTTP request of one attempt. progress, when not
// nil, is called as the body is read (see stallContext).
func (c *Client) newRequest(ctx context.Context, o *outgoing, first bool, progress func()) (*http.Request, error) {
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
	if len(c.cfg.Editors) > 0 {
		u := *o.url // an editor may change it in place: not the next attempt's
		req.URL = &u
	}
	if len(o.cfg.Header) > 0 {
		req.Header = o.cfg.Header.Clone()
	}
	c.authorize(req)
	if o.cfg.SessionToken != nil {
		req.Header["Authorization"] = []string{"Bearer " + *o.cfg.SessionToken}
	}
	if body != nil {
		// The transport closes req.Body: never the caller's reader itself
		// (an attemptBody over it, or a reader of the SDK's own).
		switch b := body.(type) {
		case *attemptBody:
			b.progress = progress
			req.Body = b
		default:
			req.Body = io.NopCloser(body)
		}
		req.ContentLength = length
		if length == 0 {
			closeBody(req.Body)
			req.Body = http.NoBody // not "unknown length"
		}
		req.Header["Content-Type"] = []string{contentType}
		if b, ok := o.body.(*bytesBody); ok { // lets net/http replay it on a 307/308
			req.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(b.data)), nil }
		}
	}
	for _, edit := range c.cfg.Editors {
		if err := edit(ctx, req); err != nil {
			closeBody(req.Body)
			return nil, fmt.Errorf("request editor: %w", err)
		}
	}
	if len(c.cfg.Editors) > 0 && (req.URL == nil || !sameOrigin(req.URL, o.url)) {
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
	if d, ok := c.cfg.Doer.(interface{ CloseIdleConnections() }); ok {
		d.CloseIdleConnections()
	}
}

// BaseURL returns the base URL requests are sent to.
func (c *Client) BaseURL() string { return c.baseURL }

// PageConcurrency returns how many page requests a walk keeps in flight.
func (c *Client) PageConcurrency() int { return c.cfg.PageConcurrency }

// String describes the client without its API key.
func (c *Client) String() string {
	return fmt.Sprintf("api.Client{BaseURL: %q, APIKey: [redacted], UserAgent: %q, Timeout: %v, MaxRetries: %d}", c.baseURL, c.userAgent, c.timeout, c.cfg.MaxRetries)
}
