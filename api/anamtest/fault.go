package anamtest

import (
	"bytes"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/getkin/kin-openapi/openapi3filter"
)

// A Fault is a deliberately abnormal answer to one request, for tests of an
// SDK's reliability: see Server.InjectFaults. Create one with a constructor
// (Status, Latency, DropConnection...) and refine it with its methods; the
// zero Fault is not valid.
//
// A fault applies only to a request that is valid: the request is
// authenticated and validated first (see Server.InjectFaults). Faults
// bypass response validation: they are invalid on purpose. Those that
// deliver the normal response differently (Latency, TruncatedBody,
// SlowBody, WrongContentType) build it, and validate it, first.
//
// net/http's Transport retries an idempotent request (a GET, say) once
// when a reused keep-alive connection closes before any byte of the
// response arrives, as DropConnection does. The retry is a new request
// that consumes the next fault: a test that wants to see the error should
// send the request on a new connection, or script two faults.
type Fault struct {
	kind        faultKind
	status      int
	contentType string
	body        []byte
	bodySet     bool
	retryAfter  string
	delay       time.Duration // before the status line
	stall       time.Duration // SlowBody: mid-body
	size        int64         // HugeBody
	location    string        // Redirect
}

type faultKind int

const (
	faultNone faultKind = iota
	faultLatency
	faultStatus
	faultMalformedJSON
	faultTruncated
	faultDrop
	faultSlowBody
	faultHuge
	faultHTML
	faultWrongContentType
	faultEmpty
	faultRedirect
)

// Status answers with the given status code (200 to 599) and a JSON error
// body {"error": <status text>, "message": "anamtest: injected fault"};
// WithBody replaces the body and WithRetryAfter adds a Retry-After header.
func Status(code int) Fault {
	if code < 200 || code > 599 {
		panic(fmt.Sprintf("anamtest: Status(%d): want a status code from 200 to 599", code))
	}
	return Fault{kind: faultStatus, status: code}
}

// Latency delays the request by d, then answers it normally (validating
// the response). A client with a shorter timeout gives up first; the delay
// ends when the client gives up or the server closes.
func Latency(d time.Duration) Fault { return Fault{kind: faultLatency, delay: d} }

// MalformedJSON answers 200 with a Content-Type of JSON and a body that is
// not valid JSON.
func MalformedJSON() Fault { return Fault{kind: faultMalformedJSON} }

// TruncatedBody sends the status and headers of the normal response,
// with a Content-Length of its whole body, then only the first half of the
// body, and closes the connection.
func TruncatedBody() Fault { return Fault{kind: faultTruncated} }

// DropConnection closes the connection without sending any response.
func DropConnection() Fault { return Fault{kind: faultDrop} }

// SlowBody sends the status, headers and first half of the body of the
// normal response, stalls for d, then sends the rest. The stall ends early,
// closing the connection, if the client gives up or the server closes.
func SlowBody(d time.Duration) Fault { return Fault{kind: faultSlowBody, stall: d} }

// HugeBody answers 200 with a JSON body of exactly n bytes
// ({"padding":"aaa..."}, or n spaces when n < 14), streamed without
// holding it in memory, for tests of response size limits.
func HugeBody(n int64) Fault {
	if n < 0 {
		panic(fmt.Sprintf("anamtest: HugeBody(%d): n must not be negative", n))
	}
	return Fault{kind: faultHuge, size: n}
}

// HTMLPage answers 200 with an HTML page, as a captive portal or a
// misconfigured proxy would.
func HTMLPage() Fault { return Fault{kind: faultHTML} }

// WrongContentType sends the normal response with the given Content-Type
// (for example "text/plain"), or with none when contentType is "".
func WrongContentType(contentType string) Fault {
	return Fault{kind: faultWrongContentType, contentType: contentType}
}

// EmptyBody answers 200 with a Content-Type of JSON and an empty body.
func EmptyBody() Fault { return Fault{kind: faultEmpty} }

// Redirect answers with the given 3xx status code and a Location header,
// which may be absolute or relative to the request URL. net/http's Client
// follows it (and drops the Authorization header if it leads to another
// host).
func Redirect(code int, location string) Fault {
	if code < 300 || code > 399 {
		panic(fmt.Sprintf("anamtest: Redirect(%d, ...): want a 3xx status code", code))
	}
	return Fault{kind: faultRedirect, status: code, location: location}
}

// WithBody returns a copy of a Status fault that answers with the given
// Content-Type and body instead of the default JSON error. It panics on
// other faults.
func (f Fault) WithBody(contentType, body string) Fault {
	if f.kind != faultStatus {
		panic("anamtest: WithBody applies only to a Status fault, not " + f.String())
	}
	f.contentType, f.body, f.bodySet = contentType, []byte(body), true
	return f
}

// WithRetryAfter returns a copy of f that also sends the header
// "Retry-After: value" (seconds, or an HTTP date), where the fault sends
// headers at all.
func (f Fault) WithRetryAfter(value string) Fault {
	f.retryAfter = value
	return f
}

// After returns a copy of f that waits d longer before sending anything.
// The wait ends, closing the connection, if the client gives up or the
// server closes.
func (f Fault) After(d time.Duration) Fault {
	f.delay += d
	return f
}

// String describes the fault, as in "Status(503) Retry-After=1 after 10ms".
func (f Fault) String() string {
	var b strings.Builder
	switch f.kind {
	case faultNone:
		return "Fault{} (invalid)"
	case faultLatency:
		fmt.Fprintf(&b, "Latency(%v)", f.delay)
	case faultStatus:
		fmt.Fprintf(&b, "Status(%d)", f.status)
		if f.bodySet {
			fmt.Fprintf(&b, " body=%q (%s)", truncate(string(f.body), 40), f.contentType)
		}
	case faultMalformedJSON:
		b.WriteString("MalformedJSON()")
	case faultTruncated:
		b.WriteString("TruncatedBody()")
	case faultDrop:
		b.WriteString("DropConnection()")
	case faultSlowBody:
		fmt.Fprintf(&b, "SlowBody(%v)", f.stall)
	case faultHuge:
		fmt.Fprintf(&b, "HugeBody(%d)", f.size)
	case faultHTML:
		b.WriteString("HTMLPage()")
	case faultWrongContentType:
		fmt.Fprintf(&b, "WrongContentType(%q)", f.contentType)
	case faultEmpty:
		b.WriteString("EmptyBody()")
	case faultRedirect:
		fmt.Fprintf(&b, "Redirect(%d, %q)", f.status, f.location)
	}
	if f.retryAfter != "" {
		fmt.Fprintf(&b, " Retry-After=%s", f.retryAfter)
	}
	if f.kind != faultLatency && f.delay > 0 {
		fmt.Fprintf(&b, " after %v", f.delay)
	}
	return b.String()
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "..."
}

// malformedJSON is the body of MalformedJSON: a listing cut off mid-object,
// with a trailing comma.
const malformedJSON = `{"data":[{"id":"071b0286-4cce-4808-bee2-e642f1062de3","displayName":"Liv",}`

// htmlPage is the body of HTMLPage.
const htmlPage = `<!DOCTYPE html>
<html><head><title>Sign in to the network</title></head>
<body><h1>Sign in to the network</h1><p>You must log in to this network before you can access the Internet.</p></body></html>
`

// serveFault answers r, a request to rt, with f.
func (s *Server) serveFault(w http.ResponseWriter, r *http.Request, rt *route, params map[string]string, in *openapi3filter.RequestValidationInput, f Fault) {
	if !s.sleep(r.Context(), f.delay) {
		panic(http.ErrAbortHandler)
	}
	h := w.Header()
	if f.retryAfter != "" {
		h.Set("Retry-After", f.retryAfter)
	}
	switch f.kind {
	case faultLatency:
		s.answer(r, rt, params, in).write(w)
	case faultStatus:
		resp := response{status: f.status, header: http.Header{"Content-Type": {f.contentType}}, body: f.body}
		if !f.bodySet {
			resp = plainError(f.status, "anamtest: injected fault")
		}
		if f.bodySet && f.contentType == "" {
			resp.header["Content-Type"] = nil // no Content-Type, and no sniffing either
		}
		if f.status == http.StatusNoContent || f.status == http.StatusNotModified {
			resp.body = nil
		}
		resp.write(w)
	case faultMalformedJSON:
		rawResponse(http.StatusOK, jsonContentType, malformedJSON).write(w)
	case faultTruncated:
		resp := s.answer(r, rt, params, in)
		conn, brw, err := http.NewResponseController(w).Hijack()
		if err != nil {
			panic(http.ErrAbortHandler)
		}
		defer conn.Close()
		hdr := resp.header.Clone()
		for k, v := range h {
			hdr[k] = v
		}
		hdr.Set("Content-Length", strconv.Itoa(len(resp.body)))
		fmt.Fprintf(brw, "HTTP/1.1 %d %s\r\n", resp.status, http.StatusText(resp.status))
		_ = hdr.Write(brw)
		_, _ = brw.WriteString("\r\n")
		_, _ = brw.Write(resp.body[:len(resp.body)/2])
		_ = brw.Flush()
	case faultDrop:
		conn, _, err := http.NewResponseController(w).Hijack()
		if err != nil {
			panic(http.ErrAbortHandler)
		}
		_ = conn.Close()
	case faultSlowBody:
		resp := s.answer(r, rt, params, in)
		for k, v := range resp.header {
			h[k] = v
		}
		h.Set("Content-Length", strconv.Itoa(len(resp.body)))
		w.WriteHeader(resp.status)
		half := len(resp.body) / 2
		_, _ = w.Write(resp.body[:half])
		_ = http.NewResponseController(w).Flush()
		if !s.sleep(r.Context(), f.stall) {
			panic(http.ErrAbortHandler)
		}
		_, _ = w.Write(resp.body[half:])
	case faultHuge:
		writeHuge(w, f.size)
	case faultHTML:
		rawResponse(http.StatusOK, "text/html; charset=utf-8", htmlPage).write(w)
	case faultWrongContentType:
		resp := s.answer(r, rt, params, in)
		if f.contentType == "" {
			resp.header["Content-Type"] = nil
		} else {
			resp.header.Set("Content-Type", f.contentType)
		}
		resp.write(w)
	case faultEmpty:
		rawResponse(http.StatusOK, jsonContentType, "").write(w)
	case faultRedirect:
		h.Set("Location", f.location)
		response{status: f.status}.write(w)
	default:
		panic("anamtest: invalid fault " + f.String())
	}
}

func rawResponse(status int, contentType, body string) response {
	return response{status: status, header: http.Header{"Content-Type": {contentType}}, body: []byte(body)}
}

// writeHuge writes a 200 JSON response of exactly n bytes, in chunks.
func writeHuge(w http.ResponseWriter, n int64) {
	const prefix, suffix = `{"padding":"`, `"}`
	fill, head, tail := byte('a'), prefix, suffix
	if n < int64(len(prefix)+len(suffix)) {
		fill, head, tail = ' ', "", ""
	}
	h := w.Header()
	h.Set("Content-Type", jsonContentType)
	h.Set("Content-Length", strconv.FormatInt(n, 10))
	w.WriteHeader(http.StatusOK)
	if _, err := w.Write([]byte(head)); err != nil {
		return
	}
	chunk := bytes.Repeat([]byte{fill}, 32<<10)
	for left := n - int64(len(head)+len(tail)); left > 0; {
		c := chunk[:min(left, int64(len(chunk)))]
		if _, err := w.Write(c); err != nil {
			return // the client went away, or the server is closing
		}
		left -= int64(len(c))
	}
	_, _ = w.Write([]byte(tail))
}
