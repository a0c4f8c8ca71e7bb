package speccheck

import (
	"bytes"
	"fmt"
	"slices"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

// check runs Check on a YAML document with no overlay and no tolerated list.
func check(t *testing.T, doc string) *Report {
	t.Helper()
	r, err := Check([]byte(doc), nil, nil)
	if err != nil {
		t.Fatalf("Check: %v", err)
	}
	return r
}

// findingAt returns the finding of rule at loc, failing the test when there
// is none.
func findingAt(t *testing.T, r *Report, rule, loc string) Finding {
	t.Helper()
	for _, f := range allFindings(r) {
		if f.Rule == rule && f.Location == loc {
			return f
		}
	}
	t.Fatalf("no %s finding at %s; findings:\n%s", rule, loc, dump(allFindings(r)))
	return Finding{}
}

// allFindings returns the findings nothing resolved, blocking and notices.
func allFindings(r *Report) []Finding {
	return append(slices.Clone(r.Findings), r.Notices...)
}

// wantFinding asserts a finding of rule at loc whose message contains every
// one of substrs.
func wantFinding(t *testing.T, r *Report, rule, loc string, substrs ...string) {
	t.Helper()
	f := findingAt(t, r, rule, loc)
	for _, s := range substrs {
		if !strings.Contains(f.Message, s) {
			t.Errorf("%s at %s: message %q lacks %q", rule, loc, f.Message, s)
		}
	}
}

// wantOnly asserts the exact set of (rule, location) pairs found, blocking
// and notices.
func wantOnly(t *testing.T, r *Report, want ...string) {
	t.Helper()
	var got []string
	for _, f := range allFindings(r) {
		got = append(got, f.Rule+" "+f.Location)
	}
	slices.Sort(got)
	want = slices.Clone(want)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Errorf("findings:\n%s\nwant exactly:\n  %s", dump(allFindings(r)), strings.Join(want, "\n  "))
	}
}

func dump(fs []Finding) string {
	var b strings.Builder
	for _, f := range fs {
		fmt.Fprintf(&b, "  %s\n", f)
	}
	return b.String()
}

const header31 = `openapi: 3.1.0
info: {title: t, version: "1"}
`

func TestCleanDocumentPasses(t *testing.T) {
	r := check(t, header31+`
paths:
  /things/{id}:
    get:
      operationId: getThing
      parameters:
        - {name: id, in: path, required: true, schema: {type: string, format: uuid}, example: 071b0286-4cce-4808-bee2-e642f1062de3}
      responses:
        "200":
          description: ok
          content:
            application/json:
              schema: {$ref: '#/components/schemas/Thing'}
              examples:
                one: {$ref: '#/components/examples/Thing'}
        "404":
          description: not found
          content:
            application/json:
              schema: {$ref: '#/components/schemas/Error'}
components:
  schemas:
    Thing:
      type: object
      properties:
        id: {type: string, format: uuid}
        at: {type: string, format: date-time}
        url: {type: [string, 'null'], format: uri}
        optional: {type: boolean}
      example: {id: 071b0286-4cce-4808-bee2-e642f1062de3, url: null}
    Error:
      type: object
      properties:
        message: {type: string}
  examples:
    Thing:
      value: {id: 071b0286-4cce-4808-bee2-e642f1062de3, at: "2026-04-20T10:00:00.000Z", url: "https://x.example/a.png", optional: true}
`)
	wantOnly(t, r)
	if !r.OK() || r.Err() != nil {
		t.Errorf("OK() = %v, Err() = %v for a clean document", r.OK(), r.Err())
	}
	if r.OpenAPI != "3.1.0" {
		t.Errorf("OpenAPI = %q", r.OpenAPI)
	}
}

func TestNullableKeyword(t *testing.T) {
	const body = `
paths: {}
components:
  schemas:
    Persona:
      type: object
      properties:
        description: {type: string, nullable: true}
        tags:
          type: array
          items: {type: string, nullable: true}
        flag: {type: boolean, nullable: false}
`
	r := check(t, header31+body)
	wantFinding(t, r, RuleNullable, "/components/schemas/Persona/properties/description/nullable",
		"OpenAPI 3.0", "type: [string, 'null']")
	wantFinding(t, r, RuleNullable, "/components/schemas/Persona/properties/tags/items/nullable")
	wantFinding(t, r, RuleNullable, "/components/schemas/Persona/properties/flag/nullable", "drop it")
	wantOnly(t, r,
		RuleNullable+" /components/schemas/Persona/properties/description/nullable",
		RuleNullable+" /components/schemas/Persona/properties/tags/items/nullable",
		RuleNullable+" /components/schemas/Persona/properties/flag/nullable")

	// In a 3.0 document nullable is the keyword to use.
	r = check(t, "openapi: 3.0.3\ninfo: {title: t, version: \"1\"}\n"+body)
	wantOnly(t, r)
}

func TestUnknownSchemaKeyword(t *testing.T) {
	r := check(t, header31+`
paths:
  /personas:
    post:
      operationId: createPersona
      requestBody:
        content:
          application/json:
            schema:
              x-go-type-name: CreatePersona
              oneOf:
                - {$ref: '#/components/schemas/FromAvatar'}
                - $ref: '#/components/schemas/FromImage'
      responses:
        "204": {description: done}
components:
  schemas:
    FromAvatar:
      type: object
      properties:
        avatarId: {type: string}
        optional: {type: string}
        x-vendor: {type: string}
      required: [avatarId]
    FromImage:
      type: object
      optional: true
      x-internal: true
      properties:
        imageUrl: {type: string, requird: true}
`)
	wantFinding(t, r, RuleUnknownSchemaKeyword, "/components/schemas/FromImage/optional",
		"`optional`", "optional unless `required` lists it")
	wantFinding(t, r, RuleUnknownSchemaKeyword, "/components/schemas/FromImage/properties/imageUrl/requird", "`requird`")
	// A property named optional, and x- extensions, are no keywords; the
	// problems kin-openapi reports too (extra sibling fields) are reported
	// once, by the rule that names them.
	wantOnly(t, r,
		RuleUnknownSchemaKeyword+" /components/schemas/FromImage/optional",
		RuleUnknownSchemaKeyword+" /components/schemas/FromImage/properties/imageUrl/requird")
}

func TestStyleInSchema(t *testing.T) {
	r := check(t, header31+`
paths:
  /personas:
    get:
      operationId: listPersonas
      parameters:
        - name: page
          in: query
          style: form
          explode: false
          schema: {type: integer}
        - name: perPage
          in: query
          schema: {type: integer, style: form, explode: true}
      responses:
        "204": {description: done}
`)
	wantFinding(t, r, RuleStyleInSchema, "/paths/~1personas/get/parameters/1/schema/style", `parameter "perPage"`)
	wantFinding(t, r, RuleStyleInSchema, "/paths/~1personas/get/parameters/1/schema/explode")
	wantOnly(t, r,
		RuleStyleInSchema+" /paths/~1personas/get/parameters/1/schema/style",
		RuleStyleInSchema+" /paths/~1personas/get/parameters/1/schema/explode")
}

func TestNullExample(t *testing.T) {
	r := check(t, header31+`
paths:
  /voices:
    get:
      operationId: listVoices
      responses:
        "200":
          description: ok
          content:
            application/json:
              schema: {type: array, items: {type: string}}
              examples:
                note: {$ref: '#/components/examples/Note'}
                inline: {summary: Inline note, value: null}
                fine: {value: [a, b]}
components:
  examples:
    Note:
      summary: Voices are listed like avatars
      value: null
`)
	wantFinding(t, r, RuleNullExample, "/components/examples/Note/value", "Voices are listed like avatars")
	wantFinding(t, r, RuleNullExample, "/paths/~1voices/get/responses/200/content/application~1json/examples/inline/value", "Inline note")
	// kin-openapi's "no value or externalValue" for the same examples is
	// not reported a second time.
	wantOnly(t, r,
		RuleNullExample+" /components/examples/Note/value",
		RuleNullExample+" /paths/~1voices/get/responses/200/content/application~1json/examples/inline/value")
}

func TestErrorResponseWithoutBody(t *testing.T) {
	r := check(t, header31+`
paths:
  /avatars/{id}:
    get:
      operationId: getAvatar
      parameters:
        - {name: id, in: path, required: true, schema: {type: string}}
      responses:
        "200": {description: ok}
        "400":
          description: typed
          content:
            application/json:
              schema: {$ref: '#/components/schemas/Error'}
        "401": {$ref: '#/components/responses/Unauthorized'}
        "403": {$ref: '#/components/responses/Forbidden'}
        "404": {description: not found}
        "409":
          description: content without schema
          content:
            application/json: {}
        4XX: {description: other client errors}
        "500": {description: server error}
components:
  schemas:
    Error: {type: object, properties: {message: {type: string}}}
  responses:
    Unauthorized:
      description: typed
      content:
        application/json:
          schema: {$ref: '#/components/schemas/Error'}
    Forbidden:
      description: untyped
`)
	const op = "/paths/~1avatars~1{id}/get/responses/"
	wantFinding(t, r, RuleErrorResponseWithoutBody, op+"404", "404 response of getAvatar (GET /avatars/{id})")
	wantOnly(t, r,
		RuleErrorResponseWithoutBody+" "+op+"403",
		RuleErrorResponseWithoutBody+" "+op+"404",
		RuleErrorResponseWithoutBody+" "+op+"409",
		RuleErrorResponseWithoutBody+" "+op+"4XX",
		RuleErrorResponseWithoutBody+" "+op+"500")
}

func TestInlineSchema(t *testing.T) {
	r := check(t, header31+`
paths:
  /avatars:
    get:
      operationId: listAvatars
      responses:
        "200":
          description: ok
          content:
            application/json:
              schema:
                type: object
                properties:
                  data: {type: array, items: {$ref: '#/components/schemas/Avatar'}}
                  stats: {type: object, properties: {n: {type: integer}}}
            text/plain:
              schema: {type: object, properties: {a: {type: string}}}
  /avatars/named:
    get:
      operationId: listNamed
      responses:
        "200":
          description: ok
          content:
            application/json:
              schema:
                x-go-type-name: AvatarList
                type: object
                properties:
                  data: {type: array, items: {type: object, properties: {id: {type: string}}}}
                  meta: {type: object, additionalProperties: {type: string}}
  /avatars/ref:
    get:
      operationId: getRef
      responses:
        "200":
          description: ok
          content:
            application/json:
              schema: {$ref: '#/components/schemas/Avatar'}
        "201":
          description: plain array
          content:
            application/json:
              schema: {type: array, items: {$ref: '#/components/schemas/Avatar'}}
  /personas:
    post:
      operationId: createPersona
      requestBody:
        content:
          application/json:
            schema:
              allOf:
                - $ref: '#/components/schemas/Avatar'
                - type: object
                  properties: {name: {type: string}}
      responses:
        "204": {description: done}
components:
  schemas:
    Avatar:
      type: object
      properties:
        nested: {type: object, properties: {a: {type: string}}}
`)
	wantFinding(t, r, RuleInlineSchema, "/paths/~1avatars/get/responses/200/content/application~1json/schema/properties/stats",
		"200 response body of listAvatars (GET /avatars)", "ListAvatarsResponse", "x-go-type-name")
	// Not flagged: the bodies themselves and a list's items (specprep's rule
	// names them <Op>Request, <Op>Response, <Op>Item), text/plain (no
	// generated type), the named envelope, a map, $refs, a plain array of
	// $refs, the allOf branch merged into its parent, and component schemas
	// (named after their component).
	wantOnly(t, r,
		RuleInlineSchema+" /paths/~1avatars/get/responses/200/content/application~1json/schema/properties/stats")
}

func TestExamplesAgainstSchemas(t *testing.T) {
	r := check(t, header31+`
paths:
  /avatars/{id}:
    get:
      operationId: getAvatar
      parameters:
        - {name: id, in: path, required: true, schema: {type: string, format: uuid}, example: not-a-uuid}
        - name: size
          in: query
          schema: {type: integer, minimum: 1}
          examples:
            zero: {value: 0}
            one: {value: 1}
      responses:
        "200":
          description: ok
          content:
            application/json:
              schema: {$ref: '#/components/schemas/Avatar'}
              examples:
                default: {$ref: '#/components/examples/AvatarResponse'}
                good: {$ref: '#/components/examples/GoodAvatar'}
        "404":
          description: not found
          content:
            application/json:
              schema: {type: object, x-go-type-name: E, properties: {message: {type: string}}}
              example: {message: 42}
components:
  schemas:
    Avatar:
      type: object
      properties:
        id: {type: string, format: uuid}
        createdAt: {type: string, format: date-time}
        imageUrl: {type: string, format: uri}
        videoUrl: {type: [string, 'null'], format: uri}
        legacy: {type: string, nullable: true}
        versions: {type: array, items: {type: string}}
      required: [id]
    Pagination:
      type: object
      properties:
        next: {type: [integer, 'null']}
      examples:
        - {next: null}
        - {next: two}
  examples:
    AvatarResponse:
      value:
        id: 071b0286-4cce-4808-bee2-e642f1062de3
        createdAt: yesterday
        imageUrl: liv.png
        videoUrl: null
        legacy: null
        versions: [v1, 2]
    GoodAvatar:
      value: {id: 071b0286-4cce-4808-bee2-e642f1062de3, createdAt: "2026-04-20T10:00:00Z", videoUrl: null}
`)
	const op = "/paths/~1avatars~1{id}/get"
	wantFinding(t, r, RuleInvalidExample, op+"/responses/200/content/application~1json/examples/default",
		"example components/examples/AvatarResponse, used at "+op+"/responses/200/content/application~1json/examples/default",
		"#/components/schemas/Avatar",
		"/createdAt: ", "date-time",
		"/imageUrl: ", "absolute URI",
		"/legacy: ",
		"/versions/1: ")
	f := findingAt(t, r, RuleInvalidExample, op+"/responses/200/content/application~1json/examples/default")
	if strings.Contains(f.Message, "/videoUrl") {
		t.Errorf("null was refused for type [string, 'null']: %s", f.Message)
	}
	wantFinding(t, r, RuleInvalidExample, op+"/parameters/0/example", "not a UUID")
	wantFinding(t, r, RuleInvalidExample, op+"/parameters/1/examples/zero", "minimum")
	wantFinding(t, r, RuleInvalidExample, op+"/responses/404/content/application~1json/example", "/message: ")
	wantFinding(t, r, RuleInvalidExample, "/components/schemas/Pagination/examples/1", "/next: ")
	wantOnly(t, r,
		RuleNullable+" /components/schemas/Avatar/properties/legacy/nullable",
		RuleInvalidExample+" "+op+"/responses/200/content/application~1json/examples/default",
		RuleInvalidExample+" "+op+"/parameters/0/example",
		RuleInvalidExample+" "+op+"/parameters/1/examples/zero",
		RuleInvalidExample+" "+op+"/responses/404/content/application~1json/example",
		RuleInvalidExample+" /components/schemas/Pagination/examples/1")
}

func TestOneOfExamples(t *testing.T) {
	r := check(t, header31+`
paths:
  /personas:
    post:
      operationId: createPersona
      requestBody:
        content:
          application/json:
            schema:
              x-go-type-name: CreatePersona
              oneOf:
                - {$ref: '#/components/schemas/FromAvatar'}
                - {$ref: '#/components/schemas/FromImage'}
            examples:
              ambiguous: {value: {name: Liv, avatarId: a}}
              fromImage: {value: {name: Liv, imageUrl: "https://x.example/liv.png"}}
              neither: {value: {avatarId: 7}}
      responses:
        "204": {description: done}
  /pets:
    post:
      operationId: createPet
      requestBody:
        content:
          application/json:
            schema:
              x-go-type-name: CreatePet
              oneOf:
                - {$ref: '#/components/schemas/Cat'}
                - {$ref: '#/components/schemas/Dog'}
              discriminator: {propertyName: kind}
            examples:
              cat: {value: {kind: Cat, name: Tom}}
              bird: {value: {kind: Bird, name: Tweety}}
      responses:
        "204": {description: done}
  /batches:
    post:
      operationId: createBatch
      requestBody:
        content:
          application/json:
            schema: {$ref: '#/components/schemas/Batch'}
            example: {items: [{name: Liv, imageUrl: "https://x.example/liv.png"}, {name: Ana, avatarId: b}]}
      responses:
        "204": {description: done}
components:
  schemas:
    FromAvatar:
      type: object
      properties: {name: {type: string}, avatarId: {type: string}}
      required: [name, avatarId]
    FromImage:
      type: object
      properties: {name: {type: string}, imageUrl: {type: string, format: uri}, avatarId: {type: string}}
      required: [name]
    Cat:
      type: object
      properties: {kind: {type: string}, name: {type: string}}
    Dog:
      type: object
      properties: {kind: {type: string}, name: {type: string}}
    Batch:
      type: object
      properties:
        items:
          type: array
          items:
            oneOf:
              - {$ref: '#/components/schemas/FromAvatar'}
              - {$ref: '#/components/schemas/FromImage'}
`)
	const body = "/paths/~1personas/post/requestBody/content/application~1json"
	wantFinding(t, r, RuleAmbiguousOneOfExample, body+"/examples/ambiguous",
		"matches branches 0 and 1 of the oneOf at "+body+"/schema")
	wantFinding(t, r, RuleInvalidExample, body+"/examples/neither", "matches no branch of oneOf",
		"branch 0: /avatarId: ", "branch 1: /avatarId: ")
	// A discriminator that picks one of the matching branches settles the
	// overlap; a discriminating value that names no branch does not.
	wantFinding(t, r, RuleInvalidExample, "/paths/~1pets/post/requestBody/content/application~1json/examples/bird", "more than one")
	wantFinding(t, r, RuleAmbiguousOneOfExample, "/paths/~1batches/post/requestBody/content/application~1json/example",
		"#/components/schemas/Batch/properties/items/items (value at /items/1)")
	// The ambiguous example is not reported as invalid too; the
	// discriminated oneOf is not ambiguous.
	wantOnly(t, r,
		RuleAmbiguousOneOfExample+" "+body+"/examples/ambiguous",
		RuleInvalidExample+" "+body+"/examples/neither",
		RuleInvalidExample+" /paths/~1pets/post/requestBody/content/application~1json/examples/bird",
		RuleAmbiguousOneOfExample+" /paths/~1batches/post/requestBody/content/application~1json/example")
}

func TestOpenAPIValidation(t *testing.T) {
	r := check(t, header31+`
paths:
  /x:
    get:
      operationId: getX
      parameters:
        - schema: {type: string}
          name: a
          in: querry
        - in: cookie
          name: b
          schema:
            type: strnig
        - name: c
          in: query
          schema: {type: integer, default: ten}
      responses:
        "200": {description: ok}
components:
  schemas:
    Foo:
      type: object
      properties:
        bar: {type: integer, minimum: 5, default: 1}
        baz: {type: strnig}
`)
	// kin-openapi stops at the first problem of an operation or schema;
	// speccheck reports each, located exactly.
	wantFinding(t, r, RuleInvalid, "/paths/~1x/get/parameters/0", `'in' value "querry"`)
	wantFinding(t, r, RuleInvalid, "/paths/~1x/get/parameters/1/schema", `"strnig"`)
	wantFinding(t, r, RuleInvalid, "/paths/~1x/get/parameters/2/schema", "invalid default")
	wantFinding(t, r, RuleInvalid, "/components/schemas/Foo/properties/bar", "invalid default")
	wantFinding(t, r, RuleInvalid, "/components/schemas/Foo/properties/baz", `"strnig"`)
	wantOnly(t, r,
		RuleInvalid+" /paths/~1x/get/parameters/0",
		RuleInvalid+" /paths/~1x/get/parameters/1/schema",
		RuleInvalid+" /paths/~1x/get/parameters/2/schema",
		RuleInvalid+" /components/schemas/Foo/properties/bar",
		RuleInvalid+" /components/schemas/Foo/properties/baz")
	for _, f := range r.Findings {
		if strings.Contains(f.Message, "\n") {
			t.Errorf("message spans lines: %q", f.Message)
		}
	}
}

func TestLoadFailure(t *testing.T) {
	r := check(t, header31+`
paths:
  /x:
    get:
      operationId: getX
      responses:
        "200":
          description: ok
          content:
            application/json:
              schema: {$ref: '#/components/schemas/Missing', nullable: true}
`)
	wantFinding(t, r, RuleLoad, "", "Missing")
	// The linter still runs on what it can read.
	wantFinding(t, r, RuleNullable, "/paths/~1x/get/responses/200/content/application~1json/schema/nullable")
	if err := r.Err(); err == nil || !strings.Contains(err.Error(), "openapi-load at (document root)") {
		t.Errorf("Err() = %v", err)
	}
}

func TestCheckErrors(t *testing.T) {
	doc := []byte(header31 + "paths: {}\n")
	for name, c := range map[string]struct {
		doc, overlay, tolerated string
		want                    string
	}{
		"stale overlay action": {
			overlay: "overlay: 1.0.0\ninfo: {title: o, version: 1.0.0}\nactions:\n  - target: $.paths['/gone'].get\n    update: {x-go-type-name: Gone}\n",
			want:    "did not match any targets",
		},
		"overlay not YAML": {overlay: "overlay: [", want: "parse overlay"},
		"document not an object": {
			doc:  "[1, 2]",
			want: "not a JSON object",
		},
		"tolerated list without reason": {
			tolerated: "tolerated:\n  - {rule: null-example, location: /x}\n",
			want:      "gives no reason",
		},
	} {
		t.Run(name, func(t *testing.T) {
			d := doc
			if c.doc != "" {
				d = []byte(c.doc)
			}
			_, err := Check(d, []byte(c.overlay), []byte(c.tolerated))
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("Check error = %v, want one containing %q", err, c.want)
			}
		})
	}
}

// reportDoc has blocking findings of three rules (two -fix can resolve, one
// it cannot), a notice, and a note the overlay removes.
const reportDoc = header31 + `
paths:
  /a:
    get:
      operationId: getA
      parameters:
        - name: q
          in: query
          schema: {type: string, style: form}
      responses:
        "200": {description: ok}
        "500": {description: no}
components:
  schemas:
    A:
      type: object
      properties:
        x: {type: string, nullable: true}
        y: {type: integer, nullable: true}
        z: {type: string, enum: [a], nullable: true}
  examples:
    Note: {summary: a note, value: null}
`

const reportOverlay = `# the overlay's own comment
overlay: 1.0.0
info: {title: o, version: 1.0.0}
actions:
  - target: $.components.examples.Note
    description: >-
      Drop the note. It is
      no example.
    remove: true
`

const reportTolerated = `tolerated:
  - rule: nullable-keyword-in-3.1
    location: /components/schemas/A/properties/y/nullable
    reason: y is never null.
  - rule: error-response-without-body
    location: /paths/*/get/responses/500
    reason: a notice needs no entry.
  - rule: null-example
    location: /components/examples/Gone/value
    reason: Gone since.
`

func TestReportAndTolerated(t *testing.T) {
	r, err := Check([]byte(reportDoc), []byte(reportOverlay), []byte(reportTolerated))
	if err != nil {
		t.Fatal(err)
	}
	if want := []Action{{Kind: "remove", Target: "$.components.examples.Note", Description: "Drop the note. It is no example."}}; !slices.Equal(r.Actions, want) {
		t.Errorf("Actions = %+v, want %+v", r.Actions, want)
	}
	if len(r.Tolerated) != 1 || r.Tolerated[0].Location != "/components/schemas/A/properties/y/nullable" || r.Tolerated[0].Entry.Line != 2 {
		t.Errorf("Tolerated = %+v", r.Tolerated)
	}
	// A notice is never matched by an entry: the entry is stale.
	if len(r.Stale) != 2 || r.Stale[0].Rule != RuleErrorResponseWithoutBody || r.Stale[1].Location != "/components/examples/Gone/value" {
		t.Errorf("Stale = %+v", r.Stale)
	}
	if len(r.Resolved) != 1 || r.Resolved[0].Rule != RuleNullExample || !slices.Equal(r.Resolved[0].By, []int{0}) {
		t.Errorf("Resolved = %+v", r.Resolved)
	}
	// Blocking findings sorted by rule, then location; notices apart.
	var got []string
	for _, f := range r.Findings {
		got = append(got, f.Rule+" "+f.Location)
	}
	if want := []string{
		RuleNullable + " /components/schemas/A/properties/x/nullable",
		RuleNullable + " /components/schemas/A/properties/z/nullable",
		RuleStyleInSchema + " /paths/~1a/get/parameters/0/schema/style",
	}; !slices.Equal(got, want) {
		t.Errorf("Findings = %q, want %q", got, want)
	}
	if len(r.Notices) != 1 || r.Notices[0].Location != "/paths/~1a/get/responses/500" || r.Notices[0].Severity() != Notice {
		t.Errorf("Notices = %+v", r.Notices)
	}
	// -fix resolves x and q, not z: with an enum, null is no mechanical change.
	var fixable []string
	for _, fx := range r.Fixes {
		fixable = append(fixable, fx.Finding.Location)
	}
	if want := []string{"/components/schemas/A/properties/x/nullable", "/paths/~1a/get/parameters/0/schema/style"}; !slices.Equal(fixable, want) {
		t.Errorf("fixable %q, want %q", fixable, want)
	}
	err = r.Err()
	if err == nil || !strings.Contains(err.Error(), "3 blocking finding(s)") || strings.Contains(err.Error(), RuleErrorResponseWithoutBody) {
		t.Errorf("Err() = %v", err)
	}

	var out bytes.Buffer
	if err := r.Write(&out); err != nil {
		t.Fatal(err)
	}
	text := out.String()
	for _, want := range []string{
		"Blocking findings that need a decision: 3\n  nullable-keyword-in-3.1 at /components/schemas/A/properties/x/nullable: ",
		"    -fix would resolve it: remove $.components.schemas.A.properties.x.nullable; update $.components.schemas.A.properties.x with {type: [string, \"null\"]}\n",
		"    -fix would resolve it: update $.paths['/a'].get.parameters[0] with {style: form}; remove $.paths['/a'].get.parameters[0].schema.style\n",
		"Overlay actions applied: 1\n  remove $.components.examples.Note: Drop the note. It is no example.\n",
		"Resolved by the overlay: 1 finding(s) of the document as published\n  null-example at /components/examples/Note/value (by #1 remove $.components.examples.Note)\n",
		"Tolerated: 1\n  nullable-keyword-in-3.1 at /components/schemas/A/properties/y/nullable: ",
		"[tolerated: y is never null.]\n",
		"Notices (never block): 1\n  error-response-without-body: 1\n    /paths/~1a/get/responses/500\n",
		"Warning: 2 tolerated entries matched nothing; remove them from the tolerated list:\n",
		"  line 5: error-response-without-body at /paths/*/get/responses/500 (a notice rule: notices need no tolerated entry)\n",
		"  line 8: null-example at /components/examples/Gone/value\n",
		"FAIL: 3 blocking finding(s) need a decision (-fix resolves 2).",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("report lacks %q:\n%s", want, text)
		}
	}
	// Blocking first: the decisions come before everything else.
	if i, j := strings.Index(text, "Blocking findings"), strings.Index(text, "Overlay actions applied"); i != 0 || j < i {
		t.Errorf("blocking findings are not first:\n%s", text)
	}
}

func TestWriteMarkdown(t *testing.T) {
	r, err := Check([]byte(reportDoc), []byte(reportOverlay), []byte(reportTolerated))
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if err := r.WriteMarkdown(&b); err != nil {
		t.Fatal(err)
	}
	md := b.String()
	for _, want := range []string{
		"### Spec check\n\nOpenAPI 3.1.0 document **fails**: 3 blocking finding(s) need a decision.\n",
		"#### Needs a decision\n\n- nullable-keyword-in-3.1 at `/components/schemas/A/properties/x/nullable`: `nullable` is OpenAPI 3.0",
		"instead (`speccheck -fix` writes the overlay action for it)\n",
		"- style-in-schema at `/paths/~1a/get/parameters/0/schema/style`: ",
		"#### Resolved by overlay\n\n1 finding(s) of the published document resolved by 1 overlay action(s):\n\n- 1 × null-example: Drop the note. It is no example.\n",
		"#### Tolerated\n\n1 finding(s) accepted by the tolerated list:\n\n- 1 × nullable-keyword-in-3.1 at `/components/schemas/A/properties/y/nullable`: y is never null.\n",
		"2 stale tolerated entries matched nothing and should go: error-response-without-body at `/paths/*/get/responses/500`, null-example at `/components/examples/Gone/value`.\n",
		"#### Notices\n\n- error-response-without-body: 1\n",
	} {
		if !strings.Contains(md, want) {
			t.Errorf("markdown lacks %q:\n%s", want, md)
		}
	}
	// z has no mechanical fix; nothing was fixed in this run.
	if strings.Contains(md, "properties/z/nullable`: `nullable` is OpenAPI 3.0; in a 3.1 document it is no keyword, so this schema does not accept null: write `type: [string, 'null']` instead (`speccheck -fix`") {
		t.Error("the markdown offers -fix for the enum schema")
	}
	if strings.Contains(md, "Fixed automatically") {
		t.Error("a Fixed automatically section without -fix")
	}
	if n := strings.Count(md, "\n"); n > 30 {
		t.Errorf("the markdown runs to %d lines", n)
	}

	// A passing document says so, and that nothing needs a decision.
	ok := check(t, header31+"paths: {}\n")
	b.Reset()
	if err := ok.WriteMarkdown(&b); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"passes: nothing needs a decision", "#### Needs a decision\n\nNothing.\n", "#### Notices\n\nNone.\n"} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("markdown lacks %q:\n%s", want, b.String())
		}
	}
}

func TestSeverity(t *testing.T) {
	for _, rule := range Rules {
		want := Blocking
		if rule == RuleInlineSchema || rule == RuleErrorResponseWithoutBody {
			want = Notice
		}
		if got := SeverityOf(rule); got != want {
			t.Errorf("SeverityOf(%s) = %s, want %s", rule, got, want)
		}
	}
	if SeverityOf("no-such-rule") != Blocking {
		t.Error("an unknown rule is not blocking")
	}
	fs := []Finding{
		{Rule: RuleInlineSchema, Location: "/a"},
		{Rule: RuleStyleInSchema, Location: "/a"},
		{Rule: RuleErrorResponseWithoutBody, Location: "/0"},
		{Rule: RuleNullable, Location: "/b"},
		{Rule: RuleNullable, Location: "/a"},
		{Rule: RuleInvalid, Location: "/z"},
	}
	sortFindings(fs)
	var got []string
	for _, f := range fs {
		got = append(got, f.Rule+" "+f.Location)
	}
	want := []string{
		RuleInvalid + " /z", RuleNullable + " /a", RuleNullable + " /b", RuleStyleInSchema + " /a",
		RuleErrorResponseWithoutBody + " /0", RuleInlineSchema + " /a",
	}
	if !slices.Equal(got, want) {
		t.Errorf("sorted %q\nwant %q", got, want)
	}
}

func TestResponseHeadersAreNoParameters(t *testing.T) {
	// A Header Object has no name (its key is the name) and no `in`;
	// validating it as a Parameter called every header's name blank.
	r := check(t, header31+`
paths:
  /invites:
    post:
      operationId: createInvite
      responses:
        "201":
          description: created
          headers:
            RateLimit-Limit:
              description: requests per minute
              schema: {type: string, example: "10"}
            Retry-After: {$ref: '#/components/headers/RetryAfter'}
          content:
            multipart/form-data:
              schema: {type: object, properties: {f: {type: string}}}
              encoding:
                f:
                  headers:
                    X-Part: {schema: {type: integer}}
components:
  headers:
    RetryAfter:
      schema: {type: integer}
    Bad:
      schema: {type: strnig}
`)
	// Still validated: a header's schema with a bad type is reported, at
	// the header (kin-openapi records no position for a header's schema).
	wantFinding(t, r, RuleInvalid, "/components/headers/Bad", `header "Bad"`, `"strnig"`)
	wantOnly(t, r, RuleInvalid+" /components/headers/Bad")
}

func TestParseTolerated(t *testing.T) {
	for name, c := range map[string]struct {
		in   string
		want string // error substring; "" for success
	}{
		"empty":            {in: "", want: ""},
		"comments only":    {in: "# nothing tolerated yet\n", want: ""},
		"empty list":       {in: "tolerated: []\n", want: ""},
		"no reason":        {in: "tolerated:\n  - rule: null-example\n    location: /a\n", want: "line 2: the entry for null-example at /a gives no reason"},
		"blank reason":     {in: "tolerated:\n  - {rule: null-example, location: /a, reason: '  '}\n", want: "gives no reason"},
		"unknown rule":     {in: "tolerated:\n  - {rule: nulable, location: /a, reason: r}\n", want: `unknown rule "nulable"`},
		"no rule":          {in: "tolerated:\n  - {location: /a, reason: r}\n", want: "names no rule"},
		"untolerable rule": {in: "tolerated:\n  - {rule: openapi-load, location: '', reason: r}\n", want: "cannot be tolerated"},
		"relative pointer": {in: "tolerated:\n  - {rule: null-example, location: a/b, reason: r}\n", want: "not a JSON pointer"},
		"unknown field":    {in: "tolerated:\n  - {rule: null-example, location: /a, reason: r, because: x}\n", want: "field because not found"},
		"unknown top key":  {in: "tolerate:\n  - {rule: null-example, location: /a, reason: r}\n", want: "field tolerate not found"},
		"not a mapping":    {in: "tolerated:\n  - null-example\n", want: "must be a mapping"},
		"duplicate":        {in: "tolerated:\n  - {rule: null-example, location: /a, reason: r}\n  - {rule: null-example, location: /a, reason: s}\n", want: "line 3: the same rule and location as line 2"},
	} {
		t.Run(name, func(t *testing.T) {
			got, err := ParseTolerated([]byte(c.in))
			switch {
			case c.want == "" && err != nil:
				t.Errorf("error %v", err)
			case c.want == "" && len(got) != 0:
				t.Errorf("entries %v from %q", got, c.in)
			case c.want != "" && (err == nil || !strings.Contains(err.Error(), c.want)):
				t.Errorf("error = %v, want one containing %q", err, c.want)
			}
		})
	}
}

func TestMatchPointer(t *testing.T) {
	for _, c := range []struct {
		pattern, ptr string
		want         bool
	}{
		{"/paths/~1v1~1avatars/get/responses/401", "/paths/~1v1~1avatars/get/responses/401", true},
		{"/paths/~1v1~1avatars/get/responses/401", "/paths/~1v1~1avatars/get/responses/404", false},
		{"/paths/*/get/responses/401", "/paths/~1v1~1avatars~1{id}/get/responses/401", true},
		{"/paths/*/*/responses/4*", "/paths/~1v1~1avatars/post/responses/404", true},
		{"/paths/*/*/responses/4*", "/paths/~1v1~1avatars/post/responses/500", false},
		{"/paths/~1v1~1avatars*/get/responses/404", "/paths/~1v1~1avatars~1{id}/get/responses/404", true},
		{"/paths/~1v1~1avatars*/get/responses/404", "/paths/~1v1~1voices/get/responses/404", false},
		{"/paths/*a*b*/x", "/paths/zazzbz/x", true},
		{"/paths/*a*b*/x", "/paths/zbza/x", false},
		{"/paths/*", "/paths/~1a/get", false}, // * never crosses a /
		{"/paths/*/get", "/paths/~1a/get/responses", false},
		{"", "", true},
		{"", "/a", false},
		{"/*", "", false},
	} {
		if got := matchPointer(c.pattern, c.ptr); got != c.want {
			t.Errorf("matchPointer(%q, %q) = %v, want %v", c.pattern, c.ptr, got, c.want)
		}
	}
}

func TestPointerHelpers(t *testing.T) {
	if got := join("/paths", "/v1/a~b", "get"); got != "/paths/~1v1~1a~0b/get" {
		t.Errorf("join = %q", got)
	}
	if got := splitPointer("/paths/~1v1~1a~0b/get"); !slices.Equal(got, []string{"paths", "/v1/a~b", "get"}) {
		t.Errorf("splitPointer = %q", got)
	}
}

func TestPositionIndex(t *testing.T) {
	var root yaml.Node
	src := `paths:
  /x:
    get:
      parameters:
        - in: query
          name: a
        - schema:
            type: string
          name: b
        - schema:
            type: string
`
	if err := yaml.Unmarshal([]byte(src), &root); err != nil {
		t.Fatal(err)
	}
	ix := newPositionIndex(root.Content[0])
	for _, c := range []struct {
		line, col, endLine int
		want               string
	}{
		{2, 3, 11, "/paths/~1x"},
		{5, 11, 6, "/paths/~1x/get/parameters/0"},          // first key holds a scalar: the element
		{7, 11, 9, "/paths/~1x/get/parameters/1"},          // the element spans past its first key
		{7, 11, 8, "/paths/~1x/get/parameters/1/schema"},   // the first key's value
		{10, 11, 11, "/paths/~1x/get/parameters/2/schema"}, // one key: the value wins the tie
	} {
		got, ok := ix.pointerAt(c.line, c.col, c.endLine)
		if !ok || got != c.want {
			t.Errorf("pointerAt(%d, %d, %d) = %q, %v; want %q", c.line, c.col, c.endLine, got, ok, c.want)
		}
	}
	if _, ok := ix.pointerAt(1, 50, 0); ok {
		t.Error("pointerAt found an element where there is none")
	}
}
