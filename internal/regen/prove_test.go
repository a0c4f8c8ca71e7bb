package regen

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/anam-ai/anam-go/internal/specload"
)

var prove = flag.Bool("prove", false, "run `make update-spec` on every fixture in throwaway copies of the repository (make prove-update)")

// expectation is what an update from the July fixture to a fixture must
// do. Each is a fact of the fixture, made of files under testdata/, never
// of the vendored spec.
type expectation struct {
	// removed and removedTolerated are how many actions of the July
	// overlay and entries of its tolerated list the fixture makes obsolete
	// (which ones is the rule's: see overlayAfter).
	removed, removedTolerated int
	// operations is how many operations the fixture has more than July.
	operations int
	// incompatible and compatible are parts of apidiff lines of the report
	// ("Avatar.VariantName`: changed from ..."), in their sections.
	incompatible, compatible []string
	// noIncompatible: the update must break no Go code.
	noIncompatible bool
	// changelog are texts the CHANGELOG entry must hold; noEntry: the
	// update changes nothing for users, so the CHANGELOG stays as it is.
	changelog []string
	noEntry   bool
}

var fixtureExpectations = map[string]expectation{
	// Upstream fixed every defect the overlay patched (its first 14
	// actions): those actions go, the session flow's decisions stay, and
	// the SDK does not change.
	"fixed": {removed: 14, noIncompatible: true, noEntry: true},
	// Name-based targets select the same nodes, and oneOf branches are
	// named by rule, not position: nothing changes, in Go or for users.
	"reordered": {noIncompatible: true, noEntry: true},
	// A plausible next release.
	"grown": {
		operations: 6,
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
	// The older, smaller document: almost everything goes, the actions
	// that add to components it has too excepted.
	"seed": {
		removed: 40, removedTolerated: 1, operations: -55,
		incompatible: []string{"(*Client).ListPersonas`: removed"},
		changelog:    []string{"Gone from `", "operations upstream no longer documents: "},
	},
}

// TestUpdateSpecOnFixtures is the proof by the routine itself: for each
// fixture, in a throwaway copy of the repository (committed to a fresh git
// repository, as a maintainer's clone is), `make update-spec SPEC=...` must
// pass unattended, tests included, leave the overlay and tolerated list as
// the update needs them, and report the right Go consequences. Run it with
// make prove-update.
//
// The copy starts from the July fixture, not from what spec/ holds: its
// spec/ is testdata/july (the document and the decisions frozen with it),
// regenerated and committed as the release. So what each update must do is
// a fact of the fixtures, whatever upstream document is vendored; the
// handwritten code and every test are today's.
func TestUpdateSpecOnFixtures(t *testing.T) {
	if !*prove {
		t.Skip("the proof runs whole updates: make prove-update")
	}
	for _, tool := range []string{"go", "git", "make"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Fatalf("the proof needs %s: %v", tool, err)
		}
	}
	july, err := Fixture(repoRoot, "july")
	if err != nil {
		t.Fatal(err)
	}
	julyOverlay, julyTolerated := julyDecisions(t)
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
			for rel, data := range map[string][]byte{SpecFile: july, OverlayFile: julyOverlay, ToleratedFile: julyTolerated} {
				if err := os.WriteFile(filepath.Join(dir, rel), data, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			runIn(t, dir, goEnv(), "go", "generate", "./...")
			release := gitRepo(t, dir)
			doc, err := Fixture(repoRoot, name)
			if err != nil {
				t.Fatal(err)
			}
			spec := filepath.Join(t.TempDir(), name+".json")
			if err := os.WriteFile(spec, doc, 0o644); err != nil {
				t.Fatal(err)
			}
			work := filepath.Join(t.TempDir(), "update")
			cmd := exec.Command("make", "update-spec", "SPEC="+spec, "UPDATE_DIR="+work)
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
			// The overlay: what the fixture makes obsolete is gone and
			// listed in the report, the rest kept as it was.
			kept, removed := overlayAfter(t, doc, julyOverlay)
			if len(removed) != want.removed {
				t.Errorf("the %s fixture makes %d actions of the July overlay obsolete, want %d", name, len(removed), want.removed)
			}
			if got := actionKeys(t, read2(t, dir, OverlayFile)); !slices.Equal(got, kept) {
				t.Errorf("the overlay after the update has %d actions, want the %d of the July overlay that still apply, unchanged and in order (%d removed: %v)",
					len(got), len(kept), len(removed), removed)
			}
			for _, a := range removed {
				if line := fmt.Sprintf("overlay action #%d, %s `%s`", a.Index+1, a.Kind, a.Target); !strings.Contains(report, line) {
					t.Errorf("the report does not list the removed %q", line)
				}
			}
			if before, after := toleratedEntries(t, julyTolerated), toleratedEntries(t, read2(t, dir, ToleratedFile)); before-after != want.removedTolerated {
				t.Errorf("the update removed %d tolerated entries, want %d", before-after, want.removedTolerated)
			}
			if len(removed) > 0 && !strings.Contains(report, "#### No longer applies") {
				t.Error("the report does not list the overlay actions it removed under \"No longer applies\"")
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

// overlayAfter is what an update to doc must leave of an overlay, by rule:
// the actions doc makes obsolete (specload.Trace: their target selects
// nothing, or upstream now says what they say) are removed, the others
// kept. It returns the kept actions' keys (see actionKeys), in order, and
// the removed actions.
func overlayAfter(t *testing.T, doc, overlay []byte) (kept []string, removed []specload.ActionTrace) {
	t.Helper()
	trace, _, err := specload.Trace(doc, overlay, nil)
	if err != nil {
		t.Fatal(err)
	}
	keys := actionKeys(t, overlay)
	for i, a := range trace {
		if a.Obsolete() {
			removed = append(removed, a)
		} else {
			kept = append(kept, keys[i])
		}
	}
	return kept, removed
}

// toleratedEntries counts the entries of a tolerated list.
func toleratedEntries(t *testing.T, list []byte) int {
	t.Helper()
	var l struct{ Tolerated []yaml.Node }
	if err := yaml.Unmarshal(list, &l); err != nil {
		t.Fatal(err)
	}
	return len(l.Tolerated)
}

// actionKeys identifies each action of an overlay by all it says (target,
// description, update, remove, copy), not by its target alone: two actions
// may patch the same node.
func actionKeys(t *testing.T, overlay []byte) []string {
	t.Helper()
	ov, err := specload.ParseOverlay(overlay)
	if err != nil {
		t.Fatal(err)
	}
	if ov == nil {
		return nil
	}
	var keys []string
	for _, a := range ov.Actions {
		b, err := yaml.Marshal(a)
		if err != nil {
			t.Fatal(err)
		}
		keys = append(keys, string(b))
	}
	return keys
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
