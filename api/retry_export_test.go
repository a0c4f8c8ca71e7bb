package api

import "time"

// Test hooks, compiled into this package's test binary only.

// RetryBaseDelay and RetryMaxDelay are the real backoff's parameters.
const (
	RetryBaseDelay = retryBaseDelay
	RetryMaxDelay  = retryMaxDelay
)

// SetDefaultBackoff sets the backoff of clients created afterwards. Call it
// from TestMain only, before the tests run.
func SetDefaultBackoff(base, max time.Duration) { defaultBackoff = backoff{base: base, max: max} }

// WithBackoff sets one client's backoff, e.g. the real one in a synctest
// bubble, where waiting costs nothing.
func WithBackoff(base, max time.Duration) Option {
	return func(c *config) error {
		c.backoff = backoff{base: base, max: max}
		return nil
	}
}

// WithRealBackoff is WithBackoff(RetryBaseDelay, RetryMaxDelay).
func WithRealBackoff() Option { return WithBackoff(retryBaseDelay, retryMaxDelay) }
