// Package regen proves the SDK's central promise: a maintainer who drops in
// a new swagger.json runs `go generate ./...` and nothing outside the
// generated files needs an edit. Its test copies the repository, swaps in
// another spec, regenerates, and builds, vets and tests the copy.
package regen

import (
	"bytes"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/anam-ai/anam-go/internal/specprep"
)

const repoRoot = "../.."

// generated are the files `go generate ./...` writes (and a spec swap
// replaces): the only files allowed to differ after regeneration.
var generated = []string{
	"spec/swagger.json", "spec/overlay.yaml", "spec/openapi.gen.json",
	"gen/anam.gen.go", "gen/accessors.gen.go", "api/operations.gen.go",
	"internal/climeta/catalog.gen.go",
}

func read(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(repoRoot, path))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// grownSpec is the vendored spec grown by testdata/grown/overlay.yaml.
func grownSpec(t *testing.T) []byte {
	t.Helper()
	fixed, err := specprep.Prepare(read(t, "spec/swagger.json"), read(t, "spec/overlay.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	grown, err := specprep.Prepare(fixed.JSON, read(t, "testdata/grown/overlay.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	return grown.JSON
}

// grownTest uses what the grown spec adds, through the generated methods,
// against the fake API, which serves the new operations with no edit of
// its own. It is written into the regenerated copy only.
const grownTest = `package api_test

import (
	"context"
	"testing"

	"github.com/anam-ai/anam-go/api"
	"github.com/anam-ai/anam-go/api/anamtest"
)

func TestGrownSurface(t *testing.T) {
	srv := anamtest.NewServer(anamtest.WithT(t), anamtest.WithItems(12))
	c, err := api.NewClient(api.WithAPIKey(srv.APIKey()), api.WithBaseURL(srv.URL))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	w, err := c.CreateWidget(ctx, api.CreateWidgetRequest{Name: "Sprocket"})
	if err != nil {
		t.Fatal(err)
	}
	if w.Name != "Sprocket" || w.ID == "" {
		t.Errorf("created %v", w)
	}
	page, err := c.ListWidgets(ctx, &api.ListWidgetsParams{PerPage: new(5)})
	if err != nil || len(page.Items) != 5 || page.Total() < 13 {
		t.Fatalf("page %v, %v", page, err)
	}
	n := 0
	for widget, err := range c.Widgets(ctx, &api.ListWidgetsParams{PerPage: new(4)}) {
		if err != nil {
			t.Fatal(err)
		}
		_ = widget.Color.IsNull() // nullable.Nullable[string]
		n++
	}
	if n != page.Total() {
		t.Errorf("walked %d widgets of %d", n, page.Total())
	}
	if _, err := c.PolishWidget(ctx, w.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := c.ListWidgetParts(ctx, w.ID); err != nil {
		t.Fatal(err)
	}
	if err := c.DeleteWidget(ctx, w.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := c.GetWidget(ctx, w.ID); err == nil {
		t.Error("a deleted widget is still there")
	}
	var a api.Avatar
	_ = a.VariantName.IsSpecified() // turned nullable
	_ = a.GetVariantName()
	op, ok := api.LookupOperation("listWidgets")
	if !ok || !op.Paginated {
		t.Fatalf("listWidgets = %+v, %v", op, ok)
	}
}
`

func TestRegenerateFromOtherSpecs(t *testing.T) {
	if testing.Short() {
		t.Skip("regenerates and builds the SDK from three specs")
	}
	if _, err := exec.LookPath("go"); err != nil {
		t.Skip("no go command")
	}
	cases := []struct {
		name    string
		spec    []byte
		overlay []byte
		extra   map[string]string // test files written into the copy
		test    bool              // run the api tests in the copy
	}{
		// The vendored spec: regenerating must reproduce the committed files.
		{name: "vendored", spec: read(t, "spec/swagger.json"), overlay: read(t, "spec/overlay.yaml")},
		// The small seed spec the project started from: two operations.
		{name: "seed", spec: read(t, "testdata/seed/swagger.json"), overlay: []byte{}, test: true},
		// A grown spec with operations and fields upstream does not have.
		{name: "grown", spec: grownSpec(t), overlay: []byte{}, test: true,
			extra: map[string]string{"api/grown_test.go": grownTest}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			copyTree(t, repoRoot, dir)
			write(t, dir, "spec/swagger.json", tc.spec)
			write(t, dir, "spec/overlay.yaml", tc.overlay)

			run(t, dir, "go", "generate", "./...")
			changed := diffTree(t, repoRoot, dir)
			for _, f := range changed {
				if !slices.Contains(generated, f) {
					t.Errorf("regenerating changed %s, which is not a generated file", f)
				}
			}
			if tc.name == "vendored" && len(changed) > 0 {
				t.Errorf("regenerating from the vendored spec changed %v: run go generate ./... and commit", changed)
			}
			for name, src := range tc.extra {
				write(t, dir, name, []byte(src))
			}
			run(t, dir, "go", "build", "./...")
			run(t, dir, "go", "vet", "./api/...", "./gen/...", "./cmd/...")
			if tc.test {
				run(t, dir, "go", "test", "-count=1", "./api")
			}
		})
	}
}

func run(t *testing.T, dir string, name string, args ...string) {
	t.Helper()
	cmd := exec.Command(name, args...)
	cmd.Dir = dir
	// The module cache has everything: no network, no workspace.
	cmd.Env = append(os.Environ(), "GOFLAGS=-mod=readonly", "GOWORK=off", "GOPROXY=off")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out)
	}
}

func write(t *testing.T, dir, name string, data []byte) {
	t.Helper()
	if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
		t.Fatal(err)
	}
}

// skipDir are directories the copy leaves out.
func skipDir(rel string) bool {
	return rel == ".git" || strings.HasPrefix(rel, ".git/")
}

func copyTree(t *testing.T, from, to string) {
	t.Helper()
	err := filepath.WalkDir(from, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(from, path)
		rel = filepath.ToSlash(rel)
		if skipDir(rel) {
			return filepath.SkipDir
		}
		if d.IsDir() {
			return os.MkdirAll(filepath.Join(to, rel), 0o755)
		}
		if !d.Type().IsRegular() {
			return nil
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(to, rel), data, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
}

// diffTree lists the files of b that differ from (or are missing in) a.
func diffTree(t *testing.T, a, b string) []string {
	t.Helper()
	var out []string
	err := filepath.WalkDir(b, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(b, path)
		rel = filepath.ToSlash(rel)
		if d.IsDir() || skipDir(rel) {
			return nil
		}
		nb, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		na, err := os.ReadFile(filepath.Join(a, rel))
		if err != nil || !bytes.Equal(na, nb) {
			out = append(out, rel)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}
