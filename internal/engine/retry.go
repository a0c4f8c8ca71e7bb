package api

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// DefaultMaxRetries is how many times a failed attempt is retried when
// WithMaxRetries is not given: 3 retries, so at most 4 attempts.
const DefaultMaxRetries = 3

const (
	retryBaseDelay = 500 * time.Millisecond // backoff after the first failure: 0.25–0.5 s
	retryMaxDelay  = 8 * time.Second        // backoff cap: 4–8 s
	maxRetryAfter  = time.Minute            // longest Retry-After waited for
)

// backoff is an exponential backoff with "equal jitter": the nth wait is
// drawn from [d/2, d] with d = min(max, base·2ⁿ⁻¹), so that attempts spread
// out but still grow.
type backoff struct{ base, max time.Duration }

// defaultBackoff is the backoff of new clients. Only tests change it.
var defaultBackoff = backoff{base: retryBaseDelay, max: retryMaxDelay}

// delay returns the wait after the nth failed attempt (n >= 1).
func (b backoff) delay(n int) time.Duration {
	d := b.max
	if shift := n - 1; shift >= 0 && shift < 32 {
		if x := b.base << shift; x > 0 && x < b.max {
			d = x
		}
	}
	if d <= 0 {
		return 0
	}
	half := d / 2
	return half + rand.N(d-half+1)
}

// WithMaxRetries sets how many times a failed attempt may be retried
// (DefaultMaxRetries when not given); 0 disables retries. What is retried,
// and how long the SDK waits in between, is described in the package
// documentation under "Retries and timeouts".
func WithMaxRetries(n int) Option {
	return func(c *config) error {
		if n < 0 {
			return fmt.Errorf("WithMaxRetries: %d is negative; use 0 to disable retries", n)
		}
		c.maxRetries = n
		return nil
	}
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

// RetryPolicy decides whether to try a request again after a failed attempt,
// and how long to wait first. It is given the SDK's own decision in
// info.Retry and info.Delay, so a policy that only observes returns them
// unchanged:
//
//	api.WithRetryPolicy(func(ctx context.Context, info api.RetryInfo) (bool, time.Duration) {
//		log.Printf("attempt %d: %v", info.Attempt, info.Err)
//		return info.Retry, info.Delay
//	})
//
// It is called after every failed attempt that could be retried at all:
// while fewer than WithMaxRetries retries were made, the context has not
// ended and the request body can be sent again. Its answer is final, with
// two limits: no wait outlasts the context's deadline (the call returns the
// last error at once instead), and a negative delay counts as zero. It may
// be called from several goroutines at once.
type RetryPolicy func(ctx context.Context, info RetryInfo) (retry bool, delay time.Duration)

// WithRetryPolicy sets a function that sees, and may change, every retry
// decision. See RetryPolicy.
func WithRetryPolicy(p RetryPolicy) Option {
	return func(c *config) error {
		if p == nil {
			return errors.New("WithRetryPolicy: nil RetryPolicy")
		}
		c.retryPolicy = p
		return nil
	}
}

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
	delay := c.cfg.backoff.delay(n)
	if h.hasRA {
		delay = h.retryAfter
		if h.retryAfter > maxRetryAfter {
			retry = false
		}
	}
	if c.cfg.retryPolicy != nil {
		retry, delay = c.cfg.retryPolicy(ctx, RetryInfo{Attempt: n, Err: e, Retry: retry, Delay: delay})
	}
	return retry, max(delay, 0)
}
