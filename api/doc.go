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
// body as sent, for generic tools such as the anam command line, after the
// checks a typed call makes of it (see Errors); Client.DoPages and DoItems
// walk a list called that way, with json.RawMessage items, through the
// walker of the typed iterators (see Pagination).
//
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
// (paginated or not) must have an item, included. Client.Do checks the
// bodies it returns as sent the same way; an operation that documents no
// result (a 204, a message) takes an empty or JSON body, and a 2xx page of
// another kind (a gateway's or a captive portal's HTML) is ErrDecode, not
// a success: the request may not have reached the API.
//
// The server's text in an *Error (Message, Body, RequestID, and what
// Error returns) never holds the API key or a session token, whatever the
// server echoed, nor a control or bidirectional character (ESC, OSC, U+202E
// are written as , ‮): the secrets are removed before any text is
// cut or escaped, and an error of the chain (errors.Unwrap, errors.As
// targets such as *time.ParseError or *url.Error) is a redacted copy. A
// key under 8 bytes (a test key) is removed where it stands as a word.
//
// Options that no call can be made with are refused before sending, with
// an *ArgumentError: a negative WithCallTimeout or WithCallMaxRetries, a
// header name or value with a line break or another control character
// (WithHeader, a ContentType, an upload's ContentType: each would inject
// a header), a WithQuery of a parameter the spec documents (its rule would
// be bypassed: give it as the call's parameter), a body for an operation
// that documents none, a session token where the spec takes none.
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
// attempt. An upload (a body streamed from the caller's reader: a
// multipart form, Do's Body) is bounded by the same timeout counted from
// its last progress: one that keeps moving is not cut however long it
// takes, one that stalls for the timeout is, and once sent its response
// has the whole timeout. The caller's context bounds the whole call,
// waits included. A request body given by the caller is never closed by
// the SDK, and an attempt never reads it while an earlier one may still
// (see RawRequest).
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
// lastPage, they keep up to WithPageConcurrency page requests in flight
// (default DefaultPageConcurrency), ahead of the loop; items still come in
// order, and only once.
//
// A 404 is "nothing found" (an empty page, no error) only where the spec
// documents a 404 for the list: for page 1, without a body or with a JSON message of the
// API's own (see ListPage). A 404 for any later page is an error, so a
// walk never ends short without saying so: an error of a page request
// names its page (Error.Page). WithResponseInto on a walk describes the
// page the loop has in hand (see WithResponseInto).
//
// # Session tokens
//
// A backend mints a session token for a browser's client, which starts an
// engine session with it. Operation.Auth says which credentials each
// operation's security accepts, from the spec; WithSessionToken sends one
// call with a session token in place of the API key, where the spec
// accepts one, and is refused before sending anywhere else:
//
//	token, err := client.CreateSessionToken(ctx, api.CreateSessionTokenRequest{PersonaConfig: api.NewPersonaConfigStateful(api.PersonaConfigStateful{PersonaID: personaID})})
//	session, err := client.CreateEngineSession(ctx, &api.CreateEngineSessionRequest{}, api.WithSessionToken(token.GetSessionToken()))
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
