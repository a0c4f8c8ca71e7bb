package specdiff

import (
	"errors"
	"slices"
	"strings"
	"testing"
)

// doc is a small OpenAPI 3.1 document: paths and components.schemas given
// as YAML indented for their place.
func doc(paths, schemas string) Document {
	return Document{Name: "test", Spec: []byte(`openapi: 3.1.0
info: {title: Test API, version: "1.0"}
paths:
` + paths + `
components:
  schemas:
` + schemas)}
}

const getPet = `  /pets/{id}:
    get:
      operationId: getPet
      parameters:
        - {name: id, in: path, required: true, schema: {type: string}}
      responses:
        "200":
          description: ok
          content:
            application/json:
              schema: {$ref: '#/components/schemas/Pet'}
`

const listPets = `  /pets:
    get:
      operationId: listPets
      parameters:
        - {name: limit, in: query, schema: {type: integer}}
      responses:
        "200":
          description: ok
`

// pet is the Pet schema with the given properties (YAML at property level)
// and required list.
func pet(required, properties string) string {
	return `    Pet:
      type: object
      required: [` + required + `]
      properties:
` + properties
}

func compare(t *testing.T, base, revision Document) *Report {
	t.Helper()
	r, err := Compare(base, revision)
	if err != nil {
		t.Fatalf("Compare: %v", err)
	}
	return r
}

func TestOperationsAndSchemasAddedAndRemoved(t *testing.T) {
	schemas := pet("id", "        id: {type: string}\n")
	r := compare(t, doc(getPet+listPets, schemas), doc(getPet, schemas+"    Owner: {type: object}\n"))
	if want := []Operation{{"GET", "/pets", "listPets"}}; !slices.Equal(r.RemovedOperations, want) || len(r.AddedOperations) != 0 {
		t.Errorf("removed %+v, added %+v", r.RemovedOperations, r.AddedOperations)
	}
	if !slices.Equal(r.AddedSchemas, []string{"Owner"}) || len(r.RemovedSchemas) != 0 {
		t.Errorf("schemas added %v, removed %v", r.AddedSchemas, r.RemovedSchemas)
	}
	if len(r.FindingsAt("ERR")) == 0 {
		t.Errorf("oasdiff reported no HTTP-breaking finding for a removed operation: %+v", r.Findings)
	}
	back := compare(t, doc(getPet, schemas), doc(getPet+listPets, schemas))
	if want := []Operation{{"GET", "/pets", "listPets"}}; !slices.Equal(back.AddedOperations, want) || len(back.RemovedOperations) != 0 {
		t.Errorf("added %+v, removed %+v", back.AddedOperations, back.RemovedOperations)
	}
}

func TestFieldTurningNullableIsAnHTTPFinding(t *testing.T) {
	base := doc(getPet, pet("id", "        id: {type: string}\n        tag: {type: string}\n"))
	rev := doc(getPet, pet("id", "        id: {type: string}\n        tag: {type: [string, 'null']}\n"))
	r := compare(t, base, rev)
	if !slices.ContainsFunc(r.FindingsAt("ERR"), func(f Finding) bool {
		return strings.Contains(f.ID, "nullable") && f.Subject == "GET /pets/{id} (getPet)"
	}) {
		t.Errorf("oasdiff findings: %+v", r.Findings)
	}
	if r.GoMeasured || len(r.Go) != 0 {
		t.Error("Compare measured Go: that is CompareAPI's job")
	}
}

func TestOverlaysAreApplied(t *testing.T) {
	base := doc(getPet, pet("id", "        id: {type: string}\n"))
	// The overlay makes the revision identical to the base document's Pet
	// after the upstream change would have made id nullable.
	rev := doc(getPet, pet("id", "        id: {type: [string, 'null']}\n"))
	rev.Overlay = []byte(`overlay: 1.0.0
info: {title: fix, version: "1"}
actions:
  - target: $.components.schemas.Pet.properties.id
    update: {type: string}
`)
	// update merges: the list [string, null] is replaced by "string".
	r := compare(t, base, rev)
	if !r.Empty() {
		t.Errorf("the overlay was not applied before diffing: %+v", r)
	}
}

func TestBadInputIsAnInputError(t *testing.T) {
	good := doc(getPet, pet("id", "        id: {type: string}\n"))
	tests := []struct {
		name     string
		base     Document
		rev      Document
		role     string
		contains string
	}{
		{"not JSON or YAML", Document{Name: "b.json", Spec: []byte("{ nope")}, good, "base", "b.json"},
		{"empty", good, Document{Name: "r.json", Spec: []byte("  \n")}, "revision", "empty document"},
		{"not OpenAPI", Document{Name: "b.json", Spec: []byte(`{"hello": 1}`)}, good, "base", "not an OpenAPI document"},
		{"Swagger 2", Document{Name: "b.json", Spec: []byte(`{"openapi": "2.0", "paths": {}}`)}, good, "base", "not supported"},
		{"bad overlay", good, Document{Name: "r.json", Spec: good.Spec, Overlay: []byte("actions: [")}, "revision", "overlay"},
		{"stale overlay", good, Document{Name: "r.json", Spec: good.Spec, Overlay: []byte(`overlay: 1.0.0
info: {title: fix, version: "1"}
actions:
  - target: $.components.schemas.Gone
    remove: true
`)}, "revision", "select nothing in the document"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := Compare(tt.base, tt.rev)
			var ie *InputError
			if !errors.As(err, &ie) {
				t.Fatalf("got report %v, error %v; want an *InputError", r, err)
			}
			if ie.Role != tt.role || !strings.Contains(err.Error(), tt.contains) {
				t.Errorf("error %q (role %s): want role %s and %q", err, ie.Role, tt.role, tt.contains)
			}
		})
	}
}

// goChanges are measured Go changes, as CompareAPI gives them.
var goChanges = []GoChange{
	{Package: "gen", Name: "Pet.Tag", What: "changed from *string to github.com/oapi-codegen/nullable.Nullable[string]"},
	{Package: "api", Name: "(*Client).ListPets", What: "removed"},
	{Package: "api", Name: "ListPetsParams", What: "removed"},
	{Package: "api", Name: "(*Client).ListLlms", What: "removed"},
	{Package: "api", Name: "(*Client).ListLLMs", What: "added", Compatible: true},
	{Package: "gen", Name: "Pet.Extra", What: "added", Compatible: true},
	{Package: "gen", Name: "Owner", What: "added", Compatible: true},
}

func TestMarkdown(t *testing.T) {
	base := doc(getPet+listPets, pet("id", "        id: {type: string}\n"))
	rev := doc(getPet, pet("id", "        id: {type: [string, 'null']}\n        extra: {type: boolean}\n"))
	r := compare(t, base, rev)
	r.Go, r.GoMeasured = goChanges, true
	checks := "## Spec checks\n\n- 0 blocking findings\n"
	md := string(r.Markdown([]byte(checks)))
	for _, want := range []string{
		"- Base: `test` (Test API 1.0: 2 operations, 1 schema)\n",
		"**Summary:** Go: 4 incompatible changes, 3 compatible; HTTP (oasdiff): ",
		"## Go API: incompatible changes (apidiff)\n\nCode written against the previous SDK may stop compiling where it uses these:\n\n" +
			"- `gen.Pet.Tag`: changed from *string to nullable.Nullable[string]\n",
		"What to do (the CHANGELOG's Breaking section):\n\n- `gen.Pet.Tag` is now `nullable.Nullable[string]` (was `*string`)",
		"## Go API: compatible changes (apidiff, 3)\n\n### api\n\n- `api.(*Client).ListLLMs`: added\n\n### gen\n\n",
		"## Removed operations (1)\n\n- `GET /pets` (listPets)\n",
		"## HTTP: breaking for API clients (oasdiff)\n\n### GET /pets (listPets)\n\n",
	} {
		if !strings.Contains(md, want) {
			t.Errorf("report lacks %q:\n%s", want, md)
		}
	}
	if !strings.HasSuffix(md, "\n"+checks) {
		t.Errorf("checks not appended verbatim at the end:\n%s", md)
	}
	// speccheck -report-md writes a ### section: it gets a ## heading so
	// that it does not read as part of the section above.
	sub := string(r.Markdown([]byte("### Spec check\n\nFine.\n")))
	if !strings.HasSuffix(sub, "\n## Spec checks\n\n### Spec check\n\nFine.\n") {
		t.Errorf("### checks section not put under a ## heading:\n%s", sub)
	}
	// Measured and unchanged, it says so.
	r.Go = nil
	if md := string(r.Markdown(nil)); !strings.Contains(md, "## Go API: incompatible changes (apidiff)\n\nNone: code written against the previous SDK still compiles.\n") {
		t.Errorf("no Go change:\n%s", md)
	}

	same := compare(t, base, base)
	if !same.Empty() || !strings.Contains(string(same.Markdown(nil)), "**Summary:** no changes.") {
		t.Errorf("identical documents: %+v\n%s", same, same.Markdown(nil))
	}
}
