package speccheck

import (
	"bytes"
	"errors"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// The pipeline tests run a document through what a maintainer runs on a new
// upstream swagger.json: speccheck, then code generation with the repo's
// oapi-codegen.yaml (through generate.go's //go:generate line), then a build
// of the module and go vet of gen/ and api/ against the generated code.

// repoRoot is the module root, seen from this package's directory (where go
// test runs the tests).
const repoRoot = "../.."

func readRepoFile(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(repoRoot, name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

const (
	defDoc       = "testdata/defective/swagger.json"
	defOverlay   = "testdata/defective/overlay.yaml"
	defTolerated = "testdata/defective/tolerated.yaml"

	avatars   = "/paths/~1v1~1avatars"
	avatar    = "/paths/~1v1~1avatars~1{id}"
	personas  = "/paths/~1v1~1personas"
	voices    = "/paths/~1v1~1voices"
	createReq = personas + "/post/requestBody/content/application~1json"
)

// defectiveUntolerated are the findings of the defective document that its
// overlay does not fix, all of which its tolerated list accepts.
var defectiveUntolerated = []string{
	RuleNullExample + " /components/examples/VoiceListNote/value",
	RuleAmbiguousOneOfExample + " " + createReq + "/examples/default",
	RuleErrorResponseWithoutBody + " " + avatars + "/get/responses/401",
	RuleErrorResponseWithoutBody + " " + avatars + "/get/responses/404",
	RuleErrorResponseWithoutBody + " " + avatars + "/get/responses/500",
	RuleErrorResponseWithoutBody + " " + avatar + "/get/responses/400",
	RuleErrorResponseWithoutBody + " " + avatar + "/get/responses/401",
	RuleErrorResponseWithoutBody + " " + avatar + "/get/responses/404",
	RuleErrorResponseWithoutBody + " " + avatar + "/get/responses/500",
	RuleErrorResponseWithoutBody + " " + personas + "/get/responses/401",
	RuleErrorResponseWithoutBody + " " + personas + "/get/responses/500",
	RuleErrorResponseWithoutBody + " " + personas + "/post/responses/400",
	RuleErrorResponseWithoutBody + " " + personas + "/post/responses/401",
	RuleErrorResponseWithoutBody + " " + voices + "/get/responses/401",
	RuleErrorResponseWithoutBody + " " + voices + "/get/responses/500",
}

// defectiveFixed are the findings of the defective document that its
// overlay fixes.
var defectiveFixed = []string{
	RuleInlineSchema + " " + avatars + "/get/responses/200/content/application~1json/schema",
	RuleInlineSchema + " " + personas + "/get/responses/200/content/application~1json/schema",
	RuleInlineSchema + " " + voices + "/get/responses/200/content/application~1json/schema",
	RuleInlineSchema + " " + createReq + "/schema",
	RuleInlineSchema + " " + createReq + "/schema/oneOf/0",
	RuleInlineSchema + " " + createReq + "/schema/oneOf/1",
	RuleUnknownSchemaKeyword + " " + createReq + "/schema/oneOf/1/optional",
	RuleStyleInSchema + " " + personas + "/get/parameters/1/schema/style",
	RuleStyleInSchema + " " + personas + "/get/parameters/1/schema/explode",
	RuleNullable + " /components/schemas/Persona/properties/description/nullable",
	// A consequence of the nullable defect: in 3.1 the field refuses the
	// null of the example.
	RuleInvalidExample + " " + personas + "/get/responses/200/content/application~1json/examples/default",
}

// wantErrNames asserts that err names each "rule location" of want as
// "rule at location".
func wantErrNames(t *testing.T, err error, want []string) {
	t.Helper()
	if err == nil {
		t.Fatal("the check passed; want it to fail")
	}
	for _, w := range want {
		rule, loc, _ := strings.Cut(w, " ")
		if !strings.Contains(err.Error(), rule+" at "+loc+": ") {
			t.Errorf("the error does not name %s at %s:\n%v", rule, loc, err)
		}
	}
}

func TestDefectiveSpecPipeline(t *testing.T) {
	doc, ov, tol := readRepoFile(t, defDoc), readRepoFile(t, defOverlay), readRepoFile(t, defTolerated)

	t.Run("document as published: every defect named with its location", func(t *testing.T) {
		r, err := Check(doc, nil, nil)
		if err != nil {
			t.Fatal(err)
		}
		all := append(append([]string(nil), defectiveUntolerated...), defectiveFixed...)
		wantOnly(t, r, all...)
		wantErrNames(t, r.Err(), all)
		// Each defect class upstream is known for, by its message.
		wantFinding(t, r, RuleUnknownSchemaKeyword, createReq+"/schema/oneOf/1/optional", "`optional`")
		wantFinding(t, r, RuleNullExample, "/components/examples/VoiceListNote/value", "Voices are listed like avatars")
		wantFinding(t, r, RuleAmbiguousOneOfExample, createReq+"/examples/default",
			"components/examples/CreatePersonaRequest", "branches 0 and 1")
		wantFinding(t, r, RuleNullable, "/components/schemas/Persona/properties/description/nullable", "type: [string, 'null']")
		wantFinding(t, r, RuleStyleInSchema, personas+"/get/parameters/1/schema/style", `"perPage"`)
		wantFinding(t, r, RuleErrorResponseWithoutBody, avatar+"/get/responses/404", "getAvatar (GET /v1/avatars/{id})")
		wantFinding(t, r, RuleInlineSchema, avatars+"/get/responses/200/content/application~1json/schema", "ListAvatars200JSONResponseBody")
		wantFinding(t, r, RuleInvalidExample, personas+"/get/responses/200/content/application~1json/examples/default",
			"components/examples/PersonaListResponse", "/data/0/description: ")
	})

	t.Run("overlay without the tolerated list: fails naming what is left", func(t *testing.T) {
		r, err := Check(doc, ov, nil)
		if err != nil {
			t.Fatal(err)
		}
		if r.OK() {
			t.Fatal("the check passed without the tolerated list")
		}
		wantOnly(t, r, defectiveUntolerated...)
		wantErrNames(t, r.Err(), defectiveUntolerated)
		if len(r.Actions) != 11 {
			t.Errorf("%d overlay actions reported, want 11", len(r.Actions))
		}
	})

	t.Run("overlay and tolerated list: passes, printing every action and tolerated defect", func(t *testing.T) {
		r, err := Check(doc, ov, tol)
		if err != nil {
			t.Fatal(err)
		}
		if !r.OK() || r.Err() != nil {
			t.Fatalf("the check failed: %v", r.Err())
		}
		if len(r.Stale) != 0 {
			t.Errorf("stale tolerated entries: %v", r.Stale)
		}
		if len(r.Tolerated) != len(defectiveUntolerated) {
			t.Errorf("%d tolerated findings, want %d", len(r.Tolerated), len(defectiveUntolerated))
		}
		var out bytes.Buffer
		if err := r.Write(&out); err != nil {
			t.Fatal(err)
		}
		text := out.String()
		for _, a := range r.Actions {
			if a.Description == "" {
				t.Errorf("overlay action %s has no description", a.Target)
			}
			if !strings.Contains(text, "\n  "+a.String()+"\n") {
				t.Errorf("the report does not print the action %q:\n%s", a, text)
			}
		}
		for _, tf := range r.Tolerated {
			line := "\n  " + tf.Finding.String() + " [tolerated: " + oneLine(tf.Entry.Reason) + "]\n"
			if !strings.Contains(text, line) {
				t.Errorf("the report does not print the tolerated finding %q", line)
			}
		}
		if !strings.Contains(text, "OK: OpenAPI 3.1.0 document valid, 11 overlay action(s) applied, 15 defect(s) tolerated.") {
			t.Errorf("no OK verdict:\n%s", text)
		}
	})

	t.Run("generate, build and vet", func(t *testing.T) {
		genCode := generateAndBuild(t, doc, ov, apiSurface+defectiveSurface)
		// The overlay's names reached the generator: no response body type
		// is named after its location.
		if strings.Contains(genCode, "JSONResponseBody") {
			t.Error("gen/ has a machine-named response body type")
		}
	})
}

func TestRealSpecPipeline(t *testing.T) {
	doc, ov := readRepoFile(t, "spec/swagger.json"), readRepoFile(t, "spec/overlay.yaml")
	tolName := "spec/tolerated.yaml"
	tol := readRepoFile(t, tolName)

	r, err := Check(doc, ov, tol)
	if err != nil {
		t.Fatal(err)
	}
	if !r.OK() {
		t.Fatalf("spec/swagger.json fails with %s: %v", tolName, r.Err())
	}
	if len(r.Stale) != 0 {
		t.Errorf("stale entries in %s: %v", tolName, r.Stale)
	}
	for _, tf := range r.Tolerated {
		if tf.Rule != RuleErrorResponseWithoutBody {
			t.Errorf("%s tolerates %s; only error responses without a body are expected", tolName, tf.Finding)
		}
	}
	if len(r.Actions) == 0 {
		t.Error("no overlay action reported for spec/overlay.yaml")
	}

	// Without the tolerated list the same check fails, naming them.
	bare, err := Check(doc, ov, nil)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, tf := range r.Tolerated {
		names = append(names, tf.Rule+" "+tf.Location)
	}
	wantErrNames(t, bare.Err(), names)

	t.Run("generate, build and vet", func(t *testing.T) {
		generateAndBuild(t, doc, ov, apiSurface)
	})
}

// apiSurface uses every identifier of gen/ that api/ relies on, with the
// types it relies on, so that a generated gen/ that loses or changes one
// fails to build even before api/ exists.
const apiSurface = `package surfacecheck

import (
	"context"
	"net/http"

	"github.com/anam-ai/anam-go/gen"
)

var (
	_ func(string, ...gen.ClientOption) (*gen.Client, error) = gen.NewClient
	_ func(gen.HttpRequestDoer) gen.ClientOption             = gen.WithHTTPClient
	_ func(gen.RequestEditorFn) gen.ClientOption             = gen.WithRequestEditorFn
	_ gen.RequestEditorFn                                    = func(context.Context, *http.Request) error { return nil }
	_ gen.HttpRequestDoer                                    = (*http.Client)(nil)

	_ = gen.ListAvatarsParams{Page: new(int), PerPage: new(int), Search: new(string), OnlyOneShot: new(bool)}
	_ = gen.AvatarList{Data: &[]gen.Avatar{}, Meta: &gen.Pagination{}}

	_ func(*gen.Client, context.Context, *gen.ListAvatarsParams, ...gen.RequestEditorFn) (*http.Response, error) = (*gen.Client).ListAvatars
	_ func(*gen.Client, context.Context, string, ...gen.RequestEditorFn) (*http.Response, error)                 = (*gen.Client).GetAvatar
)
`

// defectiveSurface checks what the defective document's overlay makes of
// it: named envelopes and request body, and the 3.1 nullable field.
const defectiveSurface = `
var (
	_ = gen.PersonaList{Data: &[]gen.Persona{}, Meta: &gen.Pagination{}}
	_ = gen.VoiceList{Data: &[]gen.Voice{}, Meta: &gen.Pagination{}}
	_ = gen.ListPersonasParams{Page: new(int), PerPage: new(int)}
	_ = gen.ListVoicesParams{Page: new(int), PerPage: new(int)}

	// The overlay's type: [string, 'null'] for Persona.description.
	_ interface{ IsNull() bool } = gen.Persona{}.Description

	_ gen.CreatePersonaJSONRequestBody = gen.CreatePersonaRequest{}
	_                                  = gen.CreatePersonaFromAvatar{}
	_                                  = gen.CreatePersonaFromImage{}

	_ func(*gen.Client, context.Context, gen.CreatePersonaJSONRequestBody, ...gen.RequestEditorFn) (*http.Response, error) = (*gen.Client).CreatePersona
	_ func(*gen.Client, context.Context, *gen.ListPersonasParams, ...gen.RequestEditorFn) (*http.Response, error)          = (*gen.Client).ListPersonas
	_ func(*gen.Client, context.Context, *gen.ListVoicesParams, ...gen.RequestEditorFn) (*http.Response, error)            = (*gen.Client).ListVoices
)
`

// generateAndBuild copies the module (go.mod, go.sum, the root files, spec/,
// internal/, api/ if it exists) into a temporary directory with doc and
// overlay as spec/swagger.json and spec/overlay.yaml, regenerates gen/ with
// `go generate .` (the repo's generate.go and oapi-codegen.yaml, whose
// overlay path is spec/overlay.yaml), adds surface as a package, then runs
// go build ./... and go vet on gen/ and api/. It returns the generated code.
func generateAndBuild(t *testing.T, doc, overlay []byte, surface string) string {
	t.Helper()
	if testing.Short() {
		t.Skip("runs the code generator and the go command")
	}
	goCmd, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go command on PATH")
	}
	dir := t.TempDir()
	copyModule(t, dir)
	write := func(name string, data []byte) {
		t.Helper()
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("spec/swagger.json", doc)
	write("spec/overlay.yaml", overlay)
	write("internal/surfacecheck/surface.go", []byte(surface))
	if err := os.RemoveAll(filepath.Join(dir, "gen")); err != nil {
		t.Fatal(err)
	}

	env := append(os.Environ(), "GOFLAGS=-mod=mod", "GOWORK=off")
	run := func(args ...string) {
		t.Helper()
		start := time.Now()
		cmd := exec.Command(goCmd, args...)
		cmd.Dir = dir
		cmd.Env = env
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("go %s: %v\n%s", strings.Join(args, " "), err, out)
		}
		t.Logf("go %s: %s", strings.Join(args, " "), time.Since(start).Round(time.Millisecond))
	}
	run("generate", ".")
	genCode, err := os.ReadFile(filepath.Join(dir, "gen", "anam.gen.go"))
	if err != nil {
		t.Fatalf("go generate wrote no gen/anam.gen.go: %v", err)
	}
	run("build", "./...")
	vet := []string{"vet", "./gen/..."}
	if _, err := os.Stat(filepath.Join(dir, "api")); err == nil {
		vet = append(vet, "./api/...")
	}
	run(vet...)
	return string(genCode)
}

// copyModule copies what building the module needs into dir: the regular
// files at the root (go.mod, go.sum, generate.go, oapi-codegen.yaml...) and
// the spec, internal, gen and api trees as they are now.
func copyModule(t *testing.T, dir string) {
	t.Helper()
	root, err := filepath.Abs(repoRoot)
	if err != nil {
		t.Fatal(err)
	}
	entries, err := os.ReadDir(root)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if e.Type().IsRegular() {
			copyFile(t, filepath.Join(root, e.Name()), filepath.Join(dir, e.Name()))
		}
	}
	for _, sub := range []string{"spec", "internal", "gen", "api", "cmd"} {
		src := filepath.Join(root, sub)
		if _, err := os.Stat(src); errors.Is(err, fs.ErrNotExist) {
			continue
		}
		err := filepath.WalkDir(src, func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			rel, err := filepath.Rel(root, path)
			if err != nil {
				return err
			}
			switch {
			case d.IsDir():
				return os.MkdirAll(filepath.Join(dir, rel), 0o755)
			case d.Type().IsRegular():
				copyFile(t, path, filepath.Join(dir, rel))
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
}

func copyFile(t *testing.T, src, dst string) {
	t.Helper()
	b, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(dst, b, 0o644); err != nil {
		t.Fatal(err)
	}
}
