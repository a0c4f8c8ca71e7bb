package api

import (
	"errors"
	"fmt"
	"log/slog"
	"math"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/anam-ai/anam-go/internal/engine"
	"github.com/anam-ai/anam-go/internal/pager"
)

// This file holds every option: those of NewClient (Option), which
// configure a Client, then those of one call (RequestOption), which every
// method, Client.Do and the pagination functions take.

// DefaultTimeout bounds each attempt of a request, from sending it to
// reading the last byte of its response, unless WithTimeout says otherwise.
// It is per attempt: a call that is retried (see WithMaxRetries) may take
// longer in all, and only the caller's context bounds the whole call.
const DefaultTimeout = 30 * time.Second

// DefaultMaxRetries is how many times a failed attempt is retried when
// WithMaxRetries is not given: 3 retries, so at most 4 attempts.
const DefaultMaxRetries = 3

// DefaultMaxResponseBytes is the default bound on a response body: 32 MiB,
// far above the largest page of 100 items the API sends.
const DefaultMaxResponseBytes = 32 << 20

// DefaultPageConcurrency is how many page requests ListPages and ListAll
// keep in flight when WithPageConcurrency is not given: a few, enough to
// make a long listing about four times faster, few enough to stay well
// within the API's limits.
const DefaultPageConcurrency = pager.DefaultPageConcurrency

// Option configures a Client in NewClient.
type Option func(*config) error

// config is what NewClient's options say: the engine's configuration, and
// what NewClient checks before it makes one.
type config struct {
	engine.Config
	apiKey       *string
	baseURL      *string
	uaSuffix     string
	insecureHTTP bool
}

// Doer sends HTTP requests: *http.Client is one. See WithDoer.
type Doer = engine.Doer

// RequestEditor changes a request before it is sent; an error stops the
// call, which is not retried.
type RequestEditor = engine.RequestEditor

// WithAPIKey sets the API key sent as a Bearer token. It takes precedence
// over the ANAM_API_KEY environment variable.
func WithAPIKey(key string) Option {
	return func(c *config) error {
		c.apiKey = &key
		return nil
	}
}

// WithBaseURL sets the API's base URL, e.g. "https://api.anam.ai". It takes
// precedence over the ANAM_BASE_URL environment variable. Plain http:// is
// refused unless the host is loopback or WithInsecureHTTP is given.
func WithBaseURL(u string) Option {
	return func(c *config) error {
		c.baseURL = &u
		return nil
	}
}

// WithInsecureHTTP allows a plain http:// base URL on a non-loopback host.
// The API key then travels unencrypted: use it only on a network you trust.
func WithInsecureHTTP() Option {
	return func(c *config) error {
		c.insecureHTTP = true
		return nil
	}
}

// WithHTTPClient sets the *http.Client used to send requests. The default is
// a client of the SDK's own with a private connection pool. The SDK uses a
// copy of hc, sharing its Transport, whose CheckRedirect refuses a redirect
// to another origin (scheme, host or port) before hc's own is consulted, so
// that the API key is never sent to another server. hc.Timeout, if set,
// bounds each attempt, as WithTimeout does.
func WithHTTPClient(hc *http.Client) Option {
	return func(c *config) error {
		if hc == nil {
			return errors.New("WithHTTPClient: nil *http.Client")
		}
		c.Doer = engine.GuardRedirects(hc)
		return nil
	}
}

// WithDoer sets anything with the Do method of *http.Client as the sender of
// requests, e.g. a test double or an instrumented client. Unlike with
// WithHTTPClient, the SDK cannot see how d follows redirects: if it does,
// it must not send the Authorization header to another host. d should
// honour the request's context, which carries the per-attempt timeout and
// the caller's cancellation (a response body that stalls is closed by the
// SDK either way).
func WithDoer(d Doer) Option {
	return func(c *config) error {
		if d == nil {
			return errors.New("WithDoer: nil Doer")
		}
		c.Doer = d
		return nil
	}
}

// WithUserAgent appends suffix (e.g. "myapp/1.2") to the SDK's User-Agent.
// A suffix with a control character (a line break, say), which no HTTP
// header may hold, is refused.
func WithUserAgent(suffix string) Option {
	return func(c *config) error {
		suffix = strings.TrimSpace(suffix)
		if hasControl(suffix) {
			return errors.New("WithUserAgent: the suffix contains a control character (such as a line break), which no HTTP header may hold")
		}
		c.uaSuffix = suffix
		return nil
	}
}

// WithTimeout sets the timeout of each attempt of a request, from sending it
// to reading the last byte of its response (DefaultTimeout when not given).
// A server that stalls before or in the middle of its response is bounded by
// it; an attempt that times out is retried like a broken connection. Zero or
// a negative value disables it, leaving only the caller's context, which
// bounds the whole call, retries and waits included: a deadline on it that
// is earlier still wins. WithCallTimeout sets it for one call.
func WithTimeout(d time.Duration) Option {
	return func(c *config) error {
		c.Timeout = d
		return nil
	}
}

// WithMaxRetries sets how many times a failed attempt may be retried
// (DefaultMaxRetries when not given); 0 disables retries. What is retried,
// and how long the SDK waits in between, is described in the package
// documentation under "Retries and timeouts". WithCallMaxRetries sets it
// for one call.
func WithMaxRetries(n int) Option {
	return func(c *config) error {
		if n < 0 {
			return fmt.Errorf("WithMaxRetries: %d is negative; use 0 to disable retries", n)
		}
		c.MaxRetries = n
		return nil
	}
}

// RetryInfo describes a failed attempt to a RetryPolicy: Attempt (from 1),
// Err (why it failed; Err.Attempts == Attempt), and the SDK's own decision,
// Retry and Delay (the backoff, or the server's Retry-After).
type RetryInfo = engine.RetryInfo

// RetryPolicy decides whether to try a request again after a failed attempt,
// and how long to wait first. It is given the SDK's own decision in
// info.Retry and info.Delay, so a policy that only observes returns them
// unchanged:
//
//	api.WithRetryPolicy(func(ctx context.Context, info api.RetryInfo) (bool, time.Duration) {
//		log.Printf("attempt %d: %v", info.Attempt, info.Err)
//		return info.Retry, info.Delay
//	})
//
// It is called after every failed attempt that could be retried at all:
// while fewer than WithMaxRetries retries were made, the context has not
// ended and the request body can be sent again. Its answer is final, with
// two limits: no wait outlasts the context's deadline (the call returns the
// last error at once instead), and a negative delay counts as zero. It may
// be called from several goroutines at once.
type RetryPolicy = engine.RetryPolicy

// WithRetryPolicy sets a function that sees, and may change, every retry
// decision. See RetryPolicy.
func WithRetryPolicy(p RetryPolicy) Option {
	return func(c *config) error {
		if p == nil {
			return errors.New("WithRetryPolicy: nil RetryPolicy")
		}
		c.RetryPolicy = p
		return nil
	}
}

// WithMaxResponseBytes bounds the size of a response body the client reads
// (DefaultMaxResponseBytes when not given). A larger body is an error
// (ErrTooLarge), not an out-of-memory: one whose Content-Length is over
// the limit is refused before any of it is read, and one of unknown length
// is read no further than the limit, in about that much memory.
func WithMaxResponseBytes(n int64) Option {
	return func(c *config) error {
		if n <= 0 {
			return fmt.Errorf("WithMaxResponseBytes: %d is not a positive size", n)
		}
		c.MaxBodyBytes = n
		return nil
	}
}

// WithRequestEditor adds a function that may change every request before it
// is sent, after the SDK has set its own headers. It runs once per attempt,
// on a new request each time. It may not send the request elsewhere: a
// request whose scheme, host or port it changed is refused unsent, as the
// API key goes to the base URL's origin only.
func WithRequestEditor(fn RequestEditor) Option {
	return func(c *config) error {
		if fn == nil {
			return errors.New("WithRequestEditor: nil function")
		}
		c.Editors = append(c.Editors, fn)
		return nil
	}
}

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
//	page        the page a list call asked for, on the lines of list calls
//	query       the query string, only with WithLogQuery
//
// No header is logged, so neither is the API key (nor a session token);
// nor is the query string, which may hold search terms, unless
// WithLogQuery asks for it. Without WithLogger nothing is logged.
func WithLogger(l *slog.Logger) Option {
	return func(c *config) error {
		if l == nil {
			return errors.New("WithLogger: nil *slog.Logger")
		}
		c.Logger = l
		return nil
	}
}

// WithLogQuery makes the lines of WithLogger carry each request's query
// string (attribute "query"), for a program whose user asked to see what
// is sent, such as the anam command line's --debug. It is off by default:
// a query may hold a user's search terms, which logs should not keep. The
// API key and a session token are redacted from it like from every line.
func WithLogQuery() Option {
	return func(c *config) error {
		c.LogQuery = true
		return nil
	}
}

// WithPageConcurrency lets ListPages and ListAll (so also Avatars,
// AvatarPages and ListAllAvatars) keep up to n page requests in flight.
// The default is DefaultPageConcurrency; 1 means one page at a time, each
// requested only when the loop needs it.
//
// With n > 1, once a page's meta gives lastPage and names the next page
// as the one after it, the walk requests the pages after it ahead of
// time, at most n at once, while the loop works through the items in
// hand: a request's slot is used again as soon as its response has come,
// while its page is decoded, and up to 2n pages are requested ahead of
// the one the loop is on. Items are still yielded in order and only once,
// and every page is checked like in a sequential walk: when one's meta
// does not match what was assumed (another next page, another lastPage),
// the pages requested ahead are cancelled and the walk goes on from what
// that page says. A walk of L pages of latency d then takes about L*d/n
// instead of L*d.
//
// The cost is that a loop that breaks early, a context that ends or a
// failing page leave up to 2n pages that were requested for nothing (those
// requested ahead of the one in hand: up to n still in flight, the others
// received; none with n == 1): those in flight are cancelled, and no new
// ones are sent. One whose response is already being read is let finish,
// for at most 100 ms, so that its connection stays open for reuse instead
// of being closed by the cancellation. Each walk holds at most 2n+1 pages
// in memory (2n requested ahead, one in hand), besides the bodies of the
// responses being read. Anam limits the
// requests an account may have in flight (it answers 429 past the limit),
// so keep n small. Request editors (see WithRequestEditor) may then be
// called from several goroutines at once.
func WithPageConcurrency(n int) Option {
	return func(c *config) error {
		if n < 1 {
			return fmt.Errorf("WithPageConcurrency: %d is not a positive number of requests", n)
		}
		c.PageConcurrency = n
		return nil
	}
}

// RequestOption changes one call, e.g.
//
//	avatar, err := client.GetAvatar(ctx, id, api.WithCallTimeout(5*time.Second))
//
// Every typed method, Client.Do and the pagination functions take them; on
// a paginated walk they apply to every page.
type RequestOption = engine.RequestOption

// WithCallTimeout bounds each attempt of this call, as WithTimeout does for
// every call of the client (0: no bound but the context). A negative
// duration (a deadline computed in the past, say) is refused with an
// *ArgumentError before anything is sent, rather than taken for "no
// bound".
func WithCallTimeout(d time.Duration) RequestOption {
	return func(c *engine.CallConfig) { c.Timeout, c.HasTimeout = d, true }
}

// WithCallMaxRetries sets how many times this call may be retried (0:
// never), in place of the client's WithMaxRetries. A negative number is
// refused with an *ArgumentError before anything is sent.
func WithCallMaxRetries(n int) RequestOption {
	return func(c *engine.CallConfig) { c.MaxRetries, c.HasMaxRetries = n, true }
}

// WithCallPageConcurrency sets how many page requests this walk (ListPages,
// ListAll, the generated iterators, Client.DoPages and DoItems) keeps in
// flight, in place of the client's WithPageConcurrency; 1 requests each
// page only when the loop needs it. Other calls ignore it. A number under
// 1 is refused with an *ArgumentError.
func WithCallPageConcurrency(n int) RequestOption {
	return func(c *engine.CallConfig) {
		c.PageConcurrency = int32(min(n, 1<<16))
		if n < 1 {
			c.PageConcurrency = -1 // refused by the call's checks
		}
	}
}

// WithCallMaxItems ends this walk (ListAll, the generated item iterators
// such as Avatars, Client.DoItems) after n items, and a walk of pages
// (ListPages, the generated Pages iterators, Client.DoPages) at the page
// that reaches n items, cut to it. It also bounds what is requested
// ahead: no page past those that, at the size of the latest page, hold
// the items still wanted, so that a loop that wants the first n items
// does not spend requests (and Anam's concurrency limit) on pages it will
// never read, as breaking out of the loop after n items may. Other calls
// ignore it. A number under 1 is refused with an *ArgumentError.
func WithCallMaxItems(n int) RequestOption {
	return func(c *engine.CallConfig) {
		c.MaxItems = int32(min(n, math.MaxInt32))
		if n < 1 {
			c.MaxItems = -1 // refused by the call's checks
		}
	}
}

// WithSessionToken sends this call with a session token in place of the
// client's API key, as Anam's browser clients do: a backend mints the
// token (the session-token operation of the Sessions tag) and a client
// starts an engine session with it. Only an operation whose spec security
// accepts session tokens takes one (Operation.Auth has AuthSessionToken):
// on any other, and for a value that is not a JWT or is the client's API
// key, the call is refused before anything is sent, with an
// *ArgumentError that never shows the token. The token is redacted from
// errors, log lines and the headers of WithResponseInto like the API key.
func WithSessionToken(token string) RequestOption {
	return func(c *engine.CallConfig) { c.SessionToken = &token }
}

// WithHeader adds a header to this call's requests, e.g. an idempotency or
// tracing header. It cannot replace the headers the client owns
// (Authorization, User-Agent, Content-Type, Accept): those are set after.
// A name that is not a header name, or a value with a line break or
// another control character (which would inject a header), is refused
// with an *ArgumentError before anything is sent, and never retried.
func WithHeader(key, value string) RequestOption {
	return func(c *engine.CallConfig) {
		if c.Header == nil {
			c.Header = http.Header{}
		}
		c.Header.Add(key, value)
	}
}

// WithQuery adds a query parameter to this call's requests, for a
// parameter the spec (and so the typed Params) does not know yet. It is
// sent as given, after the typed parameters. A parameter the spec
// documents for the operation is refused with an *ArgumentError: give it
// in the call's Params (or Do's RawRequest.Query), where its rule is
// checked (WithQuery("perPage", "1000") would bypass 1..100).
func WithQuery(key, value string) RequestOption {
	return func(c *engine.CallConfig) {
		if c.Query == nil {
			c.Query = url.Values{}
		}
		c.Query.Add(key, value)
	}
}

// WithResponseInto makes the call store what its last response said
// beyond the decoded body (status, headers such as RateLimit-Remaining, the
// request ID, the number of attempts) in *dst, whether the call succeeded
// or failed. Header values that hold the API key (or the call's session
// token), echoed by a server, have it replaced by "[redacted]".
//
// On a paginated walk (ListPages, ListAll, the generated iterators,
// DoPages, DoItems) *dst describes the page the loop has in hand: it is
// written in the loop's goroutine just before each page is yielded (or
// the error of a page request), never by a page requested ahead, so it
// may be read in the loop's body without a race.
func WithResponseInto(dst *Response) RequestOption {
	return func(c *engine.CallConfig) { c.Into = dst }
}

// Response is the raw side of a call's last response, stored by
// WithResponseInto: StatusCode (0 when no response came back), Header (as
// sent), RequestID (the server's request ID header, if any) and Attempts
// (how many times the request was sent).
type Response = engine.Response
