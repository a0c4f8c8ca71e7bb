package api

import (
	"context"
	"errors"
	"log/slog"
	"time"
)

// WithLogger makes the client log one line per attempt to l, at
// slog.LevelDebug (so l's handler must be enabled for that level), with the
// attributes:
//
//	op          operationId, e.g. "getAvatar"
//	method      HTTP method
//	path        URL path, without the query
//	attempt     1 for the first attempt, 2 for the first retry...
//	status      response status, 0 when none came back
//	duration    from sending the request to reading the end of the response
//	request_id  the server's request ID, when it sent one
//	error       why the attempt failed, when it did
//	retry_in    the wait before the next attempt, when there is one
//
// No header is logged, so neither is the API key; nor is the query string,
// which may hold search terms. Without WithLogger nothing is logged.
func WithLogger(l *slog.Logger) Option {
	return func(c *config) error {
		if l == nil {
			return errors.New("WithLogger: nil *slog.Logger")
		}
		c.logger = l
		return nil
	}
}

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

func (c *Client) logAttempt(ctx context.Context, cl *call, a attemptLog) {
	l := c.cfg.logger
	if l == nil || !l.Enabled(ctx, slog.LevelDebug) {
		return
	}
	attrs := make([]slog.Attr, 0, 9)
	attrs = append(attrs,
		slog.String("op", cl.op),
		slog.String("method", cl.method),
		slog.String("path", cl.path),
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
