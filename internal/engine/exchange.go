package engine

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"time"
)

const (
	// errorBodyBytes bounds how much of a non-2xx body is read: enough for
	// any error message, which is all the SDK keeps of it.
	errorBodyBytes = 64 << 10
	// drainBytes bounds how much of an unread body is read and discarded
	// before closing it, so that its connection can be reused.
	drainBytes = 64 << 10
)

// exchange sends a request and reads its whole reply (bounded), then
// hands it to h, trying again as package api's documentation describes
// under "Retries and timeouts": after each failed attempt, decide says
// whether and when. h is called once per reply; an error it returns for a
// retryable status (408, 429, 500, 502, 503, 504) may be followed by
// another attempt. exchange owns the per-attempt timeout and the body: h
// must not keep r.Body after it returns. Every *Error it returns says how
// many attempts were made.
func (c *Client) exchange(ctx context.Context, x *Exchange, h Handler) (err error) {
	o := &x.o
	if o.body != nil {
		defer o.body.release(ctx)
	}
	maxRetries := c.cfg.MaxRetries
	if o.cfg.HasMaxRetries {
		maxRetries = o.cfg.MaxRetries
	}
	if o.cfg.Into != nil {
		defer func() { o.cfg.Into.Attempts = x.attempts }()
	}
	var last *Error // the last failed attempt's error, once there is one
	for n := 1; ; n++ {
		x.attempts = n
		if err := sleepUntil(ctx, c.gate.closedUntil()); err != nil {
			return c.stopWaiting(x, last, err)
		}
		start := time.Now()
		res := c.attempt(ctx, x, n == 1, h)
		entry := attemptLog{attempt: n, status: res.status, requestID: res.requestID, duration: time.Since(start), err: res.err}
		if res.err == nil {
			c.logAttempt(ctx, x, entry)
			return nil
		}
		// A type assertion, not errors.As: attempt and handle return the
		// *Error itself, and errors.As would move e to the heap on every
		// call, successful ones included.
		e, isAPI := res.err.(*Error)
		if !isAPI || n > maxRetries || ctx.Err() != nil {
			c.logAttempt(ctx, x, entry)
			if isAPI && e.StatusCode == 0 && last != nil && last.StatusCode != 0 && ctx.Err() != nil {
				return lostAttempt(last, e)
			}
			return res.err
		}
		retry, delay := c.decide(ctx, x.spec.Method, n, e, res.hint)
		if retry && o.body != nil && !o.body.replayable() {
			// Say why a failure that would have been retried was not.
			cp := *e
			cp.Err = errNotReplayable
			if e.Err != nil {
				cp.Err = fmt.Errorf("%w; %w", e.Err, errNotReplayable)
			}
			c.logAttempt(ctx, x, entry)
			return &cp
		}
		wake := time.Now().Add(delay)
		if g := c.gate.closedUntil(); g.After(wake) {
			wake = g
		}
		if dl, ok := ctx.Deadline(); !retry || ok && !wake.Before(dl) {
			c.logAttempt(ctx, x, entry)
			return res.err
		}
		entry.retrying, entry.retryIn = true, time.Until(wake)
		c.logAttempt(ctx, x, entry)
		if err := sleepUntil(ctx, wake); err != nil {
			return c.stopWaiting(x, e, err)
		}
		last = e
	}
}

// stopWaiting is the error of a call that stopped while waiting before an
// attempt, because ctx ended (err is its error) or would end first
// (errPastDeadline). last is the previous attempt's error, if any: it is
// returned as it was when the deadline would pass, and with the context's
// error as its cause when the context ended.
func (c *Client) stopWaiting(x *Exchange, last *Error, err error) error {
	if last == nil {
		e := &Error{Operation: x.spec.ID, Method: x.spec.Method, Path: x.path, Page: x.page, Attempts: 0}
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

// attempt sends one request and reads its reply, within the per-attempt
// timeout, and hands it to h. The error it returns, which goes into a log
// line and may be returned, is free of the API key.
func (c *Client) attempt(ctx context.Context, x *Exchange, first bool, h Handler) attemptResult {
	res := c.sendAndRead(ctx, x, &x.o, first, h)
	if e, ok := res.err.(*Error); ok {
		x.red.scrub(e)
	}
	return res
}

// sendAndRead is attempt before redaction: newRequest, the Doer, the
// bounded read (readBody), then h.
func (c *Client) sendAndRead(ctx context.Context, x *Exchange, o *outgoing, first bool, h Handler) attemptResult {
	timeout := c.timeout
	if o.cfg.HasTimeout {
		timeout = o.cfg.Timeout
	}
	actx, cancel := ctx, context.CancelFunc(nil)
	var progress func()
	stall := timeout > 0 && o.body != nil && o.body.streamed()
	switch {
	case stall:
		sc := newStallContext(ctx, timeout)
		actx, cancel, progress = sc, sc.cancel, sc.progress
		defer cancel()
	case timeout > 0:
		actx, cancel = context.WithTimeout(ctx, timeout)
		defer cancel()
	}

	req, err := c.newRequest(actx, o, first, progress)
	if err != nil {
		return attemptResult{err: x.error(0, err), hint: attemptHint{unsent: true}}
	}
	resp, err := c.send.Do(req)
	if err != nil {
		hint, cause := c.sendFailure(ctx, actx, timeout, stall, err)
		if into := o.cfg.Into; into != nil {
			*into = Response{}
		}
		return attemptResult{err: x.error(0, cause), hint: hint}
	}
	res := attemptResult{status: resp.StatusCode, requestID: x.requestID(resp.Header)}
	if into := o.cfg.Into; into != nil {
		*into = Response{StatusCode: resp.StatusCode, Header: x.red.header(resp.Header), RequestID: res.requestID}
	}
	fail := func(hint attemptHint, err error) attemptResult {
		e := x.error(res.status, err)
		e.RequestID = res.requestID
		res.err, res.hint = e, hint
		return res
	}

	limit := c.cfg.MaxBodyBytes
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
			ErrTooLarge, resp.ContentLength, c.cfg.MaxBodyBytes))
	case over && ok:
		return fail(attemptHint{}, fmt.Errorf("%w: the body is over %d bytes (see WithMaxResponseBytes)", ErrTooLarge, c.cfg.MaxBodyBytes))
	}

	if !ok {
		// Only what can reach an error or a log is redacted: a successful
		// body is the caller's data.
		body = x.red.bytes(body)
	}
	r := &x.reply
	*r = Reply{Status: res.status, Header: resp.Header, Body: body}
	res.err = h.Handle(x, r)
	r.Body = nil // the pooled buffer goes back
	if res.err == nil {
		return res
	}
	if e, isAPI := res.err.(*Error); isAPI {
		e.RequestID = res.requestID
		if !ok {
			e.RetryAfter, res.hint.hasRA = retryAfter(r.Header, time.Now())
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
func (c *Client) sendFailure(ctx, actx context.Context, timeout time.Duration, stall bool, err error) (attemptHint, error) {
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
	case actx.Err() != nil && stall:
		return attemptHint{retryable: true},
			&transient{fmt.Errorf("the request body made no progress for %v, or no response came within %v of sending it (the per-attempt timeout, see WithTimeout): %w", timeout, timeout, withContextError(context.DeadlineExceeded, err))}
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
