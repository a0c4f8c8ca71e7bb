package specdiff

import (
	"cmp"
	"fmt"
	"regexp"
	"slices"
	"strings"
)

// ChangelogHeader starts a new Keep a Changelog file
// (https://keepachangelog.com/en/1.1.0/).
const ChangelogHeader = `# Changelog

All notable changes to this project will be documented in this file.

The format is based on [Keep a Changelog](https://keepachangelog.com/en/1.1.0/),
and this project adheres to [Semantic Versioning](https://semver.org/spec/v2.0.0.html).
`

// subsectionOrder is Keep a Changelog's order of change types, after a
// Breaking section that lists what breaks code written against the previous
// release, one migration line per break.
var subsectionOrder = []string{"Breaking", "Added", "Changed", "Deprecated", "Removed", "Fixed", "Security"}

// Entry is a short CHANGELOG entry for humans: what users of the SDK see
// change, by Keep a Changelog section.
type Entry struct {
	// Breaking has one migration line per break; the identifiers one
	// package loses are one line.
	Breaking, Added, Changed, Deprecated, Removed []string
}

// Sections returns the entry's items by section name.
func (e Entry) Sections() map[string][]string {
	return map[string][]string{
		"Breaking": e.Breaking, "Added": e.Added, "Changed": e.Changed,
		"Deprecated": e.Deprecated, "Removed": e.Removed,
	}
}

// maxNames bounds the names an entry's line lists; the update report
// lists them all.
const maxNames = 8

// Entry returns the report as a CHANGELOG entry: a line saying which
// documents were compared; each Go break with what to do about it; the
// operations added, by resource, and the Go identifiers added, by package;
// oasdiff's deprecations; the operations removed. It is short on purpose:
// the full lists are the update report's (see Markdown). An empty report
// gives an empty entry.
func (r *Report) Entry() Entry {
	var e Entry
	if r.Empty() {
		return e
	}
	e.Changed = append(e.Changed, fmt.Sprintf("Anam API spec updated: %s -> %s.", changelogSide(r.Base), changelogSide(r.Revision)))
	e.Breaking = migrations(r.Go)

	var resources []string
	byResource := map[string][]string{}
	for _, op := range r.AddedOperations {
		res := resource(op.Path)
		if byResource[res] == nil {
			resources = append(resources, res)
		}
		byResource[res] = append(byResource[res], cmp.Or(op.OperationID, op.Method+" "+op.Path))
	}
	for _, res := range resources {
		ops := byResource[res]
		e.Added = append(e.Added, fmt.Sprintf("%s: %d new %s: %s.", res, len(ops), plural(len(ops), "operation", "operations"), names(ops, false)))
	}
	e.Added = append(e.Added, additions(r.Go)...)
	for _, f := range r.Findings {
		if strings.Contains(f.ID, "deprecated") {
			e.Deprecated = append(e.Deprecated, fmt.Sprintf("%s: %s", subjectCode(f.Subject), f.Text))
		}
	}
	if n := len(r.RemovedOperations); n > 0 {
		var ops []string
		for _, op := range r.RemovedOperations {
			ops = append(ops, cmp.Or(op.OperationID, op.Method+" "+op.Path))
		}
		e.Removed = append(e.Removed, fmt.Sprintf("%d %s upstream no longer documents: %s.", n, plural(n, "operation", "operations"), names(ops, false)))
	}
	return e
}

// migrations returns one line per incompatible Go change saying what to do:
// the identifiers each package loses in one line, the methods each
// interface gains in one line, renames (an identifier removed and one
// spelled the same but for case added) as such.
func migrations(changes []GoChange) []string {
	var out, pkgs, ifaces []string
	removed := map[string][]string{}
	methods := map[string][]string{} // interface -> methods added to it
	renamed := renames(changes)
	for _, c := range changes {
		if c.Compatible {
			continue
		}
		switch {
		case c.Added() && strings.Contains(c.Name, "."):
			// A method added to an interface: one line per interface.
			iface, method, _ := strings.Cut(c.Name, ".")
			key := c.Package + "." + iface
			if methods[key] == nil {
				ifaces = append(ifaces, key)
			}
			methods[key] = append(methods[key], method)
		case c.Removed() && c.Name != "":
			if to, ok := renamed[c]; ok {
				out = append(out, fmt.Sprintf("`%s` is renamed `%s`: rename your uses.", c.Qualified(), to.Name))
				continue
			}
			if removed[c.Package] == nil {
				pkgs = append(pkgs, c.Package)
			}
			removed[c.Package] = append(removed[c.Package], c.Name)
		default:
			out = append(out, migration(c))
		}
	}
	for _, iface := range ifaces {
		ms := methods[iface]
		out = append(out, fmt.Sprintf("`%s` has %d new %s (%s): types that implement it must add %s.",
			iface[strings.LastIndex(iface, "/")+1:], len(ms), plural(len(ms), "method", "methods"), names(ms, false), plural(len(ms), "it", "them")))
	}
	for _, pkg := range pkgs {
		out = append(out, fmt.Sprintf("Gone from `%s`: %s. Remove or replace their uses (the update report says what upstream removed).",
			pkg, names(removed[pkg], true)))
	}
	return out
}

// renames pairs each identifier removed with the one added in its package
// that is spelled the same but for case (ListLlms, ListLLMs).
func renames(changes []GoChange) map[GoChange]GoChange {
	added := map[string]GoChange{}
	for _, c := range changes {
		if c.Added() && c.Name != "" {
			added[c.Package+"\x00"+strings.ToLower(c.Name)] = c
		}
	}
	out := map[GoChange]GoChange{}
	for _, c := range changes {
		if to, ok := added[c.Package+"\x00"+strings.ToLower(c.Name)]; ok && c.Removed() {
			out[c] = to
		}
	}
	return out
}

// migration says what an incompatible change means for code that uses the
// identifier, and what to write instead.
func migration(c GoChange) string {
	what := shortTypes(c.What)
	name := "`" + c.Qualified() + "`"
	if c.Name == "" {
		return fmt.Sprintf("Package `%s` is %s: remove its imports.", c.Package, what)
	}
	if from, to, ok := changedTypes(what); ok {
		switch {
		case strings.HasPrefix(to, "nullable.Nullable["):
			return fmt.Sprintf("%s is now `%s` (was `%s`): upstream may send null. Read it with `.Get()` (`IsNull`, `IsSpecified`) or its getter; set it with `nullable.NewNullableWithValue(v)`.", name, to, from)
		case strings.HasPrefix(from, "nullable.Nullable["):
			return fmt.Sprintf("%s is now `%s` (was `%s`): upstream no longer sends null. Drop the `nullable` calls.", name, to, from)
		case from == "*"+to:
			return fmt.Sprintf("%s is now `%s` (was `%s`): upstream requires it. Assign the value itself.", name, to, from)
		case to == "*"+from:
			return fmt.Sprintf("%s is now `%s` (was `%s`): upstream made it optional. Pass a pointer (`new(v)`); check for nil when reading.", name, to, from)
		}
		return fmt.Sprintf("%s is now `%s` (was `%s`): update the code that uses it.", name, to, from)
	}
	switch {
	case c.Added():
		return fmt.Sprintf("%s is new in an interface: types that implement it must add it.", name)
	case what == "old is comparable, new is not":
		return fmt.Sprintf("%s can no longer be compared with == or used as a map key (a field of it now holds a map, slice or nullable.Nullable): compare its fields instead.", name)
	}
	return fmt.Sprintf("%s: %s.", name, what)
}

// changedTypes splits apidiff's "changed from A to B".
func changedTypes(what string) (from, to string, ok bool) {
	rest, ok := strings.CutPrefix(what, "changed from ")
	if !ok {
		return "", "", false
	}
	from, to, ok = strings.Cut(rest, " to ")
	return from, to, ok
}

// shortTypes writes the types in an apidiff message the way code names
// them: github.com/oapi-codegen/nullable.Nullable[string] is
// nullable.Nullable[string].
func shortTypes(s string) string { return typePackage.ReplaceAllString(s, "$1.") }

// typePackage matches an import path qualifying a type name.
var typePackage = regexp.MustCompile(`(?:[\w.-]+/)+([\w-]+)\.`)

// additions summarises the compatible additions of each package on one
// line: new identifiers (types, functions, constants), and new members
// (fields and methods) of existing types. The new names of renamed
// identifiers are under Breaking.
func additions(changes []GoChange) []string {
	type adds struct{ top, members []string }
	var out, pkgs []string
	by := map[string]*adds{}
	renamedTo := map[GoChange]bool{}
	for _, to := range renames(changes) {
		renamedTo[to] = true
	}
	for _, c := range changes {
		switch {
		case !c.Compatible || !c.Added() || renamedTo[c]:
			continue
		case c.Name == "":
			out = append(out, fmt.Sprintf("Package `%s`.", c.Package))
			continue
		}
		a := by[c.Package]
		if a == nil {
			a = &adds{}
			by[c.Package] = a
			pkgs = append(pkgs, c.Package)
		}
		if strings.Contains(c.Name, ".") {
			a.members = append(a.members, c.Name)
		} else {
			a.top = append(a.top, c.Name)
		}
	}
	for _, pkg := range pkgs {
		a := by[pkg]
		var parts []string
		if n := len(a.top); n > 0 {
			parts = append(parts, fmt.Sprintf("%d new %s: %s", n, plural(n, "identifier", "identifiers"), names(a.top, true)))
		}
		if n := len(a.members); n > 0 {
			parts = append(parts, fmt.Sprintf("%d new %s of existing types: %s", n, plural(n, "field or method", "fields and methods"), names(a.members, true)))
		}
		out = append(out, fmt.Sprintf("`%s`: %s.", pkg, strings.Join(parts, "; ")))
	}
	return out
}

// names lists up to maxNames names, as code spans when code is set, and
// says how many more the update report lists.
func names(list []string, code bool) string {
	shown := list[:min(len(list), maxNames)]
	parts := make([]string, len(shown))
	for i, n := range shown {
		if code {
			n = "`" + n + "`"
		}
		parts[i] = n
	}
	s := strings.Join(parts, ", ")
	if more := len(list) - len(shown); more > 0 {
		s += fmt.Sprintf(" and %d more (see the update report)", more)
	}
	return s
}

// subjectCode formats "GET /v1/x (opId)" as "`GET /v1/x` (opId)".
func subjectCode(subject string) string {
	head, tail, ok := strings.Cut(subject, " (")
	if !ok {
		return "`" + subject + "`"
	}
	return "`" + head + "` (" + tail
}

var (
	unreleasedHeading = regexp.MustCompile(`(?i)^##\s+\[?unreleased\]?\s*$`)
	linkReference     = regexp.MustCompile(`^\[[^\]]+\]:\s`)
)

func beginMarker(key string) string { return "<!-- specdiff:begin " + key + " -->" }

// baseMarker matches the begin marker of an entry measured from a base
// commit.
var baseMarker = regexp.MustCompile(`^<!-- specdiff:begin base=([0-9a-f]{7,64}) -->$`)

// BaseKey is the marker key of an entry measured from the SDK at a commit.
func BaseKey(commit string) string { return "base=" + commit }

// UnreleasedBase returns the commit the [Unreleased] section's spec entry
// was measured from, or "" when it has none. The next update measures from
// the same commit and replaces the entry, so that the entry stays net of
// all updates since the last release (whose routine removes the markers).
func UnreleasedBase(changelog []byte) string {
	lines := strings.Split(strings.ReplaceAll(string(changelog), "\r\n", "\n"), "\n")
	start := slices.IndexFunc(lines, unreleasedHeading.MatchString)
	if start < 0 {
		return ""
	}
	for _, l := range lines[start+1:] {
		if strings.HasPrefix(l, "## ") {
			break
		}
		if m := baseMarker.FindStringSubmatch(strings.TrimSpace(l)); m != nil {
			return m[1]
		}
	}
	return ""
}

const endMarker = "<!-- specdiff:end -->"

// MergeChangelog returns changelog (a Keep a Changelog file; empty or nil
// for none, in which case it starts with [ChangelogHeader]) with the entry
// merged into its "## [Unreleased]" section, creating the section or its
// subsections as needed. The entry's items sit between marker comments
// carrying key (see [BaseKey]): earlier blocks with the same key are
// replaced, so merging twice changes nothing and an empty entry removes
// them. Entries written by hand and older versions are kept as they are.
func MergeChangelog(changelog []byte, key string, entry Entry) []byte {
	items := entry.Sections()
	text := strings.ReplaceAll(string(changelog), "\r\n", "\n")
	if strings.TrimSpace(text) == "" {
		text = ChangelogHeader
	}
	lines := strings.Split(strings.TrimRight(text, "\n"), "\n")

	// Locate the Unreleased section, or make one before the first version.
	start := slices.IndexFunc(lines, unreleasedHeading.MatchString)
	if start < 0 {
		at := slices.IndexFunc(lines, func(l string) bool { return strings.HasPrefix(l, "## ") })
		if at < 0 {
			// No versions yet: before any trailing link references.
			at = len(lines)
			for at > 0 && (linkReference.MatchString(lines[at-1]) || strings.TrimSpace(lines[at-1]) == "") {
				at--
			}
		}
		lines = slices.Insert(lines, at, "## [Unreleased]")
		start = at
	}
	end := start + 1
	for end < len(lines) && !strings.HasPrefix(lines[end], "## ") {
		end++
	}
	// Trailing link references belong to the file, not to the section.
	tailStart := end
	if end == len(lines) {
		for tailStart > start+1 && (linkReference.MatchString(lines[tailStart-1]) || strings.TrimSpace(lines[tailStart-1]) == "") {
			tailStart--
		}
		for tailStart < end && strings.TrimSpace(lines[tailStart]) == "" {
			tailStart++
		}
	}
	section := mergeSection(lines[start+1:tailStart], key, items)

	var out []string
	out = append(out, trimBlankEnd(lines[:start])...)
	out = append(out, "", lines[start], "")
	out = append(out, section...)
	rest := lines[tailStart:]
	if len(rest) > 0 {
		out = append(out, "")
		out = append(out, rest...)
	}
	return []byte(strings.Join(out, "\n") + "\n")
}

type subsection struct {
	name  string // "" for the lines before the first ### heading
	lines []string
}

func mergeSection(lines []string, key string, items map[string][]string) []string {
	subs := []*subsection{{}}
	for _, l := range lines {
		if name, ok := strings.CutPrefix(l, "### "); ok {
			subs = append(subs, &subsection{name: strings.TrimSpace(name)})
			continue
		}
		subs[len(subs)-1].lines = append(subs[len(subs)-1].lines, l)
	}
	// Drop this update's earlier block wherever it is.
	for _, s := range subs {
		s.lines = removeBlock(s.lines, key)
	}
	for _, name := range subsectionOrder {
		if len(items[name]) == 0 {
			continue
		}
		i := slices.IndexFunc(subs, func(s *subsection) bool { return strings.EqualFold(s.name, name) })
		if i < 0 {
			s := &subsection{name: name}
			// Keep Keep a Changelog's order among the known subsections.
			rank := slices.Index(subsectionOrder, name)
			at := len(subs)
			for j := 1; j < len(subs); j++ {
				if r := slices.Index(subsectionOrder, subs[j].name); r > rank {
					at = j
					break
				}
			}
			subs = slices.Insert(subs, at, s)
			i = at
		}
		s := subs[i]
		s.lines = trimBlankEnd(s.lines)
		s.lines = append(s.lines, beginMarker(key))
		for _, item := range items[name] {
			s.lines = append(s.lines, "- "+item)
		}
		s.lines = append(s.lines, endMarker)
	}

	var out []string
	for i, s := range subs {
		body := trimBlank(s.lines)
		if i == 0 {
			if len(body) > 0 {
				out = append(out, body...)
				out = append(out, "")
			}
			continue
		}
		if len(body) == 0 {
			continue // a subsection only this update's items filled
		}
		out = append(out, "### "+s.name, "")
		out = append(out, body...)
		out = append(out, "")
	}
	return trimBlankEnd(out)
}

// removeBlock removes the lines from key's begin marker through the next
// end marker.
func removeBlock(lines []string, key string) []string {
	var out []string
	skipping := false
	for _, l := range lines {
		switch {
		case !skipping && strings.TrimSpace(l) == beginMarker(key):
			skipping = true
		case skipping && strings.TrimSpace(l) == endMarker:
			skipping = false
		case !skipping:
			out = append(out, l)
		}
	}
	return out
}

func trimBlankEnd(lines []string) []string {
	for len(lines) > 0 && strings.TrimSpace(lines[len(lines)-1]) == "" {
		lines = lines[:len(lines)-1]
	}
	return lines
}

func trimBlank(lines []string) []string {
	for len(lines) > 0 && strings.TrimSpace(lines[0]) == "" {
		lines = lines[1:]
	}
	return trimBlankEnd(lines)
}

// changelogSide names a document by its title, version and size: the
// changelog outlives the file paths the report names.
func changelogSide(s Side) string {
	title := cmp.Or(strings.TrimSpace(s.Title+" "+s.Version), "untitled")
	return fmt.Sprintf("%s (%d %s)", title, s.Operations, plural(s.Operations, "operation", "operations"))
}

// resource is the first path segment after a version segment:
// "/v1/knowledge/groups/{id}" -> "knowledge".
func resource(path string) string {
	segs := strings.FieldsFunc(path, func(r rune) bool { return r == '/' })
	if len(segs) > 1 && versionSegment.MatchString(segs[0]) {
		segs = segs[1:]
	}
	if len(segs) == 0 {
		return "/"
	}
	return segs[0]
}

var versionSegment = regexp.MustCompile(`^v[0-9]+$`)
