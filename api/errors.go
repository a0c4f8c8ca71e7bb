package api

import "github.com/anam-ai/anam-go/internal/engine"

// Error is a failed call to the API: a non-2xx status, a response that
// could not be read, or a request that never got an answer (StatusCode 0;
// Err says why, and errors.Is(err, context.Canceled) and the like work
// through it). It carries the Operation (operationId), Method, Path
// (without the query), StatusCode, the server's RequestID and Message
// (from its JSON "message" or "error", on one line, up to 512 bytes), a
// bounded excerpt of the Body (up to 1 KiB), the number of Attempts, the
// server's RetryAfter, and the underlying cause Err. When the call was
// retried it describes the last attempt; when the caller's context ended
// an attempt before its response, it describes the last response and Err
// says how the call ended, so that errors.Is(err, context.DeadlineExceeded)
// holds as well as errors.Is(err, ErrServer). Error.Is matches it against
// the sentinel errors below by its status; Temporary says whether trying
// again later may succeed.
type Error = engine.Error

// ArgumentError is an argument the SDK refused before sending any request,
// because the spec does not allow it: Operation, Name (the parameter, as
// in the spec), Value and Rule (what the spec requires, e.g. "an integer
// from 1 to 100"). It matches ErrInvalidArgument.
type ArgumentError = engine.ArgumentError

// Sentinel errors for errors.Is. An *Error matches the one its status code
// belongs to; ErrDecode matches a response the SDK could not read.
var (
	ErrBadRequest      = engine.ErrBadRequest      // 400, 422
	ErrUnauthorized    = engine.ErrUnauthorized    // 401, 403
	ErrPaymentRequired = engine.ErrPaymentRequired // 402: no plan
	ErrNotFound        = engine.ErrNotFound        // 404
	ErrRateLimited     = engine.ErrRateLimited     // 429, whatever the cause
	ErrServer          = engine.ErrServer          // 5xx
	ErrDecode          = engine.ErrDecode          // a response that is not the documented JSON
	ErrInvalidArgument = engine.ErrInvalidArgument // refused before sending; see *ArgumentError
	ErrTooLarge        = engine.ErrTooLarge        // see WithMaxResponseBytes
	ErrPagination      = engine.ErrPagination      // the server's meta would loop or go backwards
)

// The causes of a 429 that Anam tells apart, for errors.Is; each also
// matches ErrRateLimited. Anam says which by the body's text only (its
// "error" or "message" field), as its JavaScript SDK reads it:
// "Concurrent session limit reached", "Spend cap reached", and, when a
// session cannot start for another reason, a usage limit of the plan. A
// 429 that names none of them (a plain rate limit) matches only
// ErrRateLimited.
//
// A spend cap or a usage limit is not cured by waiting: it is never
// retried, Temporary is false, and it does not hold back the client's
// other requests. A concurrency limit is retried like any 429 (a session
// may end meanwhile), within the usual rules (a POST is not).
var (
	ErrConcurrencyLimit = engine.ErrConcurrencyLimit // 429: too many sessions at once
	ErrSpendCap         = engine.ErrSpendCap         // 429: the account's spend cap
	ErrUsageLimit       = engine.ErrUsageLimit       // 429: the plan's usage limit
)
