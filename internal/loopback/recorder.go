// Package loopback has the loopback servers the SDK's tests and
// benchmarks share, so that each is written once: Recorder, which records
// every request it receives and answers with scripted replies, and
// Avatars, a stand-in for the avatar operations of the Anam API with the
// spec's pagination, built for measuring. They listen on 127.0.0.1 only
// and close when the test ends.
package loopback

import (
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
)

// Request is one request as a Recorder received it.
type Request struct {
	Method, Path, RawQuery string // Path is escaped, as sent
	Header                 http.Header
	Body                   []byte            // the body, when it is not a multipart form
	Form                   map[string]string // a multipart form's fields (a file as "filename:content")
}

// A Reply writes one response.
type Reply func(w http.ResponseWriter)

// Respond is the Reply of a status, a JSON body ("" for none) and
// headers, given as name, value pairs.
func Respond(status int, body string, headers ...string) Reply {
	return func(w http.ResponseWriter) {
		for i := 0; i+1 < len(headers); i += 2 {
			w.Header().Set(headers[i], headers[i+1])
		}
		if body != "" && w.Header().Get("Content-Type") == "" {
			w.Header().Set("Content-Type", "application/json")
		}
		w.WriteHeader(status)
		_, _ = io.WriteString(w, body)
	}
}

// Recorder is a loopback server that records every request and answers
// each with the next of its replies; the last one answers every request
// after it (with no reply at all, 418).
type Recorder struct {
	*httptest.Server
	mu      sync.Mutex
	reqs    []Request
	replies []Reply
}

// NewRecorder starts a Recorder, closed when tb ends.
func NewRecorder(tb testing.TB, replies ...Reply) *Recorder {
	tb.Helper()
	r := &Recorder{replies: replies}
	r.Server = httptest.NewServer(http.HandlerFunc(r.serve))
	tb.Cleanup(r.Close)
	return r
}

func (r *Recorder) serve(w http.ResponseWriter, req *http.Request) {
	s := Request{Method: req.Method, Path: req.URL.EscapedPath(), RawQuery: req.URL.RawQuery, Header: req.Header.Clone()}
	if mt, params, _ := mime.ParseMediaType(req.Header.Get("Content-Type")); mt == "multipart/form-data" {
		s.Form = map[string]string{}
		mr := multipart.NewReader(req.Body, params["boundary"])
		for {
			p, err := mr.NextPart()
			if err != nil {
				break
			}
			b, _ := io.ReadAll(p)
			if p.FileName() != "" {
				s.Form[p.FormName()] = p.FileName() + ":" + string(b)
			} else {
				s.Form[p.FormName()] = string(b)
			}
		}
	} else {
		s.Body, _ = io.ReadAll(req.Body)
	}
	r.mu.Lock()
	r.reqs = append(r.reqs, s)
	var next Reply
	if len(r.replies) > 0 {
		next = r.replies[0]
		if len(r.replies) > 1 {
			r.replies = r.replies[1:]
		}
	}
	r.mu.Unlock()
	if next == nil {
		w.WriteHeader(http.StatusTeapot)
		return
	}
	next(w)
}

// Requests returns the requests received so far, in order.
func (r *Recorder) Requests() []Request {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]Request(nil), r.reqs...)
}

// Only returns the one request received, failing tb if there were more or
// none.
func (r *Recorder) Only(tb testing.TB) Request {
	tb.Helper()
	reqs := r.Requests()
	if len(reqs) != 1 {
		tb.Fatalf("%d requests, want 1", len(reqs))
	}
	return reqs[0]
}

// Last returns the last request received, failing tb if there was none.
func (r *Recorder) Last(tb testing.TB) Request {
	tb.Helper()
	reqs := r.Requests()
	if len(reqs) == 0 {
		tb.Fatal("the server received no request")
	}
	return reqs[len(reqs)-1]
}
