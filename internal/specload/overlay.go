package specload

import (
	"bytes"
	"errors"
	"fmt"
	"strings"

	"github.com/speakeasy-api/jsonpath/pkg/jsonpath/config"
	"github.com/speakeasy-api/jsonpath/pkg/jsonpath/token"
	"github.com/speakeasy-api/openapi/overlay"
	"gopkg.in/yaml.v3"

	"github.com/anam-ai/anam-go/internal/yamltree"
)

// The SDK's overlay (spec/overlay.yaml) is an OpenAPI Overlay document
// (https://spec.openapis.org/overlay/) applied with
// github.com/speakeasy-api/openapi/overlay. Its targets select nodes by
// name, with JSONPath filters for list elements
// (`parameters[?(@.name=='tags')]`), never by position: see Positional.

// ApplyOverlay returns doc with the overlay's actions applied, as YAML (a
// superset of JSON that kin-openapi loads). An empty overlay, or one without
// actions, returns doc.
//
// It is strict, as code generation must be: every action must select
// something. A *StaleError lists the actions that select nothing, which
// usually means upstream changed or fixed what they patched (`make
// update-spec` removes such actions; see Trace).
func ApplyOverlay(doc, overlayDoc []byte) ([]byte, error) {
	ov, err := ParseOverlay(overlayDoc)
	if err != nil || ov == nil || len(ov.Actions) == 0 {
		return doc, err
	}
	root, err := parseDocument(doc)
	if err != nil {
		return nil, err
	}
	var stale []ActionTrace
	for i, a := range ov.Actions {
		one := single(ov, i)
		if matched, _, _ := query(one, root, a); !matched {
			stale = append(stale, describe(i, a))
			continue
		}
		if _, err := one.ApplyToStrict(root); err != nil {
			return nil, fmt.Errorf("apply overlay action #%d (target %s): %w", i+1, a.Target, err)
		}
	}
	if len(stale) > 0 {
		return nil, &StaleError{Actions: stale}
	}
	out, err := yaml.Marshal(root)
	if err != nil {
		return nil, fmt.Errorf("re-encode overlaid document: %w", err)
	}
	return out, nil
}

// StaleError is the error of ApplyOverlay when overlay actions select
// nothing in the document.
type StaleError struct {
	Actions []ActionTrace
}

func (e *StaleError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%d overlay action(s) select nothing in the document: upstream changed or fixed what they patch. "+
		"`make update-spec` removes such actions (listing them in its report); otherwise correct the target or remove the action:", len(e.Actions))
	for _, a := range e.Actions {
		b.WriteString("\n  " + a.String())
	}
	return b.String()
}

// ParseOverlay parses and validates an overlay document. Empty input is no
// overlay (nil, nil); an overlay without actions is valid.
func ParseOverlay(overlayDoc []byte) (*overlay.Overlay, error) {
	if len(bytes.TrimSpace(overlayDoc)) == 0 {
		return nil, nil
	}
	ov, err := overlay.ParseReader(bytes.NewReader(overlayDoc))
	if err != nil {
		return nil, fmt.Errorf("parse overlay: %w", err)
	}
	if len(ov.Actions) == 0 {
		return ov, nil // the library requires one action; none is a valid "nothing to fix"
	}
	if err := ov.Validate(); err != nil {
		return nil, fmt.Errorf("overlay is not valid: %w", err)
	}
	return ov, nil
}

// ActionTrace is what one overlay action does to a document.
type ActionTrace struct {
	// Index is the action's position in the overlay, from 0.
	Index int
	// Kind is "update", "remove" or "copy".
	Kind        string
	Target      string
	Description string
	// Matched are the JSON pointers of the nodes the target selects in the
	// document as the actions before it left it.
	Matched []string
	// Stale: the target (or a copy's source) selects nothing.
	Stale bool
	// Moot: an update whose every target already holds what it says
	// (yamltree.Holds): upstream now says it itself.
	Moot bool
}

// Obsolete reports whether the action no longer does anything: it is
// stale or moot.
func (a ActionTrace) Obsolete() bool { return a.Stale || a.Moot }

// Why says why an obsolete action no longer applies, for a report.
func (a ActionTrace) Why() string {
	switch {
	case a.Stale:
		return "its target selects nothing: upstream changed or fixed this, so the action no longer applies"
	case a.Moot:
		return "upstream now says what it says: the action no longer changes anything"
	}
	return ""
}

// String renders the action on one line: number, kind, target and the
// first line of its description.
func (a ActionTrace) String() string {
	d := strings.Join(strings.Fields(a.Description), " ")
	if len(d) > 120 {
		d = d[:117] + "..."
	}
	if d == "" {
		d = "(no description)"
	}
	return fmt.Sprintf("#%d %s %s: %s", a.Index+1, a.Kind, a.Target, d)
}

// Trace applies the overlay to doc one action at a time, as ApplyOverlay
// does, but leniently: an obsolete action (stale or moot) is recorded and
// skipped, so the result is what the overlay without its obsolete actions
// makes of doc. It returns the trace of every action and the overlaid
// document (a document node). visit, when not nil, sees each action's
// trace with the document as the actions before it left it, before the
// action applies. An overlay that does not parse or an action that fails to
// apply is an error.
func Trace(doc, overlayDoc []byte, visit func(ActionTrace, *yaml.Node)) ([]ActionTrace, *yaml.Node, error) {
	ov, err := ParseOverlay(overlayDoc)
	if err != nil {
		return nil, nil, err
	}
	root, err := parseDocument(doc)
	if err != nil {
		return nil, nil, err
	}
	if ov == nil {
		return nil, root, nil
	}
	out := make([]ActionTrace, len(ov.Actions))
	for i, a := range ov.Actions {
		one := single(ov, i)
		t := describe(i, a)
		matched, nodes, err := query(one, root, a)
		if err != nil {
			return nil, nil, fmt.Errorf("overlay action #%d: %w", i+1, err)
		}
		if len(nodes) > 0 {
			ptrs := yamltree.Pointers(root.Content[0])
			for _, n := range nodes {
				if p, ok := ptrs[n]; ok {
					t.Matched = append(t.Matched, p)
				}
			}
		}
		t.Stale = !matched
		t.Moot = matched && t.Kind == "update" && holdsAll(nodes, &a.Update)
		if visit != nil {
			visit(t, root)
		}
		if !t.Obsolete() {
			if _, err := one.ApplyToStrict(root); err != nil {
				return nil, nil, fmt.Errorf("apply overlay action #%d (target %s): %w", i+1, a.Target, err)
			}
		}
		out[i] = t
	}
	return out, root, nil
}

func holdsAll(nodes []*yaml.Node, update *yaml.Node) bool {
	for _, n := range nodes {
		if !yamltree.Holds(n, update) {
			return false
		}
	}
	return len(nodes) > 0
}

// single returns ov with only its i-th action.
func single(ov *overlay.Overlay, i int) *overlay.Overlay {
	one := *ov
	one.Actions = ov.Actions[i : i+1]
	return &one
}

// query returns the nodes an action's target selects and whether the action
// has all it needs to apply (a copy needs its source too).
func query(ov *overlay.Overlay, root *yaml.Node, a overlay.Action) (bool, []*yaml.Node, error) {
	p, err := ov.NewPath(a.Target, nil)
	if err != nil {
		return false, nil, fmt.Errorf("target %q: %w", a.Target, err)
	}
	nodes := p.Query(root)
	if len(nodes) == 0 {
		return false, nil, nil
	}
	if actionKind(a) == "copy" {
		src, err := ov.NewPath(a.Copy, nil)
		if err != nil {
			return false, nil, fmt.Errorf("copy source %q: %w", a.Copy, err)
		}
		if len(src.Query(root)) == 0 {
			return false, nodes, nil
		}
	}
	return true, nodes, nil
}

func describe(i int, a overlay.Action) ActionTrace {
	return ActionTrace{Index: i, Kind: actionKind(a), Target: a.Target, Description: a.Description}
}

// actionKind names what an action does, in the library's order of
// precedence: remove, then update, then copy.
func actionKind(a overlay.Action) string {
	switch {
	case a.Remove:
		return "remove"
	case a.Update.IsZero() && a.Copy != "":
		return "copy"
	}
	return "update"
}

func parseDocument(doc []byte) (*yaml.Node, error) {
	var root yaml.Node
	if err := yaml.Unmarshal(doc, &root); err != nil {
		return nil, fmt.Errorf("parse OpenAPI document: %w", err)
	}
	if root.Kind != yaml.DocumentNode || len(root.Content) != 1 || !yamltree.IsMapping(root.Content[0]) {
		return nil, errors.New("the OpenAPI document is not a JSON object")
	}
	return &root, nil
}

// Positional reports whether a JSONPath target selects list elements by
// position: an index (`parameters[4]`, `[-1]`) or a slice (`[0:2]`),
// outside or inside a filter. Such a target silently changes the wrong node
// when upstream reorders the list; select by name instead
// (`parameters[?(@.name=='tags')]`). A target that does not tokenize is not
// positional (applying it reports the error).
func Positional(target string) bool {
	toks := token.NewTokenizer(target, config.WithPropertyNameExtension()).Tokenize()
	for i, t := range toks {
		switch t.Token {
		case token.ARRAY_SLICE:
			return true
		case token.INTEGER:
			prev, next := token.ILLEGAL, token.ILLEGAL
			if i > 0 {
				prev = toks[i-1].Token
			}
			if i+1 < len(toks) {
				next = toks[i+1].Token
			}
			if prev == token.BRACKET_LEFT || (prev == token.COMMA && (next == token.COMMA || next == token.BRACKET_RIGHT)) {
				return true
			}
		}
	}
	return false
}
