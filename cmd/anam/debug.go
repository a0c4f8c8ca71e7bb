package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/anam-ai/anam-go/api"
)

// --debug prints one line per HTTP attempt on stderr:
//
//	anam: debug: GET /v1/avatars?page=2&perPage=100 page=2 status=200 request_id=… attempt=1 duration=41ms
//
// The SDK's logger (api.WithLogger) reports each attempt, without the
// query (it may hold search terms, which the SDK never logs); the user
// asked to see it here, so a request editor records each attempt's URL in
// a slot of the call's context, where the log line finds it. The key is
// never shown: no header is logged, and the key is masked wherever the
// server echoed it.

type callSlotKey struct{}

// callSlot holds the URL of a call's current attempt.
type callSlot struct {
	mu  sync.Mutex
	uri string // path and query, as sent
}

// withCallSlot gives a call its own slot: every call made with --debug
// goes through it.
func withCallSlot(ctx context.Context) context.Context {
	return context.WithValue(ctx, callSlotKey{}, &callSlot{})
}

func slotOf(ctx context.Context) *callSlot {
	s, _ := ctx.Value(callSlotKey{}).(*callSlot)
	return s
}

// debugOptions are the client options of --debug.
func (a *app) debugOptions(key string) []api.Option {
	h := &debugHandler{w: a.e.stderr, key: key}
	return []api.Option{
		api.WithLogger(slog.New(h)),
		api.WithRequestEditor(func(ctx context.Context, req *http.Request) error {
			if s := slotOf(req.Context()); s != nil {
				s.mu.Lock()
				s.uri = req.URL.RequestURI()
				s.mu.Unlock()
			}
			return nil
		}),
	}
}

// debugHandler writes the SDK's attempt records as --debug lines.
type debugHandler struct {
	mu  sync.Mutex
	w   io.Writer
	key string
}

func (h *debugHandler) Enabled(context.Context, slog.Level) bool { return true }
func (h *debugHandler) WithAttrs([]slog.Attr) slog.Handler       { return h }
func (h *debugHandler) WithGroup(string) slog.Handler            { return h }

func (h *debugHandler) Handle(ctx context.Context, r slog.Record) error {
	var method, path, status, reqID, attempt, errText, retryIn string
	var duration time.Duration
	r.Attrs(func(at slog.Attr) bool {
		switch at.Key {
		case "method":
			method = at.Value.String()
		case "path":
			path = at.Value.String()
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
	if s := slotOf(ctx); s != nil {
		s.mu.Lock()
		if s.uri != "" {
			uri = s.uri
		}
		s.mu.Unlock()
	}
	page := "-"
	if _, rawQuery, ok := strings.Cut(uri, "?"); ok {
		if q, err := url.ParseQuery(rawQuery); err == nil && q.Get("page") != "" {
			page = q.Get("page")
		}
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
	line := b.String()
	if h.key != "" {
		line = strings.ReplaceAll(line, h.key, "[redacted]")
		line = strings.ReplaceAll(line, url.QueryEscape(h.key), "[redacted]")
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	_, err := fmt.Fprintf(h.w, "anam: debug: %s\n", sanitize(line))
	return err
}
