package regen

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/anam-ai/anam-go/internal/speccheck"
	"github.com/anam-ai/anam-go/internal/specload"
	"github.com/anam-ai/anam-go/internal/yamltree"
	"gopkg.in/yaml.v3"
)

// repoRoot is the module root, seen from this package's directory.
const repoRoot = "../.."

func read(t *testing.T, rel string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(repoRoot, rel))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// julyDecisions are the overlay and tolerated list taken for the July
// document, frozen with it under testdata/july.
func julyDecisions(t *testing.T) (overlay, tolerated []byte) {
	return read(t, "testdata/july/overlay.yaml"), read(t, "testdata/july/tolerated.yaml")
}

func TestFixtures(t *testing.T) {
	ov, tol := julyDecisions(t)
	operations := func(doc []byte) []string {
		t.Helper()
		loaded, err := specload.LoadBytes(doc, nil)
		if err != nil {
			t.Fatal(err)
		}
		var ids []string
		for _, path := range loaded.Paths.InMatchingOrder() { // sorted
			for _, op := range loaded.Paths.Value(path).Operations() {
				ids = append(ids, op.OperationID)
			}
		}
		slices.Sort(ids)
		return ids
	}
	julyOps := operations(read(t, "testdata/july/swagger.json"))
	for name, want := range fixtureExpectations {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			doc, err := Fixture(repoRoot, name)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.HasPrefix(doc, []byte("{")) {
				t.Errorf("the fixture is not JSON: %.40q", doc)
			}
			p, err := speccheck.Prune(doc, ov, tol)
			if err != nil {
				t.Fatal(err)
			}
			if len(p.Removed) != want.removed || len(p.RemovedTolerated) != want.removedTolerated || !p.Report.OK() {
				t.Errorf("pruning the July overlay: %d actions and %d tolerated entries removed, want %d and %d; %v",
					len(p.Removed), len(p.RemovedTolerated), want.removed, want.removedTolerated, p.Report.Err())
			}
			// The routine's pruning is the proof's rule (overlayAfter).
			kept, removed := overlayAfter(t, doc, ov)
			if got := actionKeys(t, p.Overlay); !slices.Equal(got, kept) || len(removed) != len(p.Removed) {
				t.Errorf("Prune keeps %d actions and removes %d; the rule keeps %d and removes %d", len(got), len(p.Removed), len(kept), len(removed))
			}
			if got := len(operations(doc)) - len(julyOps); got != want.operations {
				t.Errorf("%d operations more than July, want %d", got, want.operations)
			}
		})
	}
	// Reordered: the same operations, the other way round.
	reordered, err := Fixture(repoRoot, "reordered")
	if err != nil {
		t.Fatal(err)
	}
	ops, rev := julyOps, operations(reordered)
	if !slices.Equal(ops, rev) {
		t.Errorf("reordered operations %v, want July's %v", rev, ops)
	}
	firstPath := func(doc []byte) string {
		var n yaml.Node
		if err := yaml.Unmarshal(doc, &n); err != nil {
			t.Fatal(err)
		}
		return yamltree.Pairs(yamltree.Get(n.Content[0], "paths"))[0].Key
	}
	if a, b := firstPath(read(t, "testdata/july/swagger.json")), firstPath(reordered); a == b {
		t.Errorf("the reordered fixture starts with July's first path, %s", a)
	}
	if _, err := Fixture(repoRoot, "nope"); err == nil {
		t.Error("an unknown fixture name is no error")
	}
}

// surfaceJulyTag is the build tag of the surface tests that name the types
// and methods of the SDK generated from the July fixture
// (internal/surface/july_test.go).
const surfaceJulyTag = "surface_july"

// goEnv is the environment of the go commands the proofs run in copies of
// the module: -trimpath lets the build cache serve a copy in any directory
// (without it every copy compiles everything again), no workspace.
func goEnv() []string {
	return append(os.Environ(), "GOFLAGS="+strings.TrimSpace(os.Getenv("GOFLAGS")+" -trimpath"), "GOWORK=off")
}

func runIn(t *testing.T, dir string, env []string, name string, args ...string) string {
	t.Helper()
	start := time.Now()
	cmd := exec.Command(name, args...)
	cmd.Dir, cmd.Env = dir, env
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out)
	}
	t.Logf("%s %s: %s", name, strings.Join(args, " "), time.Since(start).Round(time.Millisecond))
	return string(out)
}

// generated reports whether go generate writes the file: everything under
// gen/, *.gen.go and *.gen.json, wherever the layout puts them.
func generated(rel string) bool {
	return strings.HasPrefix(rel, "gen/") || strings.HasSuffix(rel, ".gen.go") || strings.HasSuffix(rel, ".gen.json")
}

// changedFiles lists the files of dir that differ from root's, or that
// root lacks.
func changedFiles(t *testing.T, root, dir string) []string {
	t.Helper()
	var out []string
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(dir, path)
		a, errA := os.ReadFile(filepath.Join(root, rel))
		b, errB := os.ReadFile(path)
		if errA != nil || errB != nil || !bytes.Equal(a, b) {
			out = append(out, filepath.ToSlash(rel))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TestRegenerate proves, cheaply, the SDK's central promise: regenerating
// from the vendored spec reproduces the committed files, and from a spec the
// SDK has never seen changes nothing but generated files, and the module
// builds. The fixtures (seed, grown, reordered) are updates of the July
// fixture, so each copy gets the decisions frozen with July
// (testdata/july), pruned as `make update-spec` prunes them, whatever is
// vendored. It works in copies of the module with -trimpath, so that the
// build cache serves what did not change. `make prove-update` runs the
// whole routine, tests included, on each fixture.
//
// The july copy holds the July fixture and its decisions as they are:
// there the tests of the generated surface that name July's types and
// methods run (internal/surface, build tag surface_july), on an SDK whose
// shapes do not move with upstream.
func TestRegenerate(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("regenerates and builds the SDK in copies of the module")
	}
	if _, err := exec.LookPath("go"); err != nil {
		t.Skip("no go command")
	}
	julyOverlay, julyTolerated := julyDecisions(t)
	for _, name := range []string{"vendored", "seed", "grown", "reordered", "july"} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			if err := CopyTree(repoRoot, dir); err != nil {
				t.Fatal(err)
			}
			var files map[string][]byte
			switch name {
			case "vendored":
			case "july":
				doc, err := Fixture(repoRoot, name)
				if err != nil {
					t.Fatal(err)
				}
				files = map[string][]byte{SpecFile: doc, OverlayFile: julyOverlay, ToleratedFile: julyTolerated}
			default:
				doc, err := Fixture(repoRoot, name)
				if err != nil {
					t.Fatal(err)
				}
				p, err := speccheck.Prune(doc, julyOverlay, julyTolerated)
				if err != nil {
					t.Fatal(err)
				}
				files = map[string][]byte{SpecFile: doc, OverlayFile: p.Overlay, ToleratedFile: p.Tolerated}
			}
			for rel, data := range files {
				if err := os.WriteFile(filepath.Join(dir, rel), data, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			env := goEnv()
			runIn(t, dir, env, "go", "generate", "./...")
			for _, rel := range changedFiles(t, repoRoot, dir) {
				switch {
				case name == "vendored":
					t.Errorf("go generate ./... changes %s: the committed generated files are stale (run it and commit)", rel)
				case !generated(rel) && rel != SpecFile && rel != OverlayFile && rel != ToleratedFile:
					t.Errorf("regenerating from the %s spec changed %s, which is not a generated file", name, rel)
				}
			}
			switch name {
			case "vendored":
			case "july":
				// The surface tests that need July's shapes, on the SDK
				// generated from it (vet first: go test vets only a few
				// checks).
				runIn(t, dir, env, "go", "vet", "-tags", surfaceJulyTag, "./internal/surface")
				runIn(t, dir, env, "go", "test", "-tags", surfaceJulyTag, "./internal/surface")
			default:
				// The handwritten code builds on any spec: every package
				// compiles (go list -export compiles without linking the
				// commands, which go build ./... would do every time). Tests
				// and vet run in make prove-update.
				runIn(t, dir, env, "go", "list", "-export", "./...")
			}
		})
	}
}

// The mini repository: a module generated from spec/swagger.json by a
// generator of its own (one function of package api per operation), with
// an overlay, a tolerated list and a changelog: the update routine end to
// end, in seconds.
var miniFiles = map[string]string{
	"go.mod":     "module example.com/mini\n\ngo 1.26\n",
	"gen.go":     "// Package mini is generated from spec/.\npackage mini\n\n//go:generate go run ./internal/gen\n",
	"api/doc.go": "// Package api has one function per operation.\npackage api\n",
	"internal/gen/main.go": `package main

import (
	"encoding/json"
	"fmt"
	"os"
	"sort"
	"strings"
)

func main() {
	b, err := os.ReadFile("spec/swagger.json")
	if err != nil {
		panic(err)
	}
	var doc struct {
		Paths map[string]map[string]struct{ OperationID string }
	}
	if err := json.Unmarshal(b, &doc); err != nil {
		panic(err)
	}
	var ids []string
	for _, item := range doc.Paths {
		for _, op := range item {
			if op.OperationID == "failGenerate" {
				fmt.Fprintln(os.Stderr, "gen: cannot generate failGenerate")
				os.Exit(1)
			}
			ids = append(ids, strings.ToUpper(op.OperationID[:1])+op.OperationID[1:])
		}
	}
	sort.Strings(ids)
	src := "// Code generated by internal/gen. DO NOT EDIT.\n\npackage api\n"
	for _, id := range ids {
		src += "\nfunc " + id + "() {}\n"
	}
	if err := os.WriteFile("api/ops.gen.go", []byte(src), 0o644); err != nil {
		panic(err)
	}
}
`,
	"spec/overlay.yaml": `overlay: 1.0.0
x-speakeasy-jsonpath: rfc9535
info: {title: fixes, version: 1.0.0}
# the fixes
actions:
  - target: $.components.schemas.Pet.properties.tag.nullable
    description: Upstream writes 3.0's nullable in a 3.1 document.
    remove: true
  - target: $.components.schemas.Pet.properties.tag
    description: It means tag may be null.
    update: {type: [string, 'null']}
`,
	"spec/tolerated.yaml": "tolerated: []\n",
	"CHANGELOG.md":        "# Changelog\n\n## [Unreleased]\n\n### Added\n\n- Hand-written.\n\n## [0.1.0] - 2026-06-01\n\n- First.\n",
}

// miniSpec is an OpenAPI document with the given paths (YAML at path
// level) whose Pet.tag says nullable the 3.0 way (fixed upstream when
// fixed is set).
func miniSpec(paths string, fixed bool) string {
	tag := `{"type": "string", "nullable": true}`
	if fixed {
		tag = `{"type": ["string", "null"]}`
	}
	return `{"openapi": "3.1.0", "info": {"title": "Mini", "version": "1"}, "paths": {` + paths + `},
 "components": {"schemas": {"Pet": {"type": "object", "properties": {"tag": ` + tag + `}}}}}`
}

const (
	listPets    = `"/pets": {"get": {"operationId": "listPets", "responses": {"200": {"description": "ok"}}}}`
	listWidgets = `"/widgets": {"get": {"operationId": "listWidgets", "responses": {"200": {"description": "ok"}}}}`
	failGen     = `"/boom": {"get": {"operationId": "failGenerate", "responses": {"200": {"description": "ok"}}}}`
)

// gitRepo makes dir a git repository with everything committed, and
// returns the commit.
func gitRepo(t *testing.T, dir string) string {
	t.Helper()
	env := append(os.Environ(), "GIT_AUTHOR_NAME=t", "GIT_AUTHOR_EMAIL=t@example.invalid", "GIT_COMMITTER_NAME=t", "GIT_COMMITTER_EMAIL=t@example.invalid")
	if _, err := os.Stat(filepath.Join(dir, ".git")); err != nil {
		runIn(t, dir, env, "git", "init", "-q")
	}
	runIn(t, dir, env, "git", "add", "-A")
	runIn(t, dir, env, "git", "commit", "-q", "-m", "state")
	return strings.TrimSpace(runIn(t, dir, env, "git", "rev-parse", "HEAD"))
}

// update runs the routine in dir on the candidate document.
func update(t *testing.T, dir, candidate string) (*Result, string, error) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "candidate.json")
	if err := os.WriteFile(path, []byte(candidate), 0o644); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	res, err := Update(context.Background(), Options{Root: dir, Candidate: path, WorkDir: filepath.Join(t.TempDir(), "work"), Stdout: &out, Stderr: &out})
	return res, out.String(), err
}

func TestUpdateRoutine(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("runs the go command and git")
	}
	for _, tool := range []string{"go", "git"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("no %s command", tool)
		}
	}
	dir := t.TempDir()
	for rel, src := range miniFiles {
		p := filepath.Join(dir, rel)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(dir, SpecFile), []byte(miniSpec(listPets, false)), 0o644); err != nil {
		t.Fatal(err)
	}
	runIn(t, dir, goEnv(), "go", "generate", "./...")
	release := gitRepo(t, dir)
	unchanged := func(t *testing.T) {
		t.Helper()
		if st := runIn(t, dir, nil, "git", "status", "--porcelain"); st != "" {
			t.Errorf("the repository changed:\n%s", st)
		}
	}

	t.Run("findings that need a decision: exit 1, nothing changed", func(t *testing.T) {
		cand := strings.Replace(miniSpec(listPets, false), `"Pet":`, `"Owner": {"type": "object", "properties": {"n": {"type": "integer", "nullable": true}}}, "Pet":`, 1)
		_, out, err := update(t, dir, cand)
		var blocked *BlockedError
		if !errors.As(err, &blocked) || ExitStatus(err) != 1 {
			t.Fatalf("error %v (exit %d), want a *BlockedError", err, ExitStatus(err))
		}
		for _, want := range []string{"nullable-keyword-in-3.1 at /components/schemas/Owner/properties/n/nullable",
			"fix: -fix writes: remove $.components.schemas.Owner.properties.n.nullable"} {
			if !strings.Contains(out, want) {
				t.Errorf("output lacks %q:\n%s", want, out)
			}
		}
		unchanged(t)
	})
	t.Run("the checker cannot run: exit 2, nothing changed", func(t *testing.T) {
		_, _, err := update(t, dir, "openapi: [")
		var cannot *CannotRunError
		if !errors.As(err, &cannot) || ExitStatus(err) != 2 || !strings.Contains(err.Error(), "the spec check could not run: parse OpenAPI document") {
			t.Fatalf("error %v (exit %d), want a *CannotRunError with the checker's error", err, ExitStatus(err))
		}
		unchanged(t)
	})
	t.Run("a step fails: exit 3, the step named", func(t *testing.T) {
		_, out, err := update(t, dir, miniSpec(listPets+", "+failGen, false))
		var step *StepError
		if !errors.As(err, &step) || ExitStatus(err) != 3 || step.Step != "go generate ./..." {
			t.Fatalf("error %v (exit %d), want the generate step", err, ExitStatus(err))
		}
		if !strings.Contains(out, "gen: cannot generate failGenerate") {
			t.Errorf("the generator's output is not shown:\n%s", out)
		}
		runIn(t, dir, nil, "git", "checkout", "-q", "--", ".")
		unchanged(t)
	})
	t.Run("an update: obsolete overlay actions pruned, Go measured, changelog entry", func(t *testing.T) {
		res, out, err := update(t, dir, miniSpec(listPets+", "+listWidgets, true))
		if err != nil {
			t.Fatalf("%v\n%s", err, out)
		}
		if res.Base != release || len(res.Pruned.Removed) != 2 {
			t.Errorf("base %s (want %s), %d actions removed (want 2)", res.Base, release, len(res.Pruned.Removed))
		}
		if ov := string(read2(t, dir, OverlayFile)); !strings.Contains(ov, "# the fixes\nactions: []\n") {
			t.Errorf("the overlay after the update:\n%s", ov)
		}
		report := string(read2(t, res.ReportPath, ""))
		for _, want := range []string{"- `api.ListWidgets`: added", "## Added operations (1)", "#### No longer applies",
			"- overlay action #1, remove `$.components.schemas.Pet.properties.tag.nullable`"} {
			if !strings.Contains(report, want) {
				t.Errorf("report lacks %q:\n%s", want, report)
			}
		}
		cl := string(read2(t, dir, ChangelogFile))
		for _, want := range []string{"<!-- specdiff:begin base=" + release + " -->", "- widgets: 1 new operation: listWidgets.", "`api`: 1 new identifier: `ListWidgets`.", "- Hand-written."} {
			if !strings.Contains(cl, want) {
				t.Errorf("CHANGELOG lacks %q:\n%s", want, cl)
			}
		}
		if res.Report.Empty() || len(res.Report.Breaking()) != 0 {
			t.Errorf("report: %+v", res.Report)
		}
	})
	gitRepo(t, dir) // the maintainer commits the update
	t.Run("a second update before the release: the entry stays net", func(t *testing.T) {
		res, out, err := update(t, dir, miniSpec(listWidgets, true))
		if err != nil {
			t.Fatalf("%v\n%s", err, out)
		}
		if res.Base != release {
			t.Errorf("measured from %s, want the release commit %s", res.Base, release)
		}
		cl := string(read2(t, dir, ChangelogFile))
		if strings.Count(cl, "specdiff:begin") != 4 || strings.Contains(cl, "listPets") && !strings.Contains(cl, "1 operation upstream no longer documents: listPets.") ||
			!strings.Contains(cl, "Gone from `api`: `ListPets`.") || !strings.Contains(cl, "widgets: 1 new operation: listWidgets.") {
			t.Errorf("CHANGELOG after a second update (want one entry, from the release):\n%s", cl)
		}
	})
	gitRepo(t, dir)
	t.Run("an update back to the release: the entry goes", func(t *testing.T) {
		if _, out, err := update(t, dir, miniSpec(listPets, true)); err != nil {
			t.Fatalf("%v\n%s", err, out)
		}
		if cl := string(read2(t, dir, ChangelogFile)); strings.Contains(cl, "specdiff") || !strings.Contains(cl, "- Hand-written.") {
			t.Errorf("CHANGELOG after undoing the updates:\n%s", cl)
		}
	})
}

func read2(t *testing.T, dir, rel string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, rel))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestExitStatus(t *testing.T) {
	for err, want := range map[error]int{
		nil: 0,
		&BlockedError{Report: &speccheck.Report{}}:            1,
		fmt.Errorf("wrapped: %w", &StepError{Step: "go vet"}): 3,
		&CannotRunError{What: "x", Err: errors.New("y")}:      2,
		errors.New("anything else"):                           2,
	} {
		if got := ExitStatus(err); got != want {
			t.Errorf("ExitStatus(%v) = %d, want %d", err, got, want)
		}
	}
}
