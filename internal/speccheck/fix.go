package speccheck

import (
	"bytes"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/speakeasy-api/openapi/overlay"
	"gopkg.in/yaml.v3"
)

// Fix is the overlay change CheckAndFix writes for one blocking finding
// whose fix is mechanical and certain:
//
//   - RuleNullable: `nullable: true` beside a single `type: T` becomes
//     `type: [T, 'null']` (the nullable key removed, the schema updated);
//     `nullable: false` is removed;
//   - RuleStyleInSchema: `style`, `explode` or `allowReserved` written in a
//     parameter's schema moves to the parameter, unless the parameter says
//     otherwise already or the value does not suit the parameter.
type Fix struct {
	// Finding is the finding the fix resolves.
	Finding Finding
	// Actions are the overlay actions to append, in order.
	Actions []FixAction
}

// FixAction is one overlay action of a Fix.
type FixAction struct {
	// Target is a JSONPath that selects exactly the node to change in the
	// overlaid document, in the syntax of the overlay it is written to.
	Target string
	// Description says what upstream does and why the action changes it.
	Description string
	// Remove removes the target; otherwise Update is merged into it.
	Remove bool
	// Update is a mapping merged into the target when Remove is false.
	Update *yaml.Node
}

// Summary renders the fix's actions on one line for a report.
func (f Fix) Summary() string {
	parts := make([]string, len(f.Actions))
	for i, a := range f.Actions {
		if a.Remove {
			parts[i] = "remove " + a.Target
		} else {
			parts[i] = fmt.Sprintf("update %s with %s", a.Target, flowYAML(a.Update))
		}
	}
	return strings.Join(parts, "; ")
}

// flowYAML renders a node on one line, in flow style.
func flowYAML(n *yaml.Node) string {
	if n == nil {
		return "{}"
	}
	c := cloneNode(n)
	var flow func(*yaml.Node)
	flow = func(n *yaml.Node) {
		if n.Kind == yaml.MappingNode || n.Kind == yaml.SequenceNode {
			n.Style = yaml.FlowStyle
		}
		for _, k := range n.Content {
			flow(k)
		}
	}
	flow(c)
	b, err := yaml.Marshal(c)
	if err != nil {
		return "?"
	}
	return oneLine(string(b))
}

func cloneNode(n *yaml.Node) *yaml.Node {
	c := *n
	c.Content = nil
	for _, k := range n.Content {
		c.Content = append(c.Content, cloneNode(k))
	}
	return &c
}

// overlayMode is what of an overlay decides how fix actions are written.
type overlayMode struct {
	ov *overlay.Overlay
	// v110: Overlay 1.1.0 merges strictly, refusing to replace a scalar
	// with a list, so a scalar `type` is removed before the update.
	v110 bool
}

// modeOf parses the overlay the fixes are for; an empty one is the
// Overlay 1.0.0 document AppendActions starts.
func modeOf(overlayDoc []byte) (overlayMode, error) {
	if len(bytes.TrimSpace(overlayDoc)) == 0 {
		overlayDoc = []byte(newOverlayHeader)
	}
	ov, err := overlay.ParseReader(bytes.NewReader(overlayDoc))
	if err != nil {
		return overlayMode{}, fmt.Errorf("parse overlay: %w", err)
	}
	return overlayMode{ov: ov, v110: ov.IsV110OrLater()}, nil
}

// fixes returns the fixes for the findings that have one. root is the
// overlaid document's mapping node, which the findings' locations point
// into. A fix whose targets cannot be written so that each selects exactly
// its node is left out: a human decides.
func fixes(root *yaml.Node, overlayDoc []byte, findings []Finding) []Fix {
	mode, err := modeOf(overlayDoc)
	if err != nil || root == nil {
		return nil
	}
	doc := &yaml.Node{Kind: yaml.DocumentNode, Content: []*yaml.Node{root}}
	var out []Fix
	for _, f := range findings {
		var acts []FixAction
		switch f.Rule {
		case RuleNullable:
			acts = nullableFix(root, mode, f.Location)
		case RuleStyleInSchema:
			acts = styleFix(root, f.Location)
		}
		if len(acts) == 0 || !targetsExact(doc, mode, acts) {
			continue
		}
		out = append(out, Fix{Finding: f, Actions: acts})
	}
	return out
}

// targetsExact reports whether each action's target selects exactly one
// node, the one its location names, in the document before any of them
// applies (the actions of a fix touch distinct nodes).
func targetsExact(doc *yaml.Node, mode overlayMode, acts []FixAction) bool {
	for _, a := range acts {
		p, err := mode.ov.NewPath(a.Target, nil)
		if err != nil {
			return false
		}
		if len(p.Query(doc)) != 1 {
			return false
		}
	}
	return true
}

// nullableFix returns the actions for `nullable` at loc.
func nullableFix(root *yaml.Node, mode overlayMode, loc string) []FixAction {
	toks := splitPointer(loc)
	if len(toks) == 0 || toks[len(toks)-1] != "nullable" {
		return nil
	}
	schemaPtr := join("", toks[:len(toks)-1]...)
	schema := lookup(root, schemaPtr)
	val := get(schema, "nullable")
	if val == nil || val.Kind != yaml.ScalarNode {
		return nil
	}
	nullablePath, ok1 := jsonPath(root, loc)
	schemaPath, ok2 := jsonPath(root, schemaPtr)
	if !ok1 || !ok2 {
		return nil
	}
	switch val.Value {
	case "false":
		return []FixAction{{
			Target: nullablePath,
			Description: fmt.Sprintf("Upstream writes OpenAPI 3.0's `nullable: false`, no keyword in a 3.1 document, where the schema refuses null anyway. " +
				"Drop it. (Written by speccheck -fix.)"),
			Remove: true,
		}}
	case "true":
	default:
		return nil
	}
	typ := get(schema, "type")
	if typ == nil || typ.Kind != yaml.ScalarNode || typ.Value == "" || typ.Value == "null" ||
		get(schema, "enum") != nil || get(schema, "const") != nil {
		return nil // no single type to widen, or a null that enum/const would refuse: not mechanical
	}
	t := typ.Value
	acts := []FixAction{{
		Target: nullablePath,
		Description: fmt.Sprintf("Upstream writes OpenAPI 3.0's `nullable: true`, no keyword in a 3.1 document, so the schema refuses null. "+
			"Drop it; the next action says `type: [%s, 'null']` instead. (Written by speccheck -fix.)", t),
		Remove: true,
	}}
	if mode.v110 {
		typePath, ok := jsonPath(root, join(schemaPtr, "type"))
		if !ok {
			return nil
		}
		acts = append(acts, FixAction{
			Target: typePath,
			Description: fmt.Sprintf("Upstream means the schema to accept null (`nullable: true`). "+
				"Remove its `type: %s`, since Overlay 1.1.0 merges no list into a scalar; the next action writes the list. (Written by speccheck -fix.)", t),
			Remove: true,
		})
	}
	update := &yaml.Node{Kind: yaml.MappingNode, Content: []*yaml.Node{
		{Kind: yaml.ScalarNode, Tag: "!!str", Value: "type"},
		{Kind: yaml.SequenceNode, Style: yaml.FlowStyle, Content: []*yaml.Node{
			{Kind: yaml.ScalarNode, Tag: "!!str", Value: t},
			{Kind: yaml.ScalarNode, Tag: "!!str", Value: "null"},
		}},
	}}
	acts = append(acts, FixAction{
		Target: schemaPath,
		Description: fmt.Sprintf("Upstream means the schema to accept null (`nullable: true`). "+
			"Say it the 3.1 way, `type: [%s, 'null']`. (Written by speccheck -fix.)", t),
		Update: update,
	})
	return acts
}

// validStyles are the styles a parameter may have, by its `in`.
var validStyles = map[string][]string{
	"query":  {"form", "spaceDelimited", "pipeDelimited", "deepObject"},
	"path":   {"simple", "label", "matrix"},
	"header": {"simple"},
	"cookie": {"form"},
}

// styleFix returns the actions that move a Parameter field written in the
// parameter's schema (at loc) to the parameter.
func styleFix(root *yaml.Node, loc string) []FixAction {
	toks := splitPointer(loc)
	if len(toks) < 3 || toks[len(toks)-2] != "schema" || !parameterKeywords[toks[len(toks)-1]] {
		return nil
	}
	kw := toks[len(toks)-1]
	paramPtr := join("", toks[:len(toks)-2]...)
	param := lookup(root, paramPtr)
	in, name := str(get(param, "in")), str(get(param, "name"))
	if in == "" || name == "" {
		return nil // a Header Object, or a schema of something else
	}
	val := lookup(root, loc)
	if val == nil || val.Kind != yaml.ScalarNode {
		return nil
	}
	switch kw {
	case "style":
		if !slices.Contains(validStyles[in], val.Value) {
			return nil
		}
	case "explode", "allowReserved":
		if val.ShortTag() != "!!bool" || (kw == "allowReserved" && in != "query") {
			return nil
		}
	}
	kwPath, ok1 := jsonPath(root, loc)
	paramPath, ok2 := jsonPath(root, paramPtr)
	if !ok1 || !ok2 {
		return nil
	}
	var acts []FixAction
	if have := get(param, kw); have != nil {
		if have.Kind != yaml.ScalarNode || have.Value != val.Value {
			return nil // the parameter says otherwise: a human decides
		}
	} else {
		acts = append(acts, FixAction{
			Target: paramPath,
			Description: fmt.Sprintf("Upstream writes a parameter's `style`/`explode`/`allowReserved` inside its schema, where it means nothing, "+
				"so clients would serialize the parameter with the defaults. Say `%s: %s` on %s parameter %q itself; "+
				"the next action drops it from the schema. (Written by speccheck -fix.)", kw, val.Value, in, name),
			Update: &yaml.Node{Kind: yaml.MappingNode, Content: []*yaml.Node{
				{Kind: yaml.ScalarNode, Tag: "!!str", Value: kw},
				{Kind: yaml.ScalarNode, Tag: val.ShortTag(), Value: val.Value},
			}},
		})
	}
	desc := fmt.Sprintf("Upstream writes a parameter's `style`/`explode`/`allowReserved` inside its schema, where it means nothing. "+
		"Drop `%s` from the schema of %s parameter %q; the previous action says it on the parameter. (Written by speccheck -fix.)", kw, in, name)
	if len(acts) == 0 {
		desc = fmt.Sprintf("Upstream writes a parameter's `style`/`explode`/`allowReserved` inside its schema, where it means nothing. "+
			"Drop `%s` from the schema of %s parameter %q, which says the same itself. (Written by speccheck -fix.)", kw, in, name)
	}
	return append(acts, FixAction{Target: kwPath, Description: desc, Remove: true})
}

var identifier = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

// jsonPath renders a JSON pointer into root as a JSONPath that both the
// legacy and the RFC 9535 implementations read: $.a['/b'][0]. Keys that are
// no identifiers are quoted; one with a quote or backslash is not written
// (false), to stay clear of the implementations' escaping differences.
func jsonPath(root *yaml.Node, ptr string) (string, bool) {
	var b strings.Builder
	b.WriteString("$")
	n := root
	for _, tok := range splitPointer(ptr) {
		switch n.Kind {
		case yaml.MappingNode:
			switch {
			case identifier.MatchString(tok):
				b.WriteString("." + tok)
			case strings.ContainsAny(tok, `'\`):
				return "", false
			default:
				b.WriteString("['" + tok + "']")
			}
			n = get(n, tok)
		case yaml.SequenceNode:
			i, err := strconv.Atoi(tok)
			if err != nil || i < 0 || i >= len(n.Content) {
				return "", false
			}
			b.WriteString("[" + tok + "]")
			n = n.Content[i]
		default:
			return "", false
		}
		if n == nil {
			return "", false
		}
	}
	return b.String(), true
}

// newOverlayHeader starts the overlay AppendActions writes when there is
// none yet.
const newOverlayHeader = `# OpenAPI Overlay (https://spec.openapis.org/overlay/v1.0.0) with the SDK's
# fixes to upstream defects, started by speccheck -fix. Each action says what
# upstream does and why it is changed; review them.
overlay: 1.0.0
info:
  title: SDK fixes
  version: 1.0.0
actions:
`

// AppendActions returns overlayDoc with acts appended to its actions, its
// text (comments included) otherwise unchanged. When the actions list is
// not the last, block-style entry of the overlay, the overlay is re-encoded
// instead, which keeps its comments but not always their places. An empty
// overlayDoc starts a new Overlay 1.0.0 document.
func AppendActions(overlayDoc []byte, acts []FixAction) ([]byte, error) {
	if len(bytes.TrimSpace(overlayDoc)) == 0 {
		overlayDoc = []byte(newOverlayHeader)
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(overlayDoc, &doc); err != nil {
		return nil, fmt.Errorf("parse overlay: %w", err)
	}
	if len(doc.Content) != 1 || !isMapping(doc.Content[0]) {
		return nil, errors.New("the overlay is not a YAML mapping")
	}
	top := doc.Content[0]
	before, err := countActions(overlayDoc)
	if err != nil {
		return nil, err
	}
	items := make([]string, len(acts))
	for i, a := range acts {
		if items[i], err = renderAction(a); err != nil {
			return nil, err
		}
	}
	var out []byte
	n := len(top.Content)
	seq := get(top, "actions")
	switch {
	case n >= 2 && top.Content[n-2].Value == "actions" && (seq.Kind == yaml.SequenceNode && seq.Style&yaml.FlowStyle == 0 && len(seq.Content) > 0 && seq.Content[0].Column >= 3 ||
		isNull(seq) && seq.Value == "" && top.Content[n-2].Column == 1):
		// Text append: the actions are the overlay's last entry.
		indent := "  "
		if len(seq.Content) > 0 {
			indent = strings.Repeat(" ", seq.Content[0].Column-3)
		}
		var b bytes.Buffer
		b.Write(overlayDoc)
		if !bytes.HasSuffix(overlayDoc, []byte("\n")) {
			b.WriteByte('\n')
		}
		for _, it := range items {
			for j, line := range strings.Split(strings.TrimSuffix(it, "\n"), "\n") {
				if j == 0 {
					b.WriteString(indent + "- " + line + "\n")
				} else {
					b.WriteString(indent + "  " + line + "\n")
				}
			}
		}
		out = b.Bytes()
	default:
		if seq == nil {
			seq = &yaml.Node{Kind: yaml.SequenceNode}
			top.Content = append(top.Content, &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: "actions"}, seq)
		} else if seq.Kind != yaml.SequenceNode {
			if !isNull(seq) {
				return nil, errors.New("the overlay's actions are not a list")
			}
			*seq = yaml.Node{Kind: yaml.SequenceNode}
		}
		seq.Style &^= yaml.FlowStyle
		for _, it := range items {
			var n yaml.Node
			if err := yaml.Unmarshal([]byte(it), &n); err != nil {
				return nil, fmt.Errorf("re-read a written action: %w", err)
			}
			seq.Content = append(seq.Content, n.Content[0])
		}
		var b bytes.Buffer
		enc := yaml.NewEncoder(&b)
		enc.SetIndent(2)
		if err := enc.Encode(&doc); err != nil {
			return nil, fmt.Errorf("re-encode overlay: %w", err)
		}
		out = b.Bytes()
	}
	after, err := countActions(out)
	if err != nil {
		return nil, fmt.Errorf("the overlay with the actions appended: %w", err)
	}
	if after != before+len(acts) {
		return nil, fmt.Errorf("appending %d action(s) to an overlay of %d gave %d", len(acts), before, after)
	}
	return out, nil
}

func countActions(overlayDoc []byte) (int, error) {
	ov, err := overlay.ParseReader(bytes.NewReader(overlayDoc))
	if err != nil {
		return 0, fmt.Errorf("parse overlay: %w", err)
	}
	return len(ov.Actions), nil
}

// renderAction renders an action as a YAML mapping, indented by two, with
// its description as a folded block scalar wrapped at about 76 columns.
func renderAction(a FixAction) (string, error) {
	var b strings.Builder
	target, err := encodeYAML(&yaml.Node{Kind: yaml.MappingNode, Content: []*yaml.Node{
		{Kind: yaml.ScalarNode, Tag: "!!str", Value: "target"},
		{Kind: yaml.ScalarNode, Tag: "!!str", Value: a.Target},
	}})
	if err != nil {
		return "", err
	}
	b.WriteString(target)
	if d := oneLine(a.Description); d != "" {
		b.WriteString("description: >-\n")
		for _, line := range wrap(d, 74) {
			b.WriteString("  " + line + "\n")
		}
	}
	var change *yaml.Node
	switch {
	case a.Remove:
		change = &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!bool", Value: "true"}
	case a.Update != nil && a.Update.Kind == yaml.MappingNode:
		change = a.Update
	default:
		return "", fmt.Errorf("the action on %s neither removes nor updates with a mapping", a.Target)
	}
	key := "update"
	if a.Remove {
		key = "remove"
	}
	rest, err := encodeYAML(&yaml.Node{Kind: yaml.MappingNode, Content: []*yaml.Node{
		{Kind: yaml.ScalarNode, Tag: "!!str", Value: key}, change,
	}})
	if err != nil {
		return "", err
	}
	b.WriteString(rest)
	return b.String(), nil
}

// encodeYAML encodes n as block YAML indented by two.
func encodeYAML(n *yaml.Node) (string, error) {
	var b bytes.Buffer
	enc := yaml.NewEncoder(&b)
	enc.SetIndent(2)
	if err := enc.Encode(n); err != nil {
		return "", err
	}
	if err := enc.Close(); err != nil {
		return "", err
	}
	return b.String(), nil
}

// wrap breaks text (words separated by single spaces) into lines of at
// most width characters, unless a word is longer.
func wrap(text string, width int) []string {
	var lines []string
	line := ""
	for _, w := range strings.Fields(text) {
		switch {
		case line == "":
			line = w
		case len(line)+1+len(w) > width:
			lines = append(lines, line)
			line = w
		default:
			line += " " + w
		}
	}
	if line != "" {
		lines = append(lines, line)
	}
	return lines
}

// CheckAndFix runs Check, appends the actions of every fix it finds to
// overlayDoc, and checks again with the result, which it returns with the
// report of the second check (whose Fixed lists the actions written). With
// no fix to write it returns overlayDoc and the report of the first check.
//
// It refuses (an error, nothing written) when the appended actions do not
// apply strictly, leave a finding they fix in place, or bring a blocking
// finding the first check did not have.
func CheckAndFix(doc, overlayDoc, tolerated []byte) ([]byte, *Report, error) {
	r, err := Check(doc, overlayDoc, tolerated)
	if err != nil || len(r.Fixes) == 0 {
		return overlayDoc, r, err
	}
	var acts []FixAction
	for _, fx := range r.Fixes {
		acts = append(acts, fx.Actions...)
	}
	fixed, err := AppendActions(overlayDoc, acts)
	if err != nil {
		return nil, nil, err
	}
	r2, err := Check(doc, fixed, tolerated)
	if err != nil {
		return nil, nil, fmt.Errorf("the fixes do not apply: %w", err)
	}
	type key struct{ rule, loc string }
	before := map[key]bool{}
	for _, f := range r.Findings {
		before[key{f.Rule, f.Location}] = true
	}
	var errs []error
	for _, f := range r2.Findings {
		if !before[key{f.Rule, f.Location}] {
			errs = append(errs, fmt.Errorf("the fixes bring a new finding: %s", f))
		}
	}
	for _, fx := range r.Fixes {
		if slices.ContainsFunc(r2.Findings, func(f Finding) bool { return f.Rule == fx.Finding.Rule && f.Location == fx.Finding.Location }) {
			errs = append(errs, fmt.Errorf("the fix leaves the finding in place: %s", fx.Finding))
		}
	}
	if err := errors.Join(errs...); err != nil {
		return nil, nil, fmt.Errorf("speccheck -fix refused to write its actions: %w", err)
	}
	r2.Fixed = slices.Clone(r2.Actions[len(r.Actions):])
	return fixed, r2, nil
}
