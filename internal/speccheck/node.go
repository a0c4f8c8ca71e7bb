package speccheck

import (
	"strconv"

	"gopkg.in/yaml.v3"

	"github.com/anam-ai/anam-go/internal/yamltree"
)

// Locations are JSON pointers (RFC 6901) into the overlaid document, the
// empty string being the document itself (see package yamltree).

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
		for _, p := range yamltree.Pairs(n) {
			vp := yamltree.Join(ptr, p.Key)
			e := ix.add(p.Val, vp)
			ix.keys[position{p.KeyNd.Line, p.KeyNd.Column}] = indexed{ptr: vp, endLine: e, scalar: p.Val.Kind == yaml.ScalarNode}
			end = max(end, e)
		}
	case yaml.SequenceNode:
		for i, c := range n.Content {
			ep := yamltree.Join(ptr, strconv.Itoa(i))
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
