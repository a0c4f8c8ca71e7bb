package specdiff

import (
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"testing"

	"golang.org/x/exp/apidiff"
)

// writeModule writes a module of the given files into a new directory.
func writeModule(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	files["go.mod"] = "module example.com/sdk\n\ngo 1.26\n"
	for name, src := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// sdk is a module laid out like the SDK: an importable api and gen, a
// nullable package, an internal package and a command, which are no API.
func sdk(genSrc, apiSrc string) map[string]string {
	return map[string]string{
		"nullable/nullable.go": "package nullable\n\ntype Nullable[T any] map[bool]T\n",
		"gen/gen.go":           "package gen\n\nimport \"example.com/sdk/nullable\"\n\nvar _ nullable.Nullable[int]\n\n" + genSrc,
		"api/api.go":           "package api\n\nimport \"example.com/sdk/gen\"\n\ntype Pet = gen.Pet\n\n" + apiSrc,
		"internal/x/x.go":      "package x\n\nfunc Helper() {}\n",
		"cmd/tool/main.go":     "package main\n\nfunc main() {}\n",
	}
}

func TestMeasureAndCompareAPI(t *testing.T) {
	if _, err := exec.LookPath("go"); err != nil {
		t.Skip("no go command")
	}
	before, err := MeasureAPI(writeModule(t, sdk(
		"type Pet struct {\n\tTag *string\n\tName string\n}\n",
		"type Client struct{}\n\nfunc (c *Client) ListPets() []Pet { return nil }\n\nfunc (c *Client) ListLlms() {}\n")))
	if err != nil {
		t.Fatal(err)
	}
	if got, want := before.Packages(), []string{"example.com/sdk/api", "example.com/sdk/gen", "example.com/sdk/nullable"}; !slices.Equal(got, want) {
		t.Errorf("measured %q, want %q (no internal package, no command)", got, want)
	}
	after, err := MeasureAPI(writeModule(t, sdk(
		"type Pet struct {\n\tTag nullable.Nullable[string]\n\tName string\n\tColor *string\n}\n\ntype Owner struct{}\n",
		"type Client struct{}\n\nfunc (c *Client) ListLLMs() {}\n\nfunc (c *Client) ListOwners() []gen.Owner { return nil }\n")), "-trimpath")
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, c := range CompareAPI(before, after) {
		got = append(got, c.String()+map[bool]string{true: "", false: " (incompatible)"}[c.Compatible])
	}
	want := []string{
		"api.(*Client).ListLlms: removed (incompatible)",
		"api.(*Client).ListPets: removed (incompatible)",
		"gen.Pet: old is comparable, new is not (incompatible)",
		"gen.Pet.Tag: changed from *string to example.com/sdk/nullable.Nullable[string] (incompatible)",
		"api.(*Client).ListLLMs: added",
		"api.(*Client).ListOwners: added",
		"gen.Owner: added",
		"gen.Pet.Color: added",
	}
	if !slices.Equal(got, want) {
		t.Errorf("changes:\n  %s\nwant:\n  %s", join(got), join(want))
	}

	// A module that does not build is an error that says where.
	if _, err := MeasureAPI(writeModule(t, sdk("type Pet struct{ Tag undefined }\n", ""))); err == nil {
		t.Error("MeasureAPI of a module that does not type-check succeeded")
	}
}

func join(s []string) string {
	out := ""
	for i, l := range s {
		if i > 0 {
			out += "\n  "
		}
		out += l
	}
	return out
}

func TestParseChange(t *testing.T) {
	mod := "github.com/anam-ai/anam-go"
	for msg, want := range map[string]GoChange{
		"./gen.Avatar.VariantName: changed from *string to nullable.Nullable[string]": {Package: "gen", Name: "Avatar.VariantName", What: "changed from *string to nullable.Nullable[string]"},
		"./api.(*Client).ListWidgets: added":                                          {Package: "api", Name: "(*Client).ListWidgets", What: "added"},
		"./api/anamtest.WithItems: removed":                                           {Package: "api/anamtest", Name: "WithItems", What: "removed"},
		"package github.com/anam-ai/anam-go/upload: removed":                          {Package: "upload", What: "removed"},
		"an unexpected message":                                                       {What: "an unexpected message"},
	} {
		if got := parseChange(apidiff.Change{Message: msg}, mod); got != want {
			t.Errorf("parseChange(%q) = %+v, want %+v", msg, got, want)
		}
	}
	if q := (GoChange{Package: "api/anamtest", Name: "WithItems"}).Qualified(); q != "anamtest.WithItems" {
		t.Errorf("Qualified = %q", q)
	}
}
