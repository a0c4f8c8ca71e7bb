package api

import (
	"sync"

	"github.com/anam-ai/anam-go/gen"
	"github.com/anam-ai/anam-go/internal/engine"
)

// Operation describes one operation of the Anam API as the spec states it:
// ID (the operationId, e.g. "getAvatar"), Method, Path (the template, e.g.
// "/v1/avatars/{id}"), Tag, Summary, PathParams (in path order) and Query
// with the rules of each Param, which request bodies it takes (Body,
// BodyRequired), what a success carries (Result), whether it is a
// paginated list (Paginated), which credentials it accepts (Auth), and the
// response statuses the spec documents (Statuses). One is generated for every operation, and every method of
// Client is a few lines over one of them. Operations and LookupOperation
// expose them to generic tools, such as the anam command line, which call
// them with Client.Do. An Operation is read-only: the SDK shares them
// between all clients.
type Operation = engine.Operation

// Param is one parameter of an Operation with the rule the spec gives it
// (Name, Required, Explode for arrays in the query, and a Rule). The SDK
// refuses a value that breaks the rule before sending anything, with an
// *ArgumentError naming the parameter and the rule.
type Param = engine.Param

// Rule is what the spec says a parameter's value must be: Type, Format,
// Minimum, Maximum, MinLength, MaxLength, Enum. Zero fields say nothing.
type Rule = engine.Rule

// BodyKind is the set of request body media types an operation takes.
type BodyKind = engine.BodyKind

// The request bodies an operation may take; a BodyKind may hold both.
const (
	BodyNone      = engine.BodyNone
	BodyJSON      = engine.BodyJSON      // application/json
	BodyMultipart = engine.BodyMultipart // multipart/form-data, for uploads
)

// Auth is the set of credentials an operation accepts (Operation.Auth),
// from its security requirements in the spec; zero means AuthAPIKey.
type Auth = engine.Auth

// The credentials an operation may accept: the client's API key, and the
// session tokens a backend mints for a browser's client (see
// WithSessionToken).
const (
	AuthAPIKey       = engine.AuthAPIKey
	AuthSessionToken = engine.AuthSessionToken
)

// ResultKind is what a successful response of an operation carries.
type ResultKind = engine.ResultKind

// The results of an operation: ResultNone (204, an empty object, or only a
// message such as {"message": "deleted"}: the typed method returns just an
// error), ResultObject (a JSON object), ResultArray (a JSON array: a list
// that is not paginated).
const (
	ResultNone   = engine.ResultNone
	ResultObject = engine.ResultObject
	ResultArray  = engine.ResultArray
)

// RawRequest is the request of Client.Do, in the form a generic tool has
// it: PathArgs in the order of Operation.PathParams, Query values by
// parameter name, and a Body already encoded (JSON, or a multipart form
// with its boundary in ContentType), of a media type the operation
// documents (Operation.Body); a Body for an operation that documents none,
// or a ContentType with a line break, is refused before sending.
//
// Body is the caller's: the SDK never closes it, and once Do returns it
// reads it no more. It is read once per attempt: an io.ReaderAt that can
// tell its size (*bytes.Reader, *strings.Reader, an *os.File of a regular
// file) through a section of its own per attempt, from where it stood,
// leaving its offset alone; another io.Seeker rewound to where it started,
// once the previous attempt can no longer read it; anything else once
// (a failed attempt is then not retried, and the error says why).
type RawRequest = engine.RawRequest

// RawResponse is the answer of Client.Do: the StatusCode, Header and the
// whole (bounded) Body of a successful response, as the server sent them.
type RawResponse = engine.RawResponse

// Operations returns every operation of the spec the SDK was generated
// from, in the spec's order. The slice is the caller's; the Operations are
// shared and must not be modified.
func Operations() []*Operation { return gen.Operations() }

// operationIndex indexes the generated operations by operationId.
var operationIndex = sync.OnceValue(func() map[string]*Operation {
	ops := gen.Operations()
	m := make(map[string]*Operation, len(ops))
	for _, op := range ops {
		m[op.ID] = op
	}
	return m
})

// LookupOperation returns the operation with the given operationId, or nil
// and false.
func LookupOperation(id string) (*Operation, bool) {
	op, ok := operationIndex()[id]
	return op, ok
}
