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
		"Findings that need a decision: 2\n",
		"  ambiguous-oneof-example at /paths/~1v1~1personas/post/requestBody/content/application~1json/examples/default: ",
		"  null-example at /components/examples/VoiceListNote/value: ",
		"    fix: an overlay action on $.components.examples.VoiceListNote.value in spec/overlay.yaml",
		"Overlay actions: 11\n",
		"  #7 remove $.paths['/v1/personas'].post.requestBody.content['application/json'].schema.oneOf[?(@.properties.imageUrl)].optional: Upstream writes `optional: true`",
		"Tolerated: 0\n",
		"FAIL: 2 finding(s) need a decision, 0 overlay action(s) no longer apply.",
	)
	// The findings first, right after the heading line.
	if !strings.HasPrefix(strings.SplitN(out, "\n", 2)[1], "Findings that need a decision") {
		t.Errorf("the findings are not first:\n%s", out)
	}
	wantLines(t, errOut, "2 finding(s) need a decision, 0 overlay action(s) no longer apply")
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
		"OK: OpenAPI 3.1.0 document valid, 11 overlay action(s) applied, 5 finding(s) resolved by them, 2 tolerated.",
	)
	if strings.Contains(out, "Findings that need") || strings.Contains(out, "Warning") {
		t.Errorf("unexpected failures or warnings:\n%s", out)
	}
	b, err := os.ReadFile(md)
	if err != nil {
		t.Fatal(err)
	}
	wantLines(t, string(b), "### Spec check\n", "passes: nothing needs a decision", "#### Tolerated\n\n2 finding(s)")
}

func TestWithoutOverlayEveryDefectShows(t *testing.T) {
	code, out, _ := runCmd(t, "-spec", repo("testdata/defective/swagger.json"), "-overlay", "", "-tolerate", repo("testdata/defective/tolerated.yaml"))
	if code != 1 {
		t.Fatalf("exit status %d, want 1", code)
	}
	wantLines(t, out,
		"overlay (none)",
		"Overlay actions: 0\n",
		"  unknown-schema-keyword at /paths/~1v1~1personas/post/requestBody/content/application~1json/schema/oneOf/1/optional: ",
		"  nullable-keyword-in-3.1 at /components/schemas/Persona/properties/description/nullable: ",
		"    fix: -fix writes: remove $.components.schemas.Persona.properties.description.nullable; ",
		"  style-in-schema at /paths/~1v1~1personas/get/parameters/1/schema/style: ",
		"    fix: -fix writes: update $.paths['/v1/personas'].get.parameters[?(@.name=='perPage')] with {style: form}",
		"(-fix resolves 3)",
	)
}

func TestStaleEntriesWarn(t *testing.T) {
	tol := filepath.Join(t.TempDir(), "tolerated.yaml")
	data, err := os.ReadFile(repo("testdata/defective/tolerated.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	data = append(data, "  - rule: null-example\n    location: /components/examples/Gone/value\n    reason: fixed upstream since\n"...)
	if err := os.WriteFile(tol, data, 0o644); err != nil {
		t.Fatal(err)
	}
	code, out, _ := runCmd(t, "-spec", repo("testdata/defective/swagger.json"), "-overlay", repo("testdata/defective/overlay.yaml"), "-tolerate", tol)
	if code != 0 {
		t.Fatalf("exit status %d, want 0 (stale entries only warn)", code)
	}
	wantLines(t, out, "Warning: 1 tolerated entry matched nothing", "null-example at /components/examples/Gone/value\n")
}

// staleOverlay's first action is obsolete against the defective document:
// its target is gone.
const staleOverlay = `overlay: 1.0.0
info: {title: o, version: 1.0.0}
# the actions
actions:
  - target: $.paths['/v1/gone'].get
    description: Upstream removed it since.
    update: {x-gone: true}
  - target: $.components.examples.VoiceListNote
    description: Drop the note.
    remove: true
`

func TestObsoleteActionsFailAndPrune(t *testing.T) {
	dir := t.TempDir()
	ov := writeTemp(t, "overlay.yaml", staleOverlay)
	tol := writeTemp(t, "tolerated.yaml", "tolerated:\n  - rule: null-example\n    location: /components/examples/VoiceListNote/value\n    reason: a note.\n")
	args := []string{"-spec", repo("testdata/defective/swagger.json"), "-overlay", ov, "-tolerate", tol}
	code, out, errOut := runCmd(t, args...)
	if code != 1 {
		t.Fatalf("exit status %d, want 1; stderr: %s", code, errOut)
	}
	wantLines(t, out, "Overlay actions that no longer apply: 1 (prune them: make update-spec does)\n  #1 update $.paths['/v1/gone'].get: Upstream removed it since.\n    its target selects nothing")
	wantLines(t, errOut, "1 overlay action(s) no longer apply")

	md := filepath.Join(dir, "checks.md")
	code, out, errOut = runCmd(t, append(args, "-prune", "-report-md", md)...)
	// The obsolete action and the entry it made stale go; the findings the
	// overlay never fixed are still there.
	if code != 1 {
		t.Fatalf("exit status %d, want 1 (findings left); stderr: %s\n%s", code, errOut, out)
	}
	wantLines(t, out, "-prune removed 1 overlay action(s) and 1 tolerated entry:\n  #1 update $.paths['/v1/gone'].get", "tolerated line 2: null-example at /components/examples/VoiceListNote/value: it matches no finding any more")
	if b, _ := os.ReadFile(ov); strings.Contains(string(b), "/v1/gone") || !strings.Contains(string(b), "# the actions\nactions:\n  - target: $.components.examples.VoiceListNote\n") {
		t.Errorf("the pruned overlay:\n%s", b)
	}
	if b, _ := os.ReadFile(tol); string(b) != "tolerated: []\n" {
		t.Errorf("the pruned tolerated list: %q", b)
	}
	b, err := os.ReadFile(md)
	if err != nil {
		t.Fatal(err)
	}
	wantLines(t, string(b), "#### No longer applies\n\nUpstream changed or fixed these; removed from spec/overlay.yaml and spec/tolerated.yaml in this update:\n\n- overlay action #1, update `$.paths['/v1/gone'].get`")
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
		"bad target":          {[]string{"-spec", def, "-overlay", writeTemp(t, "bad.yaml", "overlay: 1.0.0\ninfo: {title: o, version: 1.0.0}\nactions:\n  - {target: '$.[', remove: true}\n")}, "overlay action #1"},
		"fix without overlay": {[]string{"-spec", def, "-overlay", "", "-fix"}, "-fix and -prune write to the -overlay file"},
		"fix and prune":       {[]string{"-spec", def, "-fix", "-prune"}, "do not go together"},
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

func writeTemp(t *testing.T, name, content string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestFix(t *testing.T) {
	// The defective document with an overlay holding one positional
	// action: -fix rewrites its target by name, writes the nullable and
	// style fixes, keeps the overlay's text, checks again and shows them
	// applied; a second run changes nothing.
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
		"-fix wrote 7 overlay action(s) into "+ovPath+" (appended or retargeted) and checked again:\n",
		"Overlay actions written by -fix: 7 (review them)\n",
		"  #1 remove $.paths['/v1/personas'].post.requestBody.content['application/json'].schema.oneOf[?(@.properties.imageUrl)].optional: Not a keyword.",
		"  #2 remove $.components.schemas.Persona.properties.description.nullable: Upstream writes OpenAPI 3.0's `nullable: true`",
		"  #4 update $.paths['/v1/personas'].get.parameters[?(@.name=='perPage')]: Upstream writes a parameter's",
		"Overlay actions: 7\n",
		"OK: OpenAPI 3.1.0 document valid, 7 overlay action(s) applied,",
	)
	written, err := os.ReadFile(ovPath)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(string(written), "# kept comment\n") || strings.Count(string(written), "\n  - target: ") != 7 || strings.Contains(string(written), "oneOf[1]") {
		t.Errorf("the overlay after -fix:\n%s", written)
	}
	if fi, err := os.Stat(ovPath); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("the overlay's mode changed: %v %v", fi.Mode(), err)
	}
	b, err := os.ReadFile(md)
	if err != nil {
		t.Fatal(err)
	}
	wantLines(t, string(b), "#### Fixed automatically\n\n`speccheck -fix` wrote 7 overlay action(s) in this run; review them:\n",
		"- remove `$.components.schemas.Persona.properties.description.nullable`: ")

	code, out, errOut = runCmd(t, args...)
	if code != 0 {
		t.Fatalf("second run: exit status %d; stderr: %s", code, errOut)
	}
	wantLines(t, out, "-fix found nothing to fix mechanically; the overlay is unchanged.\n")
	if again, _ := os.ReadFile(ovPath); string(again) != string(written) {
		t.Error("a second -fix changed the overlay")
	}
	if b, _ = os.ReadFile(md); strings.Contains(string(b), "Fixed automatically") {
		t.Error("the second run reports actions it did not write")
	}
}

func TestFixStartsAMissingOverlay(t *testing.T) {
	ovPath := filepath.Join(t.TempDir(), "new.yaml")
	code, out, errOut := runCmd(t, "-spec", repo("testdata/defective/swagger.json"), "-overlay", ovPath, "-tolerate", repo("testdata/defective/tolerated.yaml"), "-fix")
	// The fixes apply, but the defects -fix cannot resolve still fail it.
	if code != 1 {
		t.Fatalf("exit status %d, want 1; stderr: %s\n%s", code, errOut, out)
	}
	wantLines(t, out, "(missing: -fix starts it)", "-fix wrote 6 overlay action(s)", "unknown-schema-keyword at ")
	b, err := os.ReadFile(ovPath)
	if err != nil || !strings.Contains(string(b), "x-speakeasy-jsonpath: rfc9535\n") {
		t.Errorf("the started overlay (%v):\n%s", err, b)
	}
}

// TestJulyFixture runs the command on the July fixture, with and without
// the overlay taken for it.
func TestJulyFixture(t *testing.T) {
	july := repo("testdata/july/swagger.json")
	md := filepath.Join(t.TempDir(), "r.md")
	code, out, errOut := runCmd(t, "-spec", july, "-overlay", repo("testdata/july/overlay.yaml"), "-tolerate", repo("testdata/july/tolerated.yaml"), "-report-md", md)
	if code != 0 {
		t.Fatalf("exit status %d, want 0; stderr: %s\n%s", code, errOut, out)
	}
	wantLines(t, out, "Tolerated: 1\n", "OK: OpenAPI 3.1.0 document valid, 44 overlay action(s) applied, 8 finding(s) resolved by them, 1 tolerated.")
	if strings.Contains(out, "Warning") || strings.Contains(out, "openapi-invalid") {
		t.Errorf("unexpected warning or invalid finding:\n%s", out)
	}
	b, err := os.ReadFile(md)
	if err != nil {
		t.Fatal(err)
	}
	wantLines(t, string(b), "passes: nothing needs a decision", "- 4 × nullable-keyword-in-3.1: ")

	// Without the overlay, the published document fails on its findings,
	// saying which -fix resolves.
	code, out, _ = runCmd(t, "-spec", july, "-overlay", "", "-tolerate", filepath.Join(t.TempDir(), "none.yaml"))
	if code != 1 {
		t.Fatalf("exit status %d without the overlay, want 1", code)
	}
	wantLines(t, out, "Findings that need a decision: 9\n", "FAIL: 9 finding(s) need a decision (-fix resolves 6), 0 overlay action(s) no longer apply.")
}
