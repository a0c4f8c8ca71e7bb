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
	"net/url"
	"reflect"
	"time"
)

// response is a fully read response.
type response struct {
	status int
	header http.Header
	body   []byte
}

// call is one call of an operation: the request every attempt sends, what
// error reports say of it, and room for each attempt's response. It is the
// call's one allocation of the SDK's own.
type call struct {
	op       string
	spec     *Operation // the operation, when the call is one of the spec's
	method   string
	path     string
	attempts int       // the attempt under way, from 1 (set by exchange)
	red      *redactor // the client's (set by exchange)

	o    outgoing
	url  url.URL  // o.url points here
	resp response // the response of the attempt under way

	// What do's handle makes of a 2xx response (see (*call).handle).
	out    any          // decode the JSON body here, or
	raw    *RawResponse // copy the response here
	result ResultKind
}

// responseHandler makes what the caller wants of a fully read response, or
// the error it stands for. An interface rather than a func, so that a call
// that is its own handler costs no closure.
type responseHandler interface {
	handle(r *response) error
}

// handle is the handling of every typed call: a non-2xx status is an
// *Error; a 2xx body is decoded into cl.out, or copied into cl.raw.
func (cl *call) handle(r *response) error {
	switch {
	case r.status < 200 || r.status > 299:
		return cl.apiError(r)
	case cl.raw != nil:
		cl.raw.StatusCode, cl.raw.Header, cl.raw.Body = r.status, r.header, bytes.Clone(r.body)
		return nil
	case cl.out == nil:
		return nil
	}
	return cl.decodeJSON(r, cl.out, cl.result)
}

// handlerFunc adapts a function to responseHandler.
type handlerFunc func(*response) error

func (f handlerFunc) handle(r *response) error { return f(r) }

// excerpt returns a bounded excerpt of a response body for Error.Body,
// without the API key. The key is removed before the body is cut, so that
// the cut cannot leave part of it.
func (cl *call) excerpt(body []byte) string {
	if cl.red.active() {
		body = cl.red.bytes(body[:min(len(body), 4*bodyExcerptBytes+8*len(cl.red.key))])
	}
	return excerpt(body, bodyExcerptBytes)
}

func (c *call) error(status int, err error) *Error {
	return &Error{Operation: c.op, Method: c.method, Path: c.path, StatusCode: status, Attempts: max(c.attempts, 1), Err: err}
}

const (
	// errorBodyBytes bounds how much of a non-2xx body is read: enough for
	// any error message, which is all the SDK keeps of it.
	errorBodyBytes = 64 << 10
	// drainBytes bounds how much of an unread body is read and discarded
	// before closing it, so that its connection can be reused.
	drainBytes = 64 << 10
)

// exchange sends a request and reads its whole response (bounded), then
// hands it to handle, trying again as the package documentation describes
// under "Retries and timeouts". handle is called once per response; an
// error it returns for a retryable status (408, 429, 500, 502, 503, 504)
// may be followed by another attempt. exchange owns the per-attempt
// timeout and the body: handle must not keep r.body after it returns.
// Every *Error it returns says how many attempts were made.
func (c *Client) exchange(ctx context.Context, cl *call, handle responseHandler) (err error) {
	cl.red = c.red
	o := &cl.o
	maxRetries := c.cfg.maxRetries
	if o.cfg.hasMaxRetries {
		maxRetries = o.cfg.maxRetries
	}
	if o.cfg.into != nil {
		defer func() { o.cfg.into.Attempts = cl.attempts }()
	}
	var last *Error // the last failed attempt's error, once there is one
	for n := 1; ; n++ {
		cl.attempts = n
		if err := sleepUntil(ctx, c.gate.closedUntil()); err != nil {
			return c.stopWaiting(cl, last, err)
		}
		start := time.Now()
		res := c.attempt(ctx, cl, n == 1, handle)
		entry := attemptLog{attempt: n, status: res.status, requestID: res.requestID, duration: time.Since(start), err: res.err}
		if res.err == nil {
			c.logAttempt(ctx, cl, entry)
			return nil
		}
		// A type assertion, not errors.As: attempt and handle return the
		// *Error itself, and errors.As would move e to the heap on every
		// call, successful ones included.
		e, isAPI := res.err.(*Error)
		if !isAPI || n > maxRetries || ctx.Err() != nil {
			c.logAttempt(ctx, cl, entry)
			if isAPI && e.StatusCode == 0 && last != nil && last.StatusCode != 0 && ctx.Err() != nil {
				return lostAttempt(last, e)
			}
			return res.err
		}
		retry, delay := c.decide(ctx, cl.method, n, e, res.hint)
		if retry && o.body != nil && !o.body.replayable() {
			// Say why a failure that would have been retried was not.
			cp := *e
			cp.Err = errNotReplayable
			if e.Err != nil {
				cp.Err = fmt.Errorf("%w; %w", e.Err, errNotReplayable)
			}
			c.logAttempt(ctx, cl, entry)
			return &cp
		}
		wake := time.Now().Add(delay)
		if g := c.gate.closedUntil(); g.After(wake) {
			wake = g
		}
		if dl, ok := ctx.Deadline(); !retry || ok && !wake.Before(dl) {
			c.logAttempt(ctx, cl, entry)
			return res.err
		}
		entry.retrying, entry.retryIn = true, time.Until(wake)
		c.logAttempt(ctx, cl, entry)
		if err := sleepUntil(ctx, wake); err != nil {
			return c.stopWaiting(cl, e, err)
		}
		last = e
	}
}

// stopWaiting is the error of a call that stopped while waiting before an
// attempt, because ctx ended (err is its error) or would end first
// (errPastDeadline). last is the previous attempt's error, if any: it is
// returned as it was when the deadline would pass, and with the context's
// error as its cause when the context ended.
func (c *Client) stopWaiting(cl *call, last *Error, err error) error {
	if last == nil {
		e := &Error{Operation: cl.op, Method: cl.method, Path: cl.path, Attempts: 0}
		if errors.Is(err, errPastDeadline) {
			e.Err = &transient{fmt.Errorf("%w: the server asked this client to wait until %s (Retry-After on a 429), after the context's deadline; no request was sent",
				ErrRateLimited, c.gate.closedUntil().UTC().Format(time.RFC3339))}
		} else {
			e.Err = fmt.Errorf("%w while waiting for the server's Retry-After to pass; no request was sent", err)
		}
		return e
	}
	if errors.Is(err, errPastDeadline) {
		return last
	}
	cp := *last
	if last.Err != nil {
		cp.Err = fmt.Errorf("%w while waiting to retry, after: %w", err, last.Err)
	} else {
		cp.Err = fmt.Errorf("%w while waiting to retry", err)
	}
	return &cp
}

// lostAttempt is the error of a call whose context ended during attempt
// e, before any response, after the failed attempt last, which had one
// (a 503, say): last's status,
// message and request ID are what the server said, and e's cause (the
// context's error) is why the call ended.
func lostAttempt(last, e *Error) *Error {
	cp := *last
	cp.Attempts = e.Attempts
	if last.Err != nil {
		cp.Err = fmt.Errorf("attempt %d: %w; before it: %w", e.Attempts, e.Err, last.Err)
	} else {
		cp.Err = fmt.Errorf("attempt %d: %w", e.Attempts, e.Err)
	}
	return &cp
}

// attemptResult is the outcome of one attempt.
type attemptResult struct {
	err       error // nil, or why the attempt failed
	hint      attemptHint
	status    int
	requestID string
}

// attempt sends one request and reads its response, within the per-attempt
// timeout, and hands it to handle. The error it returns, which goes into a
// log line and may be returned, is free of the API key.
func (c *Client) attempt(ctx context.Context, cl *call, first bool, handle responseHandler) attemptResult {
	res := c.attempt1(ctx, cl, &cl.o, first, handle)
	if e, ok := res.err.(*Error); ok {
		c.red.scrub(e)
	}
	return res
}

func (c *Client) attempt1(ctx context.Context, cl *call, o *outgoing, first bool, handle responseHandler) attemptResult {
	timeout := c.timeout
	if o.cfg.hasTimeout {
		timeout = o.cfg.timeout
	}
	actx, cancel := ctx, context.CancelFunc(nil)
	if timeout > 0 {
		actx, cancel = context.WithTimeout(ctx, timeout)
		defer cancel()
	}

	req, err := c.newRequest(actx, o, first)
	if err != nil {
		return attemptResult{err: cl.error(0, err), hint: attemptHint{unsent: true}}
	}
	resp, err := c.send.Do(req)
	if err != nil {
		hint, cause := c.sendFailure(ctx, actx, timeout, err)
		if into := o.cfg.into; into != nil {
			*into = Response{}
		}
		return attemptResult{err: cl.error(0, cause), hint: hint}
	}
	res := attemptResult{status: resp.StatusCode, requestID: c.red.text(requestID(resp.Header))}
	if into := o.cfg.into; into != nil {
		*into = Response{StatusCode: resp.StatusCode, Header: resp.Header, RequestID: res.requestID}
	}
	fail := func(hint attemptHint, err error) attemptResult {
		e := cl.error(res.status, err)
		e.RequestID = res.requestID
		res.err, res.hint = e, hint
		return res
	}

	limit := c.cfg.maxBodyBytes
	ok := res.status >= 200 && res.status <= 299
	if !ok {
		limit = min(limit, errorBodyBytes)
	}
	// Closing the body from another goroutine is what unblocks a read from
	// a server that stalls mid-body under a doer that ignores the request's
	// context. net/http's own transport aborts the read when the context
	// ends, so its clients skip the cost.
	stop := func() bool { return false }
	if !c.bodyHonoursContext {
		stop = context.AfterFunc(actx, func() { resp.Body.Close() })
	}
	var (
		body []byte
		over bool
		buf  pooled
		rerr error
	)
	doneReading := readingResponse(ctx)
	// A successful body that says it is over the limit is refused
	// unread; an error body is only cut (its start says enough).
	declaredOver := ok && resp.ContentLength > limit
	if declaredOver {
		if resp.ContentLength <= drainBytes { // small enough to keep the connection
			_, _ = io.CopyN(io.Discard, resp.Body, drainBytes)
		}
	} else {
		body, over, buf, rerr = readBody(resp.Body, limit, resp.ContentLength, !ok)
		if rerr == nil && over {
			// The body did not end within the limit: drain a bounded part
			// of the rest, so that a moderately oversized body keeps its
			// connection reusable.
			_, _ = io.CopyN(io.Discard, resp.Body, drainBytes)
		}
	}
	defer buf.release()
	stop()
	resp.Body.Close()
	doneReading()
	if rerr != nil {
		return fail(c.readFailure(ctx, actx, timeout, rerr))
	}
	switch {
	case declaredOver:
		return fail(attemptHint{}, fmt.Errorf("%w: the body is %d bytes (Content-Length), over %d (see WithMaxResponseBytes); it was not read",
			ErrTooLarge, resp.ContentLength, c.cfg.maxBodyBytes))
	case over && ok:
		return fail(attemptHint{}, fmt.Errorf("%w: the body is over %d bytes (see WithMaxResponseBytes)", ErrTooLarge, c.cfg.maxBodyBytes))
	}

	if !ok {
		// Only what can reach an error or a log is redacted: a successful
		// body is the caller's data.
		body = c.red.bytes(body)
	}
	r := &cl.resp
	*r = response{status: res.status, header: resp.Header, body: body}
	res.err = handle.handle(r)
	r.body = nil // the pooled buffer goes back
	if res.err == nil {
		return res
	}
	if e, isAPI := res.err.(*Error); isAPI {
		e.RequestID = res.requestID
		if !ok {
			e.RetryAfter, res.hint.hasRA = retryAfter(r.header, time.Now())
			res.hint.retryAfter = e.RetryAfter
		}
	}
	res.hint.retryable = retryableStatus(res.status)
	if e, isAPI := res.err.(*Error); isAPI && e.permanentLimit() {
		res.hint.retryable = false
	}
	// A 429's Retry-After within the cap holds back every request of the
	// client, unless the 429 is one that waiting does not cure; one over
	// the cap fails its call at once (see decide) and holds back nothing.
	if res.status == http.StatusTooManyRequests && res.hint.hasRA && res.hint.retryable && res.hint.retryAfter <= maxRetryAfter {
		c.gate.hold(time.Now().Add(res.hint.retryAfter))
	}
	return res
}

// transient marks a failure that another attempt may cure: a connection
// that could not be made, broke, or timed out. Its text is its cause's.
type transient struct{ err error }

func (t *transient) Error() string { return t.err.Error() }
func (t *transient) Unwrap() error { return t.err }

// sendFailure explains why no response came back, and whether trying again
// may help.
func (c *Client) sendFailure(ctx, actx context.Context, timeout time.Duration, err error) (attemptHint, error) {
	var se *sendError
	switch {
	case !errors.As(err, &se):
		// A request editor failed, or the request could not be built:
		// nothing was sent, and nothing says another attempt would do better.
		return attemptHint{unsent: true}, err
	case ctx.Err() != nil:
		return attemptHint{}, withContextError(ctx.Err(), err)
	case isPermanentTransportError(err):
		return attemptHint{}, err
	case actx.Err() != nil:
		return attemptHint{retryable: true},
			&transient{fmt.Errorf("no response within %v (the per-attempt timeout, see WithTimeout): %w", timeout, withContextError(context.DeadlineExceeded, err))}
	case isDialError(err):
		return attemptHint{retryable: true, unsent: true}, &transient{err}
	}
	return attemptHint{retryable: true}, &transient{err}
}

// readFailure explains why a response body could not be read.
func (c *Client) readFailure(ctx, actx context.Context, timeout time.Duration, err error) (attemptHint, error) {
	switch {
	case ctx.Err() != nil:
		return attemptHint{}, fmt.Errorf("reading the response body: %w", withContextError(ctx.Err(), err))
	case actx.Err() != nil:
		return attemptHint{retryable: true},
			&transient{fmt.Errorf("reading the response body: the body did not end within %v (the per-attempt timeout, see WithTimeout): %w", timeout, context.DeadlineExceeded)}
	}
	return attemptHint{retryable: true}, &transient{fmt.Errorf("reading the response body: %w", err)}
}

// withContextError makes ctxErr reachable by errors.Is through err.
func withContextError(ctxErr, err error) error {
	if errors.Is(err, ctxErr) {
		return err
	}
	return fmt.Errorf("%w (%v)", ctxErr, err)
}

// apiError turns a non-2xx response into an *Error.
func (cl *call) apiError(r *response) *Error {
	e := cl.error(r.status, nil)
	e.RequestID = requestID(r.header)
	e.Message = serverMessage(r.body)
	e.Body = cl.excerpt(r.body)
	if r.status == http.StatusTooManyRequests {
		e.limit = rateLimitCause(cl.spec, r.body)
	}
	return e
}

// decodeJSON checks that a 2xx response is a JSON document and decodes it
// into out.
func (cl *call) decodeJSON(r *response, out any, kind ResultKind) error {
	if err := checkJSON(r, kind); err != nil {
		e := cl.error(r.status, fmt.Errorf("%w: %v", ErrDecode, err))
		e.RequestID = requestID(r.header)
		e.Body = cl.excerpt(r.body)
		return e
	}
	if err := json.Unmarshal(r.body, out); err != nil {
		e := cl.error(r.status, fmt.Errorf("%w: the body is not the documented JSON: %w", ErrDecode, err))
		e.RequestID = requestID(r.header)
		e.Body = cl.excerpt(r.body)
		return e
	}
	if kind == ResultArray {
		if v := reflect.ValueOf(out); v.Kind() == reflect.Pointer && v.Elem().Kind() == reflect.Slice {
			if i, null := nullElement(v.Elem(), func() ([]json.RawMessage, error) {
				var raw []json.RawMessage
				return raw, json.Unmarshal(r.body, &raw)
			}); null {
				return cl.nullItemError(r, i)
			}
		}
	}
	return nil
}

// nullElement reports whether an element of the slice items was decoded
// from a JSON null (which encoding/json leaves as a zero value), and
// which. Only when an element is zero does it ask raw for the elements
// as sent, so that a list without zero items costs a scan of them and no
// second decoding.
func nullElement(items reflect.Value, raw func() ([]json.RawMessage, error)) (int, bool) {
	for i := range items.Len() {
		if !items.Index(i).IsZero() {
			continue
		}
		elems, err := raw()
		if err != nil {
			return 0, false
		}
		for j := i; j < len(elems); j++ {
			if string(bytes.TrimSpace(elems[j])) == "null" {
				return j, true
			}
		}
		return 0, false
	}
	return 0, false
}

// nullItemError is the ErrDecode of a list with a null where an item must
// be.
func (cl *call) nullItemError(r *response, i int) *Error {
	e := cl.error(r.status, fmt.Errorf("%w: item %d of the list is null, not an object", ErrDecode, i))
	e.RequestID = requestID(r.header)
	e.Body = cl.excerpt(r.body)
	return e
}

func checkJSON(r *response, kind ResultKind) error {
	switch ct := r.header.Get("Content-Type"); ct {
	case "", "application/json", "application/json; charset=utf-8": // the common cases, without parsing
	default:
		mt, _, err := mime.ParseMediaType(ct)
		if err != nil || !(mt == "application/json" || (len(mt) > 5 && mt[len(mt)-5:] == "+json")) {
			return fmt.Errorf("the Content-Type is %q, not application/json", truncate(ct, 80))
		}
	}
	body := bytes.TrimSpace(r.body)
	switch {
	case len(body) == 0:
		return errors.New("the body is empty")
	case kind == ResultArray && body[0] != '[':
		return fmt.Errorf("expected a JSON array, got %q", excerpt(body, 40))
	case kind != ResultArray && body[0] != '{':
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
