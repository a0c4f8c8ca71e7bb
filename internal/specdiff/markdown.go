package specdiff

import (
	"bytes"
	"cmp"
	"fmt"
	"slices"
	"strings"
)

// Markdown renders the full report for review: the documents compared, a
// summary, the Go API changes apidiff measured (incompatible ones each with
// what to do, then the compatible ones by package), the operations and
// schemas added and removed, oasdiff's HTTP-breaking findings and warnings
// by operation, its informational findings folded away, and checks (the
// spec checker's Markdown section) verbatim at the end, when not empty,
// under a "## Spec checks" heading unless it starts with a # or ## heading
// of its own.
func (r *Report) Markdown(checks []byte) []byte {
	var b bytes.Buffer
	b.WriteString("# Spec update report\n\n")
	fmt.Fprintf(&b, "- Base: %s\n", sideText(r.Base))
	fmt.Fprintf(&b, "- Revision: %s\n\n", sideText(r.Revision))
	b.WriteString("**Summary:** " + r.summary() + "\n")

	if r.GoMeasured {
		b.WriteString("\n## Go API: incompatible changes (apidiff)\n\n")
		breaking := r.Breaking()
		if len(breaking) == 0 {
			b.WriteString("None: code written against the previous SDK still compiles.\n")
		} else {
			b.WriteString("Code written against the previous SDK may stop compiling where it uses these:\n\n")
		}
		for _, c := range breaking {
			fmt.Fprintf(&b, "- `%s`: %s\n", c.Qualified(), shortTypes(c.What))
		}
		if lines := migrations(r.Go); len(lines) > 0 {
			b.WriteString("\nWhat to do (the CHANGELOG's Breaking section):\n\n")
			for _, l := range lines {
				b.WriteString("- " + l + "\n")
			}
		}
		var compatible []GoChange
		for _, c := range r.Go {
			if c.Compatible {
				compatible = append(compatible, c)
			}
		}
		if len(compatible) > 0 {
			fmt.Fprintf(&b, "\n## Go API: compatible changes (apidiff, %d)\n", len(compatible))
			pkg := "\x00"
			for _, c := range compatible {
				if c.Package != pkg {
					pkg = c.Package
					fmt.Fprintf(&b, "\n### %s\n\n", pkg)
				}
				fmt.Fprintf(&b, "- `%s`: %s\n", c.Qualified(), shortTypes(c.What))
			}
		}
	}

	for _, l := range []struct {
		title string
		ops   []Operation
	}{{"Added operations", r.AddedOperations}, {"Removed operations", r.RemovedOperations}} {
		if len(l.ops) == 0 {
			continue
		}
		fmt.Fprintf(&b, "\n## %s (%d)\n\n", l.title, len(l.ops))
		for _, op := range l.ops {
			b.WriteString("- " + opItem(op) + "\n")
		}
	}
	if n := len(r.AddedSchemas); n > 0 {
		fmt.Fprintf(&b, "\n## Added schemas (%d)\n\n%s.\n", n, codeList(r.AddedSchemas))
	}
	if n := len(r.RemovedSchemas); n > 0 {
		fmt.Fprintf(&b, "\n## Removed schemas (%d)\n\n%s.\n", n, codeList(r.RemovedSchemas))
	}

	var breaking, warnings []entry
	for _, f := range r.Findings {
		switch f.Level {
		case "ERR":
			breaking = append(breaking, entry{f.Subject, f.order, fmt.Sprintf("%s (oasdiff %s)", f.Text, f.ID)})
		case "WARN":
			warnings = append(warnings, entry{f.Subject, f.order, fmt.Sprintf("%s (oasdiff %s)", f.Text, f.ID)})
		}
	}
	writeGroups(&b, "HTTP: breaking for API clients (oasdiff)", breaking)
	writeGroups(&b, "HTTP: warnings (oasdiff)", warnings)
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
	var parts []string
	if r.GoMeasured {
		nBreak := len(r.Breaking())
		parts = append(parts, fmt.Sprintf("Go: %d incompatible %s, %d compatible", nBreak, plural(nBreak, "change", "changes"), len(r.Go)-nBreak))
	} else {
		parts = append(parts, "Go: not measured")
	}
	parts = append(parts, fmt.Sprintf("HTTP (oasdiff): %d breaking, %d %s, %d informational",
		len(r.FindingsAt("ERR")), len(r.FindingsAt("WARN")), plural(len(r.FindingsAt("WARN")), "warning", "warnings"), len(r.FindingsAt("INFO"))))
	for _, c := range []struct {
		n    int
		what string
	}{
		{len(r.AddedOperations), "added"}, {len(r.RemovedOperations), "removed"},
	} {
		if c.n > 0 {
			parts = append(parts, fmt.Sprintf("%d %s %s", c.n, plural(c.n, "operation", "operations"), c.what))
		}
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
