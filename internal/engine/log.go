package engine

import (
	"context"
	"log/slog"
	"time"
)

// attemptLog is what logAttempt reports of one attempt.
type attemptLog struct {
	attempt   int
	status    int
	requestID string
	duration  time.Duration
	err       error
	retryIn   time.Duration
	retrying  bool
}

// logAttempt logs one line per attempt, at slog.LevelDebug, to the
// Config's Logger (see api.WithLogger for the attributes). No header is
// logged, so neither is the API key; nor is the query string, which may
// hold search terms, unless Config.LogQuery asks for it; a list call's
// page is.
func (c *Client) logAttempt(ctx context.Context, x *Exchange, a attemptLog) {
	l := c.cfg.Logger
	if l == nil || !l.Enabled(ctx, slog.LevelDebug) {
		return
	}
	attrs := make([]slog.Attr, 0, 11)
	attrs = append(attrs,
		slog.String("op", x.spec.ID),
		slog.String("method", x.spec.Method),
		slog.String("path", x.path),
	)
	if c.cfg.LogQuery && x.url.RawQuery != "" {
		attrs = append(attrs, slog.String("query", x.red.text(x.url.RawQuery)))
	}
	if x.page > 0 {
		attrs = append(attrs, slog.Int("page", x.page))
	}
	attrs = append(attrs,
		slog.Int("attempt", a.attempt),
		slog.Int("status", a.status),
		slog.Duration("duration", a.duration),
	)
	if a.requestID != "" {
		attrs = append(attrs, slog.String("request_id", a.requestID))
	}
	if a.err != nil {
		attrs = append(attrs, slog.String("error", a.err.Error()))
	}
	if a.retrying {
		attrs = append(attrs, slog.Duration("retry_in", a.retryIn))
	}
	l.LogAttrs(ctx, slog.LevelDebug, "anam: request", attrs...)
}
