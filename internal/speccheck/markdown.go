package speccheck

import (
	"bytes"
	"cmp"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
	"unicode/utf8"
)

// WriteMarkdown writes a short Markdown section for a maintainer's review
// of an update: a `### Spec check` heading, the verdict, then "Needs a
// decision" (every finding left, with its rule, location, message and
// proposed fix), "No longer applies" (overlay actions that are obsolete,
// or that Prune removed, and stale tolerated entries), "Fixed
// automatically" (the changes -fix wrote), "Resolved by overlay" and
// "Tolerated" (counts, by action or entry, with the reasons summarised).
// Locations are in code spans; messages are one line each.
func (r *Report) WriteMarkdown(w io.Writer) error { return r.writeMarkdown(w, nil, nil) }

func (r *Report) writeMarkdown(w io.Writer, removed []Action, removedTolerated []Tolerated) error {
	var b bytes.Buffer
	b.WriteString("### Spec check\n\n")
	if r.OK() {
		fmt.Fprintf(&b, "OpenAPI %s document passes: nothing needs a decision.\n", r.OpenAPI)
	} else {
		fmt.Fprintf(&b, "OpenAPI %s document **fails**: %d finding(s) need a decision, %d overlay action(s) no longer apply.\n",
			r.OpenAPI, len(r.Findings), len(r.Obsolete()))
	}

	b.WriteString("\n#### Needs a decision\n\n")
	if len(r.Findings) == 0 {
		b.WriteString("Nothing.\n")
	}
	for _, f := range r.Findings {
		fmt.Fprintf(&b, "- %s at %s: %s Fix: %s\n", f.Rule, code(showLocation(f.Location)), f.Message, r.Proposal(f))
	}

	gone := append(slices.Clone(removed), r.Obsolete()...)
	staleTol := append(slices.Clone(removedTolerated), r.Stale...)
	if len(gone) > 0 || len(staleTol) > 0 {
		b.WriteString("\n#### No longer applies\n\n")
		if len(removed) > 0 || len(removedTolerated) > 0 {
			b.WriteString("Upstream changed or fixed these; removed from spec/overlay.yaml and spec/tolerated.yaml in this update:\n\n")
		}
		for _, a := range gone {
			fmt.Fprintf(&b, "- overlay action #%d, %s %s: %s (%s)\n", a.Index+1, a.Kind, code(a.Target), summary(a.Description), a.Why())
		}
		for _, t := range staleTol {
			fmt.Fprintf(&b, "- tolerated entry %s at %s: it matches no finding any more (%s)\n", t.Rule, code(showLocation(t.Location)), summary(t.Reason))
		}
	}

	if len(r.Fixed) > 0 {
		b.WriteString("\n#### Fixed automatically\n\n")
		fmt.Fprintf(&b, "`speccheck -fix` wrote %d overlay action(s) in this run; review them:\n\n", len(r.Fixed))
		for _, a := range r.Fixed {
			fmt.Fprintf(&b, "- %s %s: %s\n", a.Kind, code(a.Target), summary(a.Description))
		}
	}

	b.WriteString("\n#### Resolved by overlay\n\n")
	fmt.Fprintf(&b, "%d finding(s) of the published document resolved by %d overlay action(s)", len(r.Resolved), len(r.Actions)-len(r.Obsolete()))
	if len(r.Resolved) == 0 {
		b.WriteString(".\n")
	} else {
		b.WriteString(":\n\n")
	}
	// One line per reason: the summary of the most specific action behind
	// each finding, in the order of the overlay.
	type group struct {
		why      string
		findings []Finding
	}
	var groups []*group
	byWhy := map[string]*group{}
	for _, rf := range r.Resolved {
		why := "as a consequence of actions elsewhere"
		if len(rf.By) > 0 && rf.By[0] < len(r.Actions) {
			why = summary(r.Actions[rf.By[0]].Description)
		}
		g := byWhy[why]
		if g == nil {
			g = &group{why: why}
			byWhy[why] = g
			groups = append(groups, g)
		}
		g.findings = append(g.findings, rf.Finding)
	}
	for _, g := range groups {
		fmt.Fprintf(&b, "- %s: %s\n", countList(g.findings), g.why)
	}

	b.WriteString("\n#### Tolerated\n\n")
	fmt.Fprintf(&b, "%d finding(s) accepted by the tolerated list", len(r.Tolerated))
	if len(r.Tolerated) == 0 {
		b.WriteString(".\n")
	} else {
		b.WriteString(":\n\n")
	}
	var entries []Tolerated
	byEntry := map[Tolerated][]Finding{}
	for _, t := range r.Tolerated {
		if _, ok := byEntry[t.Entry]; !ok {
			entries = append(entries, t.Entry)
		}
		byEntry[t.Entry] = append(byEntry[t.Entry], t.Finding)
	}
	for _, e := range entries {
		fmt.Fprintf(&b, "- %s at %s: %s\n", countList(byEntry[e]), code(showLocation(e.Location)), summary(e.Reason))
	}
	_, err := w.Write(b.Bytes())
	return err
}

// countList renders findings as counts per rule, in the order of Rules:
// "4 × nullable-keyword-in-3.1".
func countList(fs []Finding) string {
	n := map[string]int{}
	for _, f := range fs {
		n[f.Rule]++
	}
	rules := slices.SortedFunc(maps.Keys(n), func(a, b string) int {
		return cmp.Or(cmp.Compare(ruleRank(a), ruleRank(b)), cmp.Compare(a, b))
	})
	parts := make([]string, len(rules))
	for i, rule := range rules {
		parts[i] = fmt.Sprintf("%d × %s", n[rule], rule)
	}
	return strings.Join(parts, ", ")
}

// summary returns the first sentence of a description or reason, on one
// line and at most about 200 characters.
func summary(s string) string {
	s = oneLine(s)
	if s == "" {
		return "(no description)"
	}
	for i := 0; i < len(s); i++ {
		if s[i] == '.' && (i+1 == len(s) || s[i+1] == ' ') && i > 20 {
			s = s[:i+1]
			break
		}
	}
	const limit = 200
	if utf8.RuneCountInString(s) > limit {
		s = string([]rune(s)[:limit]) + "…"
	}
	return s
}

// code renders s as a Markdown code span.
func code(s string) string {
	fence := "`"
	for strings.Contains(s, fence) {
		fence += "`"
	}
	if strings.HasPrefix(s, "`") || strings.HasSuffix(s, "`") {
		return fence + " " + s + " " + fence
	}
	return fence + s + fence
}
