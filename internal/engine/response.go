package engine

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"mime"
	"net/http"
	"net/url"
	"reflect"
)

// An Exchange is one call of an operation: the request every attempt
// sends, what error reports say of it, and room for each attempt's reply.
// It is the call's one allocation of the SDK's own. A Handler uses its
// methods to turn a reply into the call's result or error.
type Exchange struct {
	op       string
	spec     *Operation // the operation, when the call is one of the spec's
	method   string
	path     string
	attempts int       // the attempt under way, from 1 (set by exchange)
	red      *redactor // the client's (set by exchange)

	o     outgoing
	url   url.URL // o.url points here
	reply Reply   // the reply of the attempt under way

	// What the decoder makes of a 2xx reply (see decoder).
	out    any          // decode the JSON body here, or
	raw    *RawResponse // copy the response here
	result ResultKind
}

// Reply is a fully read response. Its Body is valid only while the
// Handler that is given it runs: it may be a pooled buffer.
type Reply struct {
	Status int
	Header http.Header
	Body   []byte
}

// A Handler makes what the caller wants of a fully read reply, or the
// error it stands for (an *Error, made with the Exchange's methods). It is
// called once per reply; an error it returns for a retryable status (408,
// 429, 500, 502, 503, 504) may be followed by another attempt. An
// interface rather than a func, so that a handler costs no closure.
type Handler interface {
	Handle(x *Exchange, r *Reply) error
}

// decoder is the Handler of every typed call and of Do: a non-2xx status
// is an *Error; a 2xx body is decoded into the Request's Out, or copied
// into its Raw.
type decoder struct{}

func (decoder) Handle(x *Exchange, r *Reply) error {
	switch {
	case r.Status < 200 || r.Status > 299:
		return x.StatusError(r)
	case x.raw != nil:
		x.raw.StatusCode, x.raw.Header, x.raw.Body = r.Status, r.Header, bytes.Clone(r.Body)
		return nil
	case x.out == nil:
		return nil
	}
	return x.Decode(r, x.out, x.result)
}

// excerpt returns a bounded excerpt of a response body for Error.Body,
// without the API key. The key is removed before the body is cut, so that
// the cut cannot leave part of it.
func (x *Exchange) excerpt(body []byte) string {
	if x.red.active() {
		body = x.red.bytes(body[:min(len(body), 4*bodyExcerptBytes+8*len(x.red.key))])
	}
	return excerpt(body, bodyExcerptBytes)
}

// error is the call's *Error for a reply of status (0: none came back).
func (x *Exchange) error(status int, err error) *Error {
	return &Error{Operation: x.op, Method: x.method, Path: x.path, StatusCode: status, Attempts: max(x.attempts, 1), Err: err}
}

// StatusError is the *Error of a non-2xx reply: its status, the server's
// message and request ID, an excerpt of its body, and, for a 429, its
// cause.
func (x *Exchange) StatusError(r *Reply) *Error {
	e := x.error(r.Status, nil)
	e.RequestID = requestID(r.Header)
	e.Message = serverMessage(r.Body)
	e.Body = x.excerpt(r.Body)
	if r.Status == http.StatusTooManyRequests {
		e.limit = rateLimitCause(x.spec, r.Body)
	}
	return e
}

// DecodeError is the *Error (matching ErrDecode) of a 2xx reply whose body
// is not what the spec documents; err says why.
func (x *Exchange) DecodeError(r *Reply, err error) *Error {
	e := x.error(r.Status, fmt.Errorf("%w: %w", ErrDecode, err))
	e.RequestID = requestID(r.Header)
	e.Body = x.excerpt(r.Body)
	return e
}

// Decode checks that a 2xx reply is a JSON document of the kind the spec
// documents (an object or an array) and decodes it into out; a null item
// of an array is an error, not a zero value.
func (x *Exchange) Decode(r *Reply, out any, kind ResultKind) error {
	if err := checkJSON(r, kind); err != nil {
		e := x.error(r.Status, fmt.Errorf("%w: %v", ErrDecode, err))
		e.RequestID = requestID(r.Header)
		e.Body = x.excerpt(r.Body)
		return e
	}
	if err := json.Unmarshal(r.Body, out); err != nil {
		e := x.error(r.Status, fmt.Errorf("%w: the body is not the documented JSON: %w", ErrDecode, err))
		e.RequestID = requestID(r.Header)
		e.Body = x.excerpt(r.Body)
		return e
	}
	if kind == ResultArray {
		if v := reflect.ValueOf(out); v.Kind() == reflect.Pointer && v.Elem().Kind() == reflect.Slice {
			if i, null := NullElement(v.Elem(), func() ([]json.RawMessage, error) {
				var raw []json.RawMessage
				return raw, json.Unmarshal(r.Body, &raw)
			}); null {
				return x.NullItemError(r, i)
			}
		}
	}
	return nil
}

// NullElement reports whether an element of the slice items was decoded
// from a JSON null (which encoding/json leaves as a zero value), and
// which. Only when an element is zero does it ask raw for the elements
// as sent, so that a list without zero items costs a scan of them and no
// second decoding.
func NullElement(items reflect.Value, raw func() ([]json.RawMessage, error)) (int, bool) {
	for i := range items.Len() {
		if !items.Index(i).IsZero() {
			continue
		}
		elems, err := raw()
		if err != nil {
			return 0, false
		}
		for j := i; j < len(elems); j++ {
			if string(bytes.TrimSpace(elems[j])) == "null" {
				return j, true
			}
		}
		return 0, false
	}
	return 0, false
}

// NullItemError is the ErrDecode of a list with a null where item i must
// be.
func (x *Exchange) NullItemError(r *Reply, i int) *Error {
	e := x.error(r.Status, fmt.Errorf("%w: item %d of the list is null, not an object", ErrDecode, i))
	e.RequestID = requestID(r.Header)
	e.Body = x.excerpt(r.Body)
	return e
}

func checkJSON(r *Reply, kind ResultKind) error {
	switch ct := r.Header.Get("Content-Type"); ct {
	case "", "application/json", "application/json; charset=utf-8": // the common cases, without parsing
	default:
		mt, _, err := mime.ParseMediaType(ct)
		if err != nil || !(mt == "application/json" || (len(mt) > 5 && mt[len(mt)-5:] == "+json")) {
			return fmt.Errorf("the Content-Type is %q, not application/json", truncate(ct, 80))
		}
	}
	body := bytes.TrimSpace(r.Body)
	switch {
	case len(body) == 0:
		return errors.New("the body is empty")
	case kind == ResultArray && body[0] != '[':
		return fmt.Errorf("expected a JSON array, got %q", excerpt(body, 40))
	case kind != ResultArray && body[0] != '{':
		return fmt.Errorf("expected a JSON object, got %q", excerpt(body, 40))
	}
	return nil
}

// requestIDHeaders are the headers a request ID may come back in.
var requestIDHeaders = []string{"X-Request-Id", "Request-Id", "X-Amzn-Requestid", "Cf-Ray"}

func requestID(h http.Header) string {
	for _, k := range requestIDHeaders {
		if v := h.Get(k); v != "" {
			return truncate(v, 128)
		}
	}
	return ""
}
