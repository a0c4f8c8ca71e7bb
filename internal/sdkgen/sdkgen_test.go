package sdkgen

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/anam-ai/anam-go/internal/specprep"
	"github.com/getkin/kin-openapi/openapi3"
	"github.com/oapi-codegen/oapi-codegen/v2/pkg/codegen"
	"gopkg.in/yaml.v3"
)

func TestNames(t *testing.T) {
	for in, want := range map[string]string{
		"id": "id", "ID": "id", "personaId": "personaID", "URLKey": "urlKey", "type": "typeArg", "ctx": "ctxArg", "page": "page",
	} {
		if got := goParamName(in); got != want {
			t.Errorf("goParamName(%q) = %q, want %q", in, got, want)
		}
	}
	for in, want := range map[string][3]string{
		"ListAvatars":        {"Avatars", "AvatarPages", "ListAllAvatars"},
		"ListMeetingInvites": {"MeetingInvites", "MeetingInvitePages", "ListAllMeetingInvites"},
		"SearchThings":       {"SearchThingsItems", "SearchThingsPages", "SearchThingsAll"},
	} {
		items, pages, all := iteratorNames(in)
		if [3]string{items, pages, all} != want {
			t.Errorf("iteratorNames(%q) = %s, %s, %s, want %v", in, items, pages, all, want)
		}
	}
}

// generate runs Generate on a spec with empty gen and api packages (enough
// for operations without parameters, bodies or results).
func generate(t *testing.T, spec string, apiSrc string) error {
	t.Helper()
	genDir, apiDir := t.TempDir(), t.TempDir()
	if apiSrc != "" {
		if err := os.WriteFile(filepath.Join(apiDir, "client.go"), []byte(apiSrc), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	_, err := Generate(Config{Spec: []byte(spec), GenDir: genDir, APIDir: apiDir, ModulePath: "example.com", Generate: "test"})
	return err
}

func spec(paths string) string {
	return `{"openapi": "3.1.0", "info": {"title": "t", "version": "1"}, "paths": {` + paths + `}}`
}

const noContent = `"responses": {"204": {"description": "done"}}`

func TestGenerateRefusesWhatItCannotName(t *testing.T) {
	cases := map[string]struct {
		spec, api, want string
	}{
		"no operationId": {spec(`"/v1/x": {"post": {` + noContent + `}}`), "", "has no operationId"},
		"two operations, one method": {spec(`"/v1/x": {"post": {"operationId": "ping_thing", ` + noContent + `}},
			"/v1/y": {"post": {"operationId": "pingThing", ` + noContent + `}}`), "", "both"},
		"a method of the client's own": {spec(`"/v1/x": {"post": {"operationId": "do", ` + noContent + `}}`), "", "declares for every spec"},
		"an unknown path parameter":    {spec(`"/v1/x/{id}": {"delete": {"operationId": "deleteX", ` + noContent + `}}`), "", "{id}"},
		"not a document":               {`{"openapi": 3}`, "", "load prepared document"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			err := generate(t, tc.spec, tc.api)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("err = %v, want it to mention %q", err, tc.want)
			}
		})
	}
	if err := generate(t, spec(`"/v1/x/{id}": {"delete": {"operationId": "deleteX", "parameters": [{"in": "path", "name": "id", "required": true, "schema": {"type": "string"}}], `+noContent+`}}`), ""); err != nil {
		t.Errorf("a plain delete: %v", err)
	}
}

// TestUnionConstructors generates the client of a fixture document with
// every shape of union (internal/specprep/testdata/unions.yaml), through
// specprep and oapi-codegen with the repository's configuration, and checks
// the constructors: one per branch of every union a request body reaches,
// a branch whose one property is required given by its value, and package
// api forwarding each.
func TestUnionConstructors(t *testing.T) {
	doc, err := os.ReadFile("../specprep/testdata/unions.yaml")
	if err != nil {
		t.Fatal(err)
	}
	prepared, err := specprep.Prepare(doc, nil)
	if err != nil {
		t.Fatal(err)
	}
	cfgYAML, err := os.ReadFile("../../oapi-codegen.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var cfg codegen.Configuration
	if err := yaml.Unmarshal(cfgYAML, &cfg); err != nil {
		t.Fatal(err)
	}
	loader := openapi3.NewLoader()
	swagger, err := loader.LoadFromData(prepared.JSON)
	if err != nil {
		t.Fatal(err)
	}
	models, err := codegen.Generate(swagger, cfg.UpdateDefaults())
	if err != nil {
		t.Fatal(err)
	}
	genDir, apiDir := t.TempDir(), t.TempDir()
	if err := os.WriteFile(filepath.Join(genDir, "models.gen.go"), []byte(models), 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := Generate(Config{Spec: prepared.JSON, GenDir: genDir, APIDir: apiDir, ModulePath: "example.com/m", Generate: "test"})
	if err != nil {
		t.Fatal(err)
	}
	// gofmt aligns: compare with runs of blanks as one.
	client, api := strings.Join(strings.Fields(string(out.Client)), " "), strings.Join(strings.Fields(string(out.APIModels)), " ")
	for _, want := range []string{
		"func NewCreateToolRequestConfigClientTool(v CreateToolRequestConfigClientTool) *CreateToolRequestConfig {",
		"func NewCreateToolRequestConfigServerTool(url string) *CreateToolRequestConfig {",
		"func NewUpdateToolRequestConfigServerTool(v UpdateToolRequestConfigServerTool) *UpdateToolRequestConfig {",
		"func NewCreateTokenRequestPersonaByPersonaID(personaID string) *CreateTokenRequestPersona {",
		"func NewCreateTokenRequestPersonaByName(v CreateTokenRequestPersonaByName) *CreateTokenRequestPersona {",
		"func NewCreateTokenRequestPersonaByNameVoiceLoud(v Loud) *CreateTokenRequestPersonaByNameVoice {",
		"func NewCreateTokenRequestLabelString(v CreateTokenRequestLabelString) *CreateTokenRequestLabel {",
		"u.union = unencodable(err)",
	} {
		if !strings.Contains(client, want) {
			t.Errorf("gen/client.gen.go lacks %q", want)
		}
	}
	for _, want := range []string{
		"CreateTokenRequestPersona = gen.CreateTokenRequestPersona",
		"CreateTokenRequestPersonaByName = gen.CreateTokenRequestPersonaByName",
		"func NewCreateTokenRequestPersonaByPersonaID(personaID string) *CreateTokenRequestPersona { return gen.NewCreateTokenRequestPersonaByPersonaID(personaID)",
	} {
		if !strings.Contains(api, want) {
			t.Errorf("api/models.gen.go lacks %q", want)
		}
	}
	if strings.Contains(client, "func NewInvite") || strings.Contains(client, "func NewPersonaVoice") {
		t.Error("a constructor for a union no request body reaches, or for an object's constraint")
	}
	if len(out.Report.Unions) != 5 {
		t.Errorf("request unions %v, want 5", out.Report.Unions)
	}
}

// TestDocCommentsRenderAsText: a spec description's one-line paragraphs
// and Markdown headings must not become Go doc headings (gofmt rewrites a
// one-line paragraph without final punctuation as "# Heading").
func TestDocCommentsRenderAsText(t *testing.T) {
	var w writer
	w.comment("Returns a voice by ID\n\n## Errors\n\nA voice that does not exist is a 404\nwith a message\n\n- a list item\n- another")
	w.p("func f() {}")
	src, err := gofmt([]byte("package p\n\n"+w.String()), "test")
	if err != nil {
		t.Fatal(err)
	}
	got := string(src)
	if strings.Contains(got, "// #") {
		t.Errorf("a heading:\n%s", got)
	}
	for _, want := range []string{"// Returns a voice by ID.\n", "// Errors.\n", "// A voice that does not exist is a 404\n// with a message\n", "// - a list item\n"} {
		if !strings.Contains(got, want) {
			t.Errorf("want %q in:\n%s", want, got)
		}
	}
}

// TestAuthFromSecurity: each descriptor's Auth follows the operation's
// security requirements (its own, else the document's), by the rule the
// fake serves by: a bearer scheme with bearerFormat JWT takes session
// tokens, another bearer or apiKey scheme the API key. The API key alone,
// every operation's default, is not written.
func TestAuthFromSecurity(t *testing.T) {
	doc := `{"openapi": "3.1.0", "info": {"title": "t", "version": "1"},
		"security": [{"Key": []}],
		"components": {"securitySchemes": {
			"Key": {"type": "http", "scheme": "bearer"},
			"Token": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"},
			"Header": {"type": "apiKey", "in": "header", "name": "X-Key"}}},
		"paths": {
			"/a": {"post": {"operationId": "plain", ` + noContent + `}},
			"/b": {"post": {"operationId": "either", "security": [{"Key": []}, {"Token": []}], ` + noContent + `}},
			"/c": {"post": {"operationId": "tokenOnly", "security": [{"Token": []}], ` + noContent + `}},
			"/d": {"post": {"operationId": "headerKey", "security": [{"Header": []}], ` + noContent + `}},
			"/e": {"post": {"operationId": "anonymous", "security": [], ` + noContent + `}}}}`
	genDir, apiDir := t.TempDir(), t.TempDir()
	out, err := Generate(Config{Spec: []byte(doc), GenDir: genDir, APIDir: apiDir, ModulePath: "example.com", Generate: "test"})
	if err != nil {
		t.Fatal(err)
	}
	src := string(out.Client)
	for op, want := range map[string]string{
		"plain": "", "headerKey": "", "anonymous": "",
		"either":    "Auth: engine.AuthAPIKey | engine.AuthSessionToken,",
		"tokenOnly": "Auth: engine.AuthSessionToken,",
	} {
		i := strings.Index(src, `ID: "`+op+`"`)
		if i < 0 {
			t.Fatalf("no descriptor of %s", op)
		}
		desc := strings.Join(strings.Fields(src[i:i+strings.Index(src[i:], "\n}\n")]), " ")
		switch {
		case want == "" && strings.Contains(desc, "Auth:"):
			t.Errorf("%s: %s; want the default (no Auth)", op, desc)
		case want != "" && !strings.Contains(desc, want):
			t.Errorf("%s: %s; want %q", op, desc, want)
		}
	}
	if !strings.Contains(src, "accepts a session token only: give one with api.WithSessionToken") {
		t.Error("the method of a token-only operation does not say how to give one")
	}
}
