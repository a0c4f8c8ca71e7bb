package specdiff

import (
	"strings"
	"testing"
)

var testItems = map[string][]string{
	"Added":   {"`GET /pets` (listPets): query parameter limit (optional, Go *int)"},
	"Changed": {"API spec updated: Test API 1.0 (1 operation) -> Test API 1.1 (2 operations).", "**BREAKING (Go):** Pet.tag: string -> [string, null]"},
}

func TestMergeChangelogCreates(t *testing.T) {
	got := string(MergeChangelog(nil, "sha256:k1", testItems))
	want := ChangelogHeader + `
## [Unreleased]

### Added

<!-- specdiff:begin sha256:k1 -->
- ` + "`GET /pets` (listPets): query parameter limit (optional, Go *int)" + `
<!-- specdiff:end -->

### Changed

<!-- specdiff:begin sha256:k1 -->
- API spec updated: Test API 1.0 (1 operation) -> Test API 1.1 (2 operations).
- **BREAKING (Go):** Pet.tag: string -> [string, null]
<!-- specdiff:end -->
`
	if got != want {
		t.Errorf("got:\n%s\nwant:\n%s", got, want)
	}
	// Re-running the same update changes nothing.
	if again := string(MergeChangelog([]byte(got), "sha256:k1", testItems)); again != got {
		t.Errorf("second merge duplicated or changed the entry:\n%s", again)
	}
}

const existing = `# Changelog

All notable changes to this project will be documented in this file.

## [Unreleased]

### Added

- Hand-written SDK feature.

### Fixed

- Hand-written fix.

## [0.1.0] - 2026-06-01

### Added

- First release.

[Unreleased]: https://github.com/anam-ai/anam-go/compare/v0.1.0...HEAD
[0.1.0]: https://github.com/anam-ai/anam-go/releases/tag/v0.1.0
`

func TestMergeChangelogKeepsHandWrittenEntriesAndOlderVersions(t *testing.T) {
	got := string(MergeChangelog([]byte(existing), "sha256:k1", testItems))
	older := existing[strings.Index(existing, "## [0.1.0]"):]
	if !strings.HasSuffix(got, older) {
		t.Errorf("older versions and link references changed:\n%s", got)
	}
	unreleased := got[strings.Index(got, "## [Unreleased]"):strings.Index(got, "## [0.1.0]")]
	for _, want := range []string{"- Hand-written fix.", "- Hand-written SDK feature.\n<!-- specdiff:begin sha256:k1 -->\n- `GET /pets`", "### Changed\n\n<!-- specdiff:begin sha256:k1 -->"} {
		if !strings.Contains(unreleased, want) {
			t.Errorf("Unreleased lacks %q:\n%s", want, unreleased)
		}
	}
	// New subsections go in Keep a Changelog order (Added, Changed before
	// Fixed), existing ones stay where they are.
	if !(strings.Index(unreleased, "### Added") < strings.Index(unreleased, "### Changed") &&
		strings.Index(unreleased, "### Changed") < strings.Index(unreleased, "### Fixed")) {
		t.Errorf("subsections out of order:\n%s", unreleased)
	}
	if again := string(MergeChangelog([]byte(got), "sha256:k1", testItems)); again != got {
		t.Errorf("re-run is not idempotent:\n%s", again)
	}

	// A corrected re-run of the same update (same key) replaces its entry,
	// even where a subsection no longer gets items.
	fixed := string(MergeChangelog([]byte(got), "sha256:k1", map[string][]string{"Changed": {"API spec updated: again."}}))
	if strings.Contains(fixed, "query parameter limit") || strings.Count(fixed, "specdiff:begin") != 1 || !strings.Contains(fixed, "- Hand-written SDK feature.") {
		t.Errorf("same key did not replace the earlier entry:\n%s", fixed)
	}
	// The next update (a different base) adds its own entry.
	next := string(MergeChangelog([]byte(got), "sha256:k2", map[string][]string{"Changed": {"API spec updated: next."}}))
	if strings.Count(next, "specdiff:begin sha256:k1") != 2 || !strings.Contains(next, "specdiff:begin sha256:k2 -->\n- API spec updated: next.") {
		t.Errorf("a second update's entry:\n%s", next)
	}
}

func TestMergeChangelogAddsMissingUnreleased(t *testing.T) {
	in := "# Changelog\n\n## [0.1.0] - 2026-06-01\n\n### Added\n\n- First release.\n"
	got := string(MergeChangelog([]byte(in), "sha256:k1", map[string][]string{"Removed": {"**BREAKING (Go):** Pet.gone removed"}}))
	want := "# Changelog\n\n## [Unreleased]\n\n### Removed\n\n<!-- specdiff:begin sha256:k1 -->\n- **BREAKING (Go):** Pet.gone removed\n<!-- specdiff:end -->\n\n## [0.1.0] - 2026-06-01\n\n### Added\n\n- First release.\n"
	if got != want {
		t.Errorf("got:\n%s\nwant:\n%s", got, want)
	}
}

func TestChangelogItems(t *testing.T) {
	base := doc(getPet+listPets, pet("id", "        id: {type: string}\n"))
	rev := doc(getPet+`  /owners:
    get:
      operationId: listOwners
      responses:
        "200": {description: ok}
`, pet("id", "        id: {type: [string, 'null']}\n        extra: {type: boolean}\n"))
	items := compare(t, base, rev).ChangelogItems()
	checks := map[string][]string{
		"Added":   {"1 API operation (client methods), by resource:\n  - owners: listOwners", "Pet.extra (optional, Go *bool)"},
		"Changed": {"API spec updated: Test API 1.0 (2 operations) -> Test API 1.0 (2 operations).", "**BREAKING (Go):** Pet.id: string -> [string, null]"},
		"Removed": {"**BREAKING (Go):** `GET /pets` (listPets): operation GET /pets removed"},
	}
	for kind, wants := range checks {
		joined := strings.Join(items[kind], "\n")
		for _, want := range wants {
			if !strings.Contains(joined, want) {
				t.Errorf("%s lacks %q:\n%s", kind, want, joined)
			}
		}
	}
	// oasdiff's ERR findings about the same changes are not repeated.
	if s := strings.Join(items["Changed"], "\n"); strings.Contains(s, "BREAKING (API)") {
		t.Errorf("HTTP finding duplicates a Go-level item:\n%s", s)
	}
}

func TestChangelogKey(t *testing.T) {
	a, b := ChangelogKey([]byte("a")), ChangelogKey([]byte("b"))
	if a == b || !strings.HasPrefix(a, "sha256:") || a != ChangelogKey([]byte("a")) {
		t.Errorf("keys %q %q", a, b)
	}
}
