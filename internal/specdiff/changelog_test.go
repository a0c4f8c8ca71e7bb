package specdiff

import (
	"strings"
	"testing"
)

var testEntry = Entry{
	Breaking: []string{"`gen.Pet.Tag` is now `nullable.Nullable[string]` (was `*string`)."},
	Added:    []string{"pets: 1 new operation: listPets."},
	Changed:  []string{"Anam API spec updated: Test API 1.0 (1 operation) -> Test API 1.1 (2 operations)."},
}

func TestMergeChangelogCreates(t *testing.T) {
	got := string(MergeChangelog(nil, "base=abc1234", testEntry))
	want := ChangelogHeader + `
## [Unreleased]

### Breaking

<!-- specdiff:begin base=abc1234 -->
- ` + "`gen.Pet.Tag` is now `nullable.Nullable[string]` (was `*string`)." + `
<!-- specdiff:end -->

### Added

<!-- specdiff:begin base=abc1234 -->
- pets: 1 new operation: listPets.
<!-- specdiff:end -->

### Changed

<!-- specdiff:begin base=abc1234 -->
- Anam API spec updated: Test API 1.0 (1 operation) -> Test API 1.1 (2 operations).
<!-- specdiff:end -->
`
	if got != want {
		t.Errorf("got:\n%s\nwant:\n%s", got, want)
	}
	// Re-running the same update changes nothing.
	if again := string(MergeChangelog([]byte(got), "base=abc1234", testEntry)); again != got {
		t.Errorf("second merge duplicated or changed the entry:\n%s", again)
	}
	if b := UnreleasedBase([]byte(got)); b != "abc1234" {
		t.Errorf("UnreleasedBase = %q", b)
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
<!-- specdiff:begin base=0123456789abcdef -->
- An update of the last release.
<!-- specdiff:end -->

[Unreleased]: https://github.com/anam-ai/anam-go/compare/v0.1.0...HEAD
[0.1.0]: https://github.com/anam-ai/anam-go/releases/tag/v0.1.0
`

func TestMergeChangelogKeepsHandWrittenEntriesAndOlderVersions(t *testing.T) {
	if b := UnreleasedBase([]byte(existing)); b != "" {
		t.Errorf("UnreleasedBase = %q: a released entry is no base", b)
	}
	got := string(MergeChangelog([]byte(existing), "base=abc1234", testEntry))
	older := existing[strings.Index(existing, "## [0.1.0]"):]
	if !strings.HasSuffix(got, older) {
		t.Errorf("older versions and link references changed:\n%s", got)
	}
	unreleased := got[strings.Index(got, "## [Unreleased]"):strings.Index(got, "## [0.1.0]")]
	for _, want := range []string{"- Hand-written fix.", "- Hand-written SDK feature.\n<!-- specdiff:begin base=abc1234 -->\n- pets:", "### Changed\n\n<!-- specdiff:begin base=abc1234 -->"} {
		if !strings.Contains(unreleased, want) {
			t.Errorf("Unreleased lacks %q:\n%s", want, unreleased)
		}
	}
	// New subsections go in order (Breaking first, Changed before Fixed),
	// existing ones stay where they are.
	if !(strings.Index(unreleased, "### Breaking") < strings.Index(unreleased, "### Added") &&
		strings.Index(unreleased, "### Added") < strings.Index(unreleased, "### Changed") &&
		strings.Index(unreleased, "### Changed") < strings.Index(unreleased, "### Fixed")) {
		t.Errorf("subsections out of order:\n%s", unreleased)
	}
	if again := string(MergeChangelog([]byte(got), "base=abc1234", testEntry)); again != got {
		t.Errorf("re-run is not idempotent:\n%s", again)
	}

	// The next update measured from the same base replaces the entry: it
	// stays net. Subsections it no longer fills go if nothing else is in
	// them.
	next := string(MergeChangelog([]byte(got), "base=abc1234", Entry{Changed: []string{"Anam API spec updated: again."}}))
	if strings.Contains(next, "listPets") || strings.Contains(next, "### Breaking") || strings.Count(next, "specdiff:begin base=abc1234") != 1 ||
		!strings.Contains(next, "- Hand-written SDK feature.") {
		t.Errorf("the same base did not replace the earlier entry:\n%s", next)
	}
	// An update that undoes the earlier ones leaves nothing of them.
	undone := string(MergeChangelog([]byte(got), "base=abc1234", Entry{}))
	if undone != strings.Replace(existing, "## [Unreleased]\n\n### Added\n\n- Hand-written SDK feature.\n\n### Fixed", "## [Unreleased]\n\n### Added\n\n- Hand-written SDK feature.\n\n### Fixed", 1) {
		t.Errorf("an empty entry did not remove the earlier one:\n%s", undone)
	}
}

func TestMergeChangelogAddsMissingUnreleased(t *testing.T) {
	in := "# Changelog\n\n## [0.1.0] - 2026-06-01\n\n### Added\n\n- First release.\n"
	got := string(MergeChangelog([]byte(in), "base=abc1234", Entry{Removed: []string{"1 operation upstream no longer documents: listPets."}}))
	want := "# Changelog\n\n## [Unreleased]\n\n### Removed\n\n<!-- specdiff:begin base=abc1234 -->\n- 1 operation upstream no longer documents: listPets.\n<!-- specdiff:end -->\n\n## [0.1.0] - 2026-06-01\n\n### Added\n\n- First release.\n"
	if got != want {
		t.Errorf("got:\n%s\nwant:\n%s", got, want)
	}
}

func TestEntry(t *testing.T) {
	base := doc(getPet+listPets, pet("id", "        id: {type: string}\n"))
	rev := doc(getPet+`  /v1/owners:
    get:
      operationId: listOwners
      deprecated: true
      responses:
        "200": {description: ok}
`, pet("id", "        id: {type: string}\n"))
	r := compare(t, base, rev)
	r.Go, r.GoMeasured = goChanges, true
	e := r.Entry()
	want := Entry{
		Breaking: []string{
			"`gen.Pet.Tag` is now `nullable.Nullable[string]` (was `*string`): upstream may send null. Read it with `.Get()` (`IsNull`, `IsSpecified`) or its getter; set it with `nullable.NewNullableWithValue(v)`.",
			"`api.(*Client).ListLlms` is renamed `(*Client).ListLLMs`: rename your uses.",
			"Gone from `api`: `(*Client).ListPets`, `ListPetsParams`. Remove or replace their uses (the update report says what upstream removed).",
		},
		Added: []string{
			"owners: 1 new operation: listOwners.",
			"`gen`: 1 new identifier: `Owner`; 1 new field or method of existing types: `Pet.Extra`.",
		},
		Changed: []string{"Anam API spec updated: Test API 1.0 (2 operations) -> Test API 1.0 (2 operations)."},
		Removed: []string{"1 operation upstream no longer documents: listPets."},
	}
	for name, pair := range map[string][2][]string{
		"Breaking": {e.Breaking, want.Breaking}, "Added": {e.Added, want.Added},
		"Changed": {e.Changed, want.Changed}, "Removed": {e.Removed, want.Removed},
	} {
		if strings.Join(pair[0], "\n") != strings.Join(pair[1], "\n") {
			t.Errorf("%s:\n%s\nwant:\n%s", name, strings.Join(pair[0], "\n"), strings.Join(pair[1], "\n"))
		}
	}
	if len(e.Deprecated) != 0 {
		t.Errorf("Deprecated %q (the deprecated operation is new, not deprecated by this update)", e.Deprecated)
	}
	// Long lists are cut: the report has them all.
	var many []GoChange
	for i := range 12 {
		many = append(many, GoChange{Package: "gen", Name: string(rune('A' + i)), What: "removed"})
	}
	if got := migrations(many); len(got) != 1 || !strings.Contains(got[0], "`H` and 4 more (see the update report)") {
		t.Errorf("migrations of 12 removals: %q", got)
	}
	// The methods an interface gains are one line.
	iface := migrations([]GoChange{
		{Package: "gen", Name: "ClientInterface.ListWidgets", What: "added"},
		{Package: "gen", Name: "ClientInterface.GetWidget", What: "added"},
	})
	if want := "`gen.ClientInterface` has 2 new methods (ListWidgets, GetWidget): types that implement it must add them."; len(iface) != 1 || iface[0] != want {
		t.Errorf("interface lines %q, want %q", iface, want)
	}
	if (&Report{}).Entry().Changed != nil {
		t.Error("an empty report makes an entry")
	}
}

func TestMigrationLines(t *testing.T) {
	for what, want := range map[string]string{
		"changed from github.com/oapi-codegen/nullable.Nullable[string] to *string": "`gen.T.F` is now `*string` (was `nullable.Nullable[string]`): upstream no longer sends null. Drop the `nullable` calls.",
		"changed from *int to int":                       "`gen.T.F` is now `int` (was `*int`): upstream requires it. Assign the value itself.",
		"changed from int to *int":                       "`gen.T.F` is now `*int` (was `int`): upstream made it optional. Pass a pointer (`new(v)`); check for nil when reading.",
		"changed from github.com/a/b/gen.Kind to string": "`gen.T.F` is now `string` (was `gen.Kind`): update the code that uses it.",
		"added":                         "`gen.T.F` is new in an interface: types that implement it must add it.",
		"value changed from 1 to 2":     "`gen.T.F`: value changed from 1 to 2.",
		"old is comparable, new is not": "`gen.T.F` can no longer be compared with == or used as a map key (a field of it now holds a map, slice or nullable.Nullable): compare its fields instead.",
	} {
		if got := migration(GoChange{Package: "gen", Name: "T.F", What: what}); got != want {
			t.Errorf("migration(%q) =\n%s\nwant\n%s", what, got, want)
		}
	}
}
