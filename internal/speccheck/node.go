package speccheck

import (
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

// Locations are JSON pointers (RFC 6901) into the overlaid document, the
// empty string being the document itself.

var (
	pointerEscaper   = strings.NewReplacer("~", "~0", "/", "~1")
	pointerUnescaper = strings.NewReplacer("~1", "/", "~0", "~")
)

// join appends reference tokens to a JSON pointer, escaping them.
func join(ptr string, tokens ...string) string {
	var b strings.Builder
	b.WriteString(ptr)
	for _, t := range tokens {
		b.WriteByte('/')
		b.WriteString(pointerEscaper.Replace(t))
	}
	return b.String()
}

// splitPointer returns the unescaped reference tokens of ptr.
func splitPointer(ptr string) []string {
	if ptr == "" {
		return nil
	}
	parts := strings.Split(strings.TrimPrefix(ptr, "/"), "/")
	for i, p := range parts {
		parts[i] = pointerUnescaper.Replace(p)
	}
	return parts
}

// showLocation renders a location for people: the pointer itself, or
// "(document root)" for the empty pointer.
func showLocation(ptr string) string {
	if ptr == "" {
		return "(document root)"
	}
	return ptr
}

// pair is one key and value of a YAML mapping.
type pair struct {
	key   string
	keyNd *yaml.Node
	val   *yaml.Node
}

// pairs returns the entries of a mapping node in document order, or nil when
// n is not a mapping.
func pairs(n *yaml.Node) []pair {
	if n == nil || n.Kind != yaml.MappingNode {
		return nil
	}
	out := make([]pair, 0, len(n.Content)/2)
	for i := 0; i+1 < len(n.Content); i += 2 {
		out = append(out, pair{key: n.Content[i].Value, keyNd: n.Content[i], val: n.Content[i+1]})
	}
	return out
}

// get returns the value of key in mapping n, or nil.
func get(n *yaml.Node, key string) *yaml.Node {
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

// items returns the elements of a sequence node, or nil.
func items(n *yaml.Node) []*yaml.Node {
	if n == nil || n.Kind != yaml.SequenceNode {
		return nil
	}
	return n.Content
}

func isMapping(n *yaml.Node) bool { return n != nil && n.Kind == yaml.MappingNode }

func isNull(n *yaml.Node) bool {
	return n != nil && n.Kind == yaml.ScalarNode && n.ShortTag() == "!!null"
}

// str returns the value of a scalar node, or "".
func str(n *yaml.Node) string {
	if n == nil || n.Kind != yaml.ScalarNode {
		return ""
	}
	return n.Value
}

// lookup resolves a JSON pointer against root, or returns nil.
func lookup(root *yaml.Node, ptr string) *yaml.Node {
	n := root
	for _, tok := range splitPointer(ptr) {
		switch n.Kind {
		case yaml.MappingNode:
			n = get(n, tok)
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

// blockStyle clears the flow style of every mapping and sequence under n, so
// that a document parsed from JSON re-encodes as block YAML: one key per
// line, which gives every element a distinct source position.
func blockStyle(n *yaml.Node) {
	if n.Kind == yaml.MappingNode || n.Kind == yaml.SequenceNode {
		n.Style &^= yaml.FlowStyle
	}
	for _, c := range n.Content {
		blockStyle(c)
	}
}

// position is a line and column in the block-style encoding of the document.
type position struct{ line, col int }

// positionIndex maps source positions of the block-style document to JSON
// pointers, so that an error kin-openapi reports with a source position can
// be given the pointer of the element it is about.
type positionIndex struct {
	// keys maps the position of a mapping key to the pointer of its value.
	keys map[position]indexed
	// elems maps the position of a sequence element to its pointer.
	elems map[position]indexed
}

type indexed struct {
	ptr     string
	endLine int // last line of the element's subtree
	scalar  bool
}

func newPositionIndex(root *yaml.Node) *positionIndex {
	ix := &positionIndex{keys: map[position]indexed{}, elems: map[position]indexed{}}
	ix.add(root, "")
	return ix
}

// add indexes n, found at ptr, and returns the last line of its subtree.
func (ix *positionIndex) add(n *yaml.Node, ptr string) int {
	end := n.Line
	switch n.Kind {
	case yaml.MappingNode:
		for _, p := range pairs(n) {
			vp := join(ptr, p.key)
			e := ix.add(p.val, vp)
			ix.keys[position{p.keyNd.Line, p.keyNd.Column}] = indexed{ptr: vp, endLine: e, scalar: p.val.Kind == yaml.ScalarNode}
			end = max(end, e)
		}
	case yaml.SequenceNode:
		for i, c := range n.Content {
			ep := join(ptr, strconv.Itoa(i))
			e := ix.add(c, ep)
			ix.elems[position{c.Line, c.Column}] = indexed{ptr: ep, endLine: e}
			end = max(end, e)
		}
	}
	return end
}

// pointerAt returns the pointer of the element kin-openapi locates at line
// and column: the position of the key that holds a collection, or, for a
// collection that is a sequence element, the position of its first key.
// endLine, when known, tells the element from its first field when both
// start at the same position.
func (ix *positionIndex) pointerAt(line, col, endLine int) (string, bool) {
	pos := position{line, col}
	key, isKey := ix.keys[pos]
	elem, isElem := ix.elems[pos]
	switch {
	case isKey && isElem:
		// The first key of a mapping that is a sequence element. kin-openapi
		// records collections only, so a scalar value means the element.
		if key.scalar || (endLine > 0 && endLine != key.endLine && endLine == elem.endLine) {
			return elem.ptr, true
		}
		return key.ptr, true
	case isKey:
		return key.ptr, true
	case isElem:
		return elem.ptr, true
	}
	return "", false
}
