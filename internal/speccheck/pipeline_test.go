package speccheck

import (
	"bytes"
	"errors"
	"io/fs"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/anam-ai/anam-go/internal/specload"
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

// defectiveBlocking are the blocking findings of the defective document that
// its overlay does not fix, all of which its tolerated list accepts.
var defectiveBlocking = []string{
	RuleNullExample + " /components/examples/VoiceListNote/value",
	RuleAmbiguousOneOfExample + " " + createReq + "/examples/default",
}

// defectiveNotices are the notices of the defective document the overlay
// leaves: they never block and need no tolerated entry.
var defectiveNotices = []string{
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

// defectiveFixedBlocking are the blocking findings of the defective
// document that its overlay fixes.
var defectiveFixedBlocking = []string{
	RuleUnknownSchemaKeyword + " " + createReq + "/schema/oneOf/1/optional",
	RuleStyleInSchema + " " + personas + "/get/parameters/1/schema/style",
	RuleStyleInSchema + " " + personas + "/get/parameters/1/schema/explode",
	RuleNullable + " /components/schemas/Persona/properties/description/nullable",
	// A consequence of the nullable defect: in 3.1 the field refuses the
	// null of the example.
	RuleInvalidExample + " " + personas + "/get/responses/200/content/application~1json/examples/default",
}

// defectiveFixedNotices are the notices its overlay resolves, by naming
// the inline schemas.
var defectiveFixedNotices = []string{
	RuleInlineSchema + " " + createReq + "/schema/oneOf/0",
	RuleInlineSchema + " " + createReq + "/schema/oneOf/1",
}

// wantErrNames asserts that err names each "rule location" of want as
// "rule at location", and none of notWant.
func wantErrNames(t *testing.T, err error, want, notWant []string) {
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
	for _, w := range notWant {
		rule, loc, _ := strings.Cut(w, " ")
		if strings.Contains(err.Error(), rule+" at "+loc+": ") {
			t.Errorf("the error names the notice %s at %s", rule, loc)
		}
	}
}

// concat returns the lists one after the other, in a new slice.
func concat(lists ...[]string) []string {
	var out []string
	for _, l := range lists {
		out = append(out, l...)
	}
	return out
}

// keyed is a finding of any kind, rendered as "rule location".
type keyed interface{ key() string }

func (f Finding) key() string { return f.Rule + " " + f.Location }

// pairsOf renders findings as sorted "rule location" pairs.
func pairsOf[F keyed](fs []F) []string {
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

func TestDefectiveSpecPipeline(t *testing.T) {
	doc, ov, tol := readRepoFile(t, defDoc), readRepoFile(t, defOverlay), readRepoFile(t, defTolerated)

	t.Run("document as published: every defect named with its location", func(t *testing.T) {
		r, err := Check(doc, nil, nil)
		if err != nil {
			t.Fatal(err)
		}
		wantOnly(t, r, concat(defectiveBlocking, defectiveNotices, defectiveFixedBlocking, defectiveFixedNotices)...)
		if got, want := pairsOf(r.Findings), sorted(concat(defectiveBlocking, defectiveFixedBlocking)); !slices.Equal(got, want) {
			t.Errorf("blocking findings %q, want %q", got, want)
		}
		wantErrNames(t, r.Err(), concat(defectiveBlocking, defectiveFixedBlocking), concat(defectiveNotices, defectiveFixedNotices))
		// Each defect class upstream is known for, by its message.
		wantFinding(t, r, RuleUnknownSchemaKeyword, createReq+"/schema/oneOf/1/optional", "`optional`")
		wantFinding(t, r, RuleNullExample, "/components/examples/VoiceListNote/value", "Voices are listed like avatars")
		wantFinding(t, r, RuleAmbiguousOneOfExample, createReq+"/examples/default",
			"components/examples/CreatePersonaRequest", "branches 0 and 1")
		wantFinding(t, r, RuleNullable, "/components/schemas/Persona/properties/description/nullable", "type: [string, 'null']")
		wantFinding(t, r, RuleStyleInSchema, personas+"/get/parameters/1/schema/style", `"perPage"`)
		wantFinding(t, r, RuleErrorResponseWithoutBody, avatar+"/get/responses/404", "getAvatar (GET /v1/avatars/{id})")
		wantFinding(t, r, RuleInlineSchema, createReq+"/schema/oneOf/0", "CreatePersonaRequest", "From/As/Merge")
		wantFinding(t, r, RuleInvalidExample, personas+"/get/responses/200/content/application~1json/examples/default",
			"components/examples/PersonaListResponse", "/data/0/description: ")
		// -fix has a fix for the nullable and both style findings.
		var fixable []string
		for _, fx := range r.Fixes {
			fixable = append(fixable, fx.Finding.key())
		}
		slices.Sort(fixable)
		if want := sorted(defectiveFixedBlocking[1:4]); !slices.Equal(fixable, want) {
			t.Errorf("fixable findings %q, want %q", fixable, want)
		}
	})

	t.Run("overlay without the tolerated list: fails naming what is left", func(t *testing.T) {
		r, err := Check(doc, ov, nil)
		if err != nil {
			t.Fatal(err)
		}
		if r.OK() {
			t.Fatal("the check passed without the tolerated list")
		}
		wantOnly(t, r, concat(defectiveBlocking, defectiveNotices)...)
		wantErrNames(t, r.Err(), defectiveBlocking, defectiveNotices)
		if len(r.Actions) != 11 {
			t.Errorf("%d overlay actions reported, want 11", len(r.Actions))
		}
		var resolved []string
		for _, rf := range r.Resolved {
			resolved = append(resolved, rf.key())
			// A style finding is credited first to the action that removes
			// the very keyword.
			if rf.Rule == RuleStyleInSchema {
				kw := rf.Location[strings.LastIndex(rf.Location, "/")+1:]
				if len(rf.By) == 0 || r.Actions[rf.By[0]].Kind != "remove" || !strings.HasSuffix(r.Actions[rf.By[0]].Target, ".schema."+kw) {
					t.Errorf("%s is credited to %v", rf.Finding, rf.By)
				}
			}
		}
		slices.Sort(resolved)
		if want := sorted(concat(defectiveFixedBlocking, defectiveFixedNotices)); !slices.Equal(resolved, want) {
			t.Errorf("resolved %q\nwant %q", resolved, want)
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
		var tolerated []string
		for _, tf := range r.Tolerated {
			tolerated = append(tolerated, tf.key())
		}
		slices.Sort(tolerated)
		if want := sorted(defectiveBlocking); !slices.Equal(tolerated, want) {
			t.Errorf("tolerated %q, want %q", tolerated, want)
		}
		if got, want := pairsOf(r.Notices), sorted(defectiveNotices); !slices.Equal(got, want) {
			t.Errorf("notices %q, want %q", got, want)
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
		for _, want := range []string{
			"Notices (never block): 13\n  error-response-without-body: 13\n    " + avatars + "/get/responses/401\n",
			"OK: OpenAPI 3.1.0 document valid, 11 overlay action(s) applied, 7 finding(s) resolved by them, 2 tolerated, 13 notice(s).",
		} {
			if !strings.Contains(text, want) {
				t.Errorf("the report lacks %q:\n%s", want, text)
			}
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

// julyDoc is Anam's July 2026 document, vendored as spec/swagger.json.
const julyDoc = "spec/swagger.json"

// readJuly returns the vendored July document.
func readJuly(t *testing.T) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(repoRoot, julyDoc))
	if errors.Is(err, fs.ErrNotExist) {
		t.Skipf("%s is absent", julyDoc)
	}
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestJulySpecPassesWithCommittedOverlay(t *testing.T) {
	doc := readJuly(t)
	ov, tol := readRepoFile(t, "spec/overlay.yaml"), readRepoFile(t, "spec/tolerated.yaml")

	r, err := Check(doc, ov, tol)
	if err != nil {
		t.Fatal(err)
	}
	if !r.OK() {
		t.Fatalf("the July document fails with spec/overlay.yaml and spec/tolerated.yaml: %v", r.Err())
	}
	if len(r.Stale) != 0 {
		t.Errorf("stale entries in spec/tolerated.yaml: %v", r.Stale)
	}
	if len(r.Fixes) != 0 {
		t.Errorf("fixes left for -fix: %v", r.Fixes)
	}
	// A handful of human decisions, each with its reason; no notice
	// tolerated, since notices need no entry.
	if n := len(r.Tolerated); n == 0 || n > 5 {
		t.Errorf("%d tolerated findings, want a handful", n)
	}
	for _, tf := range r.Tolerated {
		if tf.Severity() != Blocking || strings.TrimSpace(tf.Entry.Reason) == "" {
			t.Errorf("tolerated %s: severity %s, reason %q", tf.Finding, tf.Severity(), tf.Entry.Reason)
		}
	}
	for _, a := range r.Actions {
		if strings.TrimSpace(a.Description) == "" {
			t.Errorf("overlay action %s has no description", a.Target)
		}
	}
	var code []string // the overlay without its comment lines
	for _, line := range strings.Split(string(ov), "\n") {
		if !strings.HasPrefix(strings.TrimSpace(line), "#") {
			code = append(code, line)
		}
	}
	if strings.Contains(strings.Join(code, "\n"), "x-go-type") {
		t.Error("spec/overlay.yaml names a schema: inline schemas are named by the prep tool's rule")
	}
	// What the overlay resolves: every nullable and style finding, the
	// internal note and the ambiguous personaConfig example.
	counts := map[string]int{}
	for _, rf := range r.Resolved {
		counts[rf.Rule]++
	}
	if want := map[string]int{RuleNullable: 4, RuleStyleInSchema: 2, RuleNullExample: 1, RuleAmbiguousOneOfExample: 1}; !maps.Equal(counts, want) {
		t.Errorf("resolved by the overlay: %v, want %v", counts, want)
	}
	notices := map[string]int{}
	for _, f := range r.Notices {
		notices[f.Rule]++
	}
	if notices[RuleErrorResponseWithoutBody] == 0 || notices[RuleInlineSchema] == 0 || len(notices) != 2 {
		t.Errorf("notices %v", notices)
	}

	// -fix has nothing more to write: the committed overlay is a fixed point.
	again, _, err := CheckAndFix(doc, ov, tol)
	if err != nil || !bytes.Equal(again, ov) {
		t.Errorf("CheckAndFix changed the committed overlay (err %v)", err)
	}

	// The overlaid document loads as the SDK loads it, with the fixes in.
	loaded, err := specload.LoadBytes(doc, ov)
	if err != nil {
		t.Fatalf("specload.LoadBytes: %v", err)
	}
	var tags *openapi3.Parameter
	for _, p := range loaded.Paths.Find("/v1/avatars").Get.Parameters {
		if p.Value != nil && p.Value.Name == "tags" {
			tags = p.Value
		}
	}
	if tags == nil || tags.Style != "form" || tags.Explode == nil || *tags.Explode {
		t.Errorf("the tags parameter after the overlay: %+v", tags)
	}
	if _, ok := loaded.Components.Examples["_CANONICAL_IDS_NOTE"]; ok {
		t.Error("the internal note is still among the examples")
	}
	est := loaded.Components.Schemas["ConcurrencyStatus"].Value.Properties["estimatedWaitSeconds"].Value
	if !est.Type.Includes("null") || !est.Type.Includes("integer") {
		t.Errorf("estimatedWaitSeconds type %v, want [integer, null]", est.Type)
	}
}

func TestJulySpecAsPublished(t *testing.T) {
	// The July document as published. Its response headers (RateLimit-*,
	// Retry-After) are valid Header Objects, not nameless parameters.
	r, err := Check(readJuly(t), nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range allFindings(r) {
		if f.Rule == RuleInvalid || f.Rule == RuleLoad {
			t.Errorf("unexpected %s", f)
		}
	}
	counts := map[string]int{}
	for _, f := range r.Findings {
		counts[f.Rule]++
	}
	if want := map[string]int{RuleNullable: 4, RuleStyleInSchema: 2, RuleAmbiguousOneOfExample: 2, RuleNullExample: 1}; !maps.Equal(counts, want) {
		t.Errorf("blocking findings %v, want %v", counts, want)
	}
	if len(r.Fixes) != 6 {
		t.Errorf("%d fixes, want 6 (4 nullable, 2 style)", len(r.Fixes))
	}
}

// apiSurface uses every identifier of gen/ that api/ relies on, with the
// types it relies on, so that a generated gen/ that loses or changes one
// fails to build even before api/ exists.
const apiSurface = `package surfacecheck

import (
	"context"

	"github.com/anam-ai/anam-go/gen"
)

var (
	_ = gen.Operations
	_ = gen.ListAvatarsParams{Page: new(int), PerPage: new(int), Search: new(string), OnlyOneShot: new(bool)}
	_ = gen.AvatarList{Data: &[]gen.Avatar{}, Meta: &gen.Pagination{}}

	_ func(*gen.Client, context.Context, *gen.ListAvatarsParams, ...gen.RequestOption) (*gen.Page[gen.Avatar], error) = (*gen.Client).ListAvatars
	_ func(*gen.Client, context.Context, string, ...gen.RequestOption) (*gen.Avatar, error)                          = (*gen.Client).GetAvatar
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

	_ func(*gen.Client, context.Context, gen.CreatePersonaJSONRequestBody, ...gen.RequestOption) (*gen.Persona, error)         = (*gen.Client).CreatePersona
	_ func(*gen.Client, context.Context, *gen.ListPersonasParams, ...gen.RequestOption) (*gen.Page[gen.Persona], error) = (*gen.Client).ListPersonas
	_ func(*gen.Client, context.Context, *gen.ListVoicesParams, ...gen.RequestOption) (*gen.Page[gen.Voice], error)     = (*gen.Client).ListVoices
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
	genCode, err := os.ReadFile(filepath.Join(dir, "gen", "models.gen.go"))
	if err != nil {
		t.Fatalf("go generate wrote no gen/models.gen.go: %v", err)
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
	for _, sub := range []string{"spec", "internal", "gen", "api", "cmd", "upload"} {
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
