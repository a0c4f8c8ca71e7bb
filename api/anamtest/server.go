package anamtest

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"maps"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/getkin/kin-openapi/openapi3filter"

	"github.com/anam-ai/anam-go/internal/specload"
)

// DefaultAPIKey is the API key a Server accepts unless WithAPIKey sets
// another: requests must carry "Authorization: Bearer " + DefaultAPIKey.
const DefaultAPIKey = "anamtest-api-key"

// AllOperations stands for every operation in InjectFaults, SetLatency,
// Requests, LastHeader and PendingFaults: faults and latency set for it
// apply to requests to any operation, and counters sum over all.
const AllOperations = "*"

// A Server is a fake Anam API listening on the local loopback interface,
// for use in end-to-end HTTP tests. It serves every operation of an OpenAPI
// document over an in-memory data set (see the package documentation). It
// is safe for concurrent use.
type Server struct {
	// URL is the base URL of the server, of the form http://ipaddr:port
	// with no trailing slash: the SDK's server URL.
	URL string

	ts           *httptest.Server
	ix           *specIndex
	cfg          config
	filter       *openapi3filter.Options // validates requests and responses in full
	filterNoBody *openapi3filter.Options // all but JSON bodies, which validators check
	gen          generator
	tokens       tokenMinter
	accountID    string // the account of the tokens it mints, and of the items it starts

	closed    context.Context // canceled by Close: unblocks delays and stalls
	close     context.CancelFunc
	closeOnce sync.Once
	handlers  sync.WaitGroup // ServeHTTP calls, including hijacked ones

	conns atomic.Int64

	// remembered holds verdicts of validation: see validateRequest and
	// validateResponse.
	remembered  sync.Map // [sha256.Size]byte -> verdict or struct{}
	nremembered atomic.Int64

	data   sync.RWMutex // guards the items of the stores, once filled
	stores map[*resource]*store
	preset map[*resource][]map[string]any // the items of WithData, validated
	stored atomic.Int64                   // bytes of items held, see WithStorageLimit
	minted atomic.Int64                   // session tokens minted

	mu         sync.Mutex
	requests   map[string]int
	lastHeader map[string]http.Header
	faults     map[string][]Fault
	latency    map[string]time.Duration
}

// NewServer starts and returns a new Server on a system-chosen loopback
// port, serving the embedded spec (internal/specload.LoadLean: without the
// prose the fake never reads, which loads faster) or the document of
// WithSpec. The caller should call Close when finished, to shut it down.
// NewServer panics if the spec cannot be loaded or an option is invalid
// (data that does not match the spec, say), as httptest.NewServer panics
// when it cannot listen; Start returns these as errors.
func NewServer(opts ...Option) *Server {
	s, err := newServer(nil, opts)
	if err != nil {
		panic(err.Error())
	}
	return s
}

// Start is NewServer listening on addr, a loopback host and port such as
// "127.0.0.1:8080", "[::1]:0" or "localhost:8080" (port 0 picks one), for
// running the fake for other programs: see the package documentation,
// "Standalone use". It refuses any other address, since the fake accepts a
// well-known key and must not be reachable from the network, and returns
// every error NewServer would panic with.
func Start(addr string, opts ...Option) (*Server, error) {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, fmt.Errorf("anamtest: address %q: %w", addr, err)
	}
	if !isLoopback(host) {
		return nil, fmt.Errorf("anamtest: address %q is not a loopback address: the fake listens only on 127.0.0.1, ::1 or localhost", addr)
	}
	l, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("anamtest: %w", err)
	}
	s, err := newServer(l, opts)
	if err != nil {
		_ = l.Close()
		return nil, err
	}
	return s, nil
}

func isLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

func newServer(l net.Listener, opts []Option) (*Server, error) {
	cfg := config{
		apiKey: DefaultAPIKey, now: time.Now, storageLimit: DefaultStorageLimit,
		headerTimeout: headerTimeout, idleTimeout: idleTimeout, bodyTimeout: bodyTimeout,
	}
	for _, o := range opts {
		o(&cfg)
	}
	if cfg.err != nil {
		return nil, cfg.err
	}
	if cfg.logger == nil {
		cfg.logger = slog.New(slog.NewTextHandler(os.Stderr, nil))
	}
	doc := cfg.doc
	if doc == nil {
		var err error
		if doc, err = specload.LoadLean(); err != nil {
			return nil, fmt.Errorf("anamtest: load spec: %w", err)
		}
	}
	ix, err := indexFor(doc)
	if err != nil {
		return nil, err
	}
	s := &Server{
		ix:         ix,
		cfg:        cfg,
		gen:        generator{seed: cfg.seed, valid: ix.valid, v31: doc.IsOpenAPI31OrLater()},
		tokens:     newTokenMinter(),
		requests:   make(map[string]int),
		lastHeader: make(map[string]http.Header),
		faults:     make(map[string][]Fault),
		latency:    make(map[string]time.Duration),
	}
	s.accountID = s.gen.uuid("account")
	s.filter = filterOptions(s.authenticate, false)
	s.filterNoBody = filterOptions(s.authenticate, true)
	if err := s.prepareStores(); err != nil {
		return nil, err
	}
	for _, op := range slices.Sorted(maps.Keys(cfg.latency)) {
		if err := ix.knownOp(op); err != nil {
			return nil, err
		}
		s.SetLatency(op, cfg.latency[op])
	}
	for _, op := range slices.Sorted(maps.Keys(cfg.faults)) {
		if err := ix.knownOp(op); err != nil {
			return nil, err
		}
		s.InjectFaults(op, cfg.faults[op]...)
	}
	s.closed, s.close = context.WithCancel(context.Background())

	s.ts = httptest.NewUnstartedServer(http.HandlerFunc(s.serveHTTP))
	if l != nil {
		_ = s.ts.Listener.Close()
		s.ts.Listener = l
	}
	s.ts.Config.ReadHeaderTimeout = cfg.headerTimeout
	s.ts.Config.IdleTimeout = cfg.idleTimeout
	s.ts.Config.ConnState = func(_ net.Conn, state http.ConnState) {
		if state == http.StateNew {
			s.conns.Add(1)
		}
	}
	s.ts.Start()
	s.URL = s.ts.URL
	if cfg.t != nil {
		cfg.t.Cleanup(s.Close)
	}
	return s, nil
}

// The server's timeouts: how long a client may take to send a request's
// headers, or its body once the fake starts reading it, and how long an
// idle keep-alive connection stays open. They bound what a client that
// stalls holds of the fake (a goroutine and a connection each).
const (
	headerTimeout = 10 * time.Second
	bodyTimeout   = 30 * time.Second
	idleTimeout   = 60 * time.Second
)

// Close shuts down the server and blocks until all outstanding requests on
// this server have completed. Delays, stalls and huge bodies of faults in
// progress are cut short, so Close does not wait for them. Calling Close
// more than once is allowed.
func (s *Server) Close() {
	s.closeOnce.Do(func() {
		s.close()
		s.ts.Close()
		s.handlers.Wait() // hijacked handlers, which ts.Close does not wait for
	})
}

// Client returns an HTTP client configured for making requests to the
// server; its idle connections are closed by Close. The client does not
// authenticate: requests need an Authorization header with APIKey.
func (s *Server) Client() *http.Client { return s.ts.Client() }

// APIKey returns the API key the server accepts as a Bearer token.
func (s *Server) APIKey() string { return s.cfg.apiKey }

// Operations returns the operationIds of the served document, sorted.
func (s *Server) Operations() []string { return slices.Sorted(maps.Keys(s.ix.ops)) }

// Collections returns the keys of the resources the server holds (the
// collection paths, such as "/v1/avatars"; see WithData), sorted.
func (s *Server) Collections() []string { return slices.Sorted(maps.Keys(s.ix.byKey)) }

// Items returns copies of the items of a collection (a key of Collections),
// in listing order, as JSON objects. It returns nil for an unknown key.
func (s *Server) Items(collection string) []json.RawMessage {
	res := s.ix.byKey[collection]
	if res == nil {
		return nil
	}
	s.fill(res)
	s.data.RLock()
	defer s.data.RUnlock()
	st := s.stores[res]
	out := make([]json.RawMessage, len(st.items))
	for i, it := range st.items {
		out[i] = slices.Clone(it.raw)
	}
	return out
}

// Requests returns the number of requests received for operationID so far,
// or for all operations with AllOperations. A request counts when it
// arrives, whatever the answer (fault, 400, 401...). Requests that match no
// operation of the spec are not counted.
func (s *Server) Requests(operationID string) int {
	s.ix.checkOp(operationID)
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.requests[operationID]
}

// LastHeader returns a copy of the headers of the last request received for
// operationID (or for any operation with AllOperations), or nil if there
// was none.
func (s *Server) LastHeader(operationID string) http.Header {
	s.ix.checkOp(operationID)
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.lastHeader[operationID].Clone()
}

// Connections returns the number of TCP connections the server has
// accepted so far, for tests of connection reuse.
func (s *Server) Connections() int { return int(s.conns.Load()) }

// SetLatency delays every later request to operationID (or to every
// operation with AllOperations) by d before it is handled; zero removes the
// delay. An operation's own latency takes precedence over that of
// AllOperations. The delay is cut short if the client gives up or the
// server closes, and the connection is then closed without a response.
func (s *Server) SetLatency(operationID string, d time.Duration) {
	s.ix.checkOp(operationID)
	s.mu.Lock()
	defer s.mu.Unlock()
	if d <= 0 {
		delete(s.latency, operationID)
	} else {
		s.latency[operationID] = d
	}
}

// InjectFaults appends faults to the script of operationID (or of
// AllOperations). Each request to an operation consumes the next fault of
// its own script or, once that is empty, the next one of AllOperations';
// when both are empty the server behaves normally again. For example
//
//	srv.InjectFaults(op,
//		anamtest.Status(503).WithRetryAfter("1"), anamtest.Status(503))
//
// makes the next two requests to the operation op fail with 503, and the third
// succeed. A request is authenticated and validated before it consumes a
// fault: one that is refused (401, 400...) gets its normal answer and leaves
// the script as it is, and a request that does not match the spec is
// reported (see WithT).
func (s *Server) InjectFaults(operationID string, faults ...Fault) {
	s.ix.checkOp(operationID)
	for _, f := range faults {
		if f.kind == faultNone {
			panic("anamtest: InjectFaults: the zero Fault is not valid; use a constructor such as Status")
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults[operationID] = append(s.faults[operationID], faults...)
}

// PendingFaults returns the number of faults scripted for operationID (or
// for AllOperations) that no request has consumed yet.
func (s *Server) PendingFaults(operationID string) int {
	s.ix.checkOp(operationID)
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.faults[operationID])
}
