package specdiff

import (
	"cmp"
	"crypto/sha256"
	"encoding/hex"
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

// subsectionOrder is Keep a Changelog's order of change types.
var subsectionOrder = []string{"Added", "Changed", "Deprecated", "Removed", "Fixed", "Security"}

// ChangelogKey identifies one spec update in the changelog: the SHA-256 of
// the base document (before any overlay). Merging an entry with the same
// key replaces the earlier one, so re-running an update (with the same or a
// corrected revision or overlay) never duplicates it.
func ChangelogKey(baseSpec []byte) string {
	sum := sha256.Sum256(baseSpec)
	return "sha256:" + hex.EncodeToString(sum[:8])
}

// ChangelogItems returns the report as Keep a Changelog list items, keyed
// by subsection name (Added, Changed, Deprecated, Removed). Items that break
// Go code start with "**BREAKING (Go):**"; oasdiff's HTTP-breaking findings
// that no Go rule already describes start with "**BREAKING (API):**". An
// item may span several lines (a nested list).
func (r *Report) ChangelogItems() map[string][]string {
	items := map[string][]string{}
	summary := fmt.Sprintf("API spec updated: %s -> %s.", changelogSide(r.Base), changelogSide(r.Revision))
	if r.Empty() {
		summary += " No changes for SDK users."
	}
	items["Changed"] = append(items["Changed"], summary)

	if n := len(r.AddedOperations); n > 0 {
		var b strings.Builder
		fmt.Fprintf(&b, "%d API %s (client methods), by resource:", n, plural(n, "operation", "operations"))
		byResource := map[string][]string{}
		var resources []string
		for _, op := range r.AddedOperations {
			res := resource(op.Path)
			if byResource[res] == nil {
				resources = append(resources, res)
			}
			byResource[res] = append(byResource[res], cmp.Or(op.OperationID, op.Method+" "+op.Path))
		}
		for _, res := range resources {
			fmt.Fprintf(&b, "\n  - %s: %s", res, strings.Join(byResource[res], ", "))
		}
		items["Added"] = append(items["Added"], b.String())
	}
	if n := len(r.AddedSchemas); n > 0 {
		items["Added"] = append(items["Added"], fmt.Sprintf("%d %s (new Go types): %s.", n, plural(n, "schema", "schemas"), codeList(r.AddedSchemas)))
	}
	// Breaking first within each subsection.
	for _, breaking := range []bool{true, false} {
		for _, c := range r.Changes {
			if c.Breaking != breaking {
				continue
			}
			text := c.Text
			if !strings.HasPrefix(c.Subject, "schema ") {
				text = subjectCode(c.Subject) + ": " + text
			}
			if c.Breaking {
				text = "**BREAKING (Go):** " + text
			}
			items[string(c.Kind)] = append(items[string(c.Kind)], text)
		}
	}
	for _, f := range r.FindingsAt("ERR") {
		if coveredByGoRules(f.ID) {
			continue
		}
		items["Changed"] = append(items["Changed"], fmt.Sprintf("**BREAKING (API):** %s: %s", subjectCode(f.Subject), f.Text))
	}
	return items
}

// coveredByGoRules reports whether an oasdiff rule is about a change the Go
// rules list anyway (for the schema it concerns), so that the changelog
// does not say it twice.
func coveredByGoRules(id string) bool {
	for _, s := range []string{"nullable", "type-changed", "list-of-types", "removed", "became-required", "became-optional", "enum", "operation-id", "new-required-request-parameter"} {
		if strings.Contains(id, s) {
			return true
		}
	}
	return false
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

const endMarker = "<!-- specdiff:end -->"

// MergeChangelog returns changelog (a Keep a Changelog file; empty or nil
// for none, in which case it starts with [ChangelogHeader]) with items
// merged into its "## [Unreleased]" section, creating the section or its
// subsections as needed. The items of one update sit between marker
// comments carrying key (see [ChangelogKey]): an earlier block with the
// same key is replaced, so merging the same update twice changes nothing.
// Entries written by hand and older versions are kept as they are.
func MergeChangelog(changelog []byte, key string, items map[string][]string) []byte {
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
