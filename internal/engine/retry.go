package engine

import (
	"context"
	"errors"
	"math/rand/v2"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
)

const (
	retryBaseDelay = 500 * time.Millisecond // backoff after the first failure: 0.25–0.5 s
	retryMaxDelay  = 8 * time.Second        // backoff cap: 4–8 s
	maxRetryAfter  = time.Minute            // longest Retry-After waited for
)

// Backoff is an exponential backoff with "equal jitter": the nth wait is
// drawn from [d/2, d] with d = min(Max, Base·2ⁿ⁻¹), so that attempts spread
// out but still grow.
type Backoff struct{ Base, Max time.Duration }

// RealBackoff is the SDK's backoff: 0.25–0.5 s after the first failure,
// doubling, at most 4–8 s.
var RealBackoff = Backoff{Base: retryBaseDelay, Max: retryMaxDelay}

// DefaultBackoff is the backoff of clients whose Config has none: the
// real one. Only tests change it (before any client is made).
var DefaultBackoff = RealBackoff

// delay returns the wait after the nth failed attempt (n >= 1).
func (b Backoff) delay(n int) time.Duration {
	d := b.Max
	if shift := n - 1; shift >= 0 && shift < 32 {
		if x := b.Base << shift; x > 0 && x < b.Max {
			d = x
		}
	}
	if d <= 0 {
		return 0
	}
	half := d / 2
	return half + rand.N(d-half+1)
}

// RetryInfo describes a failed attempt to a RetryPolicy.
type RetryInfo struct {
	// Attempt is the number of the attempt that failed, from 1.
	Attempt int
	// Err is why it failed; Err.Attempts == Attempt.
	Err *Error
	// Retry is the SDK's own decision: whether it would try again.
	Retry bool
	// Delay is how long the SDK would wait before the next attempt: the
	// backoff, or the server's Retry-After.
	Delay time.Duration
}

// RetryPolicy decides whether to try a request again after a failed
// attempt, and how long to wait first, given the SDK's own decision (see
// api.RetryPolicy).
type RetryPolicy func(ctx context.Context, info RetryInfo) (retry bool, delay time.Duration)

// retryableStatus reports whether a response status is worth another
// attempt.
func retryableStatus(code int) bool {
	switch code {
	case http.StatusRequestTimeout, http.StatusTooManyRequests, http.StatusInternalServerError,
		http.StatusBadGateway, http.StatusServiceUnavailable, http.StatusGatewayTimeout:
		return true
	}
	return false
}

// idempotent reports whether sending a request of this method twice has the
// effect of sending it once.
func idempotent(method string) bool {
	switch method {
	case http.MethodGet, http.MethodHead, http.MethodOptions, http.MethodPut, http.MethodDelete, http.MethodTrace:
		return true
	}
	return false
}

// retryAfter parses a Retry-After header: a number of seconds or an HTTP
// date. A date is taken relative to the response's Date header when there
// is one, so that a skewed local clock does not matter. A time in the past
// is zero; a number of seconds over a day, however large, is a day.
func retryAfter(h http.Header, now time.Time) (time.Duration, bool) {
	v := strings.TrimSpace(h.Get("Retry-After"))
	if v == "" {
		return 0, false
	}
	if n, err := strconv.ParseUint(v, 10, 64); err == nil {
		if n > uint64(24*time.Hour/time.Second) {
			return 24 * time.Hour, true
		}
		return time.Duration(n) * time.Second, true
	}
	if strings.Trim(v, "0123456789") == "" {
		// Digits only, yet not a uint64: a number of seconds too large
		// to represent, which is over any cap.
		return 24 * time.Hour, true
	}
	if n, err := strconv.ParseInt(v, 10, 64); err == nil && n < 0 {
		return 0, false
	}
	at, err := http.ParseTime(v)
	if err != nil {
		return 0, false
	}
	if date, err := http.ParseTime(h.Get("Date")); err == nil {
		now = date
	}
	return max(at.Sub(now), 0), true
}

// attemptHint is what exchange learns from an attempt for its retry
// decision.
type attemptHint struct {
	retryable  bool          // the failure is of a kind another attempt may cure
	unsent     bool          // the request cannot have reached the server
	retryAfter time.Duration // the server's Retry-After
	hasRA      bool          // whether it sent one
}

// decide returns whether to retry after attempt n failed with e, and how
// long to wait: the SDK's decision, then the policy's.
func (c *Client) decide(ctx context.Context, method string, n int, e *Error, h attemptHint) (bool, time.Duration) {
	retry := h.retryable && (idempotent(method) || h.unsent)
	delay := c.cfg.Backoff.delay(n)
	if h.hasRA {
		delay = h.retryAfter
		if h.retryAfter > maxRetryAfter {
			retry = false
		}
	}
	if c.cfg.RetryPolicy != nil {
		retry, delay = c.cfg.RetryPolicy(ctx, RetryInfo{Attempt: n, Err: e, Retry: retry, Delay: delay})
	}
	return retry, max(delay, 0)
}

// gate holds back every request of a client until a time the server named
// in a 429's Retry-After, so that concurrent callers back off together
// instead of each discovering the limit on its own.
type gate struct {
	mu    sync.Mutex
	until time.Time
}

// hold extends the gate to t, if that is later than it already is.
func (g *gate) hold(t time.Time) {
	g.mu.Lock()
	if t.After(g.until) {
		g.until = t
	}
	g.mu.Unlock()
}

// closedUntil returns the time the gate opens; it is open at any time after.
func (g *gate) closedUntil() time.Time {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.until
}

// errPastDeadline is returned by sleepUntil when the wait would outlast the
// context's deadline: it returns at once instead of sleeping in vain.
var errPastDeadline = errors.New("the wait would outlast the context's deadline")

// sleepUntil waits until t, if t is in the future. It returns
// errPastDeadline at once when t is after ctx's deadline, and ctx's error if
// ctx ends first.
func sleepUntil(ctx context.Context, t time.Time) error {
	d := time.Until(t)
	if d <= 0 {
		return nil
	}
	if dl, ok := ctx.Deadline(); ok && !t.Before(dl) {
		return errPastDeadline
	}
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case <-timer.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
