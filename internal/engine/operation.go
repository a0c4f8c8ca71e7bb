package engine

import (
	"strings"
	"sync"
)

// Operation describes one operation of the Anam API as the spec states it:
// what the SDK needs to build its request, check its arguments and read its
// response. One is generated for every operation of the spec
// (gen/client.gen.go), and every typed method of the Client is a few lines
// over one of them. api.Operations and api.LookupOperation expose them to
// generic tools, such as the anam command line, which call them with
// Client.Do.
//
// An Operation is read-only: the SDK shares them between all clients.
type Operation struct {
	ID      string // the spec's operationId, e.g. "getAvatar"
	Method  string // the HTTP method, e.g. "GET"
	Path    string // the path template, e.g. "/v1/avatars/{id}"
	Tag     string // the spec's first tag, e.g. "Avatars" ("" when it has none)
	Summary string // the spec's one-line summary

	PathParams []Param // the path parameters, in the order they appear in Path
	Query      []Param // the query parameters

	// Body says which request bodies the operation takes: JSON,
	// multipart/form-data, both, or none.
	Body BodyKind
	// BodyRequired is true when the spec requires a request body.
	BodyRequired bool
	// Result says what a successful response carries.
	Result ResultKind
	// Paginated is true for a list of the page/perPage query whose 200
	// body is the {data, meta} envelope: api.ListPage, ListPages and
	// ListAll page through it.
	Paginated bool
	// Auth is the set of credentials the operation accepts, from its
	// security requirements in the spec; zero means AuthAPIKey, what every
	// operation takes unless the spec says otherwise.
	Auth Auth
	// Statuses are the response statuses the spec documents, with their
	// descriptions. The SDK reads two of them: a documented 404 on a list
	// means "nothing found" (see api.ListPage), and a documented 429 that
	// names a session limit or a spend cap marks an operation that starts
	// a session (see ErrUsageLimit).
	Statuses map[int]string

	once     sync.Once
	segments []string // Path split at its parameters: literal, literal, ...
	query    map[string]*Param
}

// BodyKind is the set of request body media types an operation takes.
type BodyKind uint8

// The request bodies an operation may take; a BodyKind may hold both.
const (
	BodyNone      BodyKind = 0
	BodyJSON      BodyKind = 1 << iota // application/json
	BodyMultipart                      // multipart/form-data, for uploads
)

// Auth is a set of credentials an operation accepts.
type Auth uint8

// The credentials an operation may accept: the client's API key, and the
// session tokens a backend mints for a browser's client (see
// api.WithSessionToken). The generator reads them from the operation's
// security requirements: an HTTP bearer scheme whose bearerFormat is JWT
// takes session tokens, any other bearer or apiKey scheme the API key.
const (
	AuthAPIKey Auth = 1 << iota
	AuthSessionToken
)

// accepts reports whether an operation of auth a accepts credential c.
func (a Auth) accepts(c Auth) bool {
	if a == 0 {
		a = AuthAPIKey
	}
	return a&c != 0
}

// ResultKind is what a successful response of an operation carries.
type ResultKind uint8

const (
	// ResultNone: no body worth returning (204, an empty object, or only a
	// message such as {"message": "deleted"}); the typed method returns
	// just an error.
	ResultNone ResultKind = iota
	// ResultObject: a JSON object.
	ResultObject
	// ResultArray: a JSON array (a list that is not paginated).
	ResultArray
)

// Param is one parameter of an Operation with the rule the spec gives it.
// The SDK refuses a value that breaks the rule before sending anything,
// with an *ArgumentError naming the parameter and the rule.
type Param struct {
	Name     string
	Required bool
	// Explode, for an array in the query, sends one name=value pair per
	// element; otherwise the elements are joined with commas (the spec's
	// style: form, explode: false).
	Explode bool
	Rule
}

// Rule is what the spec says a parameter's value must be. Zero fields say
// nothing.
type Rule struct {
	Type      string // "string", "integer", "number", "boolean", "array"
	Format    string // e.g. "uuid", "date-time"
	Minimum   *float64
	Maximum   *float64
	MinLength *int
	MaxLength *int
	Enum      []string // the allowed values, as they are written in a URL
}

// Documents reports whether the spec documents status for op, and
// whether its description mentions any of words (case-insensitively).
// (A function, not a method: Operation's methods are part of the SDK's
// API, through api.Operation.)
func Documents(op *Operation, status int, words ...string) bool {
	desc, ok := op.Statuses[status]
	if !ok || len(words) == 0 {
		return ok
	}
	desc = strings.ToLower(desc)
	for _, w := range words {
		if strings.Contains(desc, w) {
			return true
		}
	}
	return false
}

// init splits the path template once.
func (op *Operation) init() {
	op.once.Do(func() {
		rest := op.Path
		for {
			i := strings.IndexByte(rest, '{')
			j := strings.IndexByte(rest[max(i, 0):], '}')
			if i < 0 || j < 0 {
				op.segments = append(op.segments, rest)
				break
			}
			op.segments = append(op.segments, rest[:i])
			rest = rest[i+j+1:]
		}
		op.query = make(map[string]*Param, len(op.Query))
		for i := range op.Query {
			op.query[op.Query[i].Name] = &op.Query[i]
		}
	})
}
