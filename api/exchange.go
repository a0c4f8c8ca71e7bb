package api

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"sync"

	"github.com/anam-ai/anam-go/gen"
)

// sendFunc sends one request of an operation through the generated client,
// with extra request editors, and returns its raw response.
type sendFunc func(ctx context.Context, editors ...gen.RequestEditorFn) (*http.Response, error)

// response is a fully read response.
type response struct {
	status int
	header http.Header
	body   []byte
}

// call is one operation's request as it went out, for error reports.
type call struct {
	op     string
	method string
	path   string
}

func (c *call) record(_ context.Context, req *http.Request) error {
	c.method, c.path = req.Method, req.URL.EscapedPath()
	return nil
}

func (c *call) error(status int, err error) *Error {
	return &Error{Operation: c.op, Method: c.method, Path: c.path, StatusCode: status, Attempts: 1, Err: err}
}

// exchange sends a request and reads its whole response (bounded), then
// hands it to handle. It owns the per-request timeout and the body: handle
// must not keep r.body after it returns.
func (c *Client) exchange(ctx context.Context, cl *call, send sendFunc, editors []gen.RequestEditorFn, handle func(*response) error) error {
	if c.timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, c.timeout)
		defer cancel()
	}
	eds := make([]gen.RequestEditorFn, 0, len(editors)+1)
	eds = append(eds, editors...)
	eds = append(eds, cl.record)

	resp, err := send(ctx, eds...)
	if err != nil {
		return cl.error(0, transportError(ctx, err))
	}
	buf := getBuffer()
	defer putBuffer(buf)
	_, err = buf.ReadFrom(io.LimitReader(resp.Body, c.cfg.maxBodyBytes+1))
	if err == nil && int64(buf.Len()) > c.cfg.maxBodyBytes {
		err = fmt.Errorf("%w: the body is over %d bytes (see WithMaxResponseBytes)", ErrTooLarge, c.cfg.maxBodyBytes)
	} else if err != nil {
		err = fmt.Errorf("reading the response body: %w", transportError(ctx, err))
	}
	resp.Body.Close()
	r := &response{status: resp.StatusCode, header: resp.Header, body: buf.Bytes()}
	if err != nil {
		e := cl.error(r.status, err)
		e.RequestID = requestID(r.header)
		return e
	}
	return handle(r)
}

// transportError keeps the context's error reachable by errors.Is, and marks
// other failures as "no response" (which retries may try again).
func transportError(ctx context.Context, err error) error {
	if ctxErr := ctx.Err(); ctxErr != nil && !errors.Is(err, ctxErr) {
		return fmt.Errorf("%w (%v)", ctxErr, err)
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return err
	}
	return fmt.Errorf("%w: %w", errNoResponse, err)
}

// apiError turns a non-2xx response into an *Error.
func (cl *call) apiError(r *response) *Error {
	e := cl.error(r.status, nil)
	e.RequestID = requestID(r.header)
	e.Message = serverMessage(r.body)
	e.Body = excerpt(r.body, bodyExcerptBytes)
	return e
}

// decodeJSON checks that a 2xx response is a JSON document and decodes it
// into out.
func (cl *call) decodeJSON(r *response, out any) error {
	if err := checkJSON(r); err != nil {
		e := cl.error(r.status, fmt.Errorf("%w: %v", ErrDecode, err))
		e.RequestID = requestID(r.header)
		e.Body = excerpt(r.body, bodyExcerptBytes)
		return e
	}
	if err := json.Unmarshal(r.body, out); err != nil {
		e := cl.error(r.status, fmt.Errorf("%w: the body is not the documented JSON: %w", ErrDecode, err))
		e.RequestID = requestID(r.header)
		e.Body = excerpt(r.body, bodyExcerptBytes)
		return e
	}
	return nil
}

func checkJSON(r *response) error {
	if ct := r.header.Get("Content-Type"); ct != "" {
		mt, _, err := mime.ParseMediaType(ct)
		if err != nil || !(mt == "application/json" || (len(mt) > 5 && mt[len(mt)-5:] == "+json")) {
			return fmt.Errorf("the Content-Type is %q, not application/json", ct)
		}
	}
	body := bytes.TrimSpace(r.body)
	switch {
	case len(body) == 0:
		return errors.New("the body is empty")
	case body[0] != '{':
		return fmt.Errorf("expected a JSON object, got %q", excerpt(body, 40))
	}
	return nil
}

// requestIDHeaders are the headers a request ID may come back in.
var requestIDHeaders = []string{"X-Request-Id", "Request-Id", "X-Amzn-Requestid", "Cf-Ray"}

func requestID(h http.Header) string {
	for _, k := range requestIDHeaders {
		if v := h.Get(k); v != "" {
			return truncate(v, 128)
		}
	}
	return ""
}

var bufPool = sync.Pool{New: func() any { return new(bytes.Buffer) }}

func getBuffer() *bytes.Buffer { return bufPool.Get().(*bytes.Buffer) }

func putBuffer(b *bytes.Buffer) {
	if b.Cap() > 4<<20 { // let outsized buffers go
		return
	}
	b.Reset()
	bufPool.Put(b)
}

// doJSON sends a request and decodes a 2xx JSON response into out; any
// other status is an *Error.
func (c *Client) doJSON(ctx context.Context, op string, send sendFunc, editors []gen.RequestEditorFn, out any) error {
	cl := &call{op: op}
	return c.exchange(ctx, cl, send, editors, func(r *response) error {
		if r.status < 200 || r.status > 299 {
			return cl.apiError(r)
		}
		return cl.decodeJSON(r, out)
	})
}
