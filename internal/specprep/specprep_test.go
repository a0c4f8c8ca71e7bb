package specprep

import (
	"encoding/json"
	"os"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/oapi-codegen/oapi-codegen/v2/pkg/codegen"
	"gopkg.in/yaml.v3"
)

const doc = `{
  "openapi": "3.1.0",
  "info": {"title": "t", "version": "1"},
  "paths": {
    "/v1/things": {
      "get": {
        "operationId": "listThings",
        "responses": {"200": {"description": "ok", "content": {"application/json": {"schema": {
          "type": "object",
          "properties": {
            "data": {"type": "array", "items": {"type": "object", "properties": {"id": {"type": "string"}}}},
            "meta": {"type": "object"}
          }}}}}}
      },
      "post": {
        "operationId": "createThing",
        "requestBody": {"content": {
          "application/json": {"schema": {"type": "object", "properties": {"name": {"type": "string"}}}},
          "multipart/form-data": {"schema": {"type": "object", "properties": {"file": {"type": "string", "format": "binary"}}}}
        }},
        "responses": {"201": {"description": "ok", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Thing"}}}}}
      }
    },
    "/v1/things/{id}": {
      "delete": {
        "operationId": "deleteThing",
        "responses": {
          "200": {"description": "ok", "content": {"application/json": {"schema": {"type": "object", "properties": {"message": {"type": "string"}}}}}},
          "404": {"description": "nope", "content": {"application/json": {"schema": {"type": "object", "properties": {"error": {"type": "string"}}}}}}
        }
      }
    }
  },
  "components": {"schemas": {"Thing": {"type": "object", "properties": {"id": {"type": "string"}}}}}
}`

func names(t *testing.T, r *Result) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, n := range r.Names {
		out[n.GoName] = n.Target
	}
	return out
}

func TestNamingRule(t *testing.T) {
	r, err := Prepare([]byte(doc), nil)
	if err != nil {
		t.Fatal(err)
	}
	got := names(t, r)
	for name, target := range map[string]string{
		"ListThingsResponse":  "$.paths['/v1/things'].get.responses['200'].content['application/json'].schema",
		"ListThingsItem":      "$.paths['/v1/things'].get.responses['200'].content['application/json'].schema.properties.data.items",
		"CreateThingRequest":  "$.paths['/v1/things'].post.requestBody.content['application/json'].schema",
		"CreateThingForm":     "$.paths['/v1/things'].post.requestBody.content['multipart/form-data'].schema",
		"DeleteThingResponse": "$.paths['/v1/things/{id}'].delete.responses['200'].content['application/json'].schema",
	} {
		if got[name] != target {
			t.Errorf("%s names %q, want %q", name, got[name], target)
		}
	}
	if len(got) != 5 {
		t.Errorf("named %v; error responses and $refs keep theirs", got)
	}
	// Each named schema moved to components, a $ref in its place.
	var d struct {
		Paths      map[string]map[string]json.RawMessage
		Components struct{ Schemas map[string]json.RawMessage }
	}
	if err := json.Unmarshal(r.JSON, &d); err != nil {
		t.Fatal(err)
	}
	for name := range got {
		if _, ok := d.Components.Schemas[name]; !ok {
			t.Errorf("components/schemas has no %s", name)
		}
	}
	if !strings.Contains(string(d.Paths["/v1/things"]["post"]), `"$ref": "#/components/schemas/CreateThingRequest"`) {
		t.Errorf("the request body is not a $ref: %s", d.Paths["/v1/things"]["post"])
	}
	if !strings.Contains(string(d.Components.Schemas["ListThingsResponse"]), `"$ref": "#/components/schemas/ListThingsItem"`) {
		t.Errorf("the item is not a $ref: %s", d.Components.Schemas["ListThingsResponse"])
	}
}

// A name depends on its operation alone: adding an operation renames
// nothing, and the output is the same on every run.
func TestNamesAreStable(t *testing.T) {
	a, err := Prepare([]byte(doc), nil)
	if err != nil {
		t.Fatal(err)
	}
	grown := strings.Replace(doc, `"/v1/things/{id}": {`, `"/v1/others": {"get": {"operationId": "listOthers", "responses": {"200": {"description": "ok", "content": {"application/json": {"schema": {"type": "object", "properties": {"n": {"type": "integer"}}}}}}}}},
    "/v1/things/{id}": {`, 1)
	b, err := Prepare([]byte(grown), nil)
	if err != nil {
		t.Fatal(err)
	}
	before, after := names(t, a), names(t, b)
	for name, target := range before {
		if after[name] != target {
			t.Errorf("%s moved from %q to %q", name, target, after[name])
		}
	}
	if after["ListOthersResponse"] == "" || len(after) != len(before)+1 {
		t.Errorf("after adding listOthers: %v", after)
	}
	again, err := Prepare([]byte(doc), nil)
	if err != nil {
		t.Fatal(err)
	}
	if string(again.JSON) != string(a.JSON) {
		t.Error("two runs prepare different documents")
	}
}

func TestExplicitNameWinsAndCollisionsFail(t *testing.T) {
	named := strings.Replace(doc, `"application/json": {"schema": {"type": "object", "properties": {"name"`, `"application/json": {"schema": {"x-go-type-name": "NewThing", "type": "object", "properties": {"name"`, 1)
	r, err := Prepare([]byte(named), nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := names(t, r)["CreateThingRequest"]; ok {
		t.Error("the rule renamed a schema the overlay named")
	}
	clash := strings.Replace(doc, `"schemas": {"Thing"`, `"schemas": {"CreateThingRequest": {"type": "object"}, "Thing"`, 1)
	if _, err := Prepare([]byte(clash), nil); err == nil || !strings.Contains(err.Error(), "CreateThingRequest") || !strings.Contains(err.Error(), "x-go-type-name") {
		t.Errorf("a collision gave %v", err)
	}
	if _, err := Prepare([]byte(`[1, 2]`), nil); err == nil {
		t.Error("a document that is not an object was prepared")
	}
}

func TestGoTypeName(t *testing.T) {
	for in, want := range map[string]string{
		"getAvatar": "GetAvatar", "listLlms": "ListLLMs", "toolIds": "ToolIDs", "llmId": "LLMID", "https": "HTTPS", "getSessionID": "GetSessionID",
		"get_user_id": "GetUserID", "createApiKey": "CreateAPIKey", "share-links": "ShareLinks", "imageUrl": "ImageURL",
	} {
		if got := GoTypeName(in); got != want {
			t.Errorf("GoTypeName(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestUnionNamingRule prepares a document with every shape of union the
// rule meets and checks the names it gives, and that each named union and
// branch moved into components/schemas behind a $ref.
func TestUnionNamingRule(t *testing.T) {
	doc, err := os.ReadFile("testdata/unions.yaml")
	if err != nil {
		t.Fatal(err)
	}
	r, err := Prepare(doc, nil)
	if err != nil {
		t.Fatal(err)
	}
	got := names(t, r)
	tokens := "$.components.schemas['CreateTokenRequest'].properties['persona']"
	want := map[string]string{
		// Titled branches, the title's words that repeat the union's end
		// dropped; the same titles in another union make other names.
		"CreateToolRequestConfig":           "$.components.schemas['CreateToolRequest'].properties['config']",
		"CreateToolRequestConfigClientTool": "$.components.schemas['CreateToolRequest'].properties['config'].oneOf[0]",
		"CreateToolRequestConfigServerTool": "$.components.schemas['CreateToolRequest'].properties['config'].oneOf[1]",
		"UpdateToolRequestConfig":           "$.components.schemas['UpdateToolRequest'].properties['config']",
		"UpdateToolRequestConfigClientTool": "$.components.schemas['UpdateToolRequest'].properties['config'].oneOf[0]",
		"UpdateToolRequestConfigServerTool": "$.components.schemas['UpdateToolRequest'].properties['config'].oneOf[1]",
		// A property only the branch holds, the required ones first.
		"CreateTokenRequestPersona":            tokens,
		"CreateTokenRequestPersonaByName":      tokens + ".oneOf[0]",
		"CreateTokenRequestPersonaByPersonaID": tokens + ".oneOf[1]",
		// A union of $refs nested in a branch: named after the branch.
		"CreateTokenRequestPersonaByNameVoice": tokens + ".oneOf[0].properties['voice']",
		// Branches without properties: their type.
		"CreateTokenRequestLabel":        "$.components.schemas['CreateTokenRequest'].properties['label']",
		"CreateTokenRequestLabelString":  "$.components.schemas['CreateTokenRequest'].properties['label'].oneOf[0]",
		"CreateTokenRequestLabelInteger": "$.components.schemas['CreateTokenRequest'].properties['label'].oneOf[1]",
		// Branches that only require: their required property; the
		// union is the object itself, which keeps its name.
		"InviteByPersonaID":     "$.components.schemas['Invite'].oneOf[0]",
		"InviteByPersonaConfig": "$.components.schemas['Invite'].oneOf[1]",
		// $refs that may be null: a union; its branches keep their names.
		"PersonaVoice": "$.components.schemas['Persona'].properties['voice']",
	}
	for name, target := range want {
		if got[name] != target {
			t.Errorf("%s: named at %q, want %q", name, got[name], target)
		}
	}
	for name, target := range got {
		if _, ok := want[name]; !ok && strings.Contains(target, "oneOf") || strings.HasSuffix(target, "['avatar']") || strings.HasSuffix(target, "['mood']") {
			t.Errorf("unexpected name %s for %s", name, target)
		}
		for _, c := range name {
			if c >= '0' && c <= '9' {
				t.Errorf("%s: a union or branch named by a number", name)
			}
		}
	}
	var prepared struct {
		Components struct {
			Schemas map[string]json.RawMessage
		}
	}
	if err := json.Unmarshal(r.JSON, &prepared); err != nil {
		t.Fatal(err)
	}
	for name := range want {
		if prepared.Components.Schemas[name] == nil {
			t.Errorf("%s is not a component schema", name)
		}
	}
	for _, s := range []string{"Persona", "CreateTokenRequestPersona", "CreateToolRequest"} {
		if !strings.Contains(string(prepared.Components.Schemas[s]), `"$ref"`) {
			t.Errorf("%s refers to nothing: %s", s, prepared.Components.Schemas[s])
		}
	}
	// A nullable $ref and a one-branch oneOf are not unions: left alone.
	persona := string(prepared.Components.Schemas["Persona"])
	for _, left := range []string{`"avatar":{"oneOf":[{"$ref":"#/components/schemas/Loud"},{"type":"null"}]}`, `"mood":{"oneOf":[{"type":"string","enum":["calm","angry"]}]}`} {
		if !strings.Contains(strings.Join(strings.Fields(persona), ""), left) {
			t.Errorf("Persona lost %s: %s", left, persona)
		}
	}
}

// TestUnionNamingRuleRefuses: a branch with nothing to be named by, or
// two branches the rule would give one name, stop the preparation with an
// error that names the branch and the overlay action that resolves it.
func TestUnionNamingRuleRefuses(t *testing.T) {
	for name, tc := range map[string]struct{ branches, want string }{
		"a branch with nothing of its own": {`[{"type": "object", "properties": {"a": {"type": "string"}}}, {"not": {"required": ["b"]}}]`,
			"oneOf[1]: the branch has no title, no property only it holds"},
		"two branches, one name": {`[{"title": "Same", "type": "object"}, {"title": "Same", "type": "object"}]`,
			"would both be named XThingSame"},
	} {
		t.Run(name, func(t *testing.T) {
			doc := `{"openapi": "3.1.0", "info": {"title": "t", "version": "1"}, "paths": {},
				"components": {"schemas": {"X": {"type": "object", "properties": {"thing": {"oneOf": ` + tc.branches + `}}}}}}`
			_, err := Prepare([]byte(doc), nil)
			if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), "title") || !strings.Contains(err.Error(), "spec/overlay.yaml") {
				t.Errorf("err = %v, want it to say %q and which overlay action fixes it", err, tc.want)
			}
		})
	}
}

// TestGoTypeNameAgreesWithOapiCodegen checks that GoTypeName spells names
// as oapi-codegen does with this repository's oapi-codegen.yaml (its
// additional-initialisms included), on words of every kind: the names
// specprep derives and sdkgen's method names must be the names of the
// generated models.
func TestGoTypeNameAgreesWithOapiCodegen(t *testing.T) {
	cfgYAML, err := os.ReadFile("../../oapi-codegen.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var cfg codegen.Configuration
	if err := yaml.Unmarshal(cfgYAML, &cfg); err != nil {
		t.Fatal(err)
	}
	// Generating once sets up oapi-codegen's normalizer with the
	// configuration's initialisms.
	swagger, err := openapi3.NewLoader().LoadFromData([]byte(`{"openapi": "3.1.0", "info": {"title": "t", "version": "1"}, "paths": {}}`))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := codegen.Generate(swagger, cfg.UpdateDefaults()); err != nil {
		t.Fatal(err)
	}
	words := []string{"listLlms", "llmId", "toolIds", "imageUrls", "getUserIds", "createApiKey", "get_user_id",
		"share-links", "sessionToken", "https", "httpClient", "getHttpsUrl", "ipAddresses", "uiState", "dbs",
		"vmsCount", "Persona", "LLM", "createLLM", "avatar_id", "utf8Text", "uuids", "GetAggregatedSessionAnalytics"}
	doc, err := os.ReadFile("testdata/unions.yaml")
	if err != nil {
		t.Fatal(err)
	}
	r, err := Prepare(doc, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range r.Names {
		words = append(words, n.GoName)
	}
	for _, w := range words {
		if w == "listLlms" && codegen.ToCamelCaseWithInitialisms(w) != "ListLLMs" {
			t.Fatalf("oapi-codegen is not set up with the initialisms: %q", codegen.ToCamelCaseWithInitialisms(w))
		}
		if got, want := GoTypeName(w), codegen.ToCamelCaseWithInitialisms(w); got != want {
			t.Errorf("GoTypeName(%q) = %q, oapi-codegen says %q", w, got, want)
		}
	}
}
