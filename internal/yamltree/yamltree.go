// Package yamltree navigates gopkg.in/yaml.v3 node trees of JSON and YAML
// documents (an OpenAPI document, an overlay, a tolerated list) by key and by
// JSON pointer (RFC 6901), and edits block-style YAML lists in their text so
// that comments and layout survive. It is the one copy of these helpers for
// the spec tools (internal/speccheck, internal/specprep, internal/specload).
package yamltree

import (
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

// Pair is one key and value of a mapping.
type Pair struct {
	Key   string
	KeyNd *yaml.Node
	Val   *yaml.Node
}

// Pairs returns the entries of a mapping node in document order, or nil when
// n is not a mapping.
func Pairs(n *yaml.Node) []Pair {
	if n == nil || n.Kind != yaml.MappingNode {
		return nil
	}
	out := make([]Pair, 0, len(n.Content)/2)
	for i := 0; i+1 < len(n.Content); i += 2 {
		out = append(out, Pair{Key: n.Content[i].Value, KeyNd: n.Content[i], Val: n.Content[i+1]})
	}
	return out
}

// Get returns the value of key in mapping n, or nil.
func Get(n *yaml.Node, key string) *yaml.Node {
	if n == nil || n.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == key {
			return n.Content[i+1]
		}
	}
	return nil
}

// Items returns the elements of a sequence node, or nil.
func Items(n *yaml.Node) []*yaml.Node {
	if n == nil || n.Kind != yaml.SequenceNode {
		return nil
	}
	return n.Content
}

// IsMapping reports whether n is a mapping node.
func IsMapping(n *yaml.Node) bool { return n != nil && n.Kind == yaml.MappingNode }

// IsNull reports whether n is a null scalar.
func IsNull(n *yaml.Node) bool {
	return n != nil && n.Kind == yaml.ScalarNode && n.ShortTag() == "!!null"
}

// Str returns the value of a scalar node, or "".
func Str(n *yaml.Node) string {
	if n == nil || n.Kind != yaml.ScalarNode {
		return ""
	}
	return n.Value
}

var (
	pointerEscaper   = strings.NewReplacer("~", "~0", "/", "~1")
	pointerUnescaper = strings.NewReplacer("~1", "/", "~0", "~")
)

// Join appends reference tokens to a JSON pointer, escaping them.
func Join(ptr string, tokens ...string) string {
	var b strings.Builder
	b.WriteString(ptr)
	for _, t := range tokens {
		b.WriteByte('/')
		b.WriteString(pointerEscaper.Replace(t))
	}
	return b.String()
}

// Split returns the unescaped reference tokens of a JSON pointer.
func Split(ptr string) []string {
	if ptr == "" {
		return nil
	}
	parts := strings.Split(strings.TrimPrefix(ptr, "/"), "/")
	for i, p := range parts {
		parts[i] = pointerUnescaper.Replace(p)
	}
	return parts
}

// Lookup resolves a JSON pointer against root, or returns nil.
func Lookup(root *yaml.Node, ptr string) *yaml.Node {
	n := root
	for _, tok := range Split(ptr) {
		switch n.Kind {
		case yaml.MappingNode:
			n = Get(n, tok)
		case yaml.SequenceNode:
			i, err := strconv.Atoi(tok)
			if err != nil || i < 0 || i >= len(n.Content) {
				return nil
			}
			n = n.Content[i]
		default:
			return nil
		}
		if n == nil {
			return nil
		}
	}
	return n
}

// Pointers maps every node under n (n included, as "") to its JSON
// pointer.
func Pointers(n *yaml.Node) map[*yaml.Node]string {
	m := map[*yaml.Node]string{}
	var walk func(n *yaml.Node, ptr string)
	walk = func(n *yaml.Node, ptr string) {
		m[n] = ptr
		switch n.Kind {
		case yaml.MappingNode:
			for i := 0; i+1 < len(n.Content); i += 2 {
				walk(n.Content[i+1], Join(ptr, n.Content[i].Value))
			}
		case yaml.SequenceNode:
			for i, c := range n.Content {
				walk(c, Join(ptr, strconv.Itoa(i)))
			}
		}
	}
	walk(n, "")
	return m
}

// Equal reports whether two nodes hold the same data: scalars with the same
// value, sequences with equal elements in order, mappings with the same keys
// (in any order) holding equal values. Styles, tags of equal scalars and
// comments do not count.
func Equal(a, b *yaml.Node) bool {
	a, b = deref(a), deref(b)
	if a == nil || b == nil {
		return a == b
	}
	if a.Kind != b.Kind {
		return false
	}
	switch a.Kind {
	case yaml.ScalarNode:
		return a.Value == b.Value && (a.ShortTag() == "!!str") == (b.ShortTag() == "!!str")
	case yaml.SequenceNode:
		if len(a.Content) != len(b.Content) {
			return false
		}
		for i := range a.Content {
			if !Equal(a.Content[i], b.Content[i]) {
				return false
			}
		}
		return true
	case yaml.MappingNode:
		if len(a.Content) != len(b.Content) {
			return false
		}
		for _, p := range Pairs(a) {
			if !Equal(p.Val, Get(b, p.Key)) {
				return false
			}
		}
		return true
	case yaml.DocumentNode:
		return len(a.Content) == len(b.Content) && (len(a.Content) == 0 || Equal(a.Content[0], b.Content[0]))
	}
	return false
}

// Holds reports whether target already holds everything update says, as an
// overlay update would merge it: every key of a mapping update held by the
// target with a value that holds the update's, every element of a sequence
// update present in the target's sequence, and an equal scalar. An update
// the target holds changes nothing a reader of the document could see (an
// Overlay 1.0.0 update of a sequence appends, so merging it again would only
// repeat elements).
func Holds(target, update *yaml.Node) bool {
	target, update = deref(target), deref(update)
	if target == nil || update == nil {
		return target == update
	}
	switch update.Kind {
	case yaml.MappingNode:
		if target.Kind != yaml.MappingNode {
			return false
		}
		for _, p := range Pairs(update) {
			if !Holds(Get(target, p.Key), p.Val) {
				return false
			}
		}
		return true
	case yaml.SequenceNode:
		if target.Kind != yaml.SequenceNode {
			return false
		}
		for _, u := range update.Content {
			found := false
			for _, t := range target.Content {
				if Equal(t, u) {
					found = true
					break
				}
			}
			if !found {
				return false
			}
		}
		return true
	}
	return Equal(target, update)
}

func deref(n *yaml.Node) *yaml.Node {
	for n != nil && n.Kind == yaml.AliasNode {
		n = n.Alias
	}
	return n
}
