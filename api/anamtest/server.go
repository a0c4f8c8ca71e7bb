package anamtest

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"fmt"
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
	"github.com/oapi-codegen/nullable"

	"github.com/anam-ai/anam-go/gen"
)

// DefaultAPIKey is the API key a Server accepts unless WithAPIKey sets
// another: requests must carry "Authorization: Bearer " + DefaultAPIKey.
const DefaultAPIKey = "anamtest-api-key"

// Operation IDs of the spec, for InjectFaults, SetLatency, Requests and
// LastHeader.
const (
	OpListAvatars = "listAvatars" // GET /v1/avatars
	OpGetAvatar   = "getAvatar"   // GET /v1/avatars/{id}

	// AllOperations stands for every operation: faults and latency set for
	// it apply to requests to any operation, and counters sum over all.
	AllOperations = "*"
)

// Defaults of listAvatars' page and perPage, should a request reach the
// handler without them (ValidateRequest sets the spec's defaults).
const (
	defaultPage    = 1
	defaultPerPage = 10
)

// A Server is a fake Anam API listening on a system-chosen port on the
// local loopback interface, for use in end-to-end HTTP tests. It is safe
// for concurrent use.
type Server struct {
	// URL is the base URL of the server, of the form http://ipaddr:port
	// with no trailing slash: the SDK's server URL.
	URL string

	ts      *httptest.Server
	ix      *specIndex
	cfg     config
	filter  *openapi3filter.Options
	avatars []storedAvatar
	byID    map[string]int // lowercased ID -> index in avatars

	closed    context.Context // canceled by Close: unblocks delays and stalls
	close     context.CancelFunc
	closeOnce sync.Once
	handlers  sync.WaitGroup // ServeHTTP calls, including hijacked ones

	conns atomic.Int64

	// remembered holds verdicts of validation: see validateRequest and
	// validateResponse.
	remembered  sync.Map // [sha256.Size]byte -> verdict or struct{}
	nremembered atomic.Int64

	mu         sync.Mutex
	requests   map[string]int
	lastHeader map[string]http.Header
	faults     map[string][]Fault
	latency    map[string]time.Duration
}

// NewServer starts and returns a new Server, serving the spec's operations
// over an in-memory data set: the avatars of the spec's examples (or those
// of WithAvatarData), followed by the generated ones of WithAvatars. The
// caller should call Close when finished, to shut it down. NewServer panics
// if the spec cannot be loaded or an option is invalid, as
// httptest.NewServer panics when it cannot listen.
func NewServer(opts ...Option) *Server {
	ix, err := loadIndex()
	if err != nil {
		panic("anamtest: load spec: " + err.Error())
	}
	cfg := config{apiKey: DefaultAPIKey}
	for _, o := range opts {
		o(&cfg)
	}
	if cfg.logger == nil {
		cfg.logger = slog.New(slog.NewTextHandler(os.Stderr, nil))
	}

	var avatars []Avatar
	if cfg.replaceExamples {
		avatars = cfg.avatars
	} else if avatars, err = exampleAvatars(ix); err != nil {
		panic(err)
	}
	for i := range cfg.generate {
		avatars = append(avatars, GeneratedAvatar(i))
	}
	stored, byID, err := buildDataSet(avatars)
	if err != nil {
		panic(err)
	}

	s := &Server{
		ix:         ix,
		cfg:        cfg,
		filter:     filterOptions(authenticate(cfg.apiKey)),
		avatars:    stored,
		byID:       byID,
		requests:   make(map[string]int),
		lastHeader: make(map[string]http.Header),
		faults:     make(map[string][]Fault),
		latency:    make(map[string]time.Duration),
	}
	for op, d := range cfg.latency {
		s.SetLatency(op, d)
	}
	for op, fs := range cfg.faults {
		s.InjectFaults(op, fs...)
	}
	s.closed, s.close = context.WithCancel(context.Background())

	s.ts = httptest.NewUnstartedServer(http.HandlerFunc(s.serveHTTP))
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
	return s
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

// Avatars returns a copy of the server's data set, in listing order.
func (s *Server) Avatars() []Avatar {
	out := make([]Avatar, len(s.avatars))
	for i, a := range s.avatars {
		out[i] = a.copy()
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
//	srv.InjectFaults(anamtest.OpListAvatars,
//		anamtest.Status(503).WithRetryAfter("1"), anamtest.Status(503))
//
// makes the next two listAvatars requests fail with 503, and the third
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
			errorResponse(http.StatusMethodNotAllowed,
				fmt.Sprintf("%s is not allowed on %s", r.Method, r.URL.Path)).write(w)
			return
		}
		errorResponse(http.StatusNotFound,
			fmt.Sprintf("anamtest: no operation of the spec matches %s %s", r.Method, r.URL.Path)).write(w)
		return
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

func jsonResponse(status int, v any) response {
	b, err := json.Marshal(v)
	if err != nil {
		panic("anamtest: encode response: " + err.Error())
	}
	return response{status: status, header: http.Header{"Content-Type": {jsonContentType}}, body: b}
}

// errorBody is the shape of the API's error responses. Anam's clients read
// either field.
type errorBody struct {
	Error   string `json:"error"`
	Message string `json:"message"`
}

func errorResponse(status int, message string) response {
	return jsonResponse(status, errorBody{Error: http.StatusText(status), Message: message})
}

func (resp response) write(w http.ResponseWriter) {
	h := w.Header()
	for k, v := range resp.header {
		h[k] = v
	}
	h.Set("Content-Length", strconv.Itoa(len(resp.body)))
	w.WriteHeader(resp.status)
	_, _ = w.Write(resp.body)
}

// respond validates r, builds the response of operation rt, and validates
// it: a response that does not match the spec is reported and replaced by
// a 500.
func (s *Server) respond(r *http.Request, rt *route, params map[string]string) response {
	in := &openapi3filter.RequestValidationInput{
		Request: r, PathParams: params, Route: rt.kin, Options: s.filter,
	}
	if v := s.validateRequest(r, rt, in); v.status != 0 {
		resp := errorResponse(v.status, v.message)
		if v.status == http.StatusUnauthorized {
			resp.header.Set("WWW-Authenticate", "Bearer")
		}
		return resp
	}

	var resp response
	switch rt.id {
	case OpListAvatars:
		resp = s.listAvatars(r)
	case OpGetAvatar:
		resp = s.getAvatar(params["id"])
	default:
		resp = errorResponse(http.StatusNotImplemented,
			fmt.Sprintf("anamtest does not implement operation %s (%s %s)", rt.id, rt.method, rt.path))
	}
	if s.cfg.editor != nil {
		resp.body = s.cfg.editor(rt.id, resp.status, resp.body)
	}

	if err := s.validateResponse(r.Context(), in, resp); err != nil {
		problem := describe(err)
		msg := fmt.Sprintf("anamtest: %s response with status %d does not match the spec: %s", rt.id, resp.status, problem)
		if s.cfg.t != nil {
			s.cfg.t.Errorf("%s", msg)
		} else {
			s.cfg.logger.Error("anamtest: the fake produced a response that does not match the spec",
				"operation", rt.id, "status", resp.status, "problem", problem)
		}
		return errorResponse(http.StatusInternalServerError, msg)
	}
	return resp
}

// verdict is the outcome of validating a request.
type verdict struct {
	status   int    // 0 if the request is valid, else 400 or 401
	message  string // the problem, if any
	rawQuery string // the valid request's query, with the spec's defaults
}

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

// listAvatars answers GET /v1/avatars, whose parameters ValidateRequest has
// checked and given their defaults.
func (s *Server) listAvatars(r *http.Request) response {
	q := r.URL.Query()
	page, err := intParam(q.Get("page"), defaultPage)
	if err != nil {
		return errorResponse(http.StatusBadRequest, `parameter "page" in query: `+err.Error())
	}
	perPage, err := intParam(q.Get("perPage"), defaultPerPage)
	if err != nil {
		return errorResponse(http.StatusBadRequest, `parameter "perPage" in query: `+err.Error())
	}
	oneShot := false
	if v := q.Get("onlyOneShot"); v != "" {
		if oneShot, err = strconv.ParseBool(v); err != nil {
			return errorResponse(http.StatusBadRequest, `parameter "onlyOneShot" in query: `+err.Error())
		}
	}
	search := strings.ToLower(q.Get("search"))

	var matches []int
	for i, a := range s.avatars {
		if oneShot && !a.OneShot {
			continue
		}
		if search != "" && !strings.Contains(a.lowerName, search) {
			continue
		}
		matches = append(matches, i)
	}

	meta := paginate(len(matches), page, perPage)
	data := []json.RawMessage{}
	if page <= *meta.LastPage {
		start := (page - 1) * perPage
		end := min(start+perPage, len(matches))
		for _, i := range matches[start:end] {
			data = append(data, s.avatars[i].json)
		}
	}
	if len(data) == 0 && s.cfg.emptyListNotFound {
		return errorResponse(http.StatusNotFound, "No avatars found")
	}
	// Assembled by hand: json.Marshal would re-validate every stored avatar.
	metaJSON, err := json.Marshal(meta)
	if err != nil {
		panic("anamtest: encode meta: " + err.Error())
	}
	n := len(`{"data":[],"meta":}`) + len(metaJSON)
	for _, d := range data {
		n += len(d) + 1
	}
	body := make([]byte, 0, n)
	body = append(body, `{"data":[`...)
	for i, d := range data {
		if i > 0 {
			body = append(body, ',')
		}
		body = append(body, d...)
	}
	body = append(body, `],"meta":`...)
	body = append(body, metaJSON...)
	body = append(body, '}')
	return response{status: http.StatusOK, header: http.Header{"Content-Type": {jsonContentType}}, body: body}
}

func intParam(v string, def int) (int, error) {
	if v == "" {
		return def, nil
	}
	return strconv.Atoi(v)
}

// getAvatar answers GET /v1/avatars/{id}. IDs compare case-insensitively,
// as UUIDs do in the API's database.
func (s *Server) getAvatar(id string) response {
	i, ok := s.byID[strings.ToLower(id)]
	if !ok {
		return errorResponse(http.StatusNotFound, "Avatar not found")
	}
	return response{
		status: http.StatusOK,
		header: http.Header{"Content-Type": {jsonContentType}},
		body:   slices.Clone(s.avatars[i].json),
	}
}

// paginate returns the meta of page (from 1) of a listing of total items,
// perPage per page, computed as the prisma-pagination convention the API
// follows does: lastPage is ceil(total/perPage), hence 0 when total is 0;
// prev is page-1 from page 2 on (even past the last page); next is page+1
// while page < lastPage.
func paginate(total, page, perPage int) gen.Pagination {
	lastPage := (total + perPage - 1) / perPage
	m := gen.Pagination{
		Total:       &total,
		LastPage:    &lastPage,
		CurrentPage: &page,
		PerPage:     &perPage,
		Prev:        nullable.NewNullNullable[int](),
		Next:        nullable.NewNullNullable[int](),
	}
	if page > 1 {
		m.Prev = nullable.NewNullableWithValue(page - 1)
	}
	if page < lastPage {
		m.Next = nullable.NewNullableWithValue(page + 1)
	}
	return m
}
