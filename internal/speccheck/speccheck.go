// Package speccheck validates an upstream Anam OpenAPI document before the SDK
// is generated from it, and names every defect it finds with a rule and a
// location.
//
// Check applies the SDK's overlay to the document (as internal/specload and
// the code generator do), then runs three passes over the result:
//
//   - kin-openapi loads and validates the document (rules RuleLoad and
//     RuleInvalid);
//   - every example is validated, with kin-openapi, against the schema it
//     illustrates, where it is written: kin-openapi's own example
//     validation does not say which example fails, which a tolerated entry
//     needs (rules RuleInvalidExample and RuleAmbiguousOneOfExample);
//   - a linter looks for what no library reports and upstream Anam
//     documents are known to carry: `nullable` and unknown keywords in a
//     schema, `style` written in a parameter's schema, null examples.
//
// It also checks the overlay: an action whose target selects list elements
// by position is refused (RulePositionalTarget), and actions that no longer
// apply (their target selects nothing, or upstream now says what they say)
// are listed: they fail Check, since code generation applies the overlay
// strictly, and Prune removes them, with the tolerated entries that match
// nothing, as `make update-spec` does.
//
// Each finding has a rule name and a JSON pointer (RFC 6901) into the
// overlaid document. Findings fail the check unless the overlay resolves
// them (Report.Resolved lists what each action resolved) or a tolerated list
// (see ParseTolerated) accepts them with a reason. Nothing passes silently:
// the Report lists every overlay action and every tolerated finding.
//
// Where the fix of a finding is mechanical and certain (`nullable` in a 3.1
// document, `style`/`explode` written in a parameter's schema, a positional
// target), Report.Fixes holds the overlay change that fixes it, with targets
// that select by name, and CheckAndFix writes it into the overlay for the
// maintainer to review. WriteMarkdown summarises a Report for an update
// report.
package speccheck

import (
	"bytes"
	"cmp"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
	"gopkg.in/yaml.v3"

	"github.com/anam-ai/anam-go/internal/specload"
	"github.com/anam-ai/anam-go/internal/yamltree"
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
	// RulePositionalTarget: an overlay action whose target selects list
	// elements by position (`parameters[4]`), which patches the wrong node
	// once upstream reorders the list. Located at the node it selects; it
	// cannot be tolerated.
	RulePositionalTarget = "positional-overlay-target"
)

// Rules lists every rule, in the order the documentation above gives them.
var Rules = []string{
	RuleLoad, RuleInvalid, RuleInvalidExample, RuleAmbiguousOneOfExample,
	RuleNullExample, RuleNullable, RuleUnknownSchemaKeyword, RuleStyleInSchema,
	RulePositionalTarget,
}

// untolerable lists the rules a tolerated list may not accept: a document
// kin-openapi cannot load cannot be generated from either, and a positional
// target always has a name-based equivalent.
var untolerable = map[string]bool{RuleLoad: true, RulePositionalTarget: true}

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

// Action is one action of the overlay and what it does to the document:
// the nodes it selects, and whether it is obsolete (see
// specload.ActionTrace).
type Action = specload.ActionTrace

// Report is the outcome of Check.
type Report struct {
	// OpenAPI is the document's `openapi` version field.
	OpenAPI string
	// Actions are the overlay's actions, in order, obsolete ones included.
	Actions []Action
	// Fixed are the overlay actions CheckAndFix wrote or retargeted in this
	// run; they are among Actions too. Check leaves it empty.
	Fixed []Action
	// Resolved are the findings of the document as published that the
	// overlaid document no longer has.
	Resolved []ResolvedFinding
	// Tolerated are the findings the tolerated list accepts.
	Tolerated []ToleratedFinding
	// Findings are the findings nothing resolves or accepts, sorted by rule
	// (in the order of Rules), then location: the check fails when there
	// is any.
	Findings []Finding
	// Fixes are the overlay changes CheckAndFix would write for some of
	// Findings: those whose fix is mechanical and certain.
	Fixes []Fix
	// Stale are the tolerated entries that matched no finding: the defect
	// they accepted is gone, so the entry should go. They are warnings, not
	// failures; Prune removes them.
	Stale []Tolerated

	// root is the overlaid document's mapping node, which the locations
	// point into.
	root *yaml.Node
}

// Obsolete returns the overlay actions that no longer apply: their target
// selects nothing, or upstream now says what they say. They fail the check
// (code generation applies the overlay strictly); Prune removes them.
func (r *Report) Obsolete() []Action {
	var out []Action
	for _, a := range r.Actions {
		if a.Obsolete() {
			out = append(out, a)
		}
	}
	return out
}

// OK reports whether the document passed: no finding is left and every
// overlay action applies.
func (r *Report) OK() bool { return len(r.Findings) == 0 && len(r.Obsolete()) == 0 }

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
// every finding left (rule, location and message) and every obsolete
// overlay action, one per line.
func (r *Report) Err() error {
	if r.OK() {
		return nil
	}
	var b strings.Builder
	if n := len(r.Findings); n > 0 {
		fmt.Fprintf(&b, "%d finding(s) in the OpenAPI document need a decision:", n)
		for _, f := range r.Findings {
			b.WriteString("\n  ")
			b.WriteString(f.String())
		}
	}
	if obs := r.Obsolete(); len(obs) > 0 {
		if b.Len() > 0 {
			b.WriteString("\n")
		}
		fmt.Fprintf(&b, "%d overlay action(s) no longer apply (prune them: make update-spec does):", len(obs))
		for _, a := range obs {
			fmt.Fprintf(&b, "\n  %s (%s)", a, a.Why())
		}
	}
	return errors.New(b.String())
}

// Write prints the report for people, most urgent first: the findings that
// need a decision (each with the fix -fix would write, or what to write by
// hand), the overlay actions that no longer apply, the actions -fix wrote,
// the overlay actions applied and what they resolved, the tolerated
// findings, warnings about stale tolerated entries, and a closing verdict.
func (r *Report) Write(w io.Writer) error {
	var b bytes.Buffer
	if len(r.Findings) > 0 {
		fmt.Fprintf(&b, "Findings that need a decision: %d\n", len(r.Findings))
		for _, f := range r.Findings {
			fmt.Fprintf(&b, "  %s\n    fix: %s\n", f, r.Proposal(f))
		}
	}
	if obs := r.Obsolete(); len(obs) > 0 {
		fmt.Fprintf(&b, "Overlay actions that no longer apply: %d (prune them: make update-spec does)\n", len(obs))
		for _, a := range obs {
			fmt.Fprintf(&b, "  %s\n    %s\n", a, a.Why())
		}
	}
	if len(r.Fixed) > 0 {
		fmt.Fprintf(&b, "Overlay actions written by -fix: %d (review them)\n", len(r.Fixed))
		for _, a := range r.Fixed {
			fmt.Fprintf(&b, "  %s\n", a)
		}
	}
	fmt.Fprintf(&b, "Overlay actions: %d\n", len(r.Actions))
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
	if len(r.Stale) > 0 {
		fmt.Fprintf(&b, "Warning: %d tolerated entr%s matched nothing; remove %s from the tolerated list:\n",
			len(r.Stale), plural(len(r.Stale), "y", "ies"), plural(len(r.Stale), "it", "them"))
		for _, s := range r.Stale {
			fmt.Fprintf(&b, "  %s\n", s)
		}
	}
	switch {
	case !r.OK():
		fixable := ""
		if len(r.Fixes) > 0 {
			fixable = fmt.Sprintf(" (-fix resolves %d)", len(r.Fixes))
		}
		fmt.Fprintf(&b, "FAIL: %d finding(s) need a decision%s, %d overlay action(s) no longer apply. "+
			"Fix each finding in the overlay, or accept it with a reason in the tolerated list.\n",
			len(r.Findings), fixable, len(r.Obsolete()))
	default:
		fmt.Fprintf(&b, "OK: OpenAPI %s document valid, %d overlay action(s) applied, %d finding(s) resolved by them, %d tolerated.\n",
			r.OpenAPI, len(r.Actions), len(r.Resolved), len(r.Tolerated))
	}
	_, err := w.Write(b.Bytes())
	return err
}

// Proposal says how to resolve a finding: the overlay change -fix writes
// for it, or else the overlay action or tolerated entry to write by hand,
// with the target that selects its location by name.
func (r *Report) Proposal(f Finding) string {
	if fx, ok := r.FixFor(f); ok {
		return "-fix writes: " + fx.Summary()
	}
	target := "(a target selecting " + showLocation(f.Location) + ")"
	if r.root != nil {
		if p, ok := jsonPath(r.root, f.Location); ok {
			target = p
		}
	}
	if untolerable[f.Rule] {
		return fmt.Sprintf("an overlay action on %s in spec/overlay.yaml, with a description saying why", target)
	}
	return fmt.Sprintf("an overlay action on %s in spec/overlay.yaml, with a description saying why; "+
		"or, if the defect is harmless, a tolerated entry {rule: %s, location: %s, reason: ...} in spec/tolerated.yaml",
		target, f.Rule, f.Location)
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

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// oneLine collapses runs of white space, newlines included, to one space.
func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

// showLocation renders a location for people: the pointer itself, or
// "(document root)" for the empty pointer.
func showLocation(ptr string) string {
	if ptr == "" {
		return "(document root)"
	}
	return ptr
}

// ruleRank orders rules as Rules lists them, unknown ones last.
func ruleRank(rule string) int {
	if i := slices.Index(Rules, rule); i >= 0 {
		return i
	}
	return len(Rules)
}

// sortFindings orders findings for people: by rule (in the order of
// Rules), then by location.
func sortFindings(fs []Finding) {
	slices.SortStableFunc(fs, func(a, b Finding) int {
		return cmp.Or(
			cmp.Compare(ruleRank(a.Rule), ruleRank(b.Rule)),
			cmp.Compare(a.Location, b.Location),
			cmp.Compare(a.Message, b.Message))
	})
}

// Check validates doc (JSON or YAML) with the overlay applied, and sorts the
// findings: those the overlay resolved (found in doc but not in the
// overlaid document), those the tolerated list (YAML, see ParseTolerated)
// accepts, and the rest, which fail the check. Overlay actions that no
// longer apply are skipped (the document is checked as the overlay without
// them makes it) and listed by Report.Obsolete; they fail the check too. An
// empty overlay applies nothing; an empty tolerated list accepts nothing.
//
// The error is for input Check cannot judge: an overlay that does not parse
// or whose action fails to apply, a tolerated list that is malformed, a
// document that is not YAML. Defects of the document itself are findings in
// the Report.
func Check(doc, overlayDoc, tolerated []byte) (*Report, error) {
	entries, err := ParseTolerated(tolerated)
	if err != nil {
		return nil, err
	}
	var positional []positionalTarget
	actions, overlaid, err := specload.Trace(doc, overlayDoc, func(a Action, root *yaml.Node) {
		if !a.Obsolete() && specload.Positional(a.Target) {
			positional = append(positional, retarget(root.Content[0], a))
		}
	})
	if err != nil {
		return nil, err
	}
	in, err := inspect(overlaid)
	if err != nil {
		return nil, err
	}
	findings := in.findings
	for _, p := range positional {
		findings = append(findings, p.finding)
	}
	r := &Report{OpenAPI: in.version, Actions: actions, root: in.root}
	r.Tolerated, r.Findings, r.Stale = tolerate(findings, entries)
	sortFindings(r.Findings)
	if len(actions) > 0 {
		r.Resolved = resolved(doc, actions, findings)
	}
	r.Fixes = fixes(in.root, overlayDoc, r.Findings, positional)
	return r, nil
}

// resolved returns the findings of doc as published that the overlaid
// document's findings (after) lack, each attributed to the overlay actions
// whose targets are related to its location. A document that cannot be
// inspected without the overlay resolves nothing.
func resolved(doc []byte, actions []Action, after []Finding) []ResolvedFinding {
	var root yaml.Node
	if yaml.Unmarshal(doc, &root) != nil || len(root.Content) != 1 {
		return nil
	}
	raw, err := inspect(&root)
	if err != nil {
		return nil
	}
	type key struct{ rule, loc string }
	still := map[key]bool{}
	for _, f := range after {
		still[key{f.Rule, f.Location}] = true
	}
	var out []ResolvedFinding
	for _, f := range raw.findings {
		if still[key{f.Rule, f.Location}] {
			continue
		}
		rf := ResolvedFinding{Finding: f}
		score := map[int]int{}
		for i, a := range actions {
			best := -1
			for _, p := range a.Matched {
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
		return cmp.Or(cmp.Compare(ruleRank(a.Rule), ruleRank(b.Rule)), cmp.Compare(a.Location, b.Location))
	})
	return out
}

// inspection is what inspect finds in a document.
type inspection struct {
	// findings are sorted by location.
	findings []Finding
	version  string
	// root is the document's mapping node, whose tree the locations of
	// findings point into.
	root *yaml.Node
}

// inspect runs every pass over the overlaid document (a YAML document node)
// and returns the findings, sorted by location, and the document's tree and
// OpenAPI version.
func inspect(doc *yaml.Node) (*inspection, error) {
	if doc.Kind != yaml.DocumentNode || len(doc.Content) != 1 || !yamltree.IsMapping(doc.Content[0]) {
		return nil, errors.New("the OpenAPI document is not a JSON object")
	}
	// Re-encode as block YAML, one element per line, and work on that
	// encoding throughout: kin-openapi records source positions only for
	// YAML input, and the positions must be those of the tree the linter
	// walks so that they map to JSON pointers.
	blockStyle(doc)
	src, err := yaml.Marshal(doc)
	if err != nil {
		return nil, fmt.Errorf("re-encode OpenAPI document: %w", err)
	}
	var block yaml.Node
	if err := yaml.Unmarshal(src, &block); err != nil {
		return nil, fmt.Errorf("re-parse OpenAPI document: %w", err)
	}
	docNode := block.Content[0]
	version := yamltree.Str(yamltree.Get(docNode, "openapi"))

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
