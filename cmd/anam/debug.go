package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/anam-ai/anam-go/api"
)

// --debug prints one line per HTTP attempt on stderr:
//
//	anam: debug: GET /v1/avatars?page=2&perPage=100 page=2 status=200 request_id=… attempt=1 duration=41ms
//
// It is the SDK's own log line (api.WithLogger), with the query string,
// which the SDK logs only when asked (api.WithLogQuery: it may hold search
// terms, and here the user asked to see what is sent), and the page of a
// list call, which the SDK logs for every list call. The SDK redacts the
// API key and a session token from every line, wherever the server echoed
// them; no header is logged.

// debugOptions are the client options of --debug.
func (a *app) debugOptions() []api.Option {
	return []api.Option{api.WithLogger(slog.New(&debugHandler{w: a.e.stderr})), api.WithLogQuery()}
}

// debugHandler writes the SDK's attempt records as --debug lines.
type debugHandler struct {
	mu sync.Mutex
	w  io.Writer
}

func (h *debugHandler) Enabled(context.Context, slog.Level) bool { return true }
func (h *debugHandler) WithAttrs([]slog.Attr) slog.Handler       { return h }
func (h *debugHandler) WithGroup(string) slog.Handler            { return h }

func (h *debugHandler) Handle(_ context.Context, r slog.Record) error {
	var method, path, query, status, reqID, attempt, errText, retryIn string
	page := "-"
	var duration time.Duration
	r.Attrs(func(at slog.Attr) bool {
		switch at.Key {
		case "method":
			method = at.Value.String()
		case "path":
			path = at.Value.String()
		case "query":
			query = at.Value.String()
		case "page":
			page = at.Value.String()
		case "status":
			status = at.Value.String()
		case "request_id":
			reqID = at.Value.String()
		case "attempt":
			attempt = at.Value.String()
		case "duration":
			duration = at.Value.Duration()
		case "error":
			errText = at.Value.String()
		case "retry_in":
			retryIn = at.Value.Duration().Round(time.Millisecond).String()
		}
		return true
	})
	uri := path
	if query != "" {
		uri += "?" + query
	}
	if status == "0" {
		status = "none"
	}
	if reqID == "" {
		reqID = "-"
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s page=%s status=%s request_id=%s attempt=%s duration=%s",
		method, uri, page, status, reqID, attempt, duration.Round(100*time.Microsecond))
	if errText != "" {
		fmt.Fprintf(&b, " error=%q", errText)
	}
	if retryIn != "" {
		fmt.Fprintf(&b, " retry_in=%s", retryIn)
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	_, err := fmt.Fprintf(h.w, "anam: debug: %s\n", sanitize(b.String()))
	return err
}
