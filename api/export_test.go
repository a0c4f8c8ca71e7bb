package api

import (
	"time"

	"github.com/anam-ai/anam-go/internal/engine"
)

// Test hooks, compiled into this package's test binary only.

// RetryBaseDelay and RetryMaxDelay are the real backoff's parameters.
var (
	RetryBaseDelay = engine.RealBackoff.Base
	RetryMaxDelay  = engine.RealBackoff.Max
)

// SetDefaultBackoff sets the backoff of clients created afterwards. Call it
// from TestMain only, before the tests run.
func SetDefaultBackoff(base, max time.Duration) {
	engine.DefaultBackoff = engine.Backoff{Base: base, Max: max}
}

// WithBackoff sets one client's backoff, e.g. the real one in a synctest
// bubble, where waiting costs nothing.
func WithBackoff(base, max time.Duration) Option {
	return func(c *config) error {
		c.Backoff = engine.Backoff{Base: base, Max: max}
		return nil
	}
}

// WithRealBackoff is WithBackoff(RetryBaseDelay, RetryMaxDelay).
func WithRealBackoff() Option { return WithBackoff(RetryBaseDelay, RetryMaxDelay) }
