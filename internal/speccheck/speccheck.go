// Package speccheck validates an upstream Anam OpenAPI document before the SDK
// is generated from it, and names every defect it finds with a rule and a
// location.
//
// Check applies the SDK's overlay to the document (exactly as
// internal/specload and the code generator do), then runs three passes over
// the result:
//
//   - kin-openapi loads and validates the document (rules RuleLoad and
//     RuleInvalid);
//   - every example is validated against the schema it illustrates: the
//     Example Objects of media types and parameters, including the
//     components.examples entries they reference, their inline `example`
//     values, and the `example`/`examples` of every schema (rules
//     RuleInvalidExample and RuleAmbiguousOneOfExample);
//   - a linter looks for the defect classes upstream Anam documents are
//     known to carry (the other Rule* constants).
//
// Each finding has a rule name and a JSON pointer (RFC 6901) into the
// overlaid document, and its rule a severity (SeverityOf). Notices (inline
// schemas the generator names after their location, error responses without
// a body schema) are counted and located but never fail the check. Blocking
// findings fail it unless the overlay resolves them (Report.Resolved lists
// what each action resolved) or a tolerated list (see ParseTolerated)
// accepts them with a reason. Nothing passes silently: the Report lists
// every overlay action applied and every tolerated finding, and tolerated
// entries that no longer match anything are reported as stale.
//
// Where the fix of a blocking finding is mechanical and certain (`nullable`
// in a 3.1 document, `style`/`explode` written in a parameter's schema),
// Report.Fixes holds the overlay actions that fix it, and CheckAndFix
// appends them to the overlay for the maintainer to review. WriteMarkdown
// summarises a Report for a changelog or update report.
package speccheck

import (
	"bytes"
	"cmp"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/speakeasy-api/openapi/overlay"
	"gopkg.in/yaml.v3"

	"github.com/anam-ai/anam-go/internal/specload"
)

// Rule names. They are the vocabulary of findings and of tolerated lists.
const (
	// RuleLoad: kin-openapi cannot load the document at all (a broken
	// $ref, a value of the wrong type...). It cannot be tolerated.
	RuleLoad = "openapi-load"
	// RuleInvalid: openapi3.T.Validate reports the document invalid.
	RuleInvalid = "openapi-invalid"
	// RuleInvalidExample: an example does not match the schema it
	// illustrates.
	RuleInvalidExample = "invalid-example"
	// RuleAmbiguousOneOfExample: an example matches more than one branch
	// of an undiscriminated oneOf, which a oneOf forbids, and which tells
	// that the branches overlap so no client can decode the value by shape.
	RuleAmbiguousOneOfExample = "ambiguous-oneof-example"
	// RuleNullExample: an Example Object whose value is null, typically
	// used upstream as a note; it illustrates nothing and validates nothing.
	RuleNullExample = "null-example"
	// RuleNullable: OpenAPI 3.0's `nullable` in a 3.1 document, where it is
	// no keyword: the schema does not accept null at all.
	RuleNullable = "nullable-keyword-in-3.1"
	// RuleUnknownSchemaKeyword: a keyword that neither JSON Schema 2020-12
	// nor OpenAPI defines (say `optional: true`), ignored by validators and
	// generators alike.
	RuleUnknownSchemaKeyword = "unknown-schema-keyword"
	// RuleStyleInSchema: a Parameter's `style`, `explode` or
	// `allowReserved` written inside its schema, where it means nothing.
	RuleStyleInSchema = "style-in-schema"
	// RuleErrorResponseWithoutBody: a 4xx or 5xx response with no body
	// schema, so the generated client has no type for the error body.
	RuleErrorResponseWithoutBody = "error-response-without-body"
	// RuleInlineSchema: an inline object schema in a request or response
	// body that the generator would turn into a type with a machine-made
	// name (ListAvatars200JSONResponseBody...). $ref a component or name
	// it with x-go-type-name in the overlay.
	RuleInlineSchema = "inline-schema"
)

// Rules lists every rule, in the order the documentation above gives them.
var Rules = []string{
	RuleLoad, RuleInvalid, RuleInvalidExample, RuleAmbiguousOneOfExample,
	RuleNullExample, RuleNullable, RuleUnknownSchemaKeyword, RuleStyleInSchema,
	RuleErrorResponseWithoutBody, RuleInlineSchema,
}

// untolerable lists the rules a tolerated list may not accept: a document
// kin-openapi cannot load cannot be generated from either.
var untolerable = map[string]bool{RuleLoad: true}

// Finding is one defect of the document.
type Finding struct {
	Rule string
	// Location is a JSON pointer into the overlaid document; "" is the
	// document itself.
	Location string
	Message  string
	// Subject is the location of the schema an example finding is about
	// (the schema it is checked against, or the ambiguous oneOf); "" for
	// the other rules. Overlay actions on it are credited with resolving
	// the finding.
	Subject string
}

// String renders the finding on one line: rule, location and message.
func (f Finding) String() string {
	return fmt.Sprintf("%s at %s: %s", f.Rule, showLocation(f.Location), f.Message)
}

// ToleratedFinding is a finding a tolerated entry accepts.
type ToleratedFinding struct {
	Finding
	// Entry is the tolerated entry that accepts the finding.
	Entry Tolerated
}

// ResolvedFinding is a finding of the document as published that the
// overlaid document no longer has.
type ResolvedFinding struct {
	Finding
	// By are the indexes, in Report.Actions, of the actions whose targets
	// hold the finding's location (or Subject) or lie inside it, the most
	// specific first. It is empty when the finding went as a consequence of
	// actions elsewhere.
	By []int
}

// Action is one action of the overlay, as applied to the document.
type Action struct {
	// Kind is "update", "remove" or "copy".
	Kind        string
	Target      string
	Description string
}

// String renders the action on one line: kind, target and description.
func (a Action) String() string {
	d := oneLine(a.Description)
	if d == "" {
		d = "(no description)"
	}
	return fmt.Sprintf("%s %s: %s", a.Kind, a.Target, d)
}

// Report is the outcome of Check.
type Report struct {
	// OpenAPI is the document's `openapi` version field.
	OpenAPI string
	// Actions are the overlay actions applied, in order.
	Actions []Action
	// Fixed are the overlay actions CheckAndFix wrote in this run; they are
	// among Actions too. Check leaves it empty.
	Fixed []Action
	// Resolved are the findings of the document as published that the
	// overlaid document no longer has, notices included.
	Resolved []ResolvedFinding
	// Tolerated are the blocking findings the tolerated list accepts.
	Tolerated []ToleratedFinding
	// Findings are the blocking findings nothing resolves or accepts,
	// sorted by rule (in the order of Rules), then location: the check
	// fails when there is any.
	Findings []Finding
	// Fixes are the overlay actions CheckAndFix would write for some of
	// Findings: those whose fix is mechanical and certain.
	Fixes []Fix
	// Notices are the notice findings (see SeverityOf), sorted like
	// Findings. They never fail the check.
	Notices []Finding
	// Stale are the tolerated entries that matched no blocking finding:
	// the defect they accepted is gone, or their rule is a notice, which
	// needs no entry. Either way the entry should go. They are warnings,
	// not failures.
	Stale []Tolerated
}

// OK reports whether the document passed: no blocking finding is left.
func (r *Report) OK() bool { return len(r.Findings) == 0 }

// FixFor returns the fix CheckAndFix would write for f, if there is one.
func (r *Report) FixFor(f Finding) (Fix, bool) {
	for _, fx := range r.Fixes {
		if fx.Finding == f {
			return fx, true
		}
	}
	return Fix{}, false
}

// Err returns nil when the document passed, and otherwise an error naming
// every blocking finding left (rule, location and message), one per line.
func (r *Report) Err() error {
	if r.OK() {
		return nil
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%d blocking finding(s) in the OpenAPI document need a decision:", len(r.Findings))
	for _, f := range r.Findings {
		b.WriteString("\n  ")
		b.WriteString(f.String())
	}
	return errors.New(b.String())
}

// Write prints the report for people, most urgent first: the blocking
// findings that need a decision (with the fix -fix would write, where there
// is one), the actions -fix wrote, the overlay actions applied and what they
// resolved, the tolerated findings, the notices by rule with their
// locations, warnings about stale tolerated entries, and a closing verdict.
func (r *Report) Write(w io.Writer) error {
	var b bytes.Buffer
	if len(r.Findings) > 0 {
		fmt.Fprintf(&b, "Blocking findings that need a decision: %d\n", len(r.Findings))
		for _, f := range r.Findings {
			fmt.Fprintf(&b, "  %s\n", f)
			if fx, ok := r.FixFor(f); ok {
				fmt.Fprintf(&b, "    -fix would resolve it: %s\n", fx.Summary())
			}
		}
	}
	if len(r.Fixed) > 0 {
		fmt.Fprintf(&b, "Overlay actions written by -fix: %d (review them)\n", len(r.Fixed))
		for _, a := range r.Fixed {
			fmt.Fprintf(&b, "  %s\n", a)
		}
	}
	fmt.Fprintf(&b, "Overlay actions applied: %d\n", len(r.Actions))
	for _, a := range r.Actions {
		fmt.Fprintf(&b, "  %s\n", a)
	}
	if len(r.Resolved) > 0 {
		fmt.Fprintf(&b, "Resolved by the overlay: %d finding(s) of the document as published\n", len(r.Resolved))
		for _, rf := range r.Resolved {
			fmt.Fprintf(&b, "  %s at %s%s\n", rf.Rule, showLocation(rf.Location), r.byActions(rf.By))
		}
	}
	fmt.Fprintf(&b, "Tolerated: %d\n", len(r.Tolerated))
	for _, t := range r.Tolerated {
		fmt.Fprintf(&b, "  %s [tolerated: %s]\n", t.Finding, oneLine(t.Entry.Reason))
	}
	if len(r.Notices) > 0 {
		fmt.Fprintf(&b, "Notices (never block): %d\n", len(r.Notices))
		for _, c := range countRules(r.Notices) {
			fmt.Fprintf(&b, "  %s: %d\n", c.rule, c.n)
			for _, f := range r.Notices {
				if f.Rule == c.rule {
					fmt.Fprintf(&b, "    %s\n", showLocation(f.Location))
				}
			}
		}
	}
	if len(r.Stale) > 0 {
		fmt.Fprintf(&b, "Warning: %d tolerated entr%s matched nothing; remove %s from the tolerated list:\n",
			len(r.Stale), plural(len(r.Stale), "y", "ies"), plural(len(r.Stale), "it", "them"))
		for _, s := range r.Stale {
			why := ""
			if SeverityOf(s.Rule) == Notice {
				why = " (a notice rule: notices need no tolerated entry)"
			}
			fmt.Fprintf(&b, "  %s%s\n", s, why)
		}
	}
	if len(r.Findings) > 0 {
		fixable := ""
		if len(r.Fixes) > 0 {
			fixable = fmt.Sprintf(" (-fix resolves %d)", len(r.Fixes))
		}
		fmt.Fprintf(&b, "FAIL: %d blocking finding(s) need a decision%s. Fix each in the overlay, or accept it with a reason in the tolerated list.\n",
			len(r.Findings), fixable)
	} else {
		fmt.Fprintf(&b, "OK: OpenAPI %s document valid, %d overlay action(s) applied, %d finding(s) resolved by them, %d tolerated, %d notice(s).\n",
			r.OpenAPI, len(r.Actions), len(r.Resolved), len(r.Tolerated), len(r.Notices))
	}
	_, err := w.Write(b.Bytes())
	return err
}

// byActions renders the actions a resolved finding is attributed to.
func (r *Report) byActions(by []int) string {
	if len(by) == 0 {
		return " (as a consequence of the actions)"
	}
	var parts []string
	for _, i := range by {
		if i >= 0 && i < len(r.Actions) {
			parts = append(parts, fmt.Sprintf("#%d %s %s", i+1, r.Actions[i].Kind, r.Actions[i].Target))
		}
	}
	return " (by " + strings.Join(parts, "; ") + ")"
}

// ruleCount is the number of findings of one rule.
type ruleCount struct {
	rule string
	n    int
}

// countRules counts findings by rule, in the order of Rules.
func countRules(fs []Finding) []ruleCount {
	m := map[string]int{}
	for _, f := range fs {
		m[f.Rule]++
	}
	var out []ruleCount
	for rule, n := range m {
		out = append(out, ruleCount{rule, n})
	}
	slices.SortFunc(out, func(a, b ruleCount) int {
		return cmp.Or(cmp.Compare(ruleRank(a.rule), ruleRank(b.rule)), cmp.Compare(a.rule, b.rule))
	})
	return out
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// oneLine collapses runs of white space, newlines included, to one space.
func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

// Check validates doc (JSON or YAML) with the overlay applied, and sorts the
// findings: notices apart, blocking findings the overlay resolved (found in
// doc but not in the overlaid document), blocking findings the tolerated
// list (YAML, see ParseTolerated) accepts, and the rest, which fail the
// check. An empty overlay applies nothing; an empty tolerated list accepts
// nothing.
//
// The error is for input Check cannot judge: an overlay that does not parse
// or does not apply (every action must match something, as in code
// generation), a tolerated list that is malformed, a document that is not
// YAML. Defects of the document itself are findings in the Report.
func Check(doc, overlayDoc, tolerated []byte) (*Report, error) {
	entries, err := ParseTolerated(tolerated)
	if err != nil {
		return nil, err
	}
	actions, err := overlayActions(overlayDoc)
	if err != nil {
		return nil, err
	}
	overlaid, err := specload.ApplyOverlay(doc, overlayDoc)
	if err != nil {
		return nil, err
	}
	in, err := inspect(overlaid)
	if err != nil {
		return nil, err
	}
	r := &Report{OpenAPI: in.version, Actions: actions}
	var blocking []Finding
	for _, f := range in.findings {
		if f.Severity() == Notice {
			r.Notices = append(r.Notices, f)
		} else {
			blocking = append(blocking, f)
		}
	}
	r.Tolerated, r.Findings, r.Stale = tolerate(blocking, entries)
	sortFindings(r.Findings)
	sortFindings(r.Notices)
	if len(actions) > 0 {
		r.Resolved = resolved(doc, overlayDoc, in.findings)
	}
	r.Fixes = fixes(in.root, overlayDoc, r.Findings)
	return r, nil
}

// resolved returns the findings of doc as published that the overlaid
// document's findings (after) lack, each attributed to the overlay actions
// whose targets are related to its location. A document that cannot be
// inspected without the overlay resolves nothing.
func resolved(doc, overlayDoc []byte, after []Finding) []ResolvedFinding {
	raw, err := inspect(doc)
	if err != nil {
		return nil
	}
	type key struct{ rule, loc string }
	still := map[key]bool{}
	for _, f := range after {
		still[key{f.Rule, f.Location}] = true
	}
	targets := actionTargets(doc, overlayDoc)
	var out []ResolvedFinding
	for _, f := range raw.findings {
		if still[key{f.Rule, f.Location}] {
			continue
		}
		rf := ResolvedFinding{Finding: f}
		score := map[int]int{}
		for i, ptrs := range targets {
			best := -1
			for _, p := range ptrs {
				for _, loc := range []string{f.Location, f.Subject} {
					switch {
					case loc == "" && f.Location != "":
					case p == loc:
						best = max(best, 3<<20)
					case strings.HasPrefix(loc, p+"/"): // on an ancestor: the nearest wins
						best = max(best, 2<<20+len(p))
					case strings.HasPrefix(p, loc+"/"): // inside: the nearest wins
						best = max(best, 1<<20-len(p))
					}
				}
			}
			if best >= 0 {
				rf.By = append(rf.By, i)
				score[i] = best
			}
		}
		// The most specific action first: the one on the finding's own
		// location, else the one nearest it.
		slices.SortStableFunc(rf.By, func(a, b int) int { return cmp.Compare(score[b], score[a]) })
		out = append(out, rf)
	}
	slices.SortStableFunc(out, func(a, b ResolvedFinding) int {
		return cmp.Or(cmp.Compare(a.Severity(), b.Severity()), cmp.Compare(ruleRank(a.Rule), ruleRank(b.Rule)), cmp.Compare(a.Location, b.Location))
	})
	return out
}

// actionTargets returns, for each action of the overlay, the pointers of
// the nodes its target selects in the document as the actions before it
// left it. It is best effort, for attributing findings: what does not parse
// or apply selects nothing.
func actionTargets(doc, overlayDoc []byte) [][]string {
	ov, err := overlay.ParseReader(bytes.NewReader(overlayDoc))
	if err != nil {
		return nil
	}
	var root yaml.Node
	if err := yaml.Unmarshal(doc, &root); err != nil || len(root.Content) != 1 {
		return nil
	}
	out := make([][]string, len(ov.Actions))
	for i, a := range ov.Actions {
		one := *ov
		one.Actions = ov.Actions[i : i+1]
		p, err := one.NewPath(a.Target, nil)
		if err != nil {
			continue
		}
		ptrs := pointerIndex(root.Content[0])
		for _, n := range p.Query(&root) {
			if ptr, ok := ptrs[n]; ok {
				out[i] = append(out[i], ptr)
			}
		}
		_, _ = one.ApplyToStrict(&root) // already applied once by specload, which reports errors
	}
	return out
}

// pointerIndex maps every node under n (n included, as "") to its JSON
// pointer.
func pointerIndex(n *yaml.Node) map[*yaml.Node]string {
	m := map[*yaml.Node]string{}
	var walk func(n *yaml.Node, ptr string)
	walk = func(n *yaml.Node, ptr string) {
		m[n] = ptr
		switch n.Kind {
		case yaml.MappingNode:
			for _, p := range pairs(n) {
				walk(p.val, join(ptr, p.key))
			}
		case yaml.SequenceNode:
			for i, c := range n.Content {
				walk(c, join(ptr, strconv.Itoa(i)))
			}
		}
	}
	walk(n, "")
	return m
}

// inspection is what inspect finds in a document.
type inspection struct {
	// findings are sorted by location, all severities.
	findings []Finding
	version  string
	// root is the document's mapping node, whose tree the locations of
	// findings point into.
	root *yaml.Node
}

// inspect runs every pass over the overlaid document and returns the
// findings, sorted by location, and the document's tree and OpenAPI
// version.
func inspect(overlaid []byte) (*inspection, error) {
	var root yaml.Node
	if err := yaml.Unmarshal(overlaid, &root); err != nil {
		return nil, fmt.Errorf("parse OpenAPI document: %w", err)
	}
	if root.Kind != yaml.DocumentNode || len(root.Content) != 1 || !isMapping(root.Content[0]) {
		return nil, errors.New("the OpenAPI document is not a JSON object")
	}
	// Re-encode as block YAML, one element per line, and work on that
	// encoding throughout: kin-openapi records source positions only for
	// YAML input, and the positions must be those of the tree the linter
	// walks so that they map to JSON pointers.
	blockStyle(&root)
	src, err := yaml.Marshal(&root)
	if err != nil {
		return nil, fmt.Errorf("re-encode OpenAPI document: %w", err)
	}
	var block yaml.Node
	if err := yaml.Unmarshal(src, &block); err != nil {
		return nil, fmt.Errorf("re-parse OpenAPI document: %w", err)
	}
	docNode := block.Content[0]
	version := str(get(docNode, "openapi"))

	lintFindings := lint(docNode)
	findings := slices.Clone(lintFindings)

	loader := openapi3.NewLoader()
	loader.IsExternalRefsAllowed = false
	loader.IncludeOrigin = true
	t, err := loader.LoadFromData(src)
	if err != nil {
		findings = append(findings, Finding{Rule: RuleLoad, Location: "", Message: oneLine(err.Error())})
	} else {
		findings = append(findings, validate(t, newPositionIndex(docNode), lintFindings)...)
		findings = append(findings, checkExamples(t)...)
	}
	findings = dedupe(findings)
	return &inspection{findings: findings, version: version, root: docNode}, nil
}

// dedupe sorts findings by location and rule and drops exact repeats.
func dedupe(fs []Finding) []Finding {
	slices.SortStableFunc(fs, func(a, b Finding) int {
		return cmp.Or(cmp.Compare(a.Location, b.Location), cmp.Compare(a.Rule, b.Rule), cmp.Compare(a.Message, b.Message))
	})
	return slices.Compact(fs)
}

// overlayActions lists the actions of an overlay document for the report.
func overlayActions(overlayDoc []byte) ([]Action, error) {
	if len(bytes.TrimSpace(overlayDoc)) == 0 {
		return nil, nil
	}
	ov, err := overlay.ParseReader(bytes.NewReader(overlayDoc))
	if err != nil {
		return nil, fmt.Errorf("parse overlay: %w", err)
	}
	out := make([]Action, 0, len(ov.Actions))
	for _, a := range ov.Actions {
		kind := "update"
		switch {
		case a.Remove:
			kind = "remove"
		case a.Update.IsZero() && a.Copy != "":
			kind = "copy"
		}
		out = append(out, Action{Kind: kind, Target: a.Target, Description: a.Description})
	}
	return out, nil
}
