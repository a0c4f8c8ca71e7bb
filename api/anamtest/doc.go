// Package anamtest provides a fake Anam API for HTTP testing, in the spirit
// of net/http/httptest.
//
// NewServer starts a Server on a loopback port that serves every operation
// of an OpenAPI document over an in-memory, stateful data set: by default
// the SDK's embedded spec (internal/specload.LoadLean), or any other document
// given to WithSpec. Nothing in the fake names an operation, a path or a
// schema: it infers resources from the document, so a regenerated SDK needs
// no change here. Point a client at Server.URL and authenticate with
// "Authorization: Bearer " + Server.APIKey():
//
//	srv := anamtest.NewServer(anamtest.WithItems(42), anamtest.WithT(t))
//
// # Resources
//
// The fake recognises, from the path templates alone:
//
//   - An item path ends with a parameter after a literal: /v1/x/{id}. Its
//     GET returns the item, PUT or PATCH updates it, DELETE removes it, and
//     another method is an action. The item schema is the JSON schema of
//     the GET answer (else of the collection's create answer, else of its
//     list elements). The ID is the item's "id" property (else the property
//     named like the path parameter). IDs compare case-insensitively, as
//     UUIDs do.
//   - A collection path is an item path without its last segment: /v1/x.
//     GET lists (an array, or an object with one array of objects and
//     perhaps one pagination object), POST creates. A path with a list GET
//     and no item path is a collection too.
//   - A nested collection is /.../{id}/name below an item path whose GET
//     lists, or whose POST creates, items of the same schema as a resource
//     whose item path ends in /name/{param} elsewhere: the
//     /v1/knowledge/groups/{id}/documents of the July document stores the
//     items of /v1/knowledge/documents/{id}. A created child is reachable at
//     its own item path. The link to the parent is the child's property
//     <parent>Id (the parent's last path segment in singular camel case,
//     alone or with the segments before it: groupId, knowledgeGroupId), else
//     its only other uuid-format property ending in "Id" (knowledgeFolderId);
//     without one the link is kept by the fake alone. Listing or creating
//     under an unknown parent is a 404.
//   - An action is any other path below an item path (POST
//     /v1/sessions/{id}/stop, GET /v1/sessions/{id}/transcript): 404 for an
//     unknown item, else the item itself when the answer's schema is the
//     item schema or an object that declares no property, or else a body
//     generated from the answer's schema.
//   - Any other path is a singleton or an action on no item (GET
//     /v1/sessions/concurrency, POST /v1/auth/session-token): the first
//     example of the success answer that matches its schema, else a
//     generated body.
//
// Every operation answers with its documented success status: 201 for a
// POST that documents it, else the lowest 2xx. A 204, or a status with no
// JSON content, has no body.
//
// # State
//
// A create stores an item made of a generated one (see below) and the
// fields of the request; it assigns a UUID and sets the creation and update
// timestamps (createdAt, updatedAt) to the current time (see WithClock),
// and answers with the stored item. An update merges the fields sent in
// the same way and refreshes updatedAt; the ID and creation time never
// change. A delete removes the item and answers as documented: no body,
// the item, or a body generated from the schema with its "message" set.
// Request bodies may be JSON, multipart/form-data or URL-encoded forms;
// form values take the types of the item's properties, and a file part
// sets the item's filename-like property (filename, fileName, name,
// displayName) to its file name, a size-like one (fileSize, size) to its
// length and a type-like one to its Content-Type. File bytes are counted
// and discarded, never stored; request bodies are limited to 8 MiB (413
// beyond).
//
// # What is written is read back
//
// What a create or update sends is what a get returns. Each field of the
// request is stored, by the first of these rules that places it with a
// value valid for the item's schema:
//
//  1. at the item's property of the same name (the ID and the timestamps
//     excepted);
//  2. for "name", when the item has no such property, at its first
//     name-like one;
//  3. for <x>Id, when the item has an object property <x> with an "id"
//     (directly, or as the only object alternative of a oneOf or anyOf):
//     as <x>, the stored item of the collection whose items have <x>'s
//     schema when it holds that ID (avatarId stores the avatar itself),
//     else <x> with its "id" set;
//  4. inside the only object property of the item whose schema declares a
//     property of that name (systemPrompt is stored as brain.systemPrompt).
//
// A field no rule places is ignored. A written value is never replaced by
// a generated one.
//
// An answer in another schema than the item's (a list of summaries, say)
// is a view of the item: the properties of that schema that the item has
// and that are valid for it, plus generated values for the required ones
// it lacks. Fields the fake does not maintain (counters such as
// documentCount or usageCount) keep their stored or generated values. An
// action on an item answers with the item when its schema is the item's
// (or an object that declares no property), else with the first valid
// example of its answer (or a generated one) in which the property
// <item>Id (sessionId for an item of /v1/sessions) holds the item's ID and
// the properties the item shares with the answer hold the item's values:
// a session's transcript carries the session's ID and times. An action
// whose path ends in stop, end, cancel, close, terminate or finish ends
// its item: its null date-time properties named like an end (endTime,
// endedAt, stoppedAt...) take the current time.
//
// # Lists
//
// Items are listed in insertion order: examples, then WithData items, then
// generated ones, then created ones. A list whose query has page and
// perPage parameters and whose answer is {data, meta} paginates: page
// defaults to the parameter's default (1), perPage to its default, and
// both are checked against their schemas (a perPage above the maximum is a
// 400); a 0 the schema allows means the default, as prisma-pagination's
// page || 1 reads it, and any page the schema allows, up to
// 9223372036854775807, is answered. meta follows the prisma-pagination convention: total is the number
// of matching items; lastPage is ceil(total/perPage), so 0 when nothing
// matches; currentPage and perPage echo the request; prev is page-1, or
// null on page 1; next is page+1 while page < lastPage, else null. A page
// past the last one has an empty list and the same arithmetic. Only the
// meta properties the schema declares are sent. A list answered by a bare
// array returns every matching item.
//
// A "search" (or "q", "query") parameter keeps the items whose name-like
// properties (name, displayName, title, label, filename, fileName, or else
// any string property ending in "Name") contain it, case-insensitively; on
// a resource with no name-like property it is ignored. A query parameter
// named like a scalar property of the item (personaId, status,
// renderStyle) keeps the items whose property equals one of its
// comma-separated values (strings case-insensitively; an array property
// matches when one element does); a value the property's enum does not
// allow, such as renderStyle=all, keeps every item. A boolean
// only<Field>=true keeps the items whose boolean <field> or is<Field> is
// true. Every other query parameter is validated and then ignored: for the
// July document, tags (Avatar has displayTags, not tags), onlyOneShot
// (Avatar has no one-shot field), includeDefaults, hard, includeMessages,
// and the parameters of singletons and actions (from, to, organizationId
// of the analytics). With WithEmptyListNotFound, an empty page of a list
// whose spec documents a 404 is a 404 instead.
//
// # Seed data
//
// Each collection starts with the items of the spec's examples: those of
// its list operation's success examples, then of its get operation's, each
// in media-type and example-name order, deduplicated by ID (the first
// wins); examples that are not objects (a null example) are skipped, and
// one that does not match the item schema is left out and reported (see
// WithT). WithData replaces them with the caller's JSON items, keyed by
// the collection path (Server.Collections lists the keys). WithItems(n)
// then appends n generated items to every collection, and WithItemsFor to
// one; a nested collection's generated items are spread over its parent's
// seed items, round robin. A collection is seeded when it is first used,
// so that NewServer costs nothing for the collections a test does not
// touch; the data are the same whatever the order of use.
//
// # Generated items
//
// Generated documents satisfy their schema and depend only on the seed
// (WithSeed), the collection and the index: IDs are version 4 UUIDs
// derived from them; name-like properties cycle through 16 first names
// ("Cara", "Leo", "Mia", "Olivia", ...), with the round number from the
// second round on ("Cara 2"); date-times have milliseconds, creation-like
// ones (created..., start...) on day i and the others up to a week later;
// uri, email, uuid, date, hostname, ipv4 and byte formats get valid values;
// enums cycle; numbers and lengths respect minimum, maximum, multipleOf,
// minLength and maxLength; nullable properties are null for about one item
// in four; oneOf takes the first alternative that matches exactly one
// branch, with only its required and own properties when its optional
// ones would also match another.
//
// # Errors
//
// Errors are JSON objects shaped by the schema the spec documents for the
// status, when there is one: its "message" (and "summary", "detail") carry
// the problem, "error" the status text (or the problem, when the schema
// has no "message"), "statusCode" the status. Without a schema they are
// {"error": <status text>, "message": <detail>}. 400 for a request that
// violates the spec, 401 without the credentials its security requires
// (checked first, with WWW-Authenticate: Bearer; see "Authentication"),
// 404 for an unknown ID, parent or path, 405 for a known path with another
// method, 408 for a body not sent in time, 413 for a body over the limit,
// 500 for a success response that would violate the spec or a panic of
// the fake, 507 when the items would exceed the storage limit.
//
// Operations are named by their operationId. Functions that take one
// panic on a name the spec does not define, so a typo cannot silently
// script a fault that never fires.
//
// # Validation
//
// Every exchange is validated against the spec: parameters, security,
// statuses, headers and forms with kin-openapi's openapi3filter, JSON
// bodies with validators compiled once per schema of the document (by
// santhosh-tekuri/jsonschema, which kin-openapi uses for OpenAPI 3.1, but
// which it compiles anew on every call). A request that violates the spec
// (a malformed UUID in the path, perPage=500, page=abc, a body that does
// not match) gets a 400 whose message names each parameter and the rule
// it breaks, for example
//
//	parameter "perPage" in query: maximum: got 500, want 100
//
// and is reported, as is a request to a path or with a method the spec
// does not have (404, 405) and a body over the limit (413), unless
// WithInvalidRequestsAllowed: a client under test must send what the spec
// allows. Credentials that are refused (401) are not reported: that
// happens to correct clients. Every response the server builds is
// validated too, error answers included, and a status the spec does not
// document for the operation is a violation. A violation is reported: to
// the test with WithT, else to the logger of WithLogger (standard error by
// default). A success answer that violates the spec is replaced by a 500;
// an error answer is sent as it is, but reported all the same.
//
// A scripted fault applies only to a request that is authenticated and
// valid: an invalid one gets its normal answer, is reported, and leaves
// the script as it is, so that a test whose request is wrong cannot pass
// because a fault answered it. Faults' own answers are not validated: they
// are wrong on purpose. WithResponseEditor lets a test corrupt responses
// on purpose to see that validation catches them. Validation verdicts are
// remembered by a hash of what they depend on, so serving the same
// request again costs no new validation.
//
// # Authentication
//
// Each operation takes the credentials its security requirements (its
// own, else the document's) list, by scheme:
//
//   - an HTTP bearer scheme whose bearerFormat is JWT takes the session
//     tokens the server minted (see below), while they are live;
//   - any other HTTP bearer scheme, and an apiKey scheme, take the API key
//     (Server.APIKey).
//
// So a document whose only scheme is a plain bearer one takes the API key
// everywhere, and a session token is refused with a 401 that says so by
// every operation that does not list a session-token scheme. An expired
// token, one of another server, or a forged one gets a 401.
//
// # Session tokens and sessions
//
// An operation whose success answer has a string property named like
// sessionToken (sessionToken, session_token) mints a session token there:
// a JWT (RFC 7519) signed with HS256 by a secret of the server, valid for
// an hour (or for a positive expiresIn of the request, in seconds), whose
// claims are those Anam's clients read: type ("stateful" when the request
// names a personaId, at its top or in one of its objects, else
// "ephemeral": @anam-ai/js-sdk 4.27.0 compares it with these), accountId
// (the server's account, the same for all its tokens), and sessionId, iat,
// exp, and the personaId and clientLabel the token binds.
//
// An operation that is a POST on a path with no parameter, and whose
// success answer declares a string <x>Id for a top-level collection whose
// last path segment is <x>s and a string property ending in Host, starts a
// session: each call stores a new item of that collection (sessionId names
// /v1/sessions), with a new ID, and answers with it in <x>Id; the answer's
// properties ending in Host hold the fake's own host:port and those ending
// in Protocol "http", so that a client can reach it, and its string
// properties ending in Endpoint a path on that host: the answer's own value
// when it is one (an example's "/ws"), else a path below the new item named
// after the property (/v1/sessions/{id}/signalling for signallingEndpoint,
// as a URL when the schema wants one). Anam's clients open their signalling
// socket at that path of the host; the fake serves no media there (a 404),
// but every URL the answer makes is the fake's. The new item holds
// what the start wrote, and nothing made up: its nullable properties are
// null (a session not ended has no endTime) and its arrays empty, except
// those the request
// sets (by the rules of "What is written is read back", and for a field
// one level down in the request, such as personaConfig.personaId, at the
// item's property of that name), those the session token binds
// (personaId, clientLabel), the account (organizationId or accountId),
// the answer's values it shares, and its creation and start times. It is
// then an item like any other: read, listed, filtered, its actions run
// and ended as above, and 404 for an unknown ID.
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
//
// # Limits
//
// The fake never fails on a request the spec allows: a panic of a handler
// (a bug of anamtest) is reported and answered with a 500 that says so,
// never a dropped connection. The items it holds are bounded: a create,
// update or session start that would take them (counted as their JSON)
// beyond WithStorageLimit (DefaultStorageLimit, 64 MiB) gets a 507 that
// says so, and is reported. A client has 10 seconds to send a request's
// headers and 30 to send its body once the fake reads it (408 after), and
// an idle keep-alive connection is closed after 60 seconds, so that
// stalled clients do not hold connections and goroutines of the fake.
//
// # Standalone use
//
// Start runs the fake on a given loopback address (127.0.0.1, ::1 or
// localhost; it refuses any other), so that other programs can use it with
// ANAM_BASE_URL=<Server.URL> and ANAM_API_KEY=<Server.APIKey()>.
//
// # Documents with defects
//
// The fake serves Anam's documents as published, without the repository's
// overlay: OpenAPI 3.0 nullable keywords inside a 3.1 document and
// style/explode written inside parameter schemas are ignored by the 3.1
// validator, null examples are skipped, examples that do not match their
// schema are left out and reported, and response headers documented
// without a schema are not sent.
package anamtest
