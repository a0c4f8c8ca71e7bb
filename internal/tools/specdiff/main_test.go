package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const baseDoc = `{"openapi": "3.1.0", "info": {"title": "T", "version": "1"},
 "paths": {"/pets": {"get": {"operationId": "listPets", "responses": {"200": {"description": "ok",
   "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Pet"}}}}}}}},
 "components": {"schemas": {"Pet": {"type": "object", "properties": {"tag": {"type": "string"}}}}}}`

var revDoc = strings.Replace(baseDoc, `{"type": "string"}`, `{"type": ["string", "null"]}`, 1)

func write(t *testing.T, dir, name, content string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func runCmd(args ...string) (code int, stdout, stderr string) {
	var out, errOut bytes.Buffer
	code = run(args, &out, &errOut)
	return code, out.String(), errOut.String()
}

func TestReportAndChangelog(t *testing.T) {
	dir := t.TempDir()
	base, rev := write(t, dir, "old.json", baseDoc), write(t, dir, "new.json", revDoc)
	checks := write(t, dir, "checks.md", "## Spec checks\n\nAll clear.\n")
	changelog, report := filepath.Join(dir, "CHANGELOG.md"), filepath.Join(dir, "report.md")

	code, stdout, stderr := runCmd("-base", base, "-revision", rev, "-checks", checks, "-changelog", changelog, "-o", report)
	if code != 0 || stdout != "" || stderr != "" {
		t.Fatalf("exit %d, stdout %q, stderr %q", code, stdout, stderr)
	}
	md, err := os.ReadFile(report)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"**Summary:** Go: not measured; HTTP (oasdiff): 1 breaking", "response-property-became-nullable", "## Spec checks\n\nAll clear.\n"} {
		if !strings.Contains(string(md), want) {
			t.Errorf("report lacks %q:\n%s", want, md)
		}
	}
	first, err := os.ReadFile(changelog)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(first), "## [Unreleased]") || !strings.Contains(string(first), "<!-- specdiff:begin spec=sha256:") ||
		!strings.Contains(string(first), "- Anam API spec updated: T 1 (1 operation) -> T 1 (1 operation).") {
		t.Errorf("changelog:\n%s", first)
	}
	// Same inputs again, report on stdout this time: the changelog is unchanged.
	code, stdout, _ = runCmd("-base", base, "-revision", rev, "-changelog", changelog)
	if code != 0 || !strings.HasPrefix(stdout, "# Spec update report") {
		t.Fatalf("exit %d, stdout %q", code, stdout)
	}
	if second, _ := os.ReadFile(changelog); !bytes.Equal(first, second) {
		t.Errorf("re-run changed the changelog:\n%s", second)
	}
}

func TestBadInputExitsTwo(t *testing.T) {
	dir := t.TempDir()
	good := write(t, dir, "good.json", baseDoc)
	bad := write(t, dir, "bad.json", `{"openapi": "3.1.0", "paths": [`)
	tests := []struct {
		name string
		args []string
		msg  string
	}{
		{"no flags", nil, "-base and -revision are required"},
		{"unknown flag", []string{"-nope"}, "flag provided but not defined"},
		{"unreadable base", []string{"-base", filepath.Join(dir, "missing.json"), "-revision", good}, "read document"},
		{"invalid revision", []string{"-base", good, "-revision", bad}, "revision document " + bad},
		{"unreadable overlay", []string{"-base", good, "-revision", good, "-revision-overlay", filepath.Join(dir, "none.yaml")}, "read overlay"},
		{"unreadable checks", []string{"-base", good, "-revision", good, "-checks", filepath.Join(dir, "none.md")}, "read checks file"},
		{"extra argument", []string{"-base", good, "-revision", good, "stray"}, "unexpected arguments"},
		{"one Go tree", []string{"-base", good, "-revision", good, "-go-before", dir}, "-go-before and -go-after go together"},
		{"Go tree that is no module", []string{"-base", good, "-revision", good, "-go-before", dir, "-go-after", dir}, "type-check the SDK in " + dir},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, stdout, stderr := runCmd(tt.args...)
			if code != 2 || !strings.Contains(stderr, tt.msg) || stdout != "" {
				t.Errorf("exit %d, stderr %q, stdout %q; want 2 and %q", code, stderr, stdout, tt.msg)
			}
		})
	}
}

func TestUnwritableOutputExitsOne(t *testing.T) {
	dir := t.TempDir()
	good, changed := write(t, dir, "good.json", baseDoc), write(t, dir, "changed.json", revDoc)
	code, _, stderr := runCmd("-base", good, "-revision", good, "-o", filepath.Join(dir, "no", "such", "dir", "r.md"))
	if code != 1 || !strings.Contains(stderr, "write report") {
		t.Errorf("exit %d, stderr %q; want 1 and a write error", code, stderr)
	}
	code, _, stderr = runCmd("-base", good, "-revision", changed, "-changelog", filepath.Join(dir, "no", "CHANGELOG.md"))
	if code != 1 || !strings.Contains(stderr, "write changelog") {
		t.Errorf("exit %d, stderr %q; want 1 and a write error", code, stderr)
	}
}

// An update that changes nothing writes a report but no changelog entry.
func TestNoChangeLeavesTheChangelog(t *testing.T) {
	dir := t.TempDir()
	base, rev := write(t, dir, "old.json", baseDoc), write(t, dir, "new.json", baseDoc)
	changelog := filepath.Join(dir, "CHANGELOG.md")
	code, stdout, stderr := runCmd("-base", base, "-revision", rev, "-changelog", changelog)
	if code != 0 || !strings.Contains(stdout, "no changes") {
		t.Fatalf("exit %d, stdout %q, stderr %q", code, stdout, stderr)
	}
	if _, err := os.Stat(changelog); !os.IsNotExist(err) {
		t.Errorf("a changelog was written for no change: %v", err)
	}
}

func TestGoAPIMeasured(t *testing.T) {
	if testing.Short() {
		t.Skip("type-checks two modules")
	}
	dir := t.TempDir()
	base, rev := write(t, dir, "old.json", baseDoc), write(t, dir, "new.json", revDoc)
	module := func(name, src string) string {
		d := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Join(d, "gen"), 0o755); err != nil {
			t.Fatal(err)
		}
		write(t, d, "go.mod", "module example.com/sdk\n\ngo 1.26\n")
		write(t, filepath.Join(d, "gen"), "gen.go", "package gen\n\n"+src)
		return d
	}
	before := module("before", "type Pet struct{ Tag *string }\n")
	after := module("after", "type Pet struct{ Tag []string }\n")
	code, stdout, stderr := runCmd("-base", base, "-revision", rev, "-go-before", before, "-go-after", after)
	if code != 0 {
		t.Fatalf("exit %d, stderr %q", code, stderr)
	}
	for _, want := range []string{"**Summary:** Go: 2 incompatible changes, 0 compatible;", "- `gen.Pet.Tag`: changed from *string to []string\n"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("report lacks %q:\n%s", want, stdout)
		}
	}
}
