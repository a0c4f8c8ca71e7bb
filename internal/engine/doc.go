// Package engine is the SDK's one request path: every generated method of
// gen.Client, Client.Do and the page walker (internal/pager) send their
// requests through Client.Call, so that each guarantee (argument checks,
// retries and their waits, per-attempt timeouts, bounded reads, decode
// checks, redaction, logging) is implemented once. It imports nothing of
// the SDK's; package api configures it (api.NewClient's options make a
// Config) and re-exports what users name (api.Error, api.Operation...).
//
// A call, top to bottom, one concern per file:
//
//	request.go     Call (Do for raw requests): the Request of a method, then
//	               prepare, which checks it and builds what every attempt sends
//	encode.go        the path (buildPath), the query (encodeQuery) and the
//	               parameters' rules from the spec
//	reqbody.go       the body of each attempt: never the caller's reader
//	               itself, never read by two attempts at once; the stall
//	               timeout of an upload
//	multipart.go     a multipart/form-data body, streamed
//	exchange.go    exchange: the attempt loop; attempt: one request and its
//	               reply, within the per-attempt timeout
//	client.go        newRequest: the request of one attempt (auth, headers, editors)
//	transport.go     the Doer, the redirect policy, what a transport error means
//	body.go          readBody: the bounded read of a reply's body
//	response.go      the Handler that turns a reply into a result or an *Error
//	decode.go          UnmarshalJSON: encoding/json's decoding, in one pass
//	retry.go       decide: whether and when to try again (backoff, Retry-After,
//	               the client-wide 429 gate)
//	errors.go      Error, ArgumentError and the sentinel errors
//	redact.go      the API key (and a session token) out of every error,
//	               log line and header handed back, before any cut
//	log.go         one log line per attempt
//	softcancel.go  cancelling a call without tearing down a reply being read
//	operation.go   Operation: what the spec says of one operation
package engine
