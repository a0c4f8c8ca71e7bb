package speccheck

import (
	"bytes"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/anam-ai/anam-go/internal/specload"
)

// The fixture tests run whole documents under testdata/ through the check,
// each with the overlay and tolerated list written for it: a small
// defective document with one defect of each class, and Anam's July 2026
// document with the decisions taken for it. Fixed shapes live in these
// fixtures; the vendored spec/ is only required to pass with its own
// overlay (TestVendoredSpecPasses), whatever it holds.

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
	avatars   = "/paths/~1v1~1avatars"
	personas  = "/paths/~1v1~1personas"
	createReq = personas + "/post/requestBody/content/application~1json"
)

// defectiveLeft are the findings of testdata/defective that its overlay
// does not fix, all of which its tolerated list accepts.
var defectiveLeft = []string{
	RuleNullExample + " /components/examples/VoiceListNote/value",
	RuleAmbiguousOneOfExample + " " + createReq + "/examples/default",
}

// defectiveFixed are the findings its overlay fixes.
var defectiveFixed = []string{
	RuleUnknownSchemaKeyword + " " + createReq + "/schema/oneOf/1/optional",
	RuleStyleInSchema + " " + personas + "/get/parameters/1/schema/style",
	RuleStyleInSchema + " " + personas + "/get/parameters/1/schema/explode",
	RuleNullable + " /components/schemas/Persona/properties/description/nullable",
	// A consequence of the nullable defect: in 3.1 the field refuses the
	// null of the example.
	RuleInvalidExample + " " + personas + "/get/responses/200/content/application~1json/examples/default",
}

func TestDefectiveFixture(t *testing.T) {
	doc := readRepoFile(t, "testdata/defective/swagger.json")
	ov := readRepoFile(t, "testdata/defective/overlay.yaml")
	tol := readRepoFile(t, "testdata/defective/tolerated.yaml")

	t.Run("as published: every defect named with its location", func(t *testing.T) {
		r := check(t, string(doc))
		wantOnly(t, r, append(slices.Clone(defectiveLeft), defectiveFixed...)...)
		err := r.Err()
		for _, k := range append(slices.Clone(defectiveLeft), defectiveFixed...) {
			rule, loc, _ := strings.Cut(k, " ")
			if err == nil || !strings.Contains(err.Error(), rule+" at "+loc+": ") {
				t.Errorf("the error does not name %s at %s: %v", rule, loc, err)
			}
		}
		wantFinding(t, r, RuleUnknownSchemaKeyword, createReq+"/schema/oneOf/1/optional", "`optional`")
		wantFinding(t, r, RuleNullExample, "/components/examples/VoiceListNote/value", "Voices are listed like avatars")
		wantFinding(t, r, RuleAmbiguousOneOfExample, createReq+"/examples/default", "components/examples/CreatePersonaRequest", "branches 0 and 1")
		wantFinding(t, r, RuleNullable, "/components/schemas/Persona/properties/description/nullable", "type: [string, 'null']")
		wantFinding(t, r, RuleStyleInSchema, personas+"/get/parameters/1/schema/style", `"perPage"`)
		wantFinding(t, r, RuleInvalidExample, personas+"/get/responses/200/content/application~1json/examples/default",
			"components/examples/PersonaListResponse", "/data/0/description: ")
		// -fix has a fix for the nullable and both style findings.
		var fixable []string
		for _, fx := range r.Fixes {
			fixable = append(fixable, fx.Finding.key())
		}
		if want := sorted(defectiveFixed[1:4]); !slices.Equal(sorted(fixable), want) {
			t.Errorf("fixable findings %q, want %q", fixable, want)
		}
	})

	t.Run("overlay without the tolerated list: fails naming what is left", func(t *testing.T) {
		r, err := Check(doc, ov, nil)
		if err != nil {
			t.Fatal(err)
		}
		wantOnly(t, r, defectiveLeft...)
		if r.OK() || len(r.Actions) != 11 || len(r.Obsolete()) != 0 {
			t.Errorf("OK %v, %d actions, %d obsolete", r.OK(), len(r.Actions), len(r.Obsolete()))
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
		if want := sorted(defectiveFixed); !slices.Equal(sorted(resolved), want) {
			t.Errorf("resolved %q\nwant %q", resolved, want)
		}
	})

	t.Run("overlay and tolerated list: passes, printing every action and tolerated defect", func(t *testing.T) {
		r, err := Check(doc, ov, tol)
		if err != nil {
			t.Fatal(err)
		}
		if !r.OK() || len(r.Stale) != 0 {
			t.Fatalf("the check failed: %v; stale %v", r.Err(), r.Stale)
		}
		var tolerated []string
		for _, tf := range r.Tolerated {
			tolerated = append(tolerated, tf.key())
		}
		if want := sorted(defectiveLeft); !slices.Equal(sorted(tolerated), want) {
			t.Errorf("tolerated %q, want %q", tolerated, want)
		}
		var out bytes.Buffer
		if err := r.Write(&out); err != nil {
			t.Fatal(err)
		}
		text := out.String()
		for _, a := range r.Actions {
			if a.Description == "" || !strings.Contains(text, "\n  "+a.String()+"\n") {
				t.Errorf("the report does not print the action %q with a description:\n%s", a, text)
			}
		}
		for _, tf := range r.Tolerated {
			if line := "\n  " + tf.Finding.String() + " [tolerated: " + oneLine(tf.Entry.Reason) + "]\n"; !strings.Contains(text, line) {
				t.Errorf("the report does not print the tolerated finding %q", line)
			}
		}
		if want := "OK: OpenAPI 3.1.0 document valid, 11 overlay action(s) applied, 5 finding(s) resolved by them, 2 tolerated."; !strings.Contains(text, want) {
			t.Errorf("the report lacks %q:\n%s", want, text)
		}
	})
}

// The July fixture: Anam's July 2026 document and the decisions taken for
// it, frozen under testdata/july.
func readJuly(t *testing.T) (doc, overlay, tolerated []byte) {
	t.Helper()
	return readRepoFile(t, "testdata/july/swagger.json"), readRepoFile(t, "testdata/july/overlay.yaml"), readRepoFile(t, "testdata/july/tolerated.yaml")
}

func TestJulyFixtureAsPublished(t *testing.T) {
	doc, _, _ := readJuly(t)
	r := check(t, string(doc))
	counts := map[string]int{}
	for _, f := range r.Findings {
		counts[f.Rule]++
	}
	// Its response headers (RateLimit-*, Retry-After) are valid Header
	// Objects, not nameless parameters: no openapi-invalid finding.
	if want := map[string]int{RuleNullable: 4, RuleStyleInSchema: 2, RuleAmbiguousOneOfExample: 2, RuleNullExample: 1}; !maps.Equal(counts, want) {
		t.Errorf("findings %v, want %v", counts, want)
	}
	if len(r.Fixes) != 6 {
		t.Errorf("%d fixes, want 6 (4 nullable, 2 style)", len(r.Fixes))
	}
}

func TestJulyFixtureWithItsOverlay(t *testing.T) {
	doc, ov, tol := readJuly(t)
	r, err := Check(doc, ov, tol)
	if err != nil {
		t.Fatal(err)
	}
	if !r.OK() || len(r.Stale) != 0 || len(r.Fixes) != 0 {
		t.Fatalf("the July fixture fails with its overlay: %v; stale %v; fixes %v", r.Err(), r.Stale, r.Fixes)
	}
	counts := map[string]int{}
	for _, rf := range r.Resolved {
		counts[rf.Rule]++
	}
	if want := map[string]int{RuleNullable: 4, RuleStyleInSchema: 2, RuleNullExample: 1, RuleAmbiguousOneOfExample: 1}; !maps.Equal(counts, want) {
		t.Errorf("resolved by the overlay: %v, want %v", counts, want)
	}
	if len(r.Tolerated) != 1 {
		t.Errorf("%d tolerated findings, want 1", len(r.Tolerated))
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

// TestVendoredSpecPasses checks spec/ as `make validate-spec` does, and only
// what holds for any document: it passes with the committed overlay and
// tolerated list, every action and entry applies and says why, -fix has
// nothing left to write, and the overlay names no schema (inline schemas are
// named by specprep's rule).
func TestVendoredSpecPasses(t *testing.T) {
	doc, ov, tol := readRepoFile(t, "spec/swagger.json"), readRepoFile(t, "spec/overlay.yaml"), readRepoFile(t, "spec/tolerated.yaml")
	r, err := Check(doc, ov, tol)
	if err != nil {
		t.Fatal(err)
	}
	if !r.OK() || len(r.Stale) != 0 || len(r.Fixes) != 0 {
		t.Fatalf("spec/swagger.json fails with spec/overlay.yaml and spec/tolerated.yaml: %v; stale entries %v; fixes left %v", r.Err(), r.Stale, r.Fixes)
	}
	for _, a := range r.Actions {
		if strings.TrimSpace(a.Description) == "" {
			t.Errorf("overlay action %s has no description", a)
		}
	}
	for _, tf := range r.Tolerated {
		if strings.TrimSpace(tf.Entry.Reason) == "" {
			t.Errorf("tolerated %s has no reason", tf.Finding)
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
}
