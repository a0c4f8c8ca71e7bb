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
	spec     *Operation // the operation: its ID and Method name the call in errors and logs
	path     string
	attempts int       // the attempt under way, from 1 (set by exchange)
	red      *redactor // the client's, or the call's with its session token (set by prepare)
	page     int       // the page a list call asks for (set by prepare), 0 for other calls

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
// is an *Error; a 2xx body is checked against what the spec documents for
// the operation (see Check) and decoded into the Request's Out, or copied
// into its Raw.
type decoder struct{}

func (decoder) Handle(x *Exchange, r *Reply) error {
	switch {
	case r.Status < 200 || r.Status > 299:
		return x.StatusError(r)
	case x.raw != nil:
		if err := x.Check(r); err != nil {
			return err
		}
		x.raw.StatusCode, x.raw.Header, x.raw.Body = r.Status, x.red.header(r.Header), bytes.Clone(r.Body)
		return nil
	case x.out == nil:
		return x.checkNone(r)
	}
	return x.Decode(r, x.out, x.result)
}

// Check checks a 2xx reply against what the spec documents for the
// operation, as decoding it into the generated type would, without
// decoding it: for Do, whose caller gets the body as sent. A list page
// must be the {data, meta} envelope with no null item (see CheckList); an
// object or an array must be complete JSON of that kind (an array without
// a null element); an operation that documents no result may answer with
// no body, or with JSON, but nothing else (see checkNone).
func (x *Exchange) Check(r *Reply) error {
	switch {
	case x.spec != nil && x.spec.Paginated:
		var env struct {
			Data *[]json.RawMessage `json:"data"`
			Meta json.RawMessage    `json:"meta"`
		}
		if err := x.Decode(r, &env, ResultObject); err != nil {
			return err
		}
		if m := bytes.TrimSpace(env.Meta); len(m) > 0 && m[0] != '{' {
			return x.DecodeError(r, fmt.Errorf("the page's %q is not an object", "meta"))
		}
		return x.CheckList(r, env.Data, len(bytes.TrimSpace(env.Meta)) > 0)
	case x.result == ResultArray:
		var items []json.RawMessage
		return x.Decode(r, &items, ResultArray)
	case x.result == ResultObject:
		if err := x.checkJSON(r, ResultObject); err != nil {
			return err
		}
		if !json.Valid(r.Body) {
			return x.DecodeError(r, errors.New("the body is not complete JSON"))
		}
		return nil
	}
	return x.checkNone(r)
}

// checkNone checks the 2xx reply of an operation that documents no result
// (a 204, an empty object, only a message): an empty body, or JSON. A
// body of another kind (a gateway's or a captive portal's HTML page) says
// the request may never have reached the API, so it is not taken for a
// success.
func (x *Exchange) checkNone(r *Reply) error {
	if len(bytes.TrimSpace(r.Body)) == 0 {
		return nil
	}
	if err := x.checkMediaType(r); err != nil {
		return err
	}
	if !json.Valid(r.Body) {
		return x.DecodeError(r, errors.New("the body is neither empty nor JSON, so it may not be the API's answer: the operation may or may not have happened"))
	}
	return nil
}

// excerpt returns a bounded excerpt of a response body for Error.Body,
// without a secret (see redactor.excerpt).
func (x *Exchange) excerpt(body []byte) string { return x.red.excerpt(body, bodyExcerptBytes) }

// requestID is the server's request ID of a reply, without a secret,
// escaped and cut (in that order).
func (x *Exchange) requestID(h http.Header) string {
	for _, k := range requestIDHeaders {
		if v := h.Get(k); v != "" {
			return x.red.cut(v, 128)
		}
	}
	return ""
}

// error is the call's *Error for a reply of status (0: none came back).
func (x *Exchange) error(status int, err error) *Error {
	return &Error{Operation: x.spec.ID, Method: x.spec.Method, Path: x.path, Page: x.page, StatusCode: status, Attempts: max(x.attempts, 1), Err: err}
}

// StatusError is the *Error of a non-2xx reply: its status, the server's
// message and request ID, an excerpt of its body, and, for a 429, its
// cause.
func (x *Exchange) StatusError(r *Reply) *Error {
	e := x.error(r.Status, nil)
	e.RequestID = x.requestID(r.Header)
	e.Message = serverMessage(x.red.bytes(r.Body))
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
	e.RequestID = x.requestID(r.Header)
	e.Body = x.excerpt(r.Body)
	return e
}

// Decode checks that a 2xx reply is a JSON document of the kind the spec
// documents (an object or an array) and decodes it into out; a null item
// of an array is an error, not a zero value.
func (x *Exchange) Decode(r *Reply, out any, kind ResultKind) error {
	if err := x.checkJSON(r, kind); err != nil {
		return err
	}
	if err := UnmarshalJSON(r.Body, out); err != nil {
		return x.DecodeError(r, fmt.Errorf("the body is not the documented JSON: %w", err))
	}
	if kind == ResultArray {
		if v := reflect.ValueOf(out); v.Kind() == reflect.Pointer && v.Elem().Kind() == reflect.Slice {
			if i, null := nullItem(v.Elem(), func() ([]json.RawMessage, error) {
				var raw []json.RawMessage
				return raw, json.Unmarshal(r.Body, &raw)
			}); null {
				return x.NullItemError(r, i)
			}
		}
	}
	return nil
}

// CheckList checks a list page once its envelope is decoded: data, a
// pointer to the slice of items (nil when the body had no "data" array),
// and whether the body had a "meta" object. A null item is an error, not a
// zero value.
func (x *Exchange) CheckList(r *Reply, data any, hasMeta bool) error {
	v := reflect.ValueOf(data)
	if v.Kind() != reflect.Pointer || v.IsNil() || !hasMeta {
		return x.DecodeError(r, fmt.Errorf("the body has no %q array or no %q object, so it is not a page", "data", "meta"))
	}
	if i, null := nullItem(v.Elem(), func() ([]json.RawMessage, error) {
		var raw struct{ Data []json.RawMessage }
		return raw.Data, json.Unmarshal(r.Body, &raw)
	}); null {
		return x.NullItemError(r, i)
	}
	return nil
}

// nullItem reports whether an element of the slice items was decoded from
// a JSON null, and which: encoding/json leaves a null as a zero value (or,
// in a json.RawMessage, as the text null). Only when an element is zero
// does it ask raw for the elements as sent, so that a list without zero
// items costs a scan of them and no second decoding.
func nullItem(items reflect.Value, raw func() ([]json.RawMessage, error)) (int, bool) {
	if msgs, ok := items.Interface().([]json.RawMessage); ok {
		for i, m := range msgs {
			if string(bytes.TrimSpace(m)) == "null" {
				return i, true
			}
		}
		return 0, false
	}
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
	return x.DecodeError(r, fmt.Errorf("item %d of the list is null, not an object", i))
}

// checkMediaType checks that a reply says it is JSON (or says nothing).
func (x *Exchange) checkMediaType(r *Reply) error {
	switch ct := r.Header.Get("Content-Type"); ct {
	case "", "application/json", "application/json; charset=utf-8": // the common cases, without parsing
	default:
		mt, _, err := mime.ParseMediaType(ct)
		if err != nil || !(mt == "application/json" || (len(mt) > 5 && mt[len(mt)-5:] == "+json")) {
			return x.DecodeError(r, fmt.Errorf("the Content-Type is %q, not application/json", x.red.cut(ct, 80)))
		}
	}
	return nil
}

// checkJSON checks that a reply is JSON of the kind the spec documents,
// by its Content-Type and its first byte.
func (x *Exchange) checkJSON(r *Reply, kind ResultKind) error {
	if err := x.checkMediaType(r); err != nil {
		return err
	}
	body := bytes.TrimSpace(r.Body)
	switch {
	case len(body) == 0:
		return x.DecodeError(r, errors.New("the body is empty"))
	case kind == ResultArray && body[0] != '[':
		return x.DecodeError(r, fmt.Errorf("expected a JSON array, got %q", x.red.excerpt(body, 40)))
	case kind != ResultArray && body[0] != '{':
		return x.DecodeError(r, fmt.Errorf("expected a JSON object, got %q", x.red.excerpt(body, 40)))
	}
	return nil
}

// requestIDHeaders are the headers a request ID may come back in.
var requestIDHeaders = []string{"X-Request-Id", "Request-Id", "X-Amzn-Requestid", "Cf-Ray"}
