package engine

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// Request is one call of an operation, as a generated method, Do or the
// page walker makes it.
type Request struct {
	Op        *Operation
	Params    any        // a generated Params struct (pointer), or nil
	Query     url.Values // Do's query values, checked against Op.Query
	Body      any        // a JSON value, a Form struct (multipart), or nil
	Multipart bool       // Body is a generated Form struct
	Out       any        // where a 2xx JSON body is decoded, or nil
	Raw       *RawResponse
	Opts      []RequestOption
	// Handler, when set, makes what the caller wants of each response in
	// place of decoding it into Out (see Handler).
	Handler Handler
}

// Call runs a request with its path arguments (in Op.PathParams order):
// prepare checks its arguments and builds the URL and body once, then
// exchange sends it as many times as the retry rules allow, and the
// response is decoded into r.Out (or given to r.Handler). Neither r nor
// args escapes: the generated methods keep them on their stack, and the
// Exchange is the call's one allocation.
func (c *Client) Call(ctx context.Context, r *Request, args ...string) error {
	x := &Exchange{out: r.Out, raw: r.Raw, result: r.Op.Result}
	if err := c.prepare(r, x, args); err != nil {
		return err
	}
	var h Handler = decoder{}
	if r.Handler != nil {
		h = r.Handler
	}
	return c.exchange(ctx, x, h)
}

// Check checks a request's arguments as Call would, sending nothing.
func (c *Client) Check(r *Request, args ...string) error {
	return c.prepare(r, new(Exchange), args)
}

// outgoing is a request ready to be sent, once per attempt.
type outgoing struct {
	method string
	url    *url.URL
	body   bodySource // nil: no body
	cfg    CallConfig
}

// prepare checks a request's arguments and builds, in x, what every
// attempt sends.
func (c *Client) prepare(r *Request, x *Exchange, args []string) error {
	op := r.Op
	op.init()
	x.spec = op
	x.red = c.red
	o := &x.o
	o.method = op.Method
	for _, opt := range r.Opts {
		if opt != nil {
			opt(&o.cfg)
		}
	}
	if err := c.checkCall(op, &o.cfg); err != nil {
		return err
	}
	if o.cfg.SessionToken != nil {
		x.red = c.red.with(*o.cfg.SessionToken)
	}
	path, err := buildPath(op, args)
	if err != nil {
		return err
	}
	query, err := encodeQuery(op, r.Params, r.Query, o.cfg.Query)
	if err != nil {
		return err
	}
	if op.Paginated {
		x.page = pageOf(query)
	}
	u := &x.url
	*u = *c.base
	if path.unescaped == "" {
		u.Path = c.base.Path + path.escaped
	} else {
		u.Path, u.RawPath = c.base.Path+path.unescaped, c.base.Path+path.escaped
	}
	u.RawQuery = query
	o.url = u
	x.path = u.EscapedPath()

	switch b := r.Body.(type) {
	case nil:
		if op.BodyRequired {
			return &ArgumentError{Operation: op.ID, Name: "body", Rule: "a request body (the spec requires one)"}
		}
	case *readerBody:
		if err := checkRawBody(op, b.contentType); err != nil {
			return err
		}
		o.body = b
	case bodySource:
		o.body = b
	default:
		if r.Multipart {
			mb, err := newMultipartBody(op, b)
			if err != nil {
				return err
			}
			o.body = mb
			break
		}
		data, err := json.Marshal(b)
		if err != nil {
			return &ArgumentError{Operation: op.ID, Name: "body", Value: fmt.Sprintf("%T", b), Rule: "a value that encodes as JSON: " + err.Error()}
		}
		o.body = &bytesBody{data: data, contentType: "application/json"}
	}
	return nil
}

// pageOf is the page a list call asks for: its query's page parameter, or
// 1.
func pageOf(query string) int {
	for query != "" {
		var kv string
		kv, query, _ = strings.Cut(query, "&")
		if v, ok := strings.CutPrefix(kv, "page="); ok {
			if n, err := strconv.Atoi(v); err == nil {
				return n
			}
		}
	}
	return 1
}

// checkCall checks what a call's options say, before anything is sent.
func (c *Client) checkCall(op *Operation, cfg *CallConfig) error {
	refuse := func(name string, value any, rule string) error {
		return &ArgumentError{Operation: op.ID, Name: name, Value: value, Rule: rule}
	}
	if cfg.HasTimeout && cfg.Timeout < 0 {
		return refuse("WithCallTimeout", cfg.Timeout, "a duration of 0 or more (0: no bound but the context's)")
	}
	if cfg.HasMaxRetries && cfg.MaxRetries < 0 {
		return refuse("WithCallMaxRetries", cfg.MaxRetries, "0 or more (0: no retry)")
	}
	if cfg.PageConcurrency < 0 {
		return refuse("WithCallPageConcurrency", cfg.PageConcurrency, "a positive number of requests")
	}
	if cfg.MaxItems < 0 {
		return refuse("WithCallMaxItems", cfg.MaxItems, "a positive number of items")
	}
	for name, values := range cfg.Header {
		if !validHeaderName(name) {
			return refuse("WithHeader", quoted(name), "a header name of letters, digits and !#$%&'*+-.^_`|~ only")
		}
		for _, v := range values {
			if !validHeaderValue(v) {
				// The value is not shown: a header may carry a secret.
				return refuse("WithHeader "+name, nil, "a header value without a line break or another control character")
			}
		}
	}
	for _, name := range sortedKeys(cfg.Query) {
		if op.query[name] != nil {
			return refuse("WithQuery "+name, nil, "given as the call's parameter (its Params field, or Do's RawRequest.Query), where the spec's rule for it is checked; WithQuery is for parameters the spec does not document")
		}
	}
	switch {
	case cfg.SessionToken != nil:
		if !op.Auth.accepts(AuthSessionToken) {
			return refuse("session token", nil, "absent: the spec's security of "+op.ID+" accepts the API key only, not a session token")
		}
		if why := badSessionToken(*cfg.SessionToken); why != "" {
			return refuse("session token", nil, why)
		}
		if c.red.isKey(*cfg.SessionToken) {
			return refuse("session token", nil, "a session token, not the client's API key")
		}
	case !op.Auth.accepts(AuthAPIKey):
		return refuse("session token", nil, "given (api.WithSessionToken): the spec's security of "+op.ID+" accepts session tokens only, not the API key")
	}
	return nil
}

// badSessionToken says why t is not a session token, or returns "": a
// session token is a JWT, three base64url parts joined by dots (the
// spec's bearerFormat), and nothing else may go into the header.
func badSessionToken(t string) string {
	parts := strings.Split(t, ".")
	if t == "" || len(parts) != 3 || parts[0] == "" || parts[1] == "" {
		return "a JWT (three base64url parts joined by dots), as the operation that mints session tokens returns it"
	}
	for _, p := range parts {
		for i := 0; i < len(p); i++ {
			if c := p[i]; !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-' || c == '_' || c == '=') {
				return "a JWT, whose parts are base64url text: no space, line break or other character"
			}
		}
	}
	return ""
}

// checkRawBody checks Do's body against what op takes: a body at all, of
// a media type the operation documents, in a Content-Type a header may
// hold.
func checkRawBody(op *Operation, contentType string) error {
	refuse := func(rule string) error {
		return &ArgumentError{Operation: op.ID, Name: "ContentType", Value: quoted(contentType), Rule: rule}
	}
	if why := badMediaType(contentType); why != "" {
		return refuse("a media type such as application/json: " + why)
	}
	mt, params, _ := mime.ParseMediaType(contentType)
	switch {
	case op.Body == BodyNone:
		return &ArgumentError{Operation: op.ID, Name: "body", Rule: "absent: the spec documents no request body for " + op.ID}
	case op.Body&BodyJSON != 0 && (mt == "application/json" || strings.HasSuffix(mt, "+json")):
	case op.Body&BodyMultipart != 0 && mt == "multipart/form-data":
		if params["boundary"] == "" {
			return refuse("multipart/form-data with its boundary parameter")
		}
	default:
		var kinds []string
		if op.Body&BodyJSON != 0 {
			kinds = append(kinds, "application/json")
		}
		if op.Body&BodyMultipart != 0 {
			kinds = append(kinds, "multipart/form-data")
		}
		return refuse("a media type the spec documents for " + op.ID + "'s body: " + strings.Join(kinds, " or "))
	}
	return nil
}

// badMediaType says why ct is not a media type that can be sent in a
// Content-Type header, or returns "".
func badMediaType(ct string) string {
	if !validHeaderValue(ct) {
		return "it holds a line break or another control character"
	}
	if _, _, err := mime.ParseMediaType(ct); err != nil {
		return err.Error()
	}
	return ""
}

// validHeaderName reports whether s is a header field name (RFC 9110
// token).
func validHeaderName(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || strings.IndexByte("!#$%&'*+-.^_`|~", c) >= 0) {
			return false
		}
	}
	return true
}

// validHeaderValue reports whether s can be sent as a header value: no
// control character but the horizontal tab (CR and LF would end the
// header and start another: an injection).
func validHeaderValue(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 && c != '\t' || c == 0x7f {
			return false
		}
	}
	return true
}

// quoted is a value shown quoted, with its control characters escaped.
type quoted string

func (q quoted) String() string { return strconv.Quote(truncate(string(q), 80)) }

// RequestOption changes one call: package api makes them
// (api.WithCallTimeout, WithHeader...). Every typed method, Client.Do and
// the page walker take them; on a walk they apply to every page.
type RequestOption func(*CallConfig)

// CallConfig is what a call's RequestOptions say; a zero field says
// nothing (the client's setting applies). prepare checks it: a value no
// call can be made with is an *ArgumentError before anything is sent.
type CallConfig struct {
	Timeout    time.Duration // each attempt's bound, when HasTimeout
	MaxRetries int           // the retries allowed, when HasMaxRetries
	Header     http.Header   // added to every attempt's request
	Query      url.Values    // sent after the spec's parameters
	Into       *Response     // where the last response is described
	// SessionToken, when not nil, is sent in place of the API key; only
	// an operation whose Auth has AuthSessionToken takes one.
	SessionToken *string
	// PageConcurrency, when above 0, is the page requests a walk keeps in
	// flight, in place of the client's (see internal/pager); below 0, a
	// number that was refused.
	PageConcurrency int32
	// MaxItems, when above 0, is the most items a walk yields (see
	// internal/pager); below 0, a number that was refused.
	MaxItems      int32
	HasTimeout    bool
	HasMaxRetries bool
}

// Options applies opts to a CallConfig and returns it, for code that
// needs to know what a call's options say before making it (the page
// walker reads Into and PageConcurrency).
func Options(opts []RequestOption) CallConfig {
	var cfg CallConfig
	for _, opt := range opts {
		if opt != nil {
			opt(&cfg)
		}
	}
	return cfg
}

// Response is the raw side of a call's last response, stored by
// api.WithResponseInto.
type Response struct {
	StatusCode int         // 0 when no response came back
	Header     http.Header // the response headers, as sent
	RequestID  string      // the server's request ID header, if any
	Attempts   int         // how many times the request was sent
}

// RawResponse is the answer of Client.Do: the status, headers and the whole
// (bounded) body of a successful response, as the server sent them.
type RawResponse struct {
	StatusCode int
	Header     http.Header
	Body       []byte
}

// RawRequest is the request of Client.Do, in the form a generic tool has
// it: PathArgs in the order of Operation.PathParams, Query values by
// parameter name, and a Body already encoded (JSON, or a multipart form
// with its boundary in ContentType), of a media type the operation
// documents (Operation.Body); a Body for an operation that documents none,
// or a ContentType with a line break, is refused before sending.
//
// Body is the caller's: the SDK never closes it, and once Do returns it
// reads it no more. It is read once per attempt: an io.ReaderAt that can
// tell its size (*bytes.Reader, *strings.Reader, an *os.File of a regular
// file) through a section of its own per attempt, from where it stood,
// leaving its offset alone; another io.Seeker rewound to where it started,
// once the previous attempt can no longer read it; anything else once
// (a failed attempt is then not retried, and the error says why).
type RawRequest struct {
	PathArgs    []string
	Query       url.Values
	Body        io.Reader
	ContentType string
}

// Do calls op with a request given in raw form, through the same path as
// the typed methods (argument checks, retries, timeouts, bounded reads,
// typed errors), and returns the successful response as sent: for tools
// that print what the server said, such as the anam command line. A
// non-2xx status is an *Error, as for every call; so is a 2xx whose body
// is not what the spec documents for op (ErrDecode, see Exchange.Check).
func (c *Client) Do(ctx context.Context, op *Operation, req RawRequest, opts ...RequestOption) (*RawResponse, error) {
	if op == nil {
		return nil, &ArgumentError{Name: "op", Rule: "an operation (see LookupOperation)"}
	}
	r := Request{Op: op, Query: req.Query, Opts: opts}
	if req.Body != nil {
		if req.ContentType == "" {
			return nil, &ArgumentError{Operation: op.ID, Name: "ContentType", Rule: "the media type of the body"}
		}
		r.Body = &readerBody{r: req.Body, contentType: req.ContentType}
	}
	var out RawResponse
	r.Raw = &out
	if err := c.Call(ctx, &r, req.PathArgs...); err != nil {
		return nil, err
	}
	return &out, nil
}

// OptionalBody is the body of an operation whose body is optional: nil
// sends none.
func OptionalBody[T any](b *T) any {
	if b == nil {
		return nil
	}
	return b
}
