// Package api is the Go client for the Anam AI API (https://api.anam.ai).
//
// Create a Client once and share it; it is safe for concurrent use:
//
//	client, err := api.NewClient() // key from ANAM_API_KEY
//	avatar, err := client.GetAvatar(ctx, "071b0286-4cce-4808-bee2-e642f1062de3")
//	for avatar, err := range client.Avatars(ctx, &api.ListAvatarsParams{Search: new("liv")}) { ... }
//
// # Configuration
//
// NewClient reads the API key from WithAPIKey or else ANAM_API_KEY, and the
// base URL from WithBaseURL, else ANAM_BASE_URL, else DefaultBaseURL. An
// explicit option always beats the environment, which is read only once, in
// NewClient. The key is sent as a Bearer token and never appears in an
// error, a log line or a printed SDK value.
//
// # Errors
//
// Arguments the spec does not allow (an ID that is not a UUID, perPage
// outside 1..100) are refused before anything is sent, with an
// *ArgumentError naming the parameter and the rule. Every failed call
// otherwise returns an *Error carrying the operation, method, path, status,
// the server's request ID and its message; errors.Is matches it against
// ErrNotFound, ErrUnauthorized, ErrBadRequest, ErrRateLimited, ErrServer,
// ErrPaymentRequired and ErrDecode, and through it against
// context.Canceled or context.DeadlineExceeded. A 2xx response whose body
// is not the documented JSON is an error (ErrDecode), never a zero value.
//
// # Pagination
//
// Every list endpoint shares the page/perPage query and the {data, meta}
// envelope. ListPage, ListPages and ListAll serve them all, given a
// ListOperation that names the generated method; ListAvatars, AvatarPages
// and Avatars are those for the avatars endpoint. The iterators follow
// meta.next (and meta.lastPage), stop when the loop breaks or the context
// ends, yield an error last, and stop with ErrPagination rather than loop
// on a server whose meta would repeat pages.
//
// # Generated code
//
// The types (Avatar, ListAvatarsParams, Pagination...) are generated from
// the OpenAPI document into package gen; this package re-exports the ones
// its methods use. Client.Gen returns the generated client for operations
// this package does not wrap.
package api
