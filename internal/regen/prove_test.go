package regen

import (
	"bytes"
	"flag"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/anam-ai/anam-go/internal/specload"
)

var prove = flag.Bool("prove", false, "run `make update-spec` on every fixture in throwaway copies of the repository (make prove-update)")

// A test that pins the July document's shapes is a bug of that test: tests
// must hold for any vendored spec. While its owner fixes it, the proof can
// leave it out of the throwaway copy of one fixture, and says so in its
// log, so that it reports what the routine does: PROVE_SKIP_TESTS_<fixture>
// is a -skip pattern for `go test ./...`, PROVE_SKIP_FILES_<fixture> test
// files to delete (for one that does not even compile with that spec).
// make prove-update sets them. PROVE_FIXTURES limits the fixtures proved.
func proveSkips(fixture string) (tests string, files []string) {
	return os.Getenv("PROVE_SKIP_TESTS_" + fixture), strings.Fields(os.Getenv("PROVE_SKIP_FILES_" + fixture))
}

// expectation is what the report of an update to a fixture must say.
type expectation struct {
	// incompatible and compatible are parts of apidiff lines of the report
	// ("Avatar.VariantName`: changed from ..."), in their sections.
	incompatible, compatible []string
	// noIncompatible: the update must break no Go code.
	noIncompatible bool
	// pruned: the actions of the July overlay (testdata/july) that
	// spec/overlay.yaml holds are gone after the update (true), or no
	// action is (false).
	pruned bool
	// changelog are texts the CHANGELOG entry must hold; noEntry: the
	// update changes nothing for users, so the CHANGELOG stays as it is.
	changelog []string
	noEntry   bool
}

var fixtureExpectations = map[string]expectation{
	// Upstream fixed what the overlay patched: the actions go, and the SDK
	// does not change.
	"fixed": {noIncompatible: true, pruned: true, noEntry: true},
	// The overlay still selects the same nodes; operations come and go
	// nowhere. Inline oneOf branches are named by position (specprep's
	// naming rule), so their types swap, and apidiff says so.
	"reordered": {},
	// A plausible next release.
	"grown": {
		incompatible: []string{
			"Avatar.VariantName`: changed from *string to nullable.Nullable[string]",
			"Avatar.ImageURL`: changed from *string to nullable.Nullable[string]",
		},
		compatible: []string{
			"(*Client).ListWidgets`: added",
			"(*Client).PolishWidget`: added",
			"(*Client).ListWidgetParts`: added",
			"AvatarRenderStyleCartoon`: added",
			"VoiceProviderAZURE`: added",
			"ListAvatarsParams.Sort`: added",
			"RateLimitError`: added",
		},
		changelog: []string{
			"widgets: 6 new operations: ",
			"Avatar.VariantName` is now `nullable.Nullable[string]` (was `*string`)",
		},
	},
	// The older, smaller document: almost everything goes.
	"seed": {
		incompatible: []string{"(*Client).ListPersonas`: removed"},
		pruned:       true,
		changelog:    []string{"Gone from `", "operations upstream no longer documents: "},
	},
}

// TestUpdateSpecOnFixtures is the proof by the routine itself: for each
// fixture, in a throwaway copy of the repository (committed to a fresh git
// repository, as a maintainer's clone is), `make update-spec SPEC=...` must
// pass unattended, leave the overlay and tolerated list as the update needs
// them, and report the right Go consequences. Run it with make
// prove-update.
func TestUpdateSpecOnFixtures(t *testing.T) {
	if !*prove {
		t.Skip("the proof runs whole updates: make prove-update")
	}
	for _, tool := range []string{"go", "git", "make"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Fatalf("the proof needs %s: %v", tool, err)
		}
	}
	julyOverlay, _ := julyDecisions(t)
	julyTargets := map[string]bool{}
	for _, a := range mustTrace(t, julyOverlay) {
		julyTargets[a.Target] = true
	}
	fixtures := []string{"fixed", "reordered", "grown", "seed"}
	if f := strings.Fields(os.Getenv("PROVE_FIXTURES")); len(f) > 0 {
		fixtures = f
	}
	for _, name := range fixtures {
		want, ok := fixtureExpectations[name]
		if !ok {
			t.Fatalf("no fixture %q to prove", name)
		}
		t.Run(name, func(t *testing.T) {
			start := time.Now()
			dir := filepath.Join(t.TempDir(), "repo")
			if err := CopyTree(repoRoot, dir); err != nil {
				t.Fatal(err)
			}
			skipTests, skipFiles := proveSkips(name)
			for _, f := range skipFiles {
				if !strings.HasSuffix(f, "_test.go") {
					t.Fatalf("PROVE_SKIP_FILES names %s, which is no test file", f)
				}
				if err := os.Remove(filepath.Join(dir, f)); err != nil {
					t.Fatalf("PROVE_SKIP_FILES: %v", err)
				}
				t.Logf("SKIPPED in this copy: %s (it pins the July document's shapes; its owner must fix it)", f)
			}
			testFlags := ""
			if skipTests != "" {
				testFlags = "-skip " + skipTests
				t.Logf("SKIPPED in this copy: go test -skip '%s' (they pin the July document's shapes; their owners must fix them)", skipTests)
			}
			release := gitRepo(t, dir)
			var before []string // the committed overlay's targets
			for _, a := range mustTrace(t, read2(t, dir, OverlayFile)) {
				before = append(before, a.Target)
			}
			doc, err := Fixture(repoRoot, name)
			if err != nil {
				t.Fatal(err)
			}
			spec := filepath.Join(t.TempDir(), name+".json")
			if err := os.WriteFile(spec, doc, 0o644); err != nil {
				t.Fatal(err)
			}
			work := filepath.Join(t.TempDir(), "update")
			cmd := exec.Command("make", "update-spec", "SPEC="+spec, "UPDATE_DIR="+work, "UPDATE_TEST_FLAGS="+testFlags)
			cmd.Dir, cmd.Env = dir, goEnv()
			out, err := cmd.CombinedOutput()
			t.Logf("make update-spec SPEC=%s: %s", name, time.Since(start).Round(time.Second))
			if err != nil {
				t.Fatalf("make update-spec on the %s fixture did not pass unattended: %v\n%s", name, err, tail(out, 120))
			}
			report := string(read2(t, work, "report.md"))
			incompatible, compatible := section(report, "## Go API: incompatible changes"), section(report, "## Go API: compatible changes")
			for _, p := range want.incompatible {
				if !strings.Contains(incompatible, p) {
					t.Errorf("the report does not name the incompatible change %q:\n%s", p, incompatible)
				}
			}
			for _, p := range want.compatible {
				if !strings.Contains(compatible, p) {
					t.Errorf("the report does not name the compatible change %q", p)
				}
			}
			if want.noIncompatible && !strings.Contains(incompatible, "None: code written against the previous SDK still compiles.") {
				t.Errorf("the update breaks Go code:\n%s", incompatible)
			}
			// The overlay: what no longer applies is gone, the rest kept.
			overlay := string(read2(t, dir, OverlayFile))
			for _, target := range before {
				gone := !strings.Contains(overlay, target)
				switch {
				case want.pruned && julyTargets[target] && !gone:
					t.Errorf("overlay action on %s is still there; upstream made it obsolete", target)
				case !want.pruned && gone:
					t.Errorf("overlay action on %s was removed", target)
				}
			}
			if want.pruned && !strings.Contains(report, "#### No longer applies") {
				t.Error("the report does not list the overlay actions it removed")
			}
			changelog := string(read2(t, dir, ChangelogFile))
			switch entry := strings.Contains(changelog, "<!-- specdiff:begin base="+release+" -->"); {
			case want.noEntry && entry:
				t.Errorf("an update that changes nothing for users wrote a CHANGELOG entry:\n%s", section(changelog, "## [Unreleased]"))
			case !want.noEntry && !entry:
				t.Errorf("no CHANGELOG entry measured from the release commit %s", release)
			}
			for _, s := range want.changelog {
				if !strings.Contains(changelog, s) {
					t.Errorf("the CHANGELOG entry lacks %q", s)
				}
			}
			// Every break is in the CHANGELOG's Breaking section, one line each.
			if b := section(changelog, "### Breaking"); incompatible != "" && !strings.Contains(incompatible, "None:") && b == "" {
				t.Error("incompatible changes but no Breaking section in the CHANGELOG")
			}
			if name == "reordered" {
				provesReorder(t, dir, report)
			}
			t.Logf("Go consequences measured for %s:\n%s", name, incompatible)
		})
	}
}

// provesReorder checks that after a reorder the name-based overlay still
// patched the right nodes, and that no operation came or went.
func provesReorder(t *testing.T, dir, report string) {
	t.Helper()
	prepared := read2(t, dir, "spec/openapi.gen.json")
	loaded, err := specload.LoadBytes(prepared, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range loaded.Paths.Find("/v1/avatars").Get.Parameters {
		if v := p.Value; v != nil && v.Name == "tags" && (v.Style != "form" || v.Explode == nil || *v.Explode) {
			t.Errorf("after the reorder, the overlay no longer makes tags a form with explode false: %+v", v)
		}
	}
	for _, s := range []string{"## Added operations", "## Removed operations"} {
		if strings.Contains(report, s) {
			t.Errorf("a reorder %s", strings.ToLower(strings.TrimPrefix(s, "## ")))
		}
	}
}

// section returns the text of a Markdown section: from its heading to the
// next heading of the same level or higher.
func section(md, heading string) string {
	i := strings.Index(md, heading)
	if i < 0 {
		return ""
	}
	level := strings.Count(strings.Fields(heading)[0], "#")
	rest := md[i+len(heading):]
	for _, h := range []string{"\n# ", "\n## ", "\n### "}[:level] {
		if j := strings.Index(rest, h); j >= 0 {
			rest = rest[:j]
		}
	}
	return rest
}

func tail(b []byte, lines int) string {
	ls := bytes.Split(b, []byte("\n"))
	if len(ls) > lines {
		ls = ls[len(ls)-lines:]
	}
	return string(bytes.Join(ls, []byte("\n")))
}

func mustTrace(t *testing.T, overlay []byte) []specload.ActionTrace {
	t.Helper()
	trace, _, err := specload.Trace(read(t, "testdata/july/swagger.json"), overlay, nil)
	if err != nil {
		t.Fatal(err)
	}
	return trace
}
