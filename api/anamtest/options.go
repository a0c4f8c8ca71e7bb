package anamtest

import (
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
)

// An Option configures a Server created by NewServer.
type Option func(*config)

type config struct {
	apiKey            string
	doc               *openapi3.T
	seed              uint64
	items             int
	data              map[string][]json.RawMessage
	emptyListNotFound bool
	t                 testing.TB
	logger            *slog.Logger
	editor            ResponseEditor
	latency           map[string]time.Duration
	faults            map[string][]Fault
	err               error // the first invalid option
}

// WithAPIKey sets the API key the server accepts, in place of
// DefaultAPIKey.
func WithAPIKey(key string) Option {
	return func(c *config) { c.apiKey = key }
}

// WithSpec makes the server serve doc instead of the embedded spec. doc
// must be loaded and resolved by kin-openapi (openapi3.NewLoader, or
// internal/specload.LoadBytes to apply an overlay first), and must not be
// modified afterwards: servers of the same document share what they infer
// from it. This is how a test proves that the fake needs no change for a
// new version of the spec.
func WithSpec(doc *openapi3.T) Option {
	return func(c *config) {
		if doc == nil && c.err == nil {
			c.err = errors.New("anamtest: WithSpec(nil)")
		}
		c.doc = doc
	}
}

// WithItems adds n generated items to every collection, after the spec's
// examples (or the items of WithData): see the package documentation,
// "Generated items". Items are the same on every run for a given seed (see
// WithSeed). n must not be negative.
func WithItems(n int) Option {
	return func(c *config) {
		if n < 0 && c.err == nil {
			c.err = fmt.Errorf("anamtest: WithItems(%d): n must not be negative", n)
		}
		c.items = max(n, 0)
	}
}

// WithSeed sets the seed of generated items and IDs (default 0): the same
// seed gives the same data set.
func WithSeed(seed uint64) Option {
	return func(c *config) { c.seed = seed }
}

// WithData replaces the spec's example items of a collection with the
// given JSON objects, in this order; WithItems still appends generated
// items after them, and with no items the collection starts empty. The
// collection is named by its path as in the spec, such as "/v1/avatars"
// (see Server.Collections): for a collection nested under another, the
// path of its items without the ID, such as "/v1/knowledge/documents".
// Each item must match the collection's item schema and have a unique ID
// (case does not matter, as for a UUID); NewServer panics, and Start fails,
// otherwise. Calls for the same collection add up.
func WithData(collection string, items ...json.RawMessage) Option {
	return func(c *config) {
		if c.data == nil {
			c.data = make(map[string][]json.RawMessage)
		}
		c.data[collection] = append(c.data[collection], items...)
	}
}

// WithEmptyListNotFound makes every list operation whose spec documents a
// 404 answer 404 Not Found instead of 200 when the page it would return has
// no items (none matches, or the page is past the last one). By default an
// empty page is a 200 with an empty list.
func WithEmptyListNotFound() Option {
	return func(c *config) { c.emptyListNotFound = true }
}

// WithT reports to t, with t.Errorf, every response the server sends or
// would send that does not match the spec, naming the operation, the
// status and the problem, and every example of the spec that it leaves out
// of its data for not matching its schema. A success response that does
// not match is replaced by a 500, with or without WithT. It also registers the server's Close with t.Cleanup, so that no handler can
// report after the test has ended.
func WithT(t testing.TB) Option {
	return func(c *config) { c.t = t }
}

// WithLogger sets the logger that reports what WithT would when WithT is
// not used. The default logs to standard error.
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
