package speccheck

import (
	"bytes"
	"cmp"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/speakeasy-api/openapi/overlay"
	"gopkg.in/yaml.v3"

	"github.com/anam-ai/anam-go/internal/yamltree"
)

// Fix is the overlay change CheckAndFix writes for one finding whose fix
// is mechanical and certain:
//
//   - RuleNullable: `nullable: true` beside a single `type: T` becomes
//     `type: [T, 'null']` (the nullable key removed, the schema updated);
//     `nullable: false` is removed;
//   - RuleStyleInSchema: `style`, `explode` or `allowReserved` written in a
//     parameter's schema moves to the parameter, unless the parameter says
//     otherwise already or the value does not suit the parameter;
//   - RulePositionalTarget: the action's target is rewritten to select the
//     same node by name.
//
// Every target it writes selects by name (see jsonPath), never by position.
type Fix struct {
	// Finding is the finding the fix resolves.
	Finding Finding
	// Actions are the overlay actions to append, in order.
	Actions []FixAction
	// Retarget, when not nil, rewrites the target of an existing action.
	Retarget *Retarget
}

// Retarget is the new target of an overlay action.
type Retarget struct {
	// Action is the action's index in the overlay, from 0.
	Action int
	Target string
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

// Summary renders the fix's changes on one line for a report.
func (f Fix) Summary() string {
	if f.Retarget != nil {
		return fmt.Sprintf("the target of action #%d becomes %s", f.Retarget.Action+1, f.Retarget.Target)
	}
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
// its node, by name, is left out: a human decides.
func fixes(root *yaml.Node, overlayDoc []byte, findings []Finding, positional []positionalTarget) []Fix {
	mode, err := modeOf(overlayDoc)
	if err != nil || root == nil {
		return nil
	}
	var out []Fix
	for _, f := range findings {
		var acts []FixAction
		switch f.Rule {
		case RuleNullable:
			acts = nullableFix(root, mode, f.Location)
		case RuleStyleInSchema:
			acts = styleFix(root, f.Location)
		case RulePositionalTarget:
			for _, p := range positional {
				if p.finding == f && p.target != "" {
					out = append(out, Fix{Finding: f, Retarget: &Retarget{Action: p.action.Index, Target: p.target}})
				}
			}
		}
		if len(acts) > 0 && targetsExact(root, acts) {
			out = append(out, Fix{Finding: f, Actions: acts})
		}
	}
	return out
}

// targetsExact reports whether each action's target selects exactly one
// node in the document before any of them applies (the actions of a fix
// touch distinct nodes), in both JSONPath dialects an overlay may use.
func targetsExact(root *yaml.Node, acts []FixAction) bool {
	for _, a := range acts {
		if _, ok := selectOne(root, a.Target); !ok {
			return false
		}
	}
	return true
}

// positionalTarget is an overlay action whose target selects by position,
// the finding that reports it, and the target that selects the same node
// by name ("" when there is none).
type positionalTarget struct {
	action  Action
	finding Finding
	target  string
}

// retarget reports a positional action, given the document (mapping node)
// as the actions before it left it.
func retarget(root *yaml.Node, a Action) positionalTarget {
	loc := ""
	if len(a.Matched) > 0 {
		loc = a.Matched[0]
	}
	p := positionalTarget{action: a, finding: Finding{Rule: RulePositionalTarget, Location: loc, Message: fmt.Sprintf(
		"overlay action #%d targets a list element by position (%s): once upstream reorders the list it patches the wrong node; select the element by name",
		a.Index+1, a.Target)}}
	if len(a.Matched) == 1 {
		if t, ok := jsonPath(root, a.Matched[0]); ok {
			p.target = t
		}
	}
	return p
}

// nullableFix returns the actions for `nullable` at loc.
func nullableFix(root *yaml.Node, mode overlayMode, loc string) []FixAction {
	toks := yamltree.Split(loc)
	if len(toks) == 0 || toks[len(toks)-1] != "nullable" {
		return nil
	}
	schemaPtr := yamltree.Join("", toks[:len(toks)-1]...)
	schema := yamltree.Lookup(root, schemaPtr)
	val := yamltree.Get(schema, "nullable")
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
	typ := yamltree.Get(schema, "type")
	if typ == nil || typ.Kind != yaml.ScalarNode || typ.Value == "" || typ.Value == "null" ||
		yamltree.Get(schema, "enum") != nil || yamltree.Get(schema, "const") != nil {
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
		typePath, ok := jsonPath(root, yamltree.Join(schemaPtr, "type"))
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
	toks := yamltree.Split(loc)
	if len(toks) < 3 || toks[len(toks)-2] != "schema" || !parameterKeywords[toks[len(toks)-1]] {
		return nil
	}
	kw := toks[len(toks)-1]
	paramPtr := yamltree.Join("", toks[:len(toks)-2]...)
	param := yamltree.Lookup(root, paramPtr)
	in, name := yamltree.Str(yamltree.Get(param, "in")), yamltree.Str(yamltree.Get(param, "name"))
	if in == "" || name == "" {
		return nil // a Header Object, or a schema of something else
	}
	val := yamltree.Lookup(root, loc)
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
	if have := yamltree.Get(param, kw); have != nil {
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

// jsonPath renders a JSON pointer into root as a JSONPath that selects the
// same node by name, in both JSONPath dialects an overlay may use (RFC 9535
// and the legacy one): $.a['/b'].parameters[?(@.name=='tags')]. A list
// element is selected by what tells it from its siblings (see
// elementFilter), never by position. Keys that are no identifiers are
// quoted; one with a quote or backslash is not written (false), to stay
// clear of the implementations' escaping differences, nor is an element
// nothing tells apart.
func jsonPath(root *yaml.Node, ptr string) (string, bool) {
	var b strings.Builder
	b.WriteString("$")
	n := root
	toks := yamltree.Split(ptr)
	for k, tok := range toks {
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
			n = yamltree.Get(n, tok)
		case yaml.SequenceNode:
			i, err := strconv.Atoi(tok)
			if err != nil || i < 0 || i >= len(n.Content) {
				return "", false
			}
			el := n.Content[i]
			next := "" // the property the path goes on to, the best name for a schema
			if k+2 < len(toks) && toks[k+1] == "properties" {
				next = toks[k+2]
			}
			found := false
			for _, f := range elementFilters(n, el, next) {
				if got, ok := selectOne(root, b.String()+f); ok && got == el {
					b.WriteString(f)
					found = true
					break
				}
			}
			if !found {
				return "", false
			}
			n = el
		default:
			return "", false
		}
		if n == nil {
			return "", false
		}
	}
	return b.String(), true
}

// elementFilters returns the filters that may select el among the elements
// of seq, the most readable first: a scalar by its value; a Parameter by
// its name (and `in`); a $ref; a title; a schema by a property only it
// declares, the property the path goes on to (next) first. jsonPath keeps
// the first that selects el alone.
func elementFilters(seq, el *yaml.Node, next string) []string {
	quote := func(s string) (string, bool) {
		if strings.ContainsAny(s, `'\`) || s == "" {
			return "", false
		}
		return "'" + s + "'", true
	}
	var out []string
	if el.Kind == yaml.ScalarNode {
		if q, ok := quote(el.Value); ok && el.ShortTag() == "!!str" {
			out = append(out, "[?(@=="+q+")]")
		}
		return out
	}
	if name, ok := quote(yamltree.Str(yamltree.Get(el, "name"))); ok {
		out = append(out, "[?(@.name=="+name+")]")
		if in, ok := quote(yamltree.Str(yamltree.Get(el, "in"))); ok {
			out = append(out, "[?(@.name=="+name+" && @.in=="+in+")]")
		}
	}
	if ref, ok := quote(yamltree.Str(yamltree.Get(el, "$ref"))); ok {
		out = append(out, "[?(@['$ref']=="+ref+")]")
	}
	if title, ok := quote(yamltree.Str(yamltree.Get(el, "title"))); ok {
		out = append(out, "[?(@.title=="+title+")]")
	}
	props := yamltree.Pairs(yamltree.Get(el, "properties"))
	slices.SortStableFunc(props, func(a, b yamltree.Pair) int {
		return cmp.Compare(btoi(a.Key != next), btoi(b.Key != next))
	})
	for _, p := range props {
		if !identifier.MatchString(p.Key) {
			continue
		}
		shared := false
		for _, other := range seq.Content {
			if other != el && yamltree.Get(yamltree.Get(other, "properties"), p.Key) != nil {
				shared = true
				break
			}
		}
		if !shared {
			out = append(out, "[?(@.properties."+p.Key+")]")
		}
	}
	return out
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}

// dialects are the two JSONPath implementations an overlay may use.
var dialects = []*overlay.Overlay{
	{Version: "1.0.0"},
	{Version: "1.0.0", JSONPathVersion: "rfc9535"},
}

// selectOne returns the node target selects in root (a mapping node), when
// it selects exactly one, the same in both dialects.
func selectOne(root *yaml.Node, target string) (*yaml.Node, bool) {
	doc := &yaml.Node{Kind: yaml.DocumentNode, Content: []*yaml.Node{root}}
	var one *yaml.Node
	for _, d := range dialects {
		p, err := d.NewPath(target, nil)
		if err != nil {
			return nil, false
		}
		nodes := p.Query(doc)
		if len(nodes) != 1 || (one != nil && nodes[0] != one) {
			return nil, false
		}
		one = nodes[0]
	}
	return one, true
}

// newOverlayHeader starts the overlay AppendActions writes when there is
// none yet.
const newOverlayHeader = `# OpenAPI Overlay (https://spec.openapis.org/overlay/v1.0.0) with the SDK's
# fixes to upstream defects, started by speccheck -fix. Each action says what
# upstream does and why it is changed; review them.
overlay: 1.0.0
x-speakeasy-jsonpath: rfc9535
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
	if len(doc.Content) != 1 || !yamltree.IsMapping(doc.Content[0]) {
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
	seq := yamltree.Get(top, "actions")
	switch {
	case n >= 2 && top.Content[n-2].Value == "actions" && (seq.Kind == yaml.SequenceNode && seq.Style&yaml.FlowStyle == 0 && len(seq.Content) > 0 && seq.Content[0].Column >= 3 ||
		yamltree.IsNull(seq) && seq.Value == "" && top.Content[n-2].Column == 1):
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
			if !yamltree.IsNull(seq) {
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

// CheckAndFix runs Check, writes every fix it finds into overlayDoc
// (rewriting the targets of positional actions in place, appending the new
// actions), and checks again with the result, which it returns with the
// report of the second check (whose Fixed lists the actions written or
// retargeted). With no fix to write it returns overlayDoc and the report of
// the first check.
//
// It refuses (an error, nothing written) when the changed overlay does not
// apply, leaves a finding a fix is for in place, or brings a finding or an
// obsolete action the first check did not have.
func CheckAndFix(doc, overlayDoc, tolerated []byte) ([]byte, *Report, error) {
	r, err := Check(doc, overlayDoc, tolerated)
	if err != nil || len(r.Fixes) == 0 {
		return overlayDoc, r, err
	}
	fixed := overlayDoc
	var acts []FixAction
	var retargeted []int
	for _, fx := range r.Fixes {
		acts = append(acts, fx.Actions...)
		if rt := fx.Retarget; rt != nil {
			if fixed, err = yamltree.SetItemScalar(fixed, "actions", rt.Action, "target", rt.Target); err != nil {
				return nil, nil, fmt.Errorf("rewrite the target of overlay action #%d: %w", rt.Action+1, err)
			}
			retargeted = append(retargeted, rt.Action)
		}
	}
	if len(acts) > 0 {
		if fixed, err = AppendActions(fixed, acts); err != nil {
			return nil, nil, err
		}
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
	if n, m := len(r.Obsolete()), len(r2.Obsolete()); m > n {
		errs = append(errs, fmt.Errorf("the fixes leave %d overlay action(s) that no longer apply, where there were %d", m, n))
	}
	if err := errors.Join(errs...); err != nil {
		return nil, nil, fmt.Errorf("speccheck -fix refused to write its changes: %w", err)
	}
	for _, i := range retargeted {
		r2.Fixed = append(r2.Fixed, r2.Actions[i])
	}
	r2.Fixed = append(r2.Fixed, r2.Actions[len(r.Actions):]...)
	return fixed, r2, nil
}
