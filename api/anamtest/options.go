package anamtest

import (
	"fmt"
	"log/slog"
	"testing"
	"time"
)

// An Option configures a Server created by NewServer.
type Option func(*config)

type config struct {
	apiKey            string
	avatars           []Avatar // replaces the spec's example avatars when set
	replaceExamples   bool
	generate          int
	emptyListNotFound bool
	t                 testing.TB
	logger            *slog.Logger
	editor            ResponseEditor
	latency           map[string]time.Duration
	faults            map[string][]Fault
}

// WithAPIKey sets the API key the server accepts, in place of
// DefaultAPIKey.
func WithAPIKey(key string) Option {
	return func(c *config) { c.apiKey = key }
}

// WithAvatars adds n generated avatars to the data set, after the spec's
// example avatars (or those given to WithAvatarData). Avatar i is
// GeneratedAvatar(i), so the data set is the same on every run. n must not
// be negative.
func WithAvatars(n int) Option {
	if n < 0 {
		panic(fmt.Sprintf("anamtest: WithAvatars(%d): n must not be negative", n))
	}
	return func(c *config) { c.generate = n }
}

// WithAvatarData replaces the spec's example avatars with the given ones,
// in this order; WithAvatars still appends generated avatars after them.
// With no arguments the data set starts empty. IDs must be unique (case
// does not matter, as for a UUID); NewServer panics otherwise. Avatars are
// served as given and validated like every response, so an avatar that
// violates the spec makes the requests that return it fail (see WithT).
// Timestamps are written in UTC with millisecond precision, as the API
// writes them.
func WithAvatarData(avatars ...Avatar) Option {
	return func(c *config) {
		c.avatars = append([]Avatar(nil), avatars...)
		c.replaceExamples = true
	}
}

// WithEmptyListNotFound makes listAvatars answer 404 Not Found with
// {"error":"Not Found","message":"No avatars found"} instead of 200 when
// the page it would return has no avatars (no avatar matches, or the page
// is past the last one), as the spec documents. By default an empty page is
// a 200 with "data": [].
func WithEmptyListNotFound() Option {
	return func(c *config) { c.emptyListNotFound = true }
}

// WithT reports to t every response the server would send that does not
// match the spec, with t.Errorf naming the operation, the status and the
// problem; the client receives a 500 instead, with or without WithT. It
// also registers the server's Close with t.Cleanup, so that no handler can
// report after the test has ended.
func WithT(t testing.TB) Option {
	return func(c *config) { c.t = t }
}

// WithLogger sets the logger that reports responses that do not match the
// spec when WithT is not used. The default logs to standard error.
func WithLogger(l *slog.Logger) Option {
	return func(c *config) { c.logger = l }
}

// A ResponseEditor rewrites the body of a response the server is about to
// send, before the response is validated against the spec. operationID and
// status identify the response. It must be safe for concurrent use.
type ResponseEditor func(operationID string, status int, body []byte) []byte

// WithResponseEditor makes the server pass the body of every response it
// builds (not those of faults) through edit before validating it. It lets a
// test make the fake produce a response that violates the spec and check
// that validation catches it.
func WithResponseEditor(edit ResponseEditor) Option {
	return func(c *config) { c.editor = edit }
}

// WithLatency delays every request to operationID (or to every operation
// with AllOperations) by d before it is answered, for benchmarks and
// timeout tests. See Server.SetLatency.
func WithLatency(operationID string, d time.Duration) Option {
	return func(c *config) {
		if c.latency == nil {
			c.latency = make(map[string]time.Duration)
		}
		c.latency[operationID] = d
	}
}

// WithFaults scripts faults for the first requests to operationID (or to
// any operation with AllOperations). See Server.InjectFaults.
func WithFaults(operationID string, faults ...Fault) Option {
	return func(c *config) {
		if c.faults == nil {
			c.faults = make(map[string][]Fault)
		}
		c.faults[operationID] = append(c.faults[operationID], faults...)
	}
}
