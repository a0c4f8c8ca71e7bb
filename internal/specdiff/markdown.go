package specdiff

import (
	"bytes"
	"cmp"
	"fmt"
	"slices"
	"strings"
)

// Markdown renders the report for review: a summary, the breaking changes
// (Go-level, then oasdiff's HTTP-breaking findings) grouped by operation or
// schema, the other changes, the added operations and schemas as compact
// lists, oasdiff's remaining informational findings folded away, and
// checks (the spec checker's Markdown section) verbatim at the end, when
// not empty, under a "## Spec checks" heading unless it starts with a # or
// ## heading of its own.
func (r *Report) Markdown(checks []byte) []byte {
	var b bytes.Buffer
	b.WriteString("# Spec update report\n\n")
	fmt.Fprintf(&b, "- Base: %s\n", sideText(r.Base))
	fmt.Fprintf(&b, "- Revision: %s\n\n", sideText(r.Revision))
	b.WriteString("**Summary:** " + r.summary() + "\n")

	var breaking, other []entry
	for _, c := range r.Changes {
		e := entry{c.Subject, c.order, c.Line()}
		if c.Breaking {
			breaking = append(breaking, e)
		} else {
			other = append(other, e)
		}
	}
	for _, f := range r.Findings {
		switch f.Level {
		case "ERR":
			breaking = append(breaking, entry{f.Subject, f.order, fmt.Sprintf("BREAKING (HTTP, oasdiff %s): %s", f.ID, f.Text)})
		case "WARN":
			other = append(other, entry{f.Subject, f.order, fmt.Sprintf("WARNING (HTTP, oasdiff %s): %s", f.ID, f.Text)})
		}
	}
	writeGroups(&b, "Breaking changes", breaking)
	writeGroups(&b, "Other changes", other)

	if n := len(r.AddedOperations); n > 0 {
		fmt.Fprintf(&b, "\n## Added operations\n\n%d %s added:\n", n, plural(n, "operation", "operations"))
		for _, op := range r.AddedOperations {
			b.WriteString("- " + opItem(op) + "\n")
		}
	}
	if n := len(r.AddedSchemas); n > 0 {
		fmt.Fprintf(&b, "\n## Added schemas\n\n%d %s added (each a new Go type): %s.\n", n, plural(n, "schema", "schemas"), codeList(r.AddedSchemas))
	}
	var info []Finding
	for _, f := range r.FindingsAt("INFO") {
		if f.ID != "endpoint-added" { // listed under Added operations
			info = append(info, f)
		}
	}
	if len(info) > 0 {
		fmt.Fprintf(&b, "\n<details><summary>oasdiff informational findings (%d, not counting added endpoints)</summary>\n\n", len(info))
		for _, f := range info {
			fmt.Fprintf(&b, "- %s: %s\n", f.Subject, f.Text)
		}
		b.WriteString("\n</details>\n")
	}
	if len(bytes.TrimSpace(checks)) > 0 {
		b.WriteString("\n")
		if !startsWithSectionHeading(checks) {
			// A ### section (speccheck -report-md writes one) or plain text
			// would read as part of the last section above.
			b.WriteString("## Spec checks\n\n")
		}
		b.Write(checks)
		if !bytes.HasSuffix(checks, []byte("\n")) {
			b.WriteString("\n")
		}
	}
	return b.Bytes()
}

func (r *Report) summary() string {
	if r.Empty() {
		return "no changes."
	}
	nBreak := len(r.Breaking())
	parts := []string{
		fmt.Sprintf("%d %s Go code", nBreak, plural(nBreak, "change breaks", "changes break")),
		fmt.Sprintf("oasdiff: %d HTTP-breaking, %d %s, %d informational",
			len(r.FindingsAt("ERR")), len(r.FindingsAt("WARN")), plural(len(r.FindingsAt("WARN")), "warning", "warnings"), len(r.FindingsAt("INFO"))),
	}
	if n := len(r.AddedOperations); n > 0 {
		parts = append(parts, fmt.Sprintf("%d %s added", n, plural(n, "operation", "operations")))
	}
	if n := len(r.AddedSchemas); n > 0 {
		parts = append(parts, fmt.Sprintf("%d %s added", n, plural(n, "schema", "schemas")))
	}
	if n := len(r.Changes) - nBreak; n > 0 {
		parts = append(parts, fmt.Sprintf("%d other %s", n, plural(n, "change", "changes")))
	}
	return strings.Join(parts, "; ") + "."
}

type entry struct{ subject, order, line string }

func writeGroups(b *bytes.Buffer, title string, entries []entry) {
	if len(entries) == 0 {
		return
	}
	fmt.Fprintf(b, "\n## %s\n", title)
	slices.SortStableFunc(entries, func(x, y entry) int { return cmp.Compare(x.order, y.order) })
	subject := "\x00"
	for _, e := range entries {
		if e.subject != subject {
			subject = e.subject
			fmt.Fprintf(b, "\n### %s\n\n", subject)
		}
		b.WriteString("- " + e.line + "\n")
	}
}

func sideText(s Side) string {
	title := strings.TrimSpace(s.Title + " " + s.Version)
	if title == "" {
		title = "untitled"
	}
	return fmt.Sprintf("`%s` (%s: %d %s, %d %s)", s.Name, title,
		s.Operations, plural(s.Operations, "operation", "operations"), s.Schemas, plural(s.Schemas, "schema", "schemas"))
}

func opItem(op Operation) string {
	s := "`" + op.Method + " " + op.Path + "`"
	if op.OperationID != "" {
		s += " (" + op.OperationID + ")"
	}
	return s
}

func codeList(names []string) string {
	quoted := make([]string, len(names))
	for i, n := range names {
		quoted[i] = "`" + n + "`"
	}
	return strings.Join(quoted, ", ")
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// startsWithSectionHeading reports whether md's first line is a # or ##
// heading.
func startsWithSectionHeading(md []byte) bool {
	first, _, _ := bytes.Cut(bytes.TrimLeft(md, " \t\r\n"), []byte("\n"))
	return bytes.HasPrefix(first, []byte("# ")) || bytes.HasPrefix(first, []byte("## "))
}
