package specdiff

import (
	"errors"
	"os"
	"path/filepath"
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

// only returns the single change whose text contains substr, failing
// unless there is exactly one.
func only(t *testing.T, r *Report, substr string) Change {
	t.Helper()
	var found []Change
	for _, c := range r.Changes {
		if strings.Contains(c.Text, substr) {
			found = append(found, c)
		}
	}
	if len(found) != 1 {
		t.Fatalf("want one change containing %q, got %d; all changes:\n%s", substr, len(found), dump(r.Changes))
	}
	return found[0]
}

func dump(cs []Change) string {
	var b strings.Builder
	for _, c := range cs {
		b.WriteString("  " + c.Subject + " | " + c.Line() + "\n")
	}
	return b.String()
}

func TestFieldTurningNullableBreaksGoCode(t *testing.T) {
	base := doc(getPet, pet("id", "        id: {type: string}\n        tag: {type: string}\n"))
	rev := doc(getPet, pet("id", "        id: {type: string}\n        tag: {type: [string, 'null']}\n"))
	r := compare(t, base, rev)
	c := only(t, r, "Pet.tag")
	want := "Pet.tag: string -> [string, null]; the Go field changes from *string to nullable.Nullable[string]"
	if !c.Breaking || c.Text != want || c.Subject != "schema Pet" || c.Kind != Changed {
		t.Errorf("got %+v\nwant breaking %q under schema Pet", c, want)
	}
	// Reported once, under the schema, not again under getPet (which only
	// references it).
	if len(r.Changes) != 1 {
		t.Errorf("want 1 change, got:\n%s", dump(r.Changes))
	}
	// oasdiff's own finding is kept too.
	if len(r.FindingsAt("ERR")) == 0 {
		t.Errorf("oasdiff reported no ERR finding for a response property turning nullable: %+v", r.Findings)
	}

	// And back: no longer nullable is breaking as well.
	back := compare(t, rev, base)
	if c := only(t, back, "Pet.tag"); !c.Breaking || !strings.Contains(c.Text, "from nullable.Nullable[string] to *string") {
		t.Errorf("stops being nullable: got %+v", c)
	}
}

func TestAddedOptionalFieldIsNotBreaking(t *testing.T) {
	base := doc(getPet, pet("id", "        id: {type: string}\n"))
	rev := doc(getPet, pet("id", "        id: {type: string}\n        color: {type: string, enum: [red, blue]}\n"))
	r := compare(t, base, rev)
	c := only(t, r, "Pet.color")
	if c.Breaking || c.Kind != Added {
		t.Errorf("added optional field: got %+v, want a non-breaking addition", c)
	}
	if !strings.Contains(c.Text, "optional, Go *enum type; values red, blue") {
		t.Errorf("text %q does not give the Go type and values", c.Text)
	}
	if b := r.Breaking(); len(b) != 0 {
		t.Errorf("want no breaking change, got:\n%s", dump(b))
	}
}

func TestRemovedOperationIsBreaking(t *testing.T) {
	schemas := pet("id", "        id: {type: string}\n")
	r := compare(t, doc(getPet+listPets, schemas), doc(getPet, schemas))
	c := only(t, r, "operation GET /pets removed")
	if !c.Breaking || c.Kind != Removed || c.Subject != "GET /pets (listPets)" {
		t.Errorf("got %+v", c)
	}
	// The other way round it is an added operation, not a change.
	added := compare(t, doc(getPet, schemas), doc(getPet+listPets, schemas))
	if len(added.AddedOperations) != 1 || added.AddedOperations[0] != (Operation{"GET", "/pets", "listPets"}) {
		t.Errorf("AddedOperations = %+v", added.AddedOperations)
	}
	if len(added.Changes) != 0 {
		t.Errorf("an added operation is not a change:\n%s", dump(added.Changes))
	}
}

func TestRequiredChange(t *testing.T) {
	props := "        id: {type: string}\n        name: {type: string}\n        note: {type: [string, 'null']}\n"
	r := compare(t, doc(getPet, pet("id", props)), doc(getPet, pet("id, name, note", props)))
	c := only(t, r, "Pet.name")
	if !c.Breaking || c.Text != "Pet.name: optional -> required; the Go type changes from *string to string" {
		t.Errorf("optional -> required: got %+v", c)
	}
	// A nullable field is nullable.Nullable[T] either way: reported, not breaking.
	n := only(t, r, "Pet.note")
	if n.Breaking || !strings.Contains(n.Text, "the Go type stays nullable.Nullable[string]") {
		t.Errorf("nullable optional -> required: got %+v", n)
	}
	back := compare(t, doc(getPet, pet("id, name, note", props)), doc(getPet, pet("id", props)))
	if c := only(t, back, "Pet.name"); !c.Breaking || !strings.Contains(c.Text, "required -> optional") {
		t.Errorf("required -> optional: got %+v", c)
	}
}

func TestTypeFormatEnumAndRemovals(t *testing.T) {
	base := doc(getPet+listPets, pet("id", `        id: {type: string}
        born: {type: string, format: date-time}
        home: {type: string, format: uri}
        age: {type: integer}
        size: {type: string, enum: [s, m, l]}
        gone: {type: string}
`))
	rev := doc(getPet+`  /pets:
    get:
      operationId: findPets
      parameters:
        - {name: owner, in: query, required: true, schema: {type: string}}
      responses:
        "200":
          description: ok
`, pet("id", `        id: {type: string}
        born: {type: string}
        home: {type: string}
        age: {type: string}
        size: {type: string, enum: [s, m, xl]}
`))
	r := compare(t, base, rev)
	tests := []struct {
		substr   string
		breaking bool
		kind     Kind
	}{
		{"Pet.born: format date-time -> (none); the Go field changes from *time.Time to *string", true, Changed},
		{"Pet.home: format uri -> (none) (the Go type stays *string)", false, Changed},
		{"Pet.age: type integer -> string; the Go field changes from *int to *string", true, Changed},
		{"Pet.size: enum value l removed", true, Removed},
		{"Pet.size: enum value xl", false, Added},
		{"Pet.gone removed", true, Removed},
		{"operationId listPets -> findPets", true, Changed},
		{"query parameter limit removed", true, Removed},
		{"new required query parameter owner", true, Changed},
	}
	for _, tt := range tests {
		c := only(t, r, tt.substr)
		if c.Breaking != tt.breaking || c.Kind != tt.kind {
			t.Errorf("%q: got breaking=%v kind=%s, want %v %s", tt.substr, c.Breaking, c.Kind, tt.breaking, tt.kind)
		}
	}
	if len(r.Changes) != len(tests) {
		t.Errorf("want exactly %d changes, got:\n%s", len(tests), dump(r.Changes))
	}
}

func TestGoNamingHintChangeIsBreaking(t *testing.T) {
	base := doc(getPet, pet("id", "        id: {type: string, x-go-name: Ident}\n"))
	rev := doc(getPet, pet("id", "        id: {type: string}\n"))
	c := only(t, compare(t, base, rev), "x-go-name")
	if !c.Breaking {
		t.Errorf("dropping x-go-name renames the field: got %+v", c)
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
	if len(r.Breaking()) != 0 {
		t.Errorf("the overlay was not applied before diffing:\n%s", dump(r.Changes))
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
`)}, "revision", "apply overlay"},
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

func TestMarkdown(t *testing.T) {
	base := doc(getPet+listPets, pet("id", "        id: {type: string}\n"))
	rev := doc(getPet, pet("id", "        id: {type: [string, 'null']}\n        extra: {type: boolean}\n"))
	r := compare(t, base, rev)
	checks := "## Spec checks\n\n- 0 blocking findings\n"
	md := string(r.Markdown([]byte(checks)))
	breaking := strings.Index(md, "## Breaking changes")
	other := strings.Index(md, "## Other changes")
	if breaking < 0 || other < breaking {
		t.Fatalf("want Breaking changes before Other changes:\n%s", md)
	}
	for _, want := range []string{
		"**Summary:** 2 changes break Go code;",
		"### GET /pets (listPets)\n\n- BREAKING (Go): operation GET /pets removed",
		"### schema Pet\n\n- BREAKING (Go): Pet.id: string -> [string, null]; the Go field changes from string to nullable.Nullable[string]",
		"- Added: Pet.extra (optional, Go *bool)",
		"BREAKING (HTTP, oasdiff ",
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

	same := compare(t, base, base)
	if !same.Empty() || !strings.Contains(string(same.Markdown(nil)), "**Summary:** no changes.") {
		t.Errorf("identical documents: %+v\n%s", same, same.Markdown(nil))
	}
}

// TestSeedToJuly runs the real update the first CHANGELOG entry records,
// when the upstream document is available next to the repository.
func TestSeedToJuly(t *testing.T) {
	july := filepath.Join("..", "..", "..", "shared", "upstream", "anam-swagger-2026-07.json")
	rev, err := os.ReadFile(july)
	if err != nil {
		t.Skipf("upstream document not available: %v", err)
	}
	seed, err := os.ReadFile(filepath.Join("..", "..", "spec", "swagger.json"))
	if err != nil {
		t.Fatal(err)
	}
	overlay, err := os.ReadFile(filepath.Join("..", "..", "spec", "overlay.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	r, err := Compare(Document{Name: "seed", Spec: seed, Overlay: overlay}, Document{Name: "july", Spec: rev})
	if err != nil {
		t.Fatal(err)
	}
	if r.Base.Operations != 2 {
		t.Skipf("spec/swagger.json is no longer the 2-operation seed (%d operations)", r.Base.Operations)
	}
	if n := len(r.AddedOperations); n != 55 {
		t.Errorf("added operations: %d, want 55", n)
	}
	c := only(t, r, "Avatar.activeVersion")
	if !c.Breaking || !strings.Contains(c.Text, "from *string to nullable.Nullable[string]") {
		t.Errorf("activeVersion: %+v", c)
	}
	for _, field := range []string{"description", "displayTags", "idleVideoUrl", "landscapeImageUrl", "portraitImageUrl", "renderStyle"} {
		if c := only(t, r, "Avatar."+field+" ("); c.Breaking || c.Kind != Added {
			t.Errorf("Avatar.%s: %+v", field, c)
		}
	}
	for _, param := range []string{"query parameter renderStyle", "query parameter tags"} {
		if c := only(t, r, param); c.Breaking || c.Kind != Added || c.Subject != "GET /v1/avatars (listAvatars)" {
			t.Errorf("%s: %+v", param, c)
		}
	}
}
