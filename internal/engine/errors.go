package engine

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"
	"unicode/utf8"
)

// The sentinel errors package api exports, for errors.Is. An *Error
// matches the one its status code belongs to (see Error.Is); ErrDecode
// matches a response the SDK could not read.
var (
	ErrBadRequest      = errors.New("bad request")              // 400, 422
	ErrUnauthorized    = errors.New("unauthorized")             // 401, 403
	ErrPaymentRequired = errors.New("payment required")         // 402: no plan
	ErrNotFound        = errors.New("not found")                // 404
	ErrRateLimited     = errors.New("rate limited")             // 429, whatever the cause
	ErrServer          = errors.New("server error")             // 5xx
	ErrDecode          = errors.New("unexpected response body") // a response that is not the documented JSON
	ErrInvalidArgument = errors.New("invalid argument")         // refused before sending; see *ArgumentError
	ErrTooLarge        = errors.New("response body over limit") // see api.WithMaxResponseBytes
	ErrPagination      = errors.New("inconsistent pagination")  // the server's meta would loop or go backwards
)

// The causes of a 429 that Anam tells apart by the body's text, as its
// JavaScript SDK reads it; each also matches ErrRateLimited (see
// api.ErrConcurrencyLimit).
var (
	ErrConcurrencyLimit = errors.New("concurrent session limit reached") // 429: too many sessions at once
	ErrSpendCap         = errors.New("spend cap reached")                // 429: the account's spend cap
	ErrUsageLimit       = errors.New("usage limit reached")              // 429: the plan's usage limit
)

// Error is a failed call to the API: a non-2xx status, a response that could
// not be read, or a request that never got an answer (StatusCode 0; Err says
// why, and errors.Is(err, context.Canceled) and the like work through it).
// When the call was retried, it describes the last attempt, and Attempts
// says how many were made; when the caller's context ended an attempt
// before its response, it describes the last response (status, message,
// request ID) and Err says how the call ended, so that errors.Is(err,
// context.DeadlineExceeded) holds as well as errors.Is(err, ErrServer).
type Error struct {
	Operation string // operationId in the spec, e.g. "getAvatar"
	Method    string // HTTP method
	Path      string // URL path requested, without the query
	// Page is the page a list call asked for (its page parameter, 1 when
	// not given), so that a walk's error says where it stopped; 0 for
	// other calls.
	Page       int
	StatusCode int    // 0 when no response was received
	RequestID  string // the server's request ID header, if it sent one
	// Message is the server's own explanation, taken from a JSON body's
	// "message" or "error" field (on one line, up to 512 bytes), or else a
	// bounded excerpt of the body. Anam tells some causes apart only by this
	// text (for 429: concurrency limit, spend cap or usage limit), so its
	// words are kept as sent.
	Message string
	// Body is a bounded excerpt (up to 1 KiB) of the raw response body.
	Body string
	// Attempts is how many times the request was sent (or tried to be):
	// 1 when it was not retried, 0 when the call ended before the first
	// attempt (see the package documentation under "Retries and timeouts").
	Attempts int
	// RetryAfter is the wait the server asked for in a Retry-After header,
	// when it sent one.
	RetryAfter time.Duration
	// Err is the underlying cause, when there is one: a transport or context
	// error, or a decoding error (wrapped with ErrDecode).
	Err error

	limit limitCause // a 429's cause, read from its body
}

// limitCause is what a 429 says it is about.
type limitCause uint8

const (
	limitUnknown     limitCause = iota // a rate limit, or not a 429
	limitConcurrency                   // ErrConcurrencyLimit
	limitSpendCap                      // ErrSpendCap
	limitUsage                         // ErrUsageLimit
)

// rateLimitCause reads a 429 body of operation op for its cause. A 429
// that names no cause is a usage limit of the plan, as Anam's JavaScript
// SDK reads it, on an operation that starts a session: one whose spec
// documents its 429 as a session limit or a spend cap ("Concurrent
// session limit or spend cap reached"). Elsewhere it is a plain rate limit.
func rateLimitCause(op *Operation, body []byte) limitCause {
	var v struct {
		Message json.RawMessage `json:"message"`
		Error   json.RawMessage `json:"error"`
	}
	text := ""
	if json.Unmarshal(body, &v) == nil {
		text = textOf(v.Error) + "\n" + textOf(v.Message)
	} else {
		text = string(body[:min(len(body), 512)])
	}
	text = strings.ToLower(text)
	switch {
	case strings.Contains(text, "concurrent session limit") || strings.Contains(text, "concurrency limit"):
		return limitConcurrency
	case strings.Contains(text, "spend cap"):
		return limitSpendCap
	case strings.Contains(text, "usage limit"):
		return limitUsage
	case op != nil && Documents(op, http.StatusTooManyRequests, "session limit", "spend cap"):
		return limitUsage
	}
	return limitUnknown
}

// permanentLimit reports whether e is a 429 that waiting does not cure.
func (e *Error) permanentLimit() bool {
	return e.StatusCode == http.StatusTooManyRequests && (e.limit == limitSpendCap || e.limit == limitUsage)
}

func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString("anam: ")
	b.WriteString(e.Operation)
	if e.Method != "" {
		b.WriteString(" (" + e.Method + " " + e.Path)
		if e.Page > 0 {
			fmt.Fprintf(&b, ", page %d", e.Page)
		}
		b.WriteString(")")
	}
	b.WriteString(": ")
	switch {
	case e.StatusCode != 0:
		fmt.Fprintf(&b, "%d", e.StatusCode)
		if text := http.StatusText(e.StatusCode); text != "" {
			b.WriteString(" " + text)
		}
		if e.Message != "" {
			b.WriteString(": " + e.Message)
		}
		if e.Err != nil {
			b.WriteString(": " + e.Err.Error())
		} else if hint := limitHint(e.limit); hint != "" && e.StatusCode == http.StatusTooManyRequests {
			b.WriteString(" (" + hint + ")")
		} else if hint := statusHint(e.StatusCode); hint != "" {
			b.WriteString(" (" + hint + ")")
		}
	case e.Err != nil:
		b.WriteString(e.Err.Error())
	default:
		b.WriteString("failed")
	}
	if e.RetryAfter > 0 {
		fmt.Fprintf(&b, " [retry after %v]", e.RetryAfter)
	}
	if e.Attempts > 1 {
		fmt.Fprintf(&b, " [after %d attempts]", e.Attempts)
	}
	if e.RequestID != "" {
		b.WriteString(" [request id " + e.RequestID + "]")
	}
	return b.String()
}

func statusHint(code int) string {
	switch code {
	case http.StatusUnauthorized:
		return "check the API key"
	case http.StatusForbidden:
		return "the API key is not allowed to do this"
	case http.StatusTooManyRequests:
		return "slow down or check your plan's limits"
	}
	return ""
}

// limitHint says what to do about a 429 of a known cause.
func limitHint(c limitCause) string {
	switch c {
	case limitConcurrency:
		return "too many sessions at once: end one, or wait"
	case limitSpendCap:
		return "the account's spend cap is reached: raise it in the Anam Lab; waiting will not help"
	case limitUsage:
		return "the plan's usage limit is reached: waiting will not help"
	}
	return ""
}

// Unwrap returns the underlying cause.
func (e *Error) Unwrap() error { return e.Err }

// Is reports whether e belongs to target's class, one of the sentinel errors.
func (e *Error) Is(target error) bool {
	switch target {
	case ErrBadRequest:
		return e.StatusCode == http.StatusBadRequest || e.StatusCode == http.StatusUnprocessableEntity
	case ErrUnauthorized:
		return e.StatusCode == http.StatusUnauthorized || e.StatusCode == http.StatusForbidden
	case ErrPaymentRequired:
		return e.StatusCode == http.StatusPaymentRequired
	case ErrNotFound:
		return e.StatusCode == http.StatusNotFound
	case ErrRateLimited:
		return e.StatusCode == http.StatusTooManyRequests
	case ErrConcurrencyLimit:
		return e.StatusCode == http.StatusTooManyRequests && e.limit == limitConcurrency
	case ErrSpendCap:
		return e.StatusCode == http.StatusTooManyRequests && e.limit == limitSpendCap
	case ErrUsageLimit:
		return e.StatusCode == http.StatusTooManyRequests && e.limit == limitUsage
	case ErrServer:
		return e.StatusCode >= 500 && e.StatusCode <= 599
	}
	return false
}

// Temporary reports whether trying again later may succeed: the failure is
// of a kind the SDK retries (a connection that could not be made, broke or
// timed out; 408, 429, 500, 502, 503 or 504). It is false for a call the
// caller's context ended before any response, and for a failure that would
// recur (a 4xx, a 429 for a spend cap or usage limit, a certificate error,
// a body over the limit...).
func (e *Error) Temporary() bool {
	if e.permanentLimit() {
		return false
	}
	var t *transient
	return retryableStatus(e.StatusCode) || errors.As(e.Err, &t)
}

// ArgumentError is an argument the SDK refused before sending any request,
// because the spec does not allow it. It matches ErrInvalidArgument.
type ArgumentError struct {
	Operation string // operationId
	Name      string // parameter name as in the spec, e.g. "perPage"
	Value     any    // the value given
	Rule      string // what the spec requires, e.g. "an integer from 1 to 100"
}

func (e *ArgumentError) Error() string {
	if e.Value == nil { // nothing to show, or nothing that may be shown (a secret)
		return fmt.Sprintf("anam: %s: %s is invalid: it must be %s; no request was sent", e.Operation, e.Name, e.Rule)
	}
	return fmt.Sprintf("anam: %s: parameter %s = %v is invalid: it must be %s; no request was sent", e.Operation, e.Name, quoteIfString(e.Value), e.Rule)
}

// Is makes errors.Is(err, ErrInvalidArgument) true.
func (e *ArgumentError) Is(target error) bool { return target == ErrInvalidArgument }

func quoteIfString(v any) any {
	if s, ok := v.(string); ok {
		return fmt.Sprintf("%q", truncate(s, 80))
	}
	return v
}

const bodyExcerptBytes = 1024

// serverMessage extracts the server's explanation from an error body. Anam's
// error bodies are not standardised: some carry "message" (a string, or a
// list of strings from request validation), some "error" (a string or an
// object with a message). A body that is not JSON yields its excerpt. Either
// way the text is put on one line, and bounded.
func serverMessage(body []byte) string {
	var v struct {
		Message json.RawMessage `json:"message"`
		Error   json.RawMessage `json:"error"`
	}
	if json.Unmarshal(body, &v) == nil {
		if m := textOf(v.Message); m != "" {
			return excerpt([]byte(m), messageBytes)
		}
		if m := textOf(v.Error); m != "" {
			return excerpt([]byte(m), messageBytes)
		}
	}
	return excerpt(body, 200)
}

// messageBytes bounds the server's message kept in an *Error: on one line,
// at most this long.
const messageBytes = 512

// JSONMessage returns the server's explanation in a JSON error body: its
// "message" field, else its "error" field (a string, a list of strings or
// an object with a message), or "" when the body has neither.
func JSONMessage(body []byte) string {
	var v struct {
		Message json.RawMessage `json:"message"`
		Error   json.RawMessage `json:"error"`
	}
	if json.Unmarshal(body, &v) != nil {
		return ""
	}
	if m := strings.TrimSpace(textOf(v.Message)); m != "" {
		return m
	}
	return strings.TrimSpace(textOf(v.Error))
}

func textOf(raw json.RawMessage) string {
	if len(raw) == 0 {
		return ""
	}
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s
	}
	var list []string
	if json.Unmarshal(raw, &list) == nil {
		return strings.Join(list, "; ")
	}
	var obj struct {
		Message string `json:"message"`
	}
	if json.Unmarshal(raw, &obj) == nil {
		return obj.Message
	}
	return ""
}

// excerpt returns at most n bytes of b as valid UTF-8 text on one line,
// with the characters that could act on a terminal escaped (see
// escapeText). Call it on redacted text only (see redactor.excerpt).
func excerpt(b []byte, n int) string {
	s := strings.Join(strings.Fields(string(b)), " ")
	return truncate(escapeText(strings.ToValidUTF8(s, "?")), n)
}

// escapeText returns s with the characters a server's text must not bring
// into an error message, a log line or a terminal written as Go escapes:
// C0 and C1 control characters and DEL (ESC starts the terminal's escape
// and OSC sequences), and the Unicode bidirectional controls, which can
// make a line read other than it is. s must be valid UTF-8.
func escapeText(s string) string {
	i := strings.IndexFunc(s, unsafeRune)
	if i < 0 {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 8)
	b.WriteString(s[:i])
	for _, r := range s[i:] {
		switch {
		case !unsafeRune(r):
			b.WriteRune(r)
		case r < 0x80:
			fmt.Fprintf(&b, `\x%02x`, r)
		default:
			fmt.Fprintf(&b, `\u%04x`, r)
		}
	}
	return b.String()
}

// unsafeRune reports whether r is a control or bidirectional character
// (see escapeText).
func unsafeRune(r rune) bool {
	return r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0) ||
		(r >= 0x202a && r <= 0x202e) || (r >= 0x2066 && r <= 0x2069) || r == 0x200e || r == 0x200f || r == 0x061c
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + "…"
}
