package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// repoRoot is the module root, seen from this package's directory.
const repoRoot = "../../.."

func repo(name string) string { return filepath.Join(repoRoot, name) }

func runCmd(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code = run(args, &out, &errOut)
	return code, out.String(), errOut.String()
}

func wantLines(t *testing.T, text string, want ...string) {
	t.Helper()
	for _, w := range want {
		if !strings.Contains(text, w) {
			t.Errorf("output lacks %q:\n%s", w, text)
		}
	}
}

func TestDefectiveSpecFailsWithoutToleratedList(t *testing.T) {
	code, out, errOut := runCmd(t,
		"-spec", repo("testdata/defective/swagger.json"),
		"-overlay", repo("testdata/defective/overlay.yaml"),
		"-tolerate", filepath.Join(t.TempDir(), "missing.yaml"))
	if code != 1 {
		t.Fatalf("exit status %d, want 1; stderr: %s", code, errOut)
	}
	wantLines(t, out,
		"missing.yaml (missing: nothing tolerated)",
		"Blocking findings that need a decision: 2\n",
		"  ambiguous-oneof-example at /paths/~1v1~1personas/post/requestBody/content/application~1json/examples/default: ",
		"  null-example at /components/examples/VoiceListNote/value: ",
		"Overlay actions applied: 11\n",
		"  remove $.paths['/v1/personas'].post.requestBody.content['application/json'].schema.oneOf[1].optional: Upstream writes `optional: true`",
		"Tolerated: 0\n",
		"Notices (never block): 13\n  error-response-without-body: 13\n    /paths/~1v1~1avatars/get/responses/401\n",
		"FAIL: 2 blocking finding(s) need a decision.",
	)
	// Blocking first, notices never named among them.
	if !strings.HasPrefix(strings.SplitN(out, "\n", 2)[1], "Blocking findings") {
		t.Errorf("the blocking findings are not first:\n%s", out)
	}
	if strings.Contains(out, "error-response-without-body at") {
		t.Errorf("a notice is reported as a finding:\n%s", out)
	}
	wantLines(t, errOut, "2 blocking finding(s) need a decision")
}

func TestDefectiveSpecPassesWithToleratedList(t *testing.T) {
	md := filepath.Join(t.TempDir(), "report.md")
	code, out, errOut := runCmd(t,
		"-spec", repo("testdata/defective/swagger.json"),
		"-overlay", repo("testdata/defective/overlay.yaml"),
		"-tolerate", repo("testdata/defective/tolerated.yaml"),
		"-report-md", md)
	if code != 0 {
		t.Fatalf("exit status %d, want 0; stderr: %s\n%s", code, errOut, out)
	}
	wantLines(t, out,
		"Tolerated: 2\n",
		"  null-example at /components/examples/VoiceListNote/value: the example's value is null",
		"[tolerated: Upstream uses this example as a note",
		"OK: OpenAPI 3.1.0 document valid, 11 overlay action(s) applied, 7 finding(s) resolved by them, 2 tolerated, 13 notice(s).",
	)
	if strings.Contains(out, "Blocking findings") || strings.Contains(out, "Warning") {
		t.Errorf("unexpected failures or warnings:\n%s", out)
	}
	b, err := os.ReadFile(md)
	if err != nil {
		t.Fatal(err)
	}
	wantLines(t, string(b), "### Spec check\n", "passes: nothing needs a decision", "#### Tolerated\n\n2 finding(s)", "- error-response-without-body: 13\n")
}

func TestWithoutOverlayEveryDefectShows(t *testing.T) {
	code, out, _ := runCmd(t, "-spec", repo("testdata/defective/swagger.json"), "-overlay", "", "-tolerate", repo("testdata/defective/tolerated.yaml"))
	if code != 1 {
		t.Fatalf("exit status %d, want 1", code)
	}
	wantLines(t, out,
		"overlay (none)",
		"Overlay actions applied: 0\n",
		"  unknown-schema-keyword at /paths/~1v1~1personas/post/requestBody/content/application~1json/schema/oneOf/1/optional: ",
		"  nullable-keyword-in-3.1 at /components/schemas/Persona/properties/description/nullable: ",
		"    -fix would resolve it: remove $.components.schemas.Persona.properties.description.nullable; ",
		"  style-in-schema at /paths/~1v1~1personas/get/parameters/1/schema/style: ",
		"  inline-schema: 2\n    /paths/~1v1~1personas/post/requestBody/content/application~1json/schema/oneOf/0\n",
		"(-fix resolves 3)",
	)
}

func TestStaleEntriesWarn(t *testing.T) {
	tol := filepath.Join(t.TempDir(), "tolerated.yaml")
	data, err := os.ReadFile(repo("testdata/defective/tolerated.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	data = append(data, "  - rule: null-example\n    location: /components/examples/Gone/value\n    reason: fixed upstream since\n"+
		"  - rule: error-response-without-body\n    location: /paths/*/*/responses/401\n    reason: notices need none\n"...)
	if err := os.WriteFile(tol, data, 0o644); err != nil {
		t.Fatal(err)
	}
	code, out, _ := runCmd(t, "-spec", repo("testdata/defective/swagger.json"), "-overlay", repo("testdata/defective/overlay.yaml"), "-tolerate", tol)
	if code != 0 {
		t.Fatalf("exit status %d, want 0 (stale entries only warn)", code)
	}
	wantLines(t, out, "Warning: 2 tolerated entries matched nothing",
		"null-example at /components/examples/Gone/value\n",
		"error-response-without-body at /paths/*/*/responses/401 (a notice rule: notices need no tolerated entry)\n")
}

func TestUsageAndInputErrors(t *testing.T) {
	dir := t.TempDir()
	badTol := filepath.Join(dir, "tolerated.yaml")
	if err := os.WriteFile(badTol, []byte("tolerated:\n  - {rule: null-example, location: /x}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	def := repo("testdata/defective/swagger.json")
	for name, c := range map[string]struct {
		args []string
		want string
	}{
		"missing spec":        {[]string{"-spec", filepath.Join(dir, "nope.json")}, "nope.json"},
		"missing overlay":     {[]string{"-spec", def, "-overlay", filepath.Join(dir, "nope.yaml")}, "nope.yaml"},
		"bad tolerated":       {[]string{"-spec", def, "-overlay", repo("testdata/defective/overlay.yaml"), "-tolerate", badTol}, "gives no reason"},
		"extra argument":      {[]string{"spec/swagger.json"}, "unexpected arguments"},
		"unknown flag":        {[]string{"-specs", "x"}, "flag provided but not defined"},
		"stale overlay":       {[]string{"-spec", def, "-overlay", writeTemp(t, "stale.yaml", staleOverlay)}, "did not match any targets"},
		"fix without overlay": {[]string{"-spec", def, "-overlay", "", "-fix"}, "-fix writes to the -overlay file"},
		"report in a missing directory": {[]string{"-spec", def, "-overlay", repo("testdata/defective/overlay.yaml"), "-tolerate", repo("testdata/defective/tolerated.yaml"),
			"-report-md", filepath.Join(dir, "no", "such", "dir", "r.md")}, "no such file or directory"},
	} {
		t.Run(name, func(t *testing.T) {
			code, _, errOut := runCmd(t, c.args...)
			if code != 2 {
				t.Errorf("exit status %d, want 2; stderr: %s", code, errOut)
			}
			if !strings.Contains(errOut, c.want) {
				t.Errorf("stderr %q lacks %q", errOut, c.want)
			}
		})
	}
}

const staleOverlay = `overlay: 1.0.0
info: {title: o, version: 1.0.0}
actions:
  - target: $.paths['/v1/gone'].get
    update: {x-gone: true}
`

func writeTemp(t *testing.T, name, content string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestFix(t *testing.T) {
	// The defective document with an overlay that only names schemas: -fix
	// writes the nullable and style fixes, keeps the overlay's text, checks
	// again and shows them applied; a second run adds nothing.
	dir := t.TempDir()
	ovPath := filepath.Join(dir, "overlay.yaml")
	orig := "# kept comment\noverlay: 1.0.0\ninfo: {title: o, version: 1.0.0}\nactions:\n" +
		"  - target: $.paths['/v1/personas'].post.requestBody.content['application/json'].schema.oneOf[1].optional\n" +
		"    description: Not a keyword.\n    remove: true\n"
	if err := os.WriteFile(ovPath, []byte(orig), 0o600); err != nil {
		t.Fatal(err)
	}
	md := filepath.Join(dir, "r.md")
	args := []string{"-spec", repo("testdata/defective/swagger.json"), "-overlay", ovPath, "-tolerate", repo("testdata/defective/tolerated.yaml"), "-fix", "-report-md", md}

	code, out, errOut := runCmd(t, args...)
	if code != 0 {
		t.Fatalf("exit status %d, want 0; stderr: %s\n%s", code, errOut, out)
	}
	wantLines(t, out,
		"-fix appended 6 overlay action(s) to "+ovPath+" and checked again:\n",
		"Overlay actions written by -fix: 6 (review them)\n",
		"  remove $.components.schemas.Persona.properties.description.nullable: Upstream writes OpenAPI 3.0's `nullable: true`",
		"  update $.paths['/v1/personas'].get.parameters[1]: Upstream writes a parameter's",
		"Overlay actions applied: 7\n",
		"OK: OpenAPI 3.1.0 document valid, 7 overlay action(s) applied,",
	)
	written, err := os.ReadFile(ovPath)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(string(written), orig) || strings.Count(string(written), "\n  - target: ") != 7 {
		t.Errorf("the overlay after -fix:\n%s", written)
	}
	if fi, err := os.Stat(ovPath); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("the overlay's mode changed: %v %v", fi.Mode(), err)
	}
	b, err := os.ReadFile(md)
	if err != nil {
		t.Fatal(err)
	}
	wantLines(t, string(b), "#### Fixed automatically\n\n`speccheck -fix` wrote 6 overlay action(s) in this run; review them:\n",
		"- remove `$.components.schemas.Persona.properties.description.nullable`: ")

	code, out, errOut = runCmd(t, args...)
	if code != 0 {
		t.Fatalf("second run: exit status %d; stderr: %s", code, errOut)
	}
	wantLines(t, out, "-fix found nothing to fix mechanically; the overlay is unchanged.\n")
	again, err := os.ReadFile(ovPath)
	if err != nil {
		t.Fatal(err)
	}
	if string(again) != string(written) {
		t.Error("a second -fix changed the overlay")
	}
	b, err = os.ReadFile(md)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(b), "Fixed automatically") {
		t.Error("the second run reports actions it did not write")
	}
}

func TestFixStartsAMissingOverlay(t *testing.T) {
	ovPath := filepath.Join(t.TempDir(), "new.yaml")
	code, out, errOut := runCmd(t, "-spec", repo("testdata/defective/swagger.json"), "-overlay", ovPath, "-tolerate", repo("testdata/defective/tolerated.yaml"), "-fix")
	// The fixes apply, but the defects -fix cannot resolve still block.
	if code != 1 {
		t.Fatalf("exit status %d, want 1; stderr: %s\n%s", code, errOut, out)
	}
	wantLines(t, out, "(missing: -fix starts it)", "-fix appended 6 overlay action(s)", "unknown-schema-keyword at ")
	if _, err := os.Stat(ovPath); err != nil {
		t.Error(err)
	}
}

// julyDoc is Anam's July 2026 document, vendored as spec/swagger.json.
var julyDoc = repo("spec/swagger.json")

func TestJulySpecWithCommittedOverlay(t *testing.T) {
	if _, err := os.Stat(julyDoc); err != nil {
		t.Skipf("%s: %v", julyDoc, err)
	}
	md := filepath.Join(t.TempDir(), "r.md")
	code, out, errOut := runCmd(t, "-spec", julyDoc, "-overlay", repo("spec/overlay.yaml"), "-tolerate", repo("spec/tolerated.yaml"), "-report-md", md)
	if code != 0 {
		t.Fatalf("exit status %d, want 0; stderr: %s\n%s", code, errOut, out)
	}
	wantLines(t, out, "Tolerated: 1\n", "OK: OpenAPI 3.1.0 document valid, 14 overlay action(s) applied, 8 finding(s) resolved by them, 1 tolerated, ")
	if strings.Contains(out, "Warning") || strings.Contains(out, "openapi-invalid") {
		t.Errorf("unexpected warning or invalid finding:\n%s", out)
	}
	b, err := os.ReadFile(md)
	if err != nil {
		t.Fatal(err)
	}
	wantLines(t, string(b), "passes: nothing needs a decision", "- 4 × nullable-keyword-in-3.1: ", "- error-response-without-body: ", "- inline-schema: ")

	// Without the overlay, the published document fails on its blocking
	// findings, saying which -fix resolves.
	code, out, _ = runCmd(t, "-spec", julyDoc, "-overlay", "", "-tolerate", filepath.Join(t.TempDir(), "none.yaml"))
	if code != 1 {
		t.Fatalf("exit status %d without the overlay, want 1", code)
	}
	wantLines(t, out, "Blocking findings that need a decision: 9\n", "FAIL: 9 blocking finding(s) need a decision (-fix resolves 6).")
}
