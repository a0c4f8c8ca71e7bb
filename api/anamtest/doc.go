// Package anamtest provides a fake Anam API for HTTP testing, in the spirit
// of net/http/httptest.
//
// NewServer starts a Server on a loopback port that serves every operation
// of an OpenAPI document over an in-memory, stateful data set: by default
// the SDK's embedded spec (internal/specload.Load), or any other document
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
// fields of the request that are properties of the item schema and valid
// for them; it assigns a UUID and sets the creation and update timestamps
// (createdAt, updatedAt) to the current time, and answers with the stored
// item. A request field "name" that the item schema lacks fills its first
// name-like property. An update merges the fields sent in the same way and
// refreshes updatedAt; the ID and creation time never change. A delete
// removes the item and answers as documented: no body, the item, or a body
// generated from the schema with its "message" set. Request bodies may be
// JSON, multipart/form-data or URL-encoded forms; form values take the
// types of the item's properties, and a file part sets the item's
// filename-like property (filename, fileName, name, displayName) to its
// file name, a size-like one (fileSize, size) to its length and a
// type-like one to its Content-Type. File bytes are counted and discarded,
// never stored; request bodies are limited to 8 MiB (413 beyond).
//
// An answer in another schema than the item's (a list of summaries, say)
// is a view of the item: the properties of that schema that the item has
// and that are valid for it, plus generated values for the required ones
// it lacks. Fields the fake does not maintain (counters such as
// documentCount or usageCount, an action's effect on its item) keep their
// stored or generated values.
//
// # Lists
//
// Items are listed in insertion order: examples, then WithData items, then
// generated ones, then created ones. A list whose query has page and
// perPage parameters and whose answer is {data, meta} paginates: page
// defaults to the parameter's default (1), perPage to its default, and
// both are checked against their schemas (a perPage above the maximum is a
// 400). meta follows the prisma-pagination convention: total is the number
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
// then appends n generated items to every collection; a nested
// collection's generated items are spread over its parent's items, round
// robin.
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
// branch.
//
// # Errors
//
// Errors are JSON objects shaped by the schema the spec documents for the
// status, when there is one: its "message" (and "summary", "detail") carry
// the problem, "error" the status text (or the problem, when the schema
// has no "message"), "statusCode" the status. Without a schema they are
// {"error": <status text>, "message": <detail>}. 400 for a request that
// violates the spec, 401 without "Authorization: Bearer <key>" (checked
// first, with WWW-Authenticate: Bearer), 404 for an unknown ID, parent or
// path, 405 for a known path with another method, 413 for a body over the
// limit, 500 for a success response that would violate the spec.
//
// Operations are named by their operationId. Functions that take one
// panic on a name the spec does not define, so a typo cannot silently
// script a fault that never fires.
//
// # Validation
//
// Every exchange is validated against the spec with kin-openapi's
// openapi3filter. A request that violates it (a malformed UUID in the
// path, perPage=500, page=abc, a body that does not match) gets a 400
// whose message names each parameter and the rule it breaks, for example
//
//	parameter "perPage" in query: maximum: got 500, want 100
//
// Every response the server builds is validated too, error answers
// included, and a status the spec does not document for the operation is
// a violation. A violation is reported: to the test with WithT, else to
// the logger of WithLogger (standard error by default). A success answer
// that violates the spec is replaced by a 500; an error answer is sent as
// it is (a 400 the spec forgot to document is still the right answer), but
// reported all the same. Faults are not validated: they are wrong on
// purpose. WithResponseEditor lets a test corrupt responses on purpose to
// see that validation catches them. Validation verdicts are remembered by
// a hash of what they depend on, so serving the same request again costs
// no new validation.
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
// # Standalone use
//
// Start runs the fake on a given loopback address (127.0.0.1, ::1 or
// localhost; it refuses any other), so that other programs can use it with
// ANAM_BASE_URL=<Server.URL> and ANAM_API_KEY=<Server.APIKey()>.
//
// # Documents with defects
//
// The fake serves Anam's July 2026 document as published, without the
// repository's overlay: its OpenAPI 3.0 nullable keywords inside a 3.1
// document and style/explode written inside parameter schemas are
// ignored by the 3.1 validator, its null example is skipped, and its
// undocumented-by-schema response headers are not sent.
package anamtest
