package anamtest

import (
	"encoding/json"
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
	itemsFor          map[string]int
	data              map[string][]json.RawMessage
	emptyListNotFound bool
	t                 testing.TB
	logger            *slog.Logger
	editor            ResponseEditor
	latency           map[string]time.Duration
	faults            map[string][]Fault
	now               func() time.Time
	storageLimit      int64
	allowInvalid      bool
	err               error // the first invalid option

	// Timeouts of the HTTP server; tests of them shorten them.
	headerTimeout, idleTimeout, bodyTimeout time.Duration
}

// setErr records the first invalid option.
func (c *config) setErr(format string, args ...any) {
	if c.err == nil {
		c.err = fmt.Errorf(format, args...)
	}
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
		if doc == nil {
			c.setErr("anamtest: WithSpec(nil)")
		}
		c.doc = doc
	}
}

// WithItems adds n generated items to every collection, after the spec's
// examples (or the items of WithData): see the package documentation,
// "Generated items". Items are the same on every run for a given seed (see
// WithSeed). n must not be negative. WithItemsFor sets the number for one
// collection.
func WithItems(n int) Option {
	return func(c *config) {
		if n < 0 {
			c.setErr("anamtest: WithItems(%d): n must not be negative", n)
		}
		c.items = max(n, 0)
	}
}

// WithItemsFor adds n generated items to one collection, named as in
// WithData ("/v1/avatars"; see Server.Collections), in place of the number
// of WithItems: WithItems(5) and WithItemsFor("/v1/avatars", 250) give 250
// avatars and 5 items in every other collection. n must not be negative,
// and the collection must exist: NewServer panics, and Start fails,
// otherwise. A later call for the same collection replaces an earlier one.
func WithItemsFor(collection string, n int) Option {
	return func(c *config) {
		if n < 0 {
			c.setErr("anamtest: WithItemsFor(%q, %d): n must not be negative", collection, n)
		}
		if c.itemsFor == nil {
			c.itemsFor = make(map[string]int)
		}
		c.itemsFor[collection] = max(n, 0)
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

// WithT reports to t, with t.Errorf, what the server finds wrong: every
// request that does not match the spec (a malformed parameter or body, a
// path or method the spec does not have; see WithInvalidRequestsAllowed),
// every response it sends or would send that does not match the spec
// (naming the operation, the status and the problem), every example of
// the spec it leaves out of its data for not matching its schema, and a
// panic of the fake itself. A success response that does not match is
// replaced by a 500, with or without WithT. WithT also registers the
// server's Close with t.Cleanup, so that no handler can report after the
// test has ended.
func WithT(t testing.TB) Option {
	return func(c *config) { c.t = t }
}

// WithInvalidRequestsAllowed stops the server from reporting requests that
// do not match the spec (see WithT), for tests that send them on purpose
// to see how a client handles the fake's 400 answers. They are still
// answered 400 (or 404, 405, 413), and still leave scripted faults
// untouched.
func WithInvalidRequestsAllowed() Option {
	return func(c *config) { c.allowInvalid = true }
}

// WithClock makes the server read the time from now instead of time.Now:
// for the timestamps it writes (createdAt, updatedAt, a session's start
// and end) and for the expiry of the session tokens it mints, so that a
// test can move time forward and see a token expire. now must be safe for
// concurrent use.
func WithClock(now func() time.Time) Option {
	return func(c *config) {
		if now == nil {
			c.setErr("anamtest: WithClock(nil)")
		}
		c.now = now
	}
}

// DefaultStorageLimit is the number of bytes of items a server holds,
// unless WithStorageLimit sets another.
const DefaultStorageLimit = 64 << 20

// WithStorageLimit bounds the bytes of items (counted as their JSON) the
// server holds: a create, update or session start that would go beyond it
// is refused with 507 Insufficient Storage and a message that says so,
// and reported (see WithT). Seeded items count towards the limit but are
// never refused. n must be positive; the default is DefaultStorageLimit.
func WithStorageLimit(n int64) Option {
	return func(c *config) {
		if n <= 0 {
			c.setErr("anamtest: WithStorageLimit(%d): n must be positive", n)
		}
		c.storageLimit = n
	}
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
