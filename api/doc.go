// Package api is the Go client for the Anam AI API (https://api.anam.ai).
//
// Create a Client once and share it; it is safe for concurrent use:
//
//	client, err := api.NewClient() // key from ANAM_API_KEY
//	avatar, err := client.GetAvatar(ctx, "071b0286-4cce-4808-bee2-e642f1062de3")
//	for avatar, err := range client.Avatars(ctx, &api.ListAvatarsParams{Search: new("liv")}) { ... }
//
// # Every operation is a method
//
// Every operation of Anam's OpenAPI document is a method of Client named
// after its operationId (createPersona: CreatePersona), generated into
// package gen (Client is gen.Client: go doc gen.Client lists the methods)
// as a few lines over the one request path described below. Path parameters are string arguments in path order; query
// parameters a *<Op>Params (nil for none); a JSON body a <Op>Request, a
// multipart body a <Op>Form whose files are upload.File values streamed
// from an io.Reader (an operation that takes both has <Op> and
// <Op>Multipart). A JSON object result is returned as a *T, an array as a
// []T; a 204, an empty object or a body that is only a message (a DELETE's
// {message}) leaves just the error. A paginated list <Op> returns a *Page
// and has iterators (see Pagination). Every method takes RequestOptions:
// WithCallTimeout, WithCallMaxRetries, WithHeader, WithQuery and
// WithResponseInto, which keeps the raw response's status, headers and
// request ID, on success as on failure.
//
// Operations and LookupOperation describe every operation, with the rules
// of its parameters; Client.Do calls one with raw arguments and returns the
// body as sent, for generic tools such as the anam command line.
// # Configuration
//
// NewClient reads the API key from WithAPIKey or else ANAM_API_KEY, and the
// base URL from WithBaseURL, else ANAM_BASE_URL, else DefaultBaseURL. An
// explicit option always beats the environment, which is read only once, in
// NewClient. The key is sent as a Bearer token and never appears in an
// error, a log line or a printed SDK value (a server that echoes it back
// sees it replaced by "[redacted]"). It is sent only to the base URL's
// origin: the SDK refuses to follow a redirect to another scheme, host or
// port, and a plain http:// base URL is refused unless its host is loopback
// or WithInsecureHTTP is given.
//
// # Errors
//
// Arguments the spec does not allow (an ID that is not a UUID, perPage
// outside 1..100) are refused before anything is sent, with an
// *ArgumentError naming the parameter and the rule. Every failed call
// otherwise returns an *Error carrying the operation, method, path, status,
// the server's request ID and its message; errors.Is matches it against
// ErrNotFound, ErrUnauthorized, ErrBadRequest, ErrRateLimited (and, for a
// 429 whose body says why, ErrConcurrencyLimit, ErrSpendCap or
// ErrUsageLimit), ErrServer, ErrPaymentRequired and ErrDecode, and through
// it against context.Canceled or context.DeadlineExceeded. A 2xx response whose body
// is not the documented JSON is an error (ErrDecode), never a zero value:
// a null body where an object is documented, and a null where a list
// (paginated or not) must have an item, included.
//
// # Retries and timeouts
//
// A failed attempt is tried again, up to DefaultMaxRetries (3) times or as
// WithMaxRetries says (0: never), when another attempt may succeed and
// cannot do harm:
//
//   - the failure is a connection that could not be made, broke, or timed
//     out, or a response 408, 429, 500, 502, 503 or 504 (but not a 429
//     for a spend cap or a usage limit); never 400, 401,
//     403, 404, 422, a certificate error, a refused redirect or a redirect
//     loop (over 10 redirects), a body over
//     the size limit, or a 2xx body that is not the documented JSON;
//   - the method is idempotent (GET, HEAD, OPTIONS, PUT, DELETE); a POST or
//     PATCH only when the connection could not be made, so that the request
//     cannot have reached the server;
//   - the request body, if any, can be sent again: JSON always, an upload
//     only when its Reader can seek back to where it started (the error of
//     one that could not says so).
//
// Attempts are spaced by an exponential backoff with jitter: 0.25–0.5 s
// after the first failure, doubling each time, at most 4–8 s. A Retry-After
// header (seconds or an HTTP date) takes the backoff's place; one over a
// minute is not waited for, and the call fails at once with the server's
// delay in Error.RetryAfter. No wait outlasts the context's deadline: when
// the next one would, the call returns the last attempt's error at once. A
// 429 with a Retry-After of a minute or less also holds back every other
// request of the same Client, concurrent ones included, until that time,
// so that they back off together; a longer one fails only its own call.
// WithRetryPolicy sees, and may change, every decision; the final *Error
// says how many attempts were made.
//
// Each attempt, from sending the request to reading the last byte of the
// response, is bounded by DefaultTimeout (30 s) or WithTimeout, so a server
// that stalls before or during its response costs at most that per
// attempt. The caller's context bounds the whole call, waits included.
// Response bodies are bounded (DefaultMaxResponseBytes, WithMaxResponseBytes)
// and always drained and closed, so that connections are reused.
//
// # Pagination
//
// Every paginated list shares the page/perPage query and the {data, meta}
// envelope. ListPage, ListPages and ListAll serve them all, given a
// ListOperation; each list has its generated methods over them:
// ListAvatars (one page), Avatars (every item), AvatarPages (every page)
// and ListAllAvatars (a slice), and so on for every list. The iterators follow
// meta.next (and meta.lastPage), stop when the loop breaks or the context
// ends, yield an error last, and stop with ErrPagination rather than loop
// on a server whose meta would repeat pages. Once a page's meta gives
// lastPage, they request up to WithPageConcurrency pages ahead (default
// DefaultPageConcurrency); items still come in order, and only once.
//
// A 404 is "nothing found" (an empty page, no error) only where the spec
// documents a 404 for the list: for page 1, without a body or with a JSON message of the
// API's own (see ListPage). A 404 for any later page is an error, so a
// walk never ends short without saying so.
//
// # Generated code
//
// The models (Avatar, Persona, ListAvatarsParams, CreatePersonaRequest...)
// and the Client's methods are generated from the OpenAPI document into
// package gen, with nil-safe getters (GetName) and a String method that
// prints a model as JSON; this package re-exports the models its methods
// take and return (models.gen.go). A oneOf a request may hold (a union) has
// a constructor per branch, so that it fits in a field's value with no
// error to check:
//
//	client.CreateSessionToken(ctx, api.CreateSessionTokenRequest{PersonaConfig: api.NewPersonaConfigStateful(api.PersonaConfigStateful{PersonaID: personaID})})
//
// Nothing in this package's handwritten code names an operation:
// regenerating from a new document (go generate ./...) is all a new
// operation takes.
package api
