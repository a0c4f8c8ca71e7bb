package api

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// RequestOption changes one call, e.g.
//
//	avatar, err := client.GetAvatar(ctx, id, api.WithCallTimeout(5*time.Second))
//
// Every typed method, Client.Do and the pagination functions take them; on
// a paginated walk they apply to every page.
type RequestOption func(*callConfig)

type callConfig struct {
	timeout       time.Duration
	hasTimeout    bool
	maxRetries    int
	hasMaxRetries bool
	header        http.Header
	query         url.Values
	into          *Response
}

// WithCallTimeout bounds each attempt of this call, as WithTimeout does for
// every call of the client (0: no bound but the context).
func WithCallTimeout(d time.Duration) RequestOption {
	return func(c *callConfig) { c.timeout, c.hasTimeout = max(d, 0), true }
}

// WithCallMaxRetries sets how many times this call may be retried (0:
// never), in place of the client's WithMaxRetries.
func WithCallMaxRetries(n int) RequestOption {
	return func(c *callConfig) { c.maxRetries, c.hasMaxRetries = max(n, 0), true }
}

// WithHeader adds a header to this call's requests, e.g. an idempotency or
// tracing header. It cannot replace the headers the client owns
// (Authorization, User-Agent, Content-Type, Accept): those are set after.
func WithHeader(key, value string) RequestOption {
	return func(c *callConfig) {
		if c.header == nil {
			c.header = http.Header{}
		}
		c.header.Add(key, value)
	}
}

// WithQuery adds a query parameter to this call's requests, for a
// parameter the spec (and so the typed Params) does not know yet. It is
// sent as given, after the typed parameters.
func WithQuery(key, value string) RequestOption {
	return func(c *callConfig) {
		if c.query == nil {
			c.query = url.Values{}
		}
		c.query.Add(key, value)
	}
}

// WithResponseInto makes the call store what its last response said
// beyond the decoded body (status, headers such as RateLimit-Remaining, the
// request ID, the number of attempts) in *dst, whether the call succeeded
// or failed. On a paginated walk it describes the last page requested.
func WithResponseInto(dst *Response) RequestOption {
	return func(c *callConfig) { c.into = dst }
}

// Response is the raw side of a call's last response, stored by
// WithResponseInto.
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
// it: path arguments in the order of Operation.PathParams, query values by
// parameter name, and a body already encoded (JSON, or a multipart form
// with its boundary in ContentType). Body is read once per attempt: when it
// is not an io.Seeker (as *bytes.Reader, *strings.Reader and *os.File are),
// a failed attempt is not retried.
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
// non-2xx status is an *Error, as for every call.
func (c *Client) Do(ctx context.Context, op *Operation, req RawRequest, opts ...RequestOption) (*RawResponse, error) {
	if op == nil {
		return nil, &ArgumentError{Name: "op", Rule: "an operation (see LookupOperation)"}
	}
	r := request{op: op, rawQuery: req.Query, opts: opts}
	if req.Body != nil {
		if req.ContentType == "" {
			return nil, &ArgumentError{Operation: op.ID, Name: "ContentType", Rule: "the media type of the body"}
		}
		r.body = &readerBody{r: req.Body, contentType: req.ContentType}
	}
	var out RawResponse
	r.raw = &out
	if err := c.do(ctx, &r, req.PathArgs...); err != nil {
		return nil, err
	}
	return &out, nil
}

// request is one call of an operation, as a typed method or Do makes it.
type request struct {
	op        *Operation
	params    any        // a generated Params struct (pointer), or nil
	rawQuery  url.Values // Do's query values
	body      any        // a JSON value, a Form struct (multipart), a bodySource, or nil
	multipart bool       // body is a generated Form struct
	out       any        // where a 2xx JSON body is decoded, or nil
	raw       *RawResponse
	opts      []RequestOption
}

// do runs a request with its path arguments (in op.PathParams order):
// checks its arguments, builds the URL and body once, and exchanges it,
// decoding a 2xx body into r.out. Neither r nor args escapes: the
// generated methods keep them on their stack.
func (c *Client) do(ctx context.Context, r *request, args ...string) error {
	cl := &call{out: r.out, raw: r.raw, result: r.op.Result}
	if err := c.prepare(r, cl, args); err != nil {
		return err
	}
	return c.exchange(ctx, cl, cl)
}

// outgoing is a request ready to be sent, once per attempt.
type outgoing struct {
	method string
	url    *url.URL
	body   bodySource // nil: no body
	cfg    callConfig
}

// prepare checks a request's arguments and builds, in cl, what every
// attempt sends.
func (c *Client) prepare(r *request, cl *call, args []string) error {
	op := r.op
	op.init()
	cl.op, cl.spec, cl.method = op.ID, op, op.Method
	o := &cl.o
	o.method = op.Method
	for _, opt := range r.opts {
		if opt != nil {
			opt(&o.cfg)
		}
	}
	path, err := buildPath(op, args)
	if err != nil {
		return err
	}
	query, err := encodeQuery(op, r.params, r.rawQuery, o.cfg.query)
	if err != nil {
		return err
	}
	u := &cl.url
	*u = *c.base
	if path.unescaped == "" {
		u.Path = c.base.Path + path.escaped
	} else {
		u.Path, u.RawPath = c.base.Path+path.unescaped, c.base.Path+path.escaped
	}
	u.RawQuery = query
	o.url = u
	cl.path = u.EscapedPath()

	switch b := r.body.(type) {
	case nil:
		if op.BodyRequired {
			return &ArgumentError{Operation: op.ID, Name: "body", Rule: "a request body (the spec requires one)"}
		}
	case bodySource:
		o.body = b
	default:
		if r.multipart {
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

type builtPath struct{ escaped, unescaped string }

// buildPath fills op's path template with args, each checked against its
// parameter's rule and escaped as one path segment. unescaped is "" when
// no argument needed escaping (the URL's Path is then escaped itself).
func buildPath(op *Operation, args []string) (builtPath, error) {
	if len(args) != len(op.PathParams) {
		return builtPath{}, &ArgumentError{Operation: op.ID, Name: "path arguments", Value: len(args),
			Rule: fmt.Sprintf("%d argument(s), for %s", len(op.PathParams), op.Path)}
	}
	if len(args) == 0 {
		return builtPath{escaped: op.Path}, nil
	}
	n := len(op.Path)
	for i, a := range args {
		if err := checkString(op.ID, &op.PathParams[i], a, true); err != nil {
			return builtPath{}, err
		}
		n += len(a)
	}
	var esc strings.Builder
	esc.Grow(n)
	escaped := false
	for i, seg := range op.segments {
		esc.WriteString(seg)
		if i < len(args) {
			e := url.PathEscape(args[i])
			escaped = escaped || len(e) != len(args[i])
			esc.WriteString(e)
		}
	}
	p := builtPath{escaped: esc.String()}
	if escaped {
		var raw strings.Builder
		for i, seg := range op.segments {
			raw.WriteString(seg)
			if i < len(args) {
				raw.WriteString(args[i])
			}
		}
		p.unescaped = raw.String()
	}
	return p, nil
}

// optionalBody is the body of an operation whose body is optional: nil
// sends none.
func optionalBody[T any](b *T) any {
	if b == nil {
		return nil
	}
	return b
}

// bodySource is a request body that can be sent once per attempt.
type bodySource interface {
	// open returns the body of one attempt (first for the first one), its
	// Content-Type and its length (-1 if unknown); errNotReplayable when a
	// later attempt cannot have it.
	open(first bool) (body io.Reader, contentType string, length int64, err error)
	replayable() bool
}

// bytesBody is an in-memory body (JSON): replayable at no cost.
type bytesBody struct {
	data        []byte
	contentType string
}

func (b *bytesBody) open(bool) (io.Reader, string, int64, error) {
	return bytes.NewReader(b.data), b.contentType, int64(len(b.data)), nil
}
func (b *bytesBody) replayable() bool { return true }

// readerBody is a body from an io.Reader: replayable when it can seek
// back to where it started.
type readerBody struct {
	r           io.Reader
	contentType string
	start       int64
	seeked      bool
}

func (b *readerBody) open(first bool) (io.Reader, string, int64, error) {
	s, canSeek := b.r.(io.Seeker)
	switch {
	case first && canSeek:
		pos, err := s.Seek(0, io.SeekCurrent)
		if err == nil {
			b.start, b.seeked = pos, true
		}
	case !first:
		if !b.seeked {
			return nil, "", 0, errNotReplayable
		}
		if _, err := s.Seek(b.start, io.SeekStart); err != nil {
			return nil, "", 0, fmt.Errorf("rewinding the request body for another attempt: %w", err)
		}
	}
	length := int64(-1)
	if l, ok := b.r.(interface{ Len() int }); ok {
		length = int64(l.Len())
	}
	return b.r, b.contentType, length, nil
}

func (b *readerBody) replayable() bool {
	_, ok := b.r.(io.Seeker)
	return ok
}

var errNotReplayable = fmt.Errorf("the request body is a stream that cannot be sent twice, so the call was not retried")
