package speccheck

import (
	"bytes"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/anam-ai/anam-go/internal/specload"
)

// fixDoc has two nullable and two style findings -fix resolves, and
// style findings it must leave to a human.
const fixDoc = header31 + `
paths:
  /a/{id}:
    get:
      operationId: getA
      parameters:
        - name: id
          in: path
          required: true
          schema: {type: string, style: label}
        - name: tags
          in: query
          schema: {type: array, items: {type: string}, style: form, explode: false}
        - name: conflict
          in: query
          style: spaceDelimited
          schema: {type: array, items: {type: string}, style: pipeDelimited}
        - name: wrongplace
          in: query
          schema: {type: string, style: simple}
      responses:
        "200":
          description: ok
          headers:
            X-H:
              schema: {type: string, style: simple}
          content:
            application/json:
              schema: {$ref: '#/components/schemas/A'}
              example: {x: null, n: 3}
components:
  schemas:
    A:
      type: object
      properties:
        x: {type: string, nullable: true}
        n: {type: integer, nullable: false}
`

func TestCheckAndFix(t *testing.T) {
	r, err := Check([]byte(fixDoc), []byte(reportOverlayFor("")), nil)
	if err != nil {
		t.Fatal(err)
	}
	fixable := map[string]bool{}
	for _, fx := range r.Fixes {
		fixable[fx.Finding.Location] = true
	}
	const params = "/paths/~1a~1{id}/get/parameters/"
	for loc, want := range map[string]bool{
		"/components/schemas/A/properties/x/nullable":                 true,
		"/components/schemas/A/properties/n/nullable":                 true,
		params + "0/schema/style":                                     true,
		params + "1/schema/style":                                     true,
		params + "1/schema/explode":                                   true,
		params + "2/schema/style":                                     false, // the parameter says otherwise
		params + "3/schema/style":                                     false, // simple is no query style
		"/paths/~1a~1{id}/get/responses/200/headers/X-H/schema/style": false, // a header, not a parameter
	} {
		findingAt(t, r, map[bool]string{true: RuleNullable, false: RuleStyleInSchema}[strings.HasSuffix(loc, "nullable")], loc)
		if fixable[loc] != want {
			t.Errorf("fixable(%s) = %v, want %v", loc, fixable[loc], want)
		}
	}

	ov := []byte(reportOverlayFor(""))
	fixed, r2, err := CheckAndFix([]byte(fixDoc), ov, nil)
	if err != nil {
		t.Fatal(err)
	}
	// The overlay's own text comes first, unchanged, comments included.
	if !bytes.HasPrefix(fixed, ov) {
		t.Errorf("the overlay's text was not kept:\n%s", fixed)
	}
	// 2 actions for x, 1 for n, 2 for each of the three style findings.
	if len(r2.Fixed) != 9 || len(r2.Actions) != 10 {
		t.Errorf("%d actions written, %d in all; want 9 and 10:\n%s", len(r2.Fixed), len(r2.Actions), fixed)
	}
	for _, a := range r2.Fixed {
		if !strings.HasPrefix(a.Description, "Upstream ") || !strings.HasSuffix(a.Description, "(Written by speccheck -fix.)") {
			t.Errorf("action %s: description %q", a.Target, a.Description)
		}
	}
	for loc := range fixable {
		for _, f := range r2.Findings {
			if f.Location == loc {
				t.Errorf("%s is still found after -fix", f)
			}
		}
	}
	// What is left needs a human; the example with x: null validates now.
	wantOnly(t, r2,
		RuleStyleInSchema+" "+params+"2/schema/style",
		RuleStyleInSchema+" "+params+"3/schema/style",
		RuleStyleInSchema+" /paths/~1a~1{id}/get/responses/200/headers/X-H/schema/style")
	if len(r2.Resolved) != 6 {
		t.Errorf("%d findings resolved, want 6: %+v", len(r2.Resolved), r2.Resolved)
	}

	// The actions apply strictly, as the generator and specload apply them,
	// and say what they should.
	loaded, err := specload.LoadBytes([]byte(fixDoc), fixed)
	if err != nil {
		t.Fatalf("specload.LoadBytes with the fixed overlay: %v", err)
	}
	x := loaded.Components.Schemas["A"].Value.Properties["x"].Value
	if x.Type == nil || len(*x.Type) != 2 || !x.Type.Includes("string") || !x.Type.Includes("null") {
		t.Errorf("x type %v, want [string, null]", x.Type)
	}
	if _, ok := x.Extensions["nullable"]; ok || x.Nullable {
		t.Errorf("x keeps nullable: %+v", x)
	}
	ps := loaded.Paths.Find("/a/{id}").Get.Parameters
	if p := ps[0].Value; p.Style != "label" {
		t.Errorf("id style %q, want label", p.Style)
	}
	if p := ps[1].Value; p.Style != "form" || p.Explode == nil || *p.Explode {
		t.Errorf("tags style %q explode %v, want form, false", p.Style, p.Explode)
	}

	// Idempotent: a second run writes nothing.
	again, r3, err := CheckAndFix([]byte(fixDoc), fixed, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(again, fixed) || len(r3.Fixed) != 0 || len(r3.Fixes) != 0 {
		t.Errorf("a second -fix changed the overlay (%d actions written)", len(r3.Fixed))
	}
}

// reportOverlayFor returns an overlay with one action and comments, in
// the given Overlay version ("" for 1.0.0).
func reportOverlayFor(version string) string {
	if version == "" {
		version = "1.0.0"
	}
	return `# comment at the top
overlay: ` + version + `
info: {title: o, version: 1.0.0}
actions:
  # comment before the first action
  - target: $.info
    description: Say who wrote it.
    update: {x-by: sdk}
# comment at the end
`
}

func TestCheckAndFixOverlay110(t *testing.T) {
	// Overlay 1.1.0 merges strictly: no list into a scalar `type`, so the
	// fix removes `type` before writing the list.
	ov := []byte(reportOverlayFor("1.1.0"))
	fixed, r, err := CheckAndFix([]byte(fixDoc), ov, nil)
	if err != nil {
		t.Fatal(err)
	}
	var kinds []string
	for _, a := range r.Fixed {
		if strings.HasPrefix(a.Target, "$.components.schemas.A.properties.x") {
			kinds = append(kinds, a.Kind+" "+a.Target)
		}
	}
	want := []string{
		"remove $.components.schemas.A.properties.x.nullable",
		"remove $.components.schemas.A.properties.x.type",
		"update $.components.schemas.A.properties.x",
	}
	if strings.Join(kinds, "\n") != strings.Join(want, "\n") {
		t.Errorf("actions for x:\n%s\nwant:\n%s", strings.Join(kinds, "\n"), strings.Join(want, "\n"))
	}
	loaded, err := specload.LoadBytes([]byte(fixDoc), fixed)
	if err != nil {
		t.Fatal(err)
	}
	if x := loaded.Components.Schemas["A"].Value.Properties["x"].Value; !x.Type.Includes("null") || !x.Type.Includes("string") {
		t.Errorf("x type %v", x.Type)
	}
}

func TestCheckAndFixStartsAnOverlay(t *testing.T) {
	fixed, r, err := CheckAndFix([]byte(fixDoc), nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(fixed, []byte(newOverlayHeader)) || len(r.Fixed) != 9 {
		t.Errorf("%d actions in a new overlay:\n%s", len(r.Fixed), fixed)
	}
	if _, err := specload.ApplyOverlay([]byte(fixDoc), fixed); err != nil {
		t.Error(err)
	}
}

func TestCheckAndFixNothingToFix(t *testing.T) {
	ov := []byte(reportOverlayFor(""))
	out, r, err := CheckAndFix([]byte(header31+"paths: {}\n"), ov, nil)
	if err != nil || !bytes.Equal(out, ov) || len(r.Fixed) != 0 || !r.OK() {
		t.Errorf("CheckAndFix on a clean document: %v, %d fixed, overlay changed %v", err, len(r.Fixed), !bytes.Equal(out, ov))
	}
}

func TestCheckAndFixRefusesWhatBreaks(t *testing.T) {
	// Each move is valid alone; together they make deepObject without
	// explode, which no query parameter may have: -fix writes nothing.
	doc := header31 + `
paths:
  /a:
    get:
      operationId: getA
      parameters:
        - name: filter
          in: query
          schema: {type: object, style: deepObject, explode: false}
      responses:
        "204": {description: ok}
`
	out, r, err := CheckAndFix([]byte(doc), []byte(reportOverlayFor("")), nil)
	if err == nil || !strings.Contains(err.Error(), "refused") || !strings.Contains(err.Error(), "new finding: openapi-invalid") {
		t.Errorf("error = %v", err)
	}
	if out != nil || r != nil {
		t.Error("CheckAndFix returned an overlay it refused")
	}
}

func TestAppendActions(t *testing.T) {
	act := FixAction{Target: "$.info", Description: "Say it. " + strings.Repeat("word ", 30), Update: mustNode(t, "x-a: 1")}

	t.Run("actions last: text appended", func(t *testing.T) {
		ov := []byte(reportOverlayFor(""))
		out, err := AppendActions(ov, []FixAction{act})
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.HasPrefix(out, ov) {
			t.Fatalf("the overlay's text changed:\n%s", out)
		}
		added := string(out[len(ov):])
		if !strings.HasPrefix(added, "  - target: $.info\n    description: >-\n      Say it. word") || !strings.HasSuffix(added, "    update:\n      x-a: 1\n") {
			t.Errorf("appended:\n%s", added)
		}
		for _, line := range strings.Split(added, "\n") {
			if len(line) > 82 {
				t.Errorf("line of %d characters: %q", len(line), line)
			}
		}
	})
	t.Run("actions not last: re-encoded, comments kept", func(t *testing.T) {
		ov := []byte("# top\noverlay: 1.0.0\nactions:\n  - target: $.info\n    remove: true # why\ninfo: {title: o, version: 1.0.0}\n")
		out, err := AppendActions(ov, []FixAction{act})
		if err != nil {
			t.Fatal(err)
		}
		if n, _ := countActions(out); n != 2 || !strings.Contains(string(out), "# top") || !strings.Contains(string(out), "# why") {
			t.Errorf("%d actions:\n%s", n, out)
		}
	})
	t.Run("empty actions", func(t *testing.T) {
		for _, ov := range []string{
			"overlay: 1.0.0\ninfo: {title: o, version: 1.0.0}\nactions:\n",
			"overlay: 1.0.0\ninfo: {title: o, version: 1.0.0}\nactions: []\n",
		} {
			out, err := AppendActions([]byte(ov), []FixAction{act, {Target: "$.paths", Remove: true}})
			if n, _ := countActions(out); err != nil || n != 2 {
				t.Errorf("%q: %v, %d actions:\n%s", ov, err, n, out)
			}
		}
	})
	t.Run("errors", func(t *testing.T) {
		for name, c := range map[string]struct {
			ov   string
			acts []FixAction
			want string
		}{
			"not YAML":        {"overlay: [", []FixAction{act}, "parse overlay"},
			"not a mapping":   {"- 1\n", []FixAction{act}, "not a YAML mapping"},
			"actions no list": {"overlay: 1.0.0\ninfo: {title: o, version: 1.0.0}\nactions: 3\n", []FixAction{act}, "parse overlay"},
			"empty action":    {reportOverlayFor(""), []FixAction{{Target: "$.x"}}, "neither removes nor updates"},
		} {
			t.Run(name, func(t *testing.T) {
				_, err := AppendActions([]byte(c.ov), c.acts)
				if err == nil || !strings.Contains(err.Error(), c.want) {
					t.Errorf("error = %v, want one containing %q", err, c.want)
				}
			})
		}
	})
}

func TestJSONPath(t *testing.T) {
	root := mustNode(t, `paths:
  /a/{id}:
    get:
      parameters:
        - {name: x, in: query}
        - {name: id, in: path}
        - {name: id, in: query}
  "it's": {}
  x-ok_1: {}
components:
  schemas:
    A_b:
      oneOf:
        - {$ref: '#/components/schemas/C'}
        - {title: Titled, type: object}
        - {type: object, properties: {shared: {}, own: {}}}
        - {type: object, properties: {shared: {}}}
        - {type: object, properties: {shared: {}}}
      enum: [a, "it's", a]
`)
	const oneOf = "$.components.schemas.A_b.oneOf"
	for ptr, want := range map[string]string{
		"/paths/~1a~1{id}/get/parameters/0/name":     "$.paths['/a/{id}'].get.parameters[?(@.name=='x')].name",
		"/paths/~1a~1{id}/get/parameters/1":          "$.paths['/a/{id}'].get.parameters[?(@.name=='id' && @.in=='path')]", // the name alone is no one's
		"/components/schemas/A_b/oneOf/0":            oneOf + "[?(@['$ref']=='#/components/schemas/C')]",
		"/components/schemas/A_b/oneOf/1":            oneOf + "[?(@.title=='Titled')]",
		"/components/schemas/A_b/oneOf/2":            oneOf + "[?(@.properties.own)]",
		"/components/schemas/A_b/oneOf/2/properties": oneOf + "[?(@.properties.own)].properties",
		"/components/schemas/A_b":                    "$.components.schemas.A_b",
		"/paths/x-ok_1":                              "$.paths['x-ok_1']",
		"":                                           "$",
	} {
		if got, ok := jsonPath(root, ptr); !ok || got != want {
			t.Errorf("jsonPath(%q) = %q, %v; want %q", ptr, got, ok, want)
		}
	}
	for ptr, why := range map[string]string{
		"/paths/it's":                       "a quote in a key",
		"/paths/~1a~1{id}/get/parameters/5": "no such element",
		"/nope":                             "no such key",
		"/paths/~1a~1{id}/get/parameters/x": "no index",
		"/components/schemas/A_b/oneOf/3":   "nothing tells it from the last branch",
		"/components/schemas/A_b/enum/0":    "a value given twice",
		"/components/schemas/A_b/enum/1":    "a quote in the value",
	} {
		if got, ok := jsonPath(root, ptr); ok {
			t.Errorf("jsonPath(%q) = %q, want none (%s)", ptr, got, why)
		}
	}
}

func mustNode(t *testing.T, src string) *yaml.Node {
	t.Helper()
	var n yaml.Node
	if err := yaml.Unmarshal([]byte(src), &n); err != nil {
		t.Fatal(err)
	}
	return n.Content[0]
}
