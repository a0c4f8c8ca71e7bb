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
	for _, f := range r.Findings {
		if f.Rule == rule && f.Location == loc {
			return f
		}
	}
	t.Fatalf("no %s finding at %s; findings:\n%s", rule, loc, dump(r.Findings))
	return Finding{}
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

// wantOnly asserts the exact set of "rule location" pairs found.
func wantOnly(t *testing.T, r *Report, want ...string) {
	t.Helper()
	got := pairsOf(r.Findings)
	if want = sorted(want); !slices.Equal(got, want) {
		t.Errorf("findings:\n%s\nwant exactly:\n  %s", dump(r.Findings), strings.Join(want, "\n  "))
	}
}

func dump(fs []Finding) string {
	var b strings.Builder
	for _, f := range fs {
		fmt.Fprintf(&b, "  %s\n", f)
	}
	return b.String()
}

// key renders a finding as "rule location".
func (f Finding) key() string { return f.Rule + " " + f.Location }

// pairsOf renders findings as sorted "rule location" pairs.
func pairsOf[F interface{ key() string }](fs []F) []string {
	out := make([]string, len(fs))
	for i, f := range fs {
		out[i] = f.key()
	}
	slices.Sort(out)
	return out
}

func sorted(s []string) []string {
	s = slices.Clone(s)
	slices.Sort(s)
	return s
}

const header31 = `openapi: 3.1.0
info: {title: t, version: "1"}
`

const header30 = `openapi: 3.0.3
info: {title: t, version: "1"}
`

// TestRules checks one document per rule (and the clean one) for exactly
// the findings it must give, each with what its message must say.
func TestRules(t *testing.T) {
	const (
		avatar = "/paths/~1avatars~1{id}/get"
		create = "/paths/~1personas/post/requestBody/content/application~1json"
	)
	for name, c := range map[string]struct {
		doc string
		// want maps each expected finding, "rule location", to what its
		// message must contain: Check must find exactly these.
		want map[string][]string
		// not are texts no message may contain.
		not []string
	}{
		"clean document": {doc: header31 + `
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
`},
		"nullable in 3.1": {doc: header31 + nullableBody, want: map[string][]string{
			RuleNullable + " /components/schemas/Persona/properties/description/nullable": {"OpenAPI 3.0", "type: [string, 'null']"},
			RuleNullable + " /components/schemas/Persona/properties/tags/items/nullable":  nil,
			RuleNullable + " /components/schemas/Persona/properties/flag/nullable":        {"drop it"},
		}},
		"nullable in 3.0 is the keyword": {doc: header30 + nullableBody},
		// A property named optional, and x- extensions, are no keywords; the
		// problems kin-openapi reports too (extra sibling fields) are
		// reported once, by the rule that names them.
		"unknown keyword": {doc: header31 + `
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
`, want: map[string][]string{
			RuleUnknownSchemaKeyword + " /components/schemas/FromImage/optional":                    {"`optional`", "optional unless `required` lists it"},
			RuleUnknownSchemaKeyword + " /components/schemas/FromImage/properties/imageUrl/requird": {"`requird`"},
		}},
		"style in schema": {doc: header31 + `
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
`, want: map[string][]string{
			RuleStyleInSchema + " /paths/~1personas/get/parameters/1/schema/style":   {`parameter "perPage"`},
			RuleStyleInSchema + " /paths/~1personas/get/parameters/1/schema/explode": nil,
		}},
		// kin-openapi's "no value or externalValue" for the same examples is
		// not reported a second time.
		"null example": {doc: header31 + `
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
`, want: map[string][]string{
			RuleNullExample + " /components/examples/Note/value":                                                   {"Voices are listed like avatars"},
			RuleNullExample + " /paths/~1voices/get/responses/200/content/application~1json/examples/inline/value": {"Inline note"},
		}},
		// Formats are checked as the SDK reads them; null passes for
		// type: [string, 'null'].
		"examples against schemas": {doc: header31 + `
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
`, want: map[string][]string{
			RuleNullable + " /components/schemas/Avatar/properties/legacy/nullable": nil,
			RuleInvalidExample + " " + avatar + "/responses/200/content/application~1json/examples/default": {
				"example components/examples/AvatarResponse, used at " + avatar + "/responses/200/content/application~1json/examples/default",
				"#/components/schemas/Avatar", "/createdAt: ", "date-time", "/imageUrl: ", "absolute URI", "/legacy: ", "/versions/1: "},
			RuleInvalidExample + " " + avatar + "/parameters/0/example":                            {"not a UUID"},
			RuleInvalidExample + " " + avatar + "/parameters/1/examples/zero":                      {"minimum"},
			RuleInvalidExample + " " + avatar + "/responses/404/content/application~1json/example": {"/message: "},
			RuleInvalidExample + " /components/schemas/Pagination/examples/1":                      {"/next: "},
		}, not: []string{"/videoUrl"}},
		// An ambiguous example is not reported as invalid too; a
		// discriminator that picks one of the matching branches settles the
		// overlap, a discriminating value that names no branch does not.
		"oneOf examples": {doc: header31 + `
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
`, want: map[string][]string{
			RuleAmbiguousOneOfExample + " " + create + "/examples/ambiguous":                               {"matches branches 0 and 1 of the oneOf at " + create + "/schema"},
			RuleInvalidExample + " " + create + "/examples/neither":                                        {"matches no branch of oneOf", "branch 0: /avatarId: ", "branch 1: /avatarId: "},
			RuleInvalidExample + " /paths/~1pets/post/requestBody/content/application~1json/examples/bird": {"more than one"},
			RuleAmbiguousOneOfExample + " /paths/~1batches/post/requestBody/content/application~1json/example": {
				"#/components/schemas/Batch/properties/items/items (value at /items/1)"},
		}},
		// kin-openapi's own validation, located at the element at fault.
		"kin-openapi validation": {doc: header31 + `
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
`, want: map[string][]string{
			RuleInvalid + " /paths/~1x/get/parameters/0":            {`'in' value "querry"`},
			RuleInvalid + " /components/schemas/Foo/properties/bar": {"invalid default"},
		}, not: []string{"\n"}},
		// The linter still runs on what kin-openapi cannot load.
		"load failure": {doc: header31 + `
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
`, want: map[string][]string{
			RuleLoad + " ": {"Missing"},
			RuleNullable + " /paths/~1x/get/responses/200/content/application~1json/schema/nullable": nil,
		}},
		// A Header Object has no name (its key is the name) and no `in`;
		// its schema is still validated, and located at the header
		// (kin-openapi records no position for a header's schema).
		"response headers are no parameters": {doc: header31 + `
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
`, want: map[string][]string{
			RuleInvalid + " /components/headers/Bad": {`"strnig"`},
		}},
	} {
		t.Run(name, func(t *testing.T) {
			r := check(t, c.doc)
			var want []string
			for k := range c.want {
				want = append(want, k)
			}
			wantOnly(t, r, want...)
			for k, subs := range c.want {
				rule, loc, _ := strings.Cut(k, " ")
				wantFinding(t, r, rule, loc, subs...)
			}
			for _, f := range r.Findings {
				for _, s := range c.not {
					if strings.Contains(f.Message, s) {
						t.Errorf("%s: the message holds %q", f, s)
					}
				}
			}
			if ok := len(c.want) == 0; r.OK() != ok || (r.Err() == nil) != ok {
				t.Errorf("OK() = %v, Err() = %v with %d finding(s)", r.OK(), r.Err(), len(r.Findings))
			}
			if r.OpenAPI == "" {
				t.Error("no OpenAPI version")
			}
		})
	}
}

const nullableBody = `
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

func TestCheckErrors(t *testing.T) {
	doc := []byte(header31 + "paths: {}\n")
	for name, c := range map[string]struct {
		doc, overlay, tolerated string
		want                    string
	}{
		"overlay not YAML":    {overlay: "overlay: [", want: "parse overlay"},
		"overlay not valid":   {overlay: "overlay: 9.9.9\ninfo: {title: o, version: 1.0.0}\nactions:\n  - {target: $.info, remove: true}\n", want: "overlay is not valid"},
		"bad target":          {overlay: "overlay: 1.0.0\ninfo: {title: o, version: 1.0.0}\nactions:\n  - {target: '$.[', remove: true}\n", want: "overlay action #1"},
		"document not YAML":   {doc: "openapi: [", want: "parse OpenAPI document"},
		"document not object": {doc: "[1, 2]", want: "not a JSON object"},
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

// reportDoc has findings of three rules (two -fix can resolve, one it
// cannot) and a note the overlay removes.
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
  - rule: null-example
    location: /components/examples/Gone/value
    reason: Gone since.
`

func TestReportAndTolerated(t *testing.T) {
	r, err := Check([]byte(reportDoc), []byte(reportOverlay), []byte(reportTolerated))
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Actions) != 1 || r.Actions[0].Kind != "remove" || r.Actions[0].Target != "$.components.examples.Note" ||
		!slices.Equal(r.Actions[0].Matched, []string{"/components/examples/Note"}) || r.Actions[0].Obsolete() {
		t.Errorf("Actions = %+v", r.Actions)
	}
	if len(r.Tolerated) != 1 || r.Tolerated[0].Location != "/components/schemas/A/properties/y/nullable" || r.Tolerated[0].Entry.Line != 2 {
		t.Errorf("Tolerated = %+v", r.Tolerated)
	}
	if len(r.Stale) != 1 || r.Stale[0].Location != "/components/examples/Gone/value" || r.Stale[0].Index != 1 {
		t.Errorf("Stale = %+v", r.Stale)
	}
	if len(r.Resolved) != 1 || r.Resolved[0].Rule != RuleNullExample || !slices.Equal(r.Resolved[0].By, []int{0}) {
		t.Errorf("Resolved = %+v", r.Resolved)
	}
	// Findings sorted by rule, then location.
	if got, want := pairsOf(r.Findings), []string{
		RuleNullable + " /components/schemas/A/properties/x/nullable",
		RuleNullable + " /components/schemas/A/properties/z/nullable",
		RuleStyleInSchema + " /paths/~1a/get/parameters/0/schema/style",
	}; !slices.Equal(got, want) {
		t.Errorf("Findings = %q, want %q", got, want)
	}
	// -fix resolves x and q, not z: with an enum, null is no mechanical change.
	var fixable []string
	for _, fx := range r.Fixes {
		fixable = append(fixable, fx.Finding.Location)
	}
	if want := []string{"/components/schemas/A/properties/x/nullable", "/paths/~1a/get/parameters/0/schema/style"}; !slices.Equal(fixable, want) {
		t.Errorf("fixable %q, want %q", fixable, want)
	}
	if err := r.Err(); err == nil || !strings.Contains(err.Error(), "3 finding(s)") {
		t.Errorf("Err() = %v", err)
	}

	var out bytes.Buffer
	if err := r.Write(&out); err != nil {
		t.Fatal(err)
	}
	text := out.String()
	for _, want := range []string{
		"Findings that need a decision: 3\n  nullable-keyword-in-3.1 at /components/schemas/A/properties/x/nullable: ",
		"    fix: -fix writes: remove $.components.schemas.A.properties.x.nullable; update $.components.schemas.A.properties.x with {type: [string, \"null\"]}\n",
		"    fix: -fix writes: update $.paths['/a'].get.parameters[?(@.name=='q')] with {style: form}; remove $.paths['/a'].get.parameters[?(@.name=='q')].schema.style\n",
		// What to write by hand where -fix cannot, with a name-based target.
		"    fix: an overlay action on $.components.schemas.A.properties.z.nullable in spec/overlay.yaml, with a description saying why; " +
			"or, if the defect is harmless, a tolerated entry {rule: nullable-keyword-in-3.1, location: /components/schemas/A/properties/z/nullable, reason: ...} in spec/tolerated.yaml\n",
		"Overlay actions: 1\n  #1 remove $.components.examples.Note: Drop the note. It is no example.\n",
		"Resolved by the overlay: 1 finding(s) of the document as published\n  null-example at /components/examples/Note/value (by #1 remove $.components.examples.Note)\n",
		"Tolerated: 1\n  nullable-keyword-in-3.1 at /components/schemas/A/properties/y/nullable: ",
		"[tolerated: y is never null.]\n",
		"Warning: 1 tolerated entry matched nothing; remove it from the tolerated list:\n  line 5: null-example at /components/examples/Gone/value\n",
		"FAIL: 3 finding(s) need a decision (-fix resolves 2), 0 overlay action(s) no longer apply.",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("report lacks %q:\n%s", want, text)
		}
	}
	// The decisions come before everything else.
	if !strings.HasPrefix(text, "Findings that need a decision") {
		t.Errorf("the findings are not first:\n%s", text)
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
		"### Spec check\n\nOpenAPI 3.1.0 document **fails**: 3 finding(s) need a decision, 0 overlay action(s) no longer apply.\n",
		"#### Needs a decision\n\n- nullable-keyword-in-3.1 at `/components/schemas/A/properties/x/nullable`: `nullable` is OpenAPI 3.0",
		"Fix: -fix writes: remove $.components.schemas.A.properties.x.nullable",
		"- style-in-schema at `/paths/~1a/get/parameters/0/schema/style`: ",
		"#### No longer applies\n\n- tolerated entry null-example at `/components/examples/Gone/value`: it matches no finding any more (Gone since.)\n",
		"#### Resolved by overlay\n\n1 finding(s) of the published document resolved by 1 overlay action(s):\n\n- 1 × null-example: Drop the note. It is no example.\n",
		"#### Tolerated\n\n1 finding(s) accepted by the tolerated list:\n\n- 1 × nullable-keyword-in-3.1 at `/components/schemas/A/properties/y/nullable`: y is never null.\n",
	} {
		if !strings.Contains(md, want) {
			t.Errorf("markdown lacks %q:\n%s", want, md)
		}
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
	for _, want := range []string{"passes: nothing needs a decision", "#### Needs a decision\n\nNothing.\n"} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("markdown lacks %q:\n%s", want, b.String())
		}
	}
	if strings.Contains(b.String(), "No longer applies") {
		t.Errorf("a No longer applies section with nothing in it:\n%s", b.String())
	}
}

// overlayOf returns an Overlay 1.0.0 document with the given actions (YAML
// list items, indented by two).
func overlayOf(actions string) string {
	return "overlay: 1.0.0\nx-speakeasy-jsonpath: rfc9535\ninfo: {title: o, version: 1.0.0}\n# the actions\nactions:\n" + actions
}

// listDoc has lists an overlay patches: parameters, oneOf branches, enums.
const listDoc = header31 + `
paths:
  /a:
    get:
      operationId: getA
      parameters:
        - {name: page, in: query, schema: {type: integer}}
        - {name: tags, in: query, schema: {type: array, items: {type: string}}}
      responses:
        "200":
          description: ok
          content:
            application/json:
              schema:
                oneOf:
                  - {type: object, properties: {avatarId: {type: string}, name: {type: string}}}
                  - {type: object, properties: {personaId: {type: string}}}
components:
  schemas:
    Kind: {type: string, enum: [a, b]}
`

func TestPositionalTargetsAreRefusedAndRetargeted(t *testing.T) {
	const a = "$.paths['/a'].get"
	ov := overlayOf(`  - target: ` + a + `.parameters[1]
    description: Say how tags are sent.
    update: {style: form, explode: false}
  - target: "` + a + `.responses['200'].content['application/json'].schema.oneOf[1]"
    description: The stateful branch needs its id. # keep this comment
    update: {required: [personaId]}
  - target: ` + a + `.responses['200'].content['application/json'].schema.oneOf[0].properties.name
    description: Upstream's name is free text.
    update: {maxLength: 64}
  - target: $.components.schemas.Kind.enum[0:2]
    description: A slice selects by position too.
    update: {x-note: 1}
`)
	r, err := Check([]byte(listDoc), []byte(ov), nil)
	if err != nil {
		t.Fatal(err)
	}
	const resp = "/paths/~1a/get/responses/200/content/application~1json/schema/oneOf/"
	wantOnly(t, r,
		RulePositionalTarget+" /paths/~1a/get/parameters/1",
		RulePositionalTarget+" "+resp+"1",
		RulePositionalTarget+" "+resp+"0/properties/name",
		RulePositionalTarget+" /components/schemas/Kind/enum/0")
	wantFinding(t, r, RulePositionalTarget, "/paths/~1a/get/parameters/1", "overlay action #1", "by position", "select the element by name")
	if err := (&Tolerated{Rule: RulePositionalTarget, Location: "/x", Reason: "r"}).validate(); err == nil {
		t.Error("a positional target can be tolerated")
	}

	fixed, r2, err := CheckAndFix([]byte(listDoc), []byte(ov), nil)
	if err != nil {
		t.Fatal(err)
	}
	var targets []string
	for _, a := range r2.Actions {
		targets = append(targets, a.Target)
	}
	// Each selects its node by what tells it from its siblings: a
	// parameter by name, a branch by a property only it declares (the one
	// the path goes on to, when it can). The slice is left to a human.
	if want := []string{
		a + ".parameters[?(@.name=='tags')]",
		a + ".responses['200'].content['application/json'].schema.oneOf[?(@.properties.personaId)]",
		a + ".responses['200'].content['application/json'].schema.oneOf[?(@.properties.name)].properties.name",
		"$.components.schemas.Kind.enum[0:2]",
	}; !slices.Equal(targets, want) {
		t.Errorf("targets after -fix:\n%s\nwant:\n%s", strings.Join(targets, "\n"), strings.Join(want, "\n"))
	}
	wantOnly(t, r2, RulePositionalTarget+" /components/schemas/Kind/enum/0")
	if len(r2.Fixed) != 3 || r2.Fixed[0].Index != 0 {
		t.Errorf("Fixed = %v", r2.Fixed)
	}
	// The rest of the overlay's text is as it was: comments, quoting, order.
	for _, keep := range []string{"# the actions\n", "# keep this comment\n", "    update: {style: form, explode: false}\n", "  - target: $.components.schemas.Kind.enum[0:2]\n"} {
		if !strings.Contains(string(fixed), keep) {
			t.Errorf("the overlay lost %q:\n%s", keep, fixed)
		}
	}
	// The document it makes is the same.
	before, _, err := CheckAndFix([]byte(listDoc), []byte(ov), nil)
	if err != nil || !bytes.Equal(before, fixed) {
		t.Errorf("-fix is not deterministic: %v", err)
	}
}

func TestObsoleteActionsAndPrune(t *testing.T) {
	// Upstream fixed what three actions patched: tags is sent as a form
	// with explode false, the note is gone, and personaId is required.
	doc := strings.NewReplacer(
		"{name: tags, in: query,", "{name: tags, in: query, style: form, explode: false,",
		"properties: {personaId: {type: string}}}", "properties: {personaId: {type: string}}, required: [personaId]}",
	).Replace(listDoc)
	const a = "$.paths['/a'].get"
	ov := overlayOf(`  - target: $.components.examples.Note
    description: Drop the note.
    remove: true
  # The stateful branch.
  - target: ` + a + `.responses['200'].content['application/json'].schema.oneOf[?(@.properties.personaId)]
    description: The stateful branch needs its id.
    update:
      required: [personaId]
  - target: ` + a + `.parameters[?(@.name=='tags')]
    description: Say how tags are sent.
    update: {style: form, explode: false}
  - target: ` + a + `.parameters[?(@.name=='page')]
    description: Pages start at 1.
    update: {schema: {minimum: 1}}
`)
	tol := "# accepted\ntolerated:\n  - rule: null-example\n    location: /components/examples/Note/value\n    reason: a note.\n"

	r, err := Check([]byte(doc), []byte(ov), []byte(tol))
	if err != nil {
		t.Fatal(err)
	}
	var obsolete []string
	for _, a := range r.Obsolete() {
		obsolete = append(obsolete, fmt.Sprintf("#%d stale=%v moot=%v", a.Index+1, a.Stale, a.Moot))
	}
	if want := []string{"#1 stale=true moot=false", "#2 stale=false moot=true", "#3 stale=false moot=true"}; !slices.Equal(obsolete, want) {
		t.Errorf("obsolete actions %q, want %q", obsolete, want)
	}
	if r.OK() {
		t.Error("Check passes a committed overlay with obsolete actions, which go generate would refuse")
	}
	if err := r.Err(); err == nil || !strings.Contains(err.Error(), "3 overlay action(s) no longer apply") ||
		!strings.Contains(err.Error(), "its target selects nothing: upstream changed or fixed this") ||
		!strings.Contains(err.Error(), "upstream now says what it says") {
		t.Errorf("Err() = %v", err)
	}

	p, err := Prune([]byte(doc), []byte(ov), []byte(tol))
	if err != nil {
		t.Fatal(err)
	}
	if !p.Report.OK() || len(p.Report.Actions) != 1 || len(p.Removed) != 3 || len(p.RemovedTolerated) != 1 {
		t.Fatalf("after Prune: OK %v, %d actions left, %d removed, %d tolerated removed: %v",
			p.Report.OK(), len(p.Report.Actions), len(p.Removed), len(p.RemovedTolerated), p.Report.Err())
	}
	wantOverlay := overlayOf(`  - target: ` + a + `.parameters[?(@.name=='page')]
    description: Pages start at 1.
    update: {schema: {minimum: 1}}
`)
	if string(p.Overlay) != wantOverlay {
		t.Errorf("pruned overlay:\n%s\nwant:\n%s", p.Overlay, wantOverlay)
	}
	if want := "# accepted\ntolerated: []\n"; string(p.Tolerated) != want {
		t.Errorf("pruned tolerated list %q, want %q", p.Tolerated, want)
	}
	var md bytes.Buffer
	if err := p.WriteMarkdown(&md); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"#### No longer applies\n\nUpstream changed or fixed these; removed from spec/overlay.yaml and spec/tolerated.yaml in this update:\n\n",
		"- overlay action #1, remove `$.components.examples.Note`: Drop the note. (its target selects nothing",
		"- overlay action #3, update `" + a + ".parameters[?(@.name=='tags')]`: Say how tags are sent. (upstream now says what it says",
		"- tolerated entry null-example at `/components/examples/Note/value`",
	} {
		if !strings.Contains(md.String(), want) {
			t.Errorf("markdown lacks %q:\n%s", want, md.String())
		}
	}

	// Nothing obsolete: Prune changes nothing.
	again, err := Prune([]byte(doc), p.Overlay, p.Tolerated)
	if err != nil || !bytes.Equal(again.Overlay, p.Overlay) || !bytes.Equal(again.Tolerated, p.Tolerated) || len(again.Removed) != 0 {
		t.Errorf("a second Prune changed something: %v", err)
	}
	// Every action obsolete: an empty list, which applies nothing.
	all, err := Prune([]byte(header31+"paths: {}\n"), []byte(ov), nil)
	if err != nil || !strings.HasSuffix(string(all.Overlay), "# the actions\nactions: []\n") || !all.Report.OK() {
		t.Errorf("pruning every action: %v\n%s", err, all.Overlay)
	}
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
