package engine

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
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
	x.op, x.spec, x.method = op.ID, op, op.Method
	o := &x.o
	o.method = op.Method
	for _, opt := range r.Opts {
		if opt != nil {
			opt(&o.cfg)
		}
	}
	path, err := buildPath(op, args)
	if err != nil {
		return err
	}
	query, err := encodeQuery(op, r.Params, r.Query, o.cfg.Query)
	if err != nil {
		return err
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

// RequestOption changes one call: package api makes them
// (api.WithCallTimeout, WithHeader...). Every typed method, Client.Do and
// the page walker take them; on a walk they apply to every page.
type RequestOption func(*CallConfig)

// CallConfig is what a call's RequestOptions say; a zero field says
// nothing (the client's setting applies).
type CallConfig struct {
	Timeout       time.Duration // each attempt's bound, when HasTimeout
	HasTimeout    bool
	MaxRetries    int // the retries allowed, when HasMaxRetries
	HasMaxRetries bool
	Header        http.Header // added to every attempt's request
	Query         url.Values  // sent after the spec's parameters
	Into          *Response   // where the last response is described
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
