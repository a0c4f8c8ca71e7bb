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
		"Overlay actions applied: 11\n",
		"  remove $.paths['/v1/personas'].post.requestBody.content['application/json'].schema.oneOf[1].optional: Upstream writes `optional: true`",
		"Tolerated defects: 0\n",
		"Untolerated defects: 15\n",
		"  null-example at /components/examples/VoiceListNote/value: ",
		"  ambiguous-oneof-example at /paths/~1v1~1personas/post/requestBody/content/application~1json/examples/default: ",
		"  error-response-without-body at /paths/~1v1~1avatars~1{id}/get/responses/404: ",
		"FAIL: 15 untolerated defect(s).",
	)
	wantLines(t, errOut, "15 untolerated defect(s)")
}

func TestDefectiveSpecPassesWithToleratedList(t *testing.T) {
	code, out, errOut := runCmd(t,
		"-spec", repo("testdata/defective/swagger.json"),
		"-overlay", repo("testdata/defective/overlay.yaml"),
		"-tolerate", repo("testdata/defective/tolerated.yaml"))
	if code != 0 {
		t.Fatalf("exit status %d, want 0; stderr: %s\n%s", code, errOut, out)
	}
	wantLines(t, out,
		"Tolerated defects: 15\n",
		"  null-example at /components/examples/VoiceListNote/value: the example's value is null",
		"[tolerated: Upstream uses this example as a note",
		"OK: OpenAPI 3.1.0 document valid, 11 overlay action(s) applied, 15 defect(s) tolerated.",
	)
	if strings.Contains(out, "Untolerated") || strings.Contains(out, "Warning") {
		t.Errorf("unexpected failures or warnings:\n%s", out)
	}
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
		"  style-in-schema at /paths/~1v1~1personas/get/parameters/1/schema/style: ",
		"  inline-schema at /paths/~1v1~1avatars/get/responses/200/content/application~1json/schema: ",
	)
}

func TestStaleEntriesWarn(t *testing.T) {
	tol := filepath.Join(t.TempDir(), "tolerated.yaml")
	data, err := os.ReadFile(repo("testdata/defective/tolerated.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	data = append(data, "  - rule: inline-schema\n    location: /paths/~1v1~1gone/get/responses/200/content/application~1json/schema\n    reason: fixed upstream since\n"...)
	if err := os.WriteFile(tol, data, 0o644); err != nil {
		t.Fatal(err)
	}
	code, out, _ := runCmd(t, "-spec", repo("testdata/defective/swagger.json"), "-overlay", repo("testdata/defective/overlay.yaml"), "-tolerate", tol)
	if code != 0 {
		t.Fatalf("exit status %d, want 0 (stale entries only warn)", code)
	}
	wantLines(t, out, "Warning: 1 tolerated entry matched nothing", "inline-schema at /paths/~1v1~1gone/get/responses/200/content/application~1json/schema")
}

func TestUsageAndInputErrors(t *testing.T) {
	badTol := filepath.Join(t.TempDir(), "tolerated.yaml")
	if err := os.WriteFile(badTol, []byte("tolerated:\n  - {rule: null-example, location: /x}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for name, c := range map[string]struct {
		args []string
		want string
	}{
		"missing spec":    {[]string{"-spec", filepath.Join(t.TempDir(), "nope.json")}, "nope.json"},
		"missing overlay": {[]string{"-spec", repo("spec/swagger.json"), "-overlay", filepath.Join(t.TempDir(), "nope.yaml")}, "nope.yaml"},
		"bad tolerated":   {[]string{"-spec", repo("spec/swagger.json"), "-overlay", repo("spec/overlay.yaml"), "-tolerate", badTol}, "gives no reason"},
		"extra argument":  {[]string{"spec/swagger.json"}, "unexpected arguments"},
		"unknown flag":    {[]string{"-specs", "x"}, "flag provided but not defined"},
		"stale overlay":   {[]string{"-spec", repo("spec/swagger.json"), "-overlay", repo("testdata/defective/overlay.yaml")}, "did not match any targets"},
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

func TestRealSpecWithProposedList(t *testing.T) {
	code, out, errOut := runCmd(t, "-spec", repo("spec/swagger.json"), "-overlay", repo("spec/overlay.yaml"), "-tolerate", repo("spec/tolerated.yaml"))
	if code != 0 {
		t.Fatalf("exit status %d, want 0; stderr: %s\n%s", code, errOut, out)
	}
	wantLines(t, out, "Overlay actions applied: 1\n", "  update $.paths['/v1/avatars'].get.responses['200'].content['application/json'].schema: ", "gen.AvatarList", "Tolerated defects: 7\n")
}
