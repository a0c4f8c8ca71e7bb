package specprep

import (
	"fmt"
	"slices"
	"strings"
	"unicode"

	"gopkg.in/yaml.v3"
)

// Unions (oneOf, anyOf) in the component schemas are named by the same
// kind of rule as bodies, from where they are, never by position, so that
// the generated types read as what they are and keep their names when
// an unrelated part of the document changes:
//
//   - a union is named after the schema and the properties that lead to
//     it (CreateSessionTokenRequest.personaConfig:
//     CreateSessionTokenRequestPersonaConfig; the items of an array add
//     Item, the values of a map Value), and moves into components/schemas;
//     a union that is a component schema keeps its name;
//   - a branch that is a $ref keeps the name of what it refers to; a
//     branch {type: 'null'} only makes the union nullable; a union of one
//     branch (and null) is that branch (made nullable), not a union;
//   - an inline branch is named after the union and a word of its own,
//     and moves into components/schemas too. The word is, in order:
//     1. the branch's title (ClientToolConfig in the union ...Config: the
//     words the title repeats from the end of the union's name are
//     dropped, ClientTool);
//     2. "By" and the first property that only this branch holds (in its
//     `required` list first, then in its properties): ByPersonaID;
//     3. "By" and its required properties, joined by "And";
//     4. its type, for a branch without properties (String, Integer...).
//     A branch none of these names, or two branches given the same word,
//     stop the preparation with an error that says which overlay action
//     (a title for the branch) resolves it.
//
// A name already given (x-go-type-name, from the overlay) is kept.

// nameUnions names the unions of every component schema, nested ones
// included.
func (n *namer) nameUnions() error {
	// A snapshot: the schemas this pass moves in are named as it moves them.
	entries := slices.Clone(n.schemas.Content)
	for i := 0; i+1 < len(entries); i += 2 {
		name, schema := entries[i].Value, entries[i+1]
		if err := n.walk(schema, GoTypeName(name), "$.components.schemas["+quote(name)+"]", true); err != nil {
			return err
		}
	}
	return nil
}

// walk names the unions in schema, whose Go name is name (or would be,
// were it moved) and whose overlay target is target; root is true for a
// component schema itself.
func (n *namer) walk(schema *yaml.Node, name, target string, root bool) error {
	if schema == nil || schema.Kind != yaml.MappingNode || get(schema, "$ref") != nil {
		return nil
	}
	if x := get(schema, "x-go-type-name"); x != nil && !root {
		name = x.Value
	}
	if props := get(schema, "properties"); props != nil && props.Kind == yaml.MappingNode {
		for i := 0; i+1 < len(props.Content); i += 2 {
			p := props.Content[i].Value
			if err := n.walk(props.Content[i+1], name+GoTypeName(p), target+".properties["+quote(p)+"]", false); err != nil {
				return err
			}
		}
	}
	if err := n.walk(get(schema, "items"), name+"Item", target+".items", false); err != nil {
		return err
	}
	if ap := get(schema, "additionalProperties"); ap != nil && ap.Kind == yaml.MappingNode {
		if err := n.walk(ap, name+"Value", target+".additionalProperties", false); err != nil {
			return err
		}
	}
	if all := get(schema, "allOf"); all != nil && all.Kind == yaml.SequenceNode {
		for i, m := range all.Content { // members merge into schema: its name
			if err := n.walk(m, name, fmt.Sprintf("%s.allOf[%d]", target, i), false); err != nil {
				return err
			}
		}
	}
	for _, kw := range []string{"oneOf", "anyOf"} {
		if list := get(schema, kw); list != nil && list.Kind == yaml.SequenceNode {
			if err := n.nameUnion(schema, list, name, target, kw, root); err != nil {
				return err
			}
		}
	}
	return nil
}

// nameUnion names the branches of the union list (schema's oneOf or
// anyOf), then the union itself.
func (n *namer) nameUnion(schema, list *yaml.Node, name, target, kw string, root bool) error {
	var real []int // the branches that are not null
	for i, b := range list.Content {
		if !isNull(b) {
			real = append(real, i)
		}
	}
	if len(real) == 1 {
		// One branch (or null): that branch, nullable if null is the
		// other. Its own unions are named after the property.
		return n.walk(list.Content[real[0]], name, fmt.Sprintf("%s.%s[%d]", target, kw, real[0]), false)
	}
	words := map[string]int{}
	for _, i := range real {
		b := list.Content[i]
		if b.Kind != yaml.MappingNode || get(b, "$ref") != nil {
			continue
		}
		at := fmt.Sprintf("%s.%s[%d]", target, kw, i)
		var word string
		if x := get(b, "x-go-type-name"); x != nil {
			word = x.Value
		} else {
			var err error
			if word, err = n.branchWord(list, i, name); err != nil {
				return fmt.Errorf("%s: %w: give it a title with an action targeting %s in spec/overlay.yaml", at, err, at)
			}
			if j, dup := words[word]; dup {
				return fmt.Errorf("%s: branches %d and %d of the union %s would both be named %s%s: give one of them a title with an action targeting %s in spec/overlay.yaml", target, j, i, name, name, word, at)
			}
			words[word] = i
		}
		if err := n.walk(b, name+word, at, false); err != nil {
			return err
		}
		if get(b, "x-go-type-name") == nil {
			if _, err := n.move(b, at, name+word); err != nil {
				return err
			}
		}
	}
	// The union itself: a component schema has its name; a union that is
	// also an object with properties of its own (next to oneOf) is that
	// object, named where it is.
	if root || get(schema, "properties") != nil || get(schema, "allOf") != nil {
		return nil
	}
	_, err := n.move(schema, target, name)
	return err
}

// branchWord is what names branch i of a union among its siblings: see
// the rule above.
func (n *namer) branchWord(list *yaml.Node, i int, union string) (string, error) {
	b := list.Content[i]
	if t := get(b, "title"); t != nil && strings.TrimSpace(t.Value) != "" {
		return TrimShared(GoTypeName(t.Value), union), nil
	}
	others := map[string]bool{}
	for j, o := range list.Content {
		if j != i {
			for _, p := range n.propertiesOf(o) {
				others[p] = true
			}
		}
	}
	required := stringsOf(get(b, "required"))
	for _, p := range append(slices.Clone(required), keysOf(get(b, "properties"))...) {
		if !others[p] {
			return "By" + GoTypeName(p), nil
		}
	}
	if len(required) > 0 {
		words := make([]string, len(required))
		for k, r := range required {
			words[k] = GoTypeName(r)
		}
		return "By" + strings.Join(words, "And"), nil
	}
	if t := get(b, "type"); t != nil && t.Kind == yaml.ScalarNode && get(b, "properties") == nil {
		return GoTypeName(t.Value), nil
	}
	return "", fmt.Errorf("the branch has no title, no property only it holds, no required property and no type to be named by")
}

// propertiesOf returns the properties a branch names (its properties and
// required ones), following a $ref to a component schema.
func (n *namer) propertiesOf(b *yaml.Node) []string {
	if ref := get(b, "$ref"); ref != nil {
		name, ok := strings.CutPrefix(ref.Value, "#/components/schemas/")
		if !ok {
			return nil
		}
		b = get(n.schemas, name)
	}
	return append(stringsOf(get(b, "required")), keysOf(get(b, "properties"))...)
}

// TrimShared drops from the end of word the words it repeats from the end
// of union (ClientToolConfig in CreateToolRequestConfig: ClientTool), unless
// nothing would be left.
func TrimShared(word, union string) string {
	ww, uw := CamelWords(word), CamelWords(union)
	k := 0
	for k < len(ww)-1 && k < len(uw) && ww[len(ww)-1-k] == uw[len(uw)-1-k] {
		k++
	}
	return strings.Join(ww[:len(ww)-k], "")
}

// CamelWords splits a Go name into its words: ElevenLabsV1Options ->
// Eleven Labs V1 Options; PersonaID -> Persona ID.
func CamelWords(s string) []string {
	var words []string
	r := []rune(s)
	start := 0
	for i := 1; i < len(r); i++ {
		if unicode.IsUpper(r[i]) && (unicode.IsLower(r[i-1]) || unicode.IsDigit(r[i-1]) || i+1 < len(r) && unicode.IsLower(r[i+1])) {
			words = append(words, string(r[start:i]))
			start = i
		}
	}
	return append(words, string(r[start:]))
}

// isNull reports whether a branch is {type: 'null'}.
func isNull(b *yaml.Node) bool {
	t := get(b, "type")
	if t == nil {
		return false
	}
	if t.Kind == yaml.ScalarNode {
		return t.Value == "null"
	}
	return t.Kind == yaml.SequenceNode && len(t.Content) == 1 && t.Content[0].Value == "null"
}

func stringsOf(seq *yaml.Node) []string {
	if seq == nil || seq.Kind != yaml.SequenceNode {
		return nil
	}
	out := make([]string, 0, len(seq.Content))
	for _, c := range seq.Content {
		out = append(out, c.Value)
	}
	return out
}

func keysOf(m *yaml.Node) []string {
	if m == nil || m.Kind != yaml.MappingNode {
		return nil
	}
	var out []string
	for i := 0; i+1 < len(m.Content); i += 2 {
		out = append(out, m.Content[i].Value)
	}
	return out
}
