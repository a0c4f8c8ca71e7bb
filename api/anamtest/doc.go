// Package anamtest provides a fake Anam API for HTTP testing, in the spirit
// of net/http/httptest.
//
// NewServer starts a Server on a loopback port that implements the
// operations of the SDK's OpenAPI document (spec/swagger.json with the
// overlay of spec/overlay.yaml) over an in-memory data set. Point a client
// at Server.URL and authenticate with "Authorization: Bearer " +
// Server.APIKey():
//
//	srv := anamtest.NewServer(anamtest.WithAvatars(42), anamtest.WithT(t))
//	defer srv.Close()
//
// # Data set
//
// The data set holds the avatars of the spec's examples (deduplicated by
// ID), or those given to WithAvatarData, followed by the deterministic
// avatars of WithAvatars (see GeneratedAvatar). Server.Avatars returns it,
// in listing order.
//
// # Semantics
//
// GET /v1/avatars (listAvatars) pages through the avatars whose
// displayName contains search, case-insensitively, and, with
// onlyOneShot=true, that are one-shot. The API resource has no field that
// tells one-shot avatars apart, so the fake keeps a flag, Avatar.OneShot:
// set for half of the generated organisation-created avatars, and as given
// for those of WithAvatarData. page defaults to 1 and perPage to 10, at most
// 100. meta follows the prisma-pagination convention: total is the number
// of matching avatars; lastPage is ceil(total/perPage), so 0 when nothing
// matches; currentPage and perPage echo the request; prev is page-1, or
// null on page 1; next is page+1 while page < lastPage, else null. A page
// past the last one has empty data and the same meta arithmetic. With
// WithEmptyListNotFound, an empty page is a 404 instead, as the spec
// documents.
//
// GET /v1/avatars/{id} (getAvatar) returns the avatar with that ID,
// compared case-insensitively as UUIDs are, or 404.
//
// Errors are JSON objects {"error": <status text>, "message": <detail>}:
// 400 for a request that violates the spec, 401 without
// "Authorization: Bearer <key>", 404 for an unknown ID or path, 405 for a
// known path with another method, 500 for a response that would violate
// the spec.
//
// Operations are named by their operationId (OpListAvatars, OpGetAvatar).
// Functions that take one panic on a name the spec does not define, so a
// typo cannot silently script a fault that never fires.
//
// # Validation
//
// Every exchange is validated against the spec with kin-openapi's
// openapi3filter. A request that violates it (a malformed UUID in the
// path, perPage=500, page=abc) gets a 400 whose message names each
// parameter and the rule it breaks, for example
//
//	parameter "perPage" in query: maximum: got 500, want 100
//
// Authentication is checked first. Every response the server builds is
// validated before it is sent; one that does not match the spec is
// replaced by a 500 and reported: to the test with WithT, else to the
// logger of WithLogger (standard error by default). WithResponseEditor lets
// a test corrupt responses on purpose to see that validation catches them.
// Validation verdicts are remembered by a hash of what they depend on, so
// serving the same request again costs no new validation.
//
// # Faults and latency
//
// For reliability tests, Server.InjectFaults scripts Faults (error
// statuses with Retry-After, latency, malformed, truncated, slow, huge or
// empty bodies, HTML pages, wrong Content-Types, redirects, dropped
// connections) that the next requests to an operation consume one by one,
// before normal behaviour resumes. Server.SetLatency delays every request
// to an operation. Server.Requests, Server.LastHeader and
// Server.Connections count what the server received.
//
// Delays end early when the client gives up or the server closes: Close
// returns promptly and leaves no goroutine behind, even with a fault
// stalled mid-body.
package anamtest
