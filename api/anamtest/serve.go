package anamtest

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"net/http"
	"os"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
)

// begin records a request to op and returns its latency.
func (s *Server) begin(op string, h http.Header) time.Duration {
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
	return latency
}

// takeFault consumes the next fault scripted for op, if any.
func (s *Server) takeFault(op string) (Fault, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, key := range []string{op, AllOperations} {
		if q := s.faults[key]; len(q) > 0 {
			f := q[0]
			s.faults[key] = q[1:]
			return f, true
		}
	}
	return Fault{}, false
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

// now is the server's current time (see WithClock).
func (s *Server) now() time.Time { return s.cfg.now() }

// stamp is now in the API's format.
func (s *Server) stamp() string { return s.now().UTC().Format(timeLayout) }

func (s *Server) serveHTTP(w http.ResponseWriter, r *http.Request) {
	s.handlers.Add(1)
	defer s.handlers.Done()
	// Close must not wait for a client that does not read what a handler
	// writes (a huge body, say): from Close on, writes fail at once.
	rc := http.NewResponseController(w)
	stop := context.AfterFunc(s.closed, func() { _ = rc.SetWriteDeadline(time.Now()) })
	defer stop()
	tw := &trackingWriter{ResponseWriter: w}
	defer s.recoverPanic(tw, r)

	rt, params, allowed := s.ix.match(r)
	if rt == nil {
		var resp response
		if len(allowed) > 0 {
			tw.Header().Set("Allow", strings.Join(allowed, ", "))
			resp = plainError(http.StatusMethodNotAllowed, fmt.Sprintf("%s is not allowed on %s", r.Method, r.URL.Path))
		} else {
			resp = plainError(http.StatusNotFound, fmt.Sprintf("anamtest: no operation of the spec matches %s %s", r.Method, r.URL.Path))
		}
		s.invalidRequest(fmt.Sprintf("%s %s matches no operation of the spec (%d)", r.Method, r.URL.Path, resp.status))
		resp.write(tw)
		return
	}
	if r.Body != nil {
		r.Body = http.MaxBytesReader(tw, r.Body, maxBody)
	}
	latency := s.begin(rt.id, r.Header)
	if !s.sleep(r.Context(), latency) {
		panic(http.ErrAbortHandler) // close the connection without a response
	}
	in := &openapi3filter.RequestValidationInput{
		Request: r, PathParams: params, Route: rt.kin, Options: s.filter,
	}
	if v := s.validateRequest(tw, r, rt, in); v.status != 0 {
		resp := s.errorResponse(rt, v.status, v.message)
		if v.status == http.StatusUnauthorized {
			// Authentication fails at run time as the spec documents: the
			// answer is validated, not reported as the client's mistake.
			resp.header.Set("WWW-Authenticate", "Bearer")
			s.checked(r, rt, in, resp).write(tw)
			return
		}
		s.invalidRequest(fmt.Sprintf("%s request does not match the spec: %s", rt.id, v.message))
		resp.write(tw)
		return
	}
	if f, ok := s.takeFault(rt.id); ok {
		s.serveFault(tw, r, rt, params, in, f)
		return
	}
	s.answer(r, rt, params, in).write(tw)
}

// trackingWriter remembers whether a response has begun, so that a panic
// can still be answered with a 500 when it has not.
type trackingWriter struct {
	http.ResponseWriter
	started bool
}

func (w *trackingWriter) WriteHeader(status int) {
	w.started = true
	w.ResponseWriter.WriteHeader(status)
}

func (w *trackingWriter) Write(b []byte) (int, error) {
	w.started = true
	return w.ResponseWriter.Write(b)
}

func (w *trackingWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// recoverPanic turns a panic of a handler into a report and a 500 (or a
// closed connection, when the response has begun): the fake must never
// drop a connection silently on a request the spec allows.
func (s *Server) recoverPanic(w *trackingWriter, r *http.Request) {
	p := recover()
	if p == nil {
		return
	}
	if p == http.ErrAbortHandler {
		panic(p)
	}
	s.report(fmt.Sprintf("anamtest: the fake panicked on %s %s (a bug of anamtest; please report it): %v\n%s", r.Method, r.URL.Path, p, debug.Stack()))
	if w.started {
		panic(http.ErrAbortHandler)
	}
	plainError(http.StatusInternalServerError, fmt.Sprintf("anamtest: the fake panicked: %v", p)).write(w)
}

// invalidRequest reports a request that does not match the spec, unless
// WithInvalidRequestsAllowed.
func (s *Server) invalidRequest(problem string) {
	if s.cfg.allowInvalid {
		return
	}
	s.report("anamtest: " + problem + " (send what the spec allows, or use WithInvalidRequestsAllowed in a test that sends such requests on purpose)")
}

// report tells the test (WithT) or the logger about a problem of the spec,
// of a request, or of the fake.
func (s *Server) report(msg string, args ...any) {
	if s.cfg.t != nil {
		s.cfg.t.Errorf("%s", msg)
		return
	}
	s.cfg.logger.Error(msg, args...)
}

// response is a response the server built, before it is written.
type response struct {
	status int
	header http.Header
	body   []byte
	// reported is set when the server has reported the answer's problem
	// itself (a full store): it is sent as it is, unvalidated.
	reported bool
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

// answer builds the response to r, a valid request to rt, and checks it.
func (s *Server) answer(r *http.Request, rt *route, params map[string]string, in *openapi3filter.RequestValidationInput) response {
	return s.checked(r, rt, in, s.handle(r, rt, params))
}

// checked passes resp through the response editor and validates it. A
// success response that does not match the spec is reported and replaced
// by a 500; an error response that does not (a status the spec does not
// document for the operation, say) is reported and sent.
func (s *Server) checked(r *http.Request, rt *route, in *openapi3filter.RequestValidationInput, resp response) response {
	if resp.reported {
		return resp
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
	status   int    // 0 if the request is valid, else 400, 401, 408 or 413
	message  string // the problem, if any
	rawQuery string // the valid request's query, with the spec's defaults
}

// maxBody bounds the request bodies the server reads: a larger one gets a
// 413.
const maxBody = 8 << 20

// validateRequest validates r, a request to rt, and gives its query the
// spec's defaults. For an operation whose requests are determined by their
// path, query and Authorization header (no body, no header or cookie
// parameter, no session token), the verdict is remembered by these, as in
// validateResponse.
func (s *Server) validateRequest(w http.ResponseWriter, r *http.Request, rt *route, in *openapi3filter.RequestValidationInput) verdict {
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
	var data []byte
	if r.Body != nil && r.Body != http.NoBody {
		// Read in full first (within the limit of serveHTTP), so that a
		// body over the limit is a 413 and not whatever the validator
		// makes of a read error.
		var err error
		data, err = s.readBody(w, r)
		if err != nil {
			var mbe *http.MaxBytesError
			switch {
			case errors.As(err, &mbe):
				return verdict{status: http.StatusRequestEntityTooLarge, message: fmt.Sprintf("request body larger than %d bytes, the fake's limit", mbe.Limit)}
			case errors.Is(err, os.ErrDeadlineExceeded):
				return verdict{status: http.StatusRequestTimeout, message: fmt.Sprintf("request body not received within %v", s.cfg.bodyTimeout)}
			}
			return verdict{status: http.StatusBadRequest, message: "read request body: " + err.Error()}
		}
		r.Body = io.NopCloser(bytes.NewReader(data))
		r.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(data)), nil }
	}
	rb := rt.kin.Operation.RequestBody
	ownBody := rb != nil && rb.Value != nil && isJSON(r.Header.Get("Content-Type"))
	if ownBody {
		in.Options = s.filterNoBody
	}
	var problems []string
	var v verdict
	if err := openapi3filter.ValidateRequest(r.Context(), in); err != nil {
		var sre *openapi3filter.SecurityRequirementsError
		if errors.As(err, &sre) {
			v = verdict{status: http.StatusUnauthorized, message: "Invalid or missing credentials: " + authProblem(sre)}
		} else {
			problems = append(problems, describe(err))
		}
	}
	in.Options = s.filter
	if ownBody && v.status == 0 {
		if p := s.checkJSONBody(rb.Value, r.Header.Get("Content-Type"), data); p != "" {
			problems = append(problems, p)
		}
	}
	if v.status == 0 && len(problems) > 0 {
		v = verdict{status: http.StatusBadRequest, message: strings.Join(problems, "; ")}
	}
	v.rawQuery = r.URL.RawQuery
	if rt.memo {
		s.remember(key, v)
	}
	return v
}

// readBody reads the body of r, allowing the client bodyTimeout to send
// it. After a timeout the deadline stays: net/http then gives up the rest
// of the body, and the connection, instead of waiting for it.
func (s *Server) readBody(w http.ResponseWriter, r *http.Request) ([]byte, error) {
	rc := http.NewResponseController(w)
	_ = rc.SetReadDeadline(time.Now().Add(s.cfg.bodyTimeout))
	b, err := io.ReadAll(r.Body)
	if err == nil {
		_ = rc.SetReadDeadline(time.Time{})
	}
	return b, err
}

// checkJSONBody validates a JSON request body against the operation's
// request body, as openapi3filter would, with the compiled schemas: it
// returns the problem, or "".
func (s *Server) checkJSONBody(rb *openapi3.RequestBody, contentType string, data []byte) string {
	if len(data) == 0 {
		if rb.Required {
			return "request body: value is required but missing"
		}
		return ""
	}
	mt := rb.Content.Get(contentType)
	if mt == nil {
		return fmt.Sprintf("request body: header Content-Type has unexpected value %q", contentType)
	}
	if mt.Schema == nil || mt.Schema.Value == nil {
		return ""
	}
	var v any
	if err := json.Unmarshal(data, &v); err != nil {
		return "request body: not valid JSON: " + err.Error()
	}
	if err := s.ix.vals.check(mt.Schema.Value, v); err != nil {
		return describeAt("request body: ", err)
	}
	return ""
}

func (s *Server) remember(key [sha256.Size]byte, v any) {
	if s.nremembered.Add(1) > maxRemembered {
		s.remembered.Clear()
		s.nremembered.Store(0)
	}
	s.remembered.Store(key, v)
}

// validateResponse validates resp, the answer to the request of in: with
// openapi3filter for its status and headers, and for a JSON body with the
// compiled schemas. Validation is a pure function of the operation, the
// status, the headers and the body, so valid responses are remembered by a
// hash of these: serving the same page again costs a hash, not a
// validation.
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
	ct := resp.header.Get("Content-Type")
	own := isJSON(ct)
	out := &openapi3filter.ResponseValidationInput{
		RequestValidationInput: in,
		Status:                 resp.status,
		Header:                 resp.header,
		Options:                s.filter,
	}
	if own {
		out.Options = s.filterNoBody
	}
	out.SetBodyBytes(resp.body)
	if err := openapi3filter.ValidateResponse(ctx, out); err != nil {
		return err
	}
	if own {
		if err := s.checkJSONResponse(in.Route.Operation, resp.status, ct, resp.body); err != nil {
			return err
		}
	}
	s.remember(key, struct{}{})
	return nil
}

// checkJSONResponse validates a JSON response body with the compiled
// schemas, as openapi3filter would.
func (s *Server) checkJSONResponse(op *openapi3.Operation, status int, contentType string, body []byte) error {
	ref := op.Responses.Status(status)
	if ref == nil {
		ref = op.Responses.Default()
	}
	if ref == nil || ref.Value == nil || len(ref.Value.Content) == 0 {
		return nil
	}
	mt := ref.Value.Content.Get(contentType)
	if mt == nil {
		return fmt.Errorf("response header Content-Type has unexpected value %q", contentType)
	}
	if mt.Schema == nil || mt.Schema.Value == nil {
		return nil
	}
	var v any
	if err := json.Unmarshal(body, &v); err != nil {
		return fmt.Errorf("response body is not valid JSON: %w", err)
	}
	if err := s.ix.vals.check(mt.Schema.Value, v); err != nil {
		return &bodyError{where: "response body", err: err}
	}
	return nil
}

// bodyError is a body that does not match its schema.
type bodyError struct {
	where string
	err   error
}

func (e *bodyError) Error() string { return e.where + ": " + e.err.Error() }
func (e *bodyError) Unwrap() error { return e.err }

// describeAt is describe with a prefix on every problem.
func describeAt(prefix string, err error) string {
	return describe(&bodyError{where: strings.TrimSuffix(prefix, ": "), err: err})
}

// maxRemembered bounds the number of verdicts a Server remembers.
const maxRemembered = 1 << 14
