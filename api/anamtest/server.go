package anamtest

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"slices"
	"strconv"
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

	ts     *httptest.Server
	ix     *specIndex
	cfg    config
	filter *openapi3filter.Options
	gen    generator

	closed    context.Context // canceled by Close: unblocks delays and stalls
	close     context.CancelFunc
	closeOnce sync.Once
	handlers  sync.WaitGroup // ServeHTTP calls, including hijacked ones

	conns atomic.Int64

	// remembered holds verdicts of validation: see validateRequest and
	// validateResponse.
	remembered  sync.Map // [sha256.Size]byte -> verdict or struct{}
	nremembered atomic.Int64

	data   sync.RWMutex
	stores map[*resource]*store

	mu         sync.Mutex
	requests   map[string]int
	lastHeader map[string]http.Header
	faults     map[string][]Fault
	latency    map[string]time.Duration
}

// NewServer starts and returns a new Server on a system-chosen loopback
// port, serving the embedded spec (internal/specload.Load) or the document
// of WithSpec. The caller should call Close when finished, to shut it down.
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
	cfg := config{apiKey: DefaultAPIKey}
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
		if doc, err = specload.Load(); err != nil {
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
		filter:     filterOptions(authenticate(cfg.apiKey)),
		gen:        generator{seed: cfg.seed, valid: ix.valid, v31: doc.IsOpenAPI31OrLater()},
		requests:   make(map[string]int),
		lastHeader: make(map[string]http.Header),
		faults:     make(map[string][]Fault),
		latency:    make(map[string]time.Duration),
	}
	if err := s.seed(); err != nil {
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

// seed fills the stores: for each resource, the items of WithData or else
// of the spec's examples, then the generated items of WithItems. Parents
// are seeded before the resources nested in them.
func (s *Server) seed() error {
	s.stores = make(map[*resource]*store, len(s.ix.resources))
	for _, k := range slices.Sorted(maps.Keys(s.cfg.data)) {
		if s.ix.byKey[k] == nil {
			return fmt.Errorf("anamtest: WithData(%q): no such collection (the spec has %s)", k, strings.Join(s.Collections(), ", "))
		}
	}
	var order []*resource
	var visit func(r *resource)
	visit = func(r *resource) {
		if slices.Contains(order, r) {
			return
		}
		if r.parent != nil {
			visit(r.parent)
		}
		order = append(order, r)
	}
	for _, r := range s.ix.resources {
		visit(r)
	}
	for _, res := range order {
		st := newStore(res)
		s.stores[res] = st
		if raw, ok := s.cfg.data[res.key]; ok {
			for n, b := range raw {
				var doc map[string]any
				if err := json.Unmarshal(b, &doc); err != nil {
					return fmt.Errorf("anamtest: WithData(%q): item %d is not a JSON object: %w", res.key, n, err)
				}
				if err := s.ix.validate(res, doc); err != nil {
					return fmt.Errorf("anamtest: WithData(%q): item %d does not match the spec: %v", res.key, n, err)
				}
				it, err := s.ix.newItem(res, s.gen, doc, n)
				if err != nil {
					return fmt.Errorf("anamtest: WithData(%q): item %d: %w", res.key, n, err)
				}
				if st.get(it.id) != nil {
					return fmt.Errorf("anamtest: WithData(%q): two items have ID %s", res.key, it.id)
				}
				st.put(it)
			}
		} else {
			for n, ex := range res.examples {
				doc, err := roundTrip(ex)
				if err != nil {
					continue
				}
				m := doc.(map[string]any)
				if err := s.ix.validate(res, m); err != nil {
					s.report(fmt.Sprintf("anamtest: an example of %s does not match its schema, and is left out: %v", res.key, err))
					continue
				}
				it, err := s.ix.newItem(res, s.gen, m, n)
				if err != nil || st.get(it.id) != nil {
					continue // no ID, or one seen already: the first wins
				}
				st.put(it)
			}
		}
		var parents []*item
		if res.parent != nil {
			parents = s.stores[res.parent].items
		}
		for i := range s.cfg.items {
			doc := s.gen.item(res.key, res.schema, i)
			if res.idField != "" {
				doc[res.idField] = s.gen.uuid(res.key, "item", strconv.Itoa(i))
			}
			parent := ""
			if len(parents) > 0 {
				parent = parents[i%len(parents)].id
				if res.link != "" {
					doc[res.link] = parent
				}
			}
			it, err := s.ix.newItem(res, s.gen, doc, i)
			if err != nil {
				return fmt.Errorf("anamtest: generate an item of %s: %w", res.key, err)
			}
			if parent != "" {
				it.parent = strings.ToLower(parent)
			}
			st.put(it)
		}
	}
	return nil
}

// report tells the test (WithT) or the logger about a problem of the spec
// or of the fake.
func (s *Server) report(msg string, args ...any) {
	if s.cfg.t != nil {
		s.cfg.t.Errorf("%s", msg)
		return
	}
	s.cfg.logger.Error(msg, args...)
}

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
// succeed. Faults are consumed before authentication and validation.
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

// begin records a request to op and returns its latency and fault, if any.
func (s *Server) begin(op string, h http.Header) (latency time.Duration, f Fault, faulty bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.requests[op]++
	s.requests[AllOperations]++
	h = h.Clone()
	s.lastHeader[op] = h
	s.lastHeader[AllOperations] = h
	latency, ok := s.latency[op]
	if !ok {
		latency = s.latency[AllOperations]
	}
	for _, key := range []string{op, AllOperations} {
		if q := s.faults[key]; len(q) > 0 {
			f, s.faults[key] = q[0], q[1:]
			return latency, f, true
		}
	}
	return latency, Fault{}, false
}

// sleep waits for d, and reports false if ctx is done or the server closes
// first.
func (s *Server) sleep(ctx context.Context, d time.Duration) bool {
	if d <= 0 {
		return true
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	case <-s.closed.Done():
		return false
	}
}

func (s *Server) serveHTTP(w http.ResponseWriter, r *http.Request) {
	s.handlers.Add(1)
	defer s.handlers.Done()
	// Close must not wait for a client that does not read what a handler
	// writes (a huge body, say): from Close on, writes fail at once.
	rc := http.NewResponseController(w)
	stop := context.AfterFunc(s.closed, func() { _ = rc.SetWriteDeadline(time.Now()) })
	defer stop()

	rt, params, allowed := s.ix.match(r)
	if rt == nil {
		if len(allowed) > 0 {
			w.Header().Set("Allow", strings.Join(allowed, ", "))
			plainError(http.StatusMethodNotAllowed,
				fmt.Sprintf("%s is not allowed on %s", r.Method, r.URL.Path)).write(w)
			return
		}
		plainError(http.StatusNotFound,
			fmt.Sprintf("anamtest: no operation of the spec matches %s %s", r.Method, r.URL.Path)).write(w)
		return
	}
	if r.Body != nil {
		r.Body = http.MaxBytesReader(w, r.Body, maxBody)
	}
	latency, f, faulty := s.begin(rt.id, r.Header)
	if !s.sleep(r.Context(), latency) {
		panic(http.ErrAbortHandler) // close the connection without a response
	}
	if faulty {
		s.serveFault(w, r, rt, params, f)
		return
	}
	s.respond(r, rt, params).write(w)
}

// response is a response the server built, before it is written.
type response struct {
	status int
	header http.Header
	body   []byte
}

const jsonContentType = "application/json; charset=utf-8"

func jsonResponse(status int, body []byte) response {
	return response{status: status, header: http.Header{"Content-Type": {jsonContentType}}, body: body}
}

func (resp response) write(w http.ResponseWriter) {
	h := w.Header()
	for k, v := range resp.header {
		h[k] = v
	}
	if resp.body != nil || resp.status != http.StatusNoContent {
		h.Set("Content-Length", strconv.Itoa(len(resp.body)))
	}
	w.WriteHeader(resp.status)
	_, _ = w.Write(resp.body)
}

// plainError is an error answer that belongs to no operation (404 for an
// unknown path, 405), shaped as the API's: {"error", "message"}.
func plainError(status int, message string) response {
	b, _ := json.Marshal(map[string]string{"error": http.StatusText(status), "message": message})
	return jsonResponse(status, b)
}

// respond validates r, builds the response of operation rt, and validates
// it. A success response that does not match the spec is reported and
// replaced by a 500; an error response that does not (a status the spec
// does not document for the operation, say) is reported and sent.
func (s *Server) respond(r *http.Request, rt *route, params map[string]string) response {
	in := &openapi3filter.RequestValidationInput{
		Request: r, PathParams: params, Route: rt.kin, Options: s.filter,
	}
	var resp response
	if v := s.validateRequest(r, rt, in); v.status != 0 {
		resp = s.errorResponse(rt, v.status, v.message)
		if v.status == http.StatusUnauthorized {
			resp.header.Set("WWW-Authenticate", "Bearer")
		}
	} else {
		resp = s.handle(r, rt, params)
	}
	if s.cfg.editor != nil && resp.body != nil {
		resp.body = s.cfg.editor(rt.id, resp.status, resp.body)
	}
	if err := s.validateResponse(r.Context(), in, resp); err != nil {
		problem := describe(err)
		msg := fmt.Sprintf("anamtest: %s response with status %d does not match the spec: %s", rt.id, resp.status, problem)
		if s.cfg.t != nil {
			s.cfg.t.Errorf("%s", msg)
		} else {
			s.cfg.logger.Error("anamtest: a response does not match the spec",
				"operation", rt.id, "status", resp.status, "problem", problem)
		}
		if resp.status < 400 {
			b, _ := json.Marshal(map[string]string{"error": http.StatusText(500), "message": msg})
			return jsonResponse(http.StatusInternalServerError, b)
		}
	}
	return resp
}

// verdict is the outcome of validating a request.
type verdict struct {
	status   int    // 0 if the request is valid, else 400 or 401
	message  string // the problem, if any
	rawQuery string // the valid request's query, with the spec's defaults
}

// maxBody bounds the request bodies the server reads: a larger one gets a
// 413.
const maxBody = 8 << 20

// validateRequest validates r, a request to rt, and gives its query the
// spec's defaults. For an operation whose requests are determined by their
// path, query and Authorization header (no body, no header or cookie
// parameter), the verdict is remembered by these, as in validateResponse.
func (s *Server) validateRequest(r *http.Request, rt *route, in *openapi3filter.RequestValidationInput) verdict {
	var key [sha256.Size]byte
	if rt.memo {
		h := sha256.New()
		fmt.Fprintf(h, "request\x00%s\x00%s\x00%s\x00%s", rt.id, r.URL.EscapedPath(), r.URL.RawQuery, r.Header.Get("Authorization"))
		h.Sum(key[:0])
		if v, ok := s.remembered.Load(key); ok {
			v := v.(verdict)
			r.URL.RawQuery = v.rawQuery
			return v
		}
	}
	if r.Body != nil && r.Body != http.NoBody {
		// Read in full first (within the limit of serveHTTP), so that a
		// body over the limit is a 413 and not whatever the validator
		// makes of a read error.
		data, err := io.ReadAll(r.Body)
		if err != nil {
			var mbe *http.MaxBytesError
			if errors.As(err, &mbe) {
				return verdict{status: http.StatusRequestEntityTooLarge, message: fmt.Sprintf("request body larger than %d bytes", mbe.Limit)}
			}
			return verdict{status: http.StatusBadRequest, message: "read request body: " + err.Error()}
		}
		r.Body = io.NopCloser(bytes.NewReader(data))
		r.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(data)), nil }
	}
	var v verdict
	if err := openapi3filter.ValidateRequest(r.Context(), in); err != nil {
		if aerr, ok := authError(err); ok {
			v = verdict{status: http.StatusUnauthorized, message: "Invalid or missing API key: " + aerr.Error()}
		} else {
			v = verdict{status: http.StatusBadRequest, message: describe(err)}
		}
	}
	v.rawQuery = r.URL.RawQuery
	if rt.memo {
		s.remember(key, v)
	}
	return v
}

func (s *Server) remember(key [sha256.Size]byte, v any) {
	if s.nremembered.Add(1) > maxRemembered {
		s.remembered.Clear()
		s.nremembered.Store(0)
	}
	s.remembered.Store(key, v)
}

// validateResponse validates resp, the answer to the request of in.
// Validation is a pure function of the operation, the status, the headers
// and the body, and kin-openapi compiles the JSON schema anew
// on every call, so valid responses are remembered by a hash of these:
// serving the same page again costs a hash, not a validation.
func (s *Server) validateResponse(ctx context.Context, in *openapi3filter.RequestValidationInput, resp response) error {
	h := sha256.New()
	fmt.Fprintf(h, "response\x00%s\x00%d\x00", in.Route.Operation.OperationID, resp.status)
	names := slices.Sorted(maps.Keys(resp.header))
	for _, k := range names {
		fmt.Fprintf(h, "%s\x00%q\x00", k, resp.header[k])
	}
	h.Write(resp.body)
	var key [sha256.Size]byte
	h.Sum(key[:0])
	if _, ok := s.remembered.Load(key); ok {
		return nil
	}
	out := &openapi3filter.ResponseValidationInput{
		RequestValidationInput: in,
		Status:                 resp.status,
		Header:                 resp.header,
		Options:                s.filter,
	}
	out.SetBodyBytes(resp.body)
	if err := openapi3filter.ValidateResponse(ctx, out); err != nil {
		return err
	}
	s.remember(key, struct{}{})
	return nil
}

// maxRemembered bounds the number of verdicts a Server remembers.
const maxRemembered = 1 << 14
