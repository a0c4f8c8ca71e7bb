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
// overlaid document. A tolerated list (see ParseTolerated) accepts findings
// that were reviewed and judged harmless, each with its reason; whatever it
// does not accept fails the check. Nothing passes silently: the Report lists
// every overlay action applied and every tolerated finding, and tolerated
// entries that no longer match anything are reported as stale.
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
	// Tolerated are the findings the tolerated list accepts.
	Tolerated []ToleratedFinding
	// Findings are the findings nothing accepts: the check fails when there
	// is any.
	Findings []Finding
	// Stale are the tolerated entries that matched no finding: the defect
	// they accepted is gone, so the entry should go too. They are warnings,
	// not failures.
	Stale []Tolerated
}

// OK reports whether the document passed: no untolerated finding.
func (r *Report) OK() bool { return len(r.Findings) == 0 }

// Err returns nil when the document passed, and otherwise an error naming
// every untolerated finding (rule, location and message), one per line.
func (r *Report) Err() error {
	if r.OK() {
		return nil
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%d untolerated defect(s) in the OpenAPI document:", len(r.Findings))
	for _, f := range r.Findings {
		b.WriteString("\n  ")
		b.WriteString(f.String())
	}
	return errors.New(b.String())
}

// Write prints the report for people: every overlay action applied and every
// tolerated finding on a line of its own, then the stale tolerated entries
// and the untolerated findings, and a closing verdict.
func (r *Report) Write(w io.Writer) error {
	var b bytes.Buffer
	fmt.Fprintf(&b, "Overlay actions applied: %d\n", len(r.Actions))
	for _, a := range r.Actions {
		fmt.Fprintf(&b, "  %s\n", a)
	}
	fmt.Fprintf(&b, "Tolerated defects: %d\n", len(r.Tolerated))
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
	if len(r.Findings) > 0 {
		fmt.Fprintf(&b, "Untolerated defects: %d\n", len(r.Findings))
		for _, f := range r.Findings {
			fmt.Fprintf(&b, "  %s\n", f)
		}
		fmt.Fprintf(&b, "FAIL: %d untolerated defect(s). Fix each in the overlay, or accept it with a reason in the tolerated list.\n", len(r.Findings))
	} else {
		fmt.Fprintf(&b, "OK: OpenAPI %s document valid, %d overlay action(s) applied, %d defect(s) tolerated.\n",
			r.OpenAPI, len(r.Actions), len(r.Tolerated))
	}
	_, err := w.Write(b.Bytes())
	return err
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
// findings with the tolerated list (YAML, see ParseTolerated). An empty
// overlay applies nothing; an empty tolerated list accepts nothing.
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
	findings, version, err := inspect(overlaid)
	if err != nil {
		return nil, err
	}
	r := &Report{OpenAPI: version, Actions: actions}
	r.Tolerated, r.Findings, r.Stale = tolerate(findings, entries)
	return r, nil
}

// inspect runs every pass over the overlaid document and returns the
// findings, sorted by location, and the document's OpenAPI version.
func inspect(overlaid []byte) ([]Finding, string, error) {
	var root yaml.Node
	if err := yaml.Unmarshal(overlaid, &root); err != nil {
		return nil, "", fmt.Errorf("parse OpenAPI document: %w", err)
	}
	if root.Kind != yaml.DocumentNode || len(root.Content) != 1 || !isMapping(root.Content[0]) {
		return nil, "", errors.New("the OpenAPI document is not a JSON object")
	}
	// Re-encode as block YAML, one element per line, and work on that
	// encoding throughout: kin-openapi records source positions only for
	// YAML input, and the positions must be those of the tree the linter
	// walks so that they map to JSON pointers.
	blockStyle(&root)
	src, err := yaml.Marshal(&root)
	if err != nil {
		return nil, "", fmt.Errorf("re-encode OpenAPI document: %w", err)
	}
	var block yaml.Node
	if err := yaml.Unmarshal(src, &block); err != nil {
		return nil, "", fmt.Errorf("re-parse OpenAPI document: %w", err)
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
	return findings, version, nil
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
