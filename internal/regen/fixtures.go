package regen

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"

	"gopkg.in/yaml.v3"

	"github.com/anam-ai/anam-go/internal/specload"
	"github.com/anam-ai/anam-go/internal/yamltree"
)

// Fixtures are the upstream documents the proofs update the SDK to. Each is
// made from files under testdata/ when asked for, reproducibly, rather than
// committed as another 9,000-line copy:
//
//	july       Anam's July 2026 document (testdata/july/swagger.json)
//	fixed      July with the defects spec/overlay.yaml patches fixed
//	           upstream (testdata/fixed/overlay.yaml)
//	reordered  July with its operations, parameters and oneOf branches in
//	           reverse order (Reorder)
//	grown      July grown by a plausible next release: a paginated resource
//	           with an action, fields turning nullable, enum values, a query
//	           parameter, 429 bodies (testdata/grown/overlay.yaml)
//	seed       the small, older document the project started from
//	           (testdata/seed/swagger.json)
var Fixtures = []string{"july", "fixed", "reordered", "grown", "seed"}

// Fixture returns the fixture document of that name (see Fixtures), as JSON,
// made from the files under root/testdata.
func Fixture(root, name string) ([]byte, error) {
	read := func(rel string) ([]byte, error) { return os.ReadFile(filepath.Join(root, "testdata", rel)) }
	switch name {
	case "seed":
		return read("seed/swagger.json")
	case "july", "fixed", "grown", "reordered":
	default:
		return nil, fmt.Errorf("no fixture %q (fixtures: %v)", name, Fixtures)
	}
	july, err := read("july/swagger.json")
	if err != nil || name == "july" {
		return july, err
	}
	var doc []byte
	switch name {
	case "reordered":
		doc = july
	default:
		ov, err := read(name + "/overlay.yaml")
		if err != nil {
			return nil, err
		}
		if doc, err = specload.ApplyOverlay(july, ov); err != nil {
			return nil, fmt.Errorf("testdata/%s/overlay.yaml: %w", name, err)
		}
	}
	var root2 yaml.Node
	if err := yaml.Unmarshal(doc, &root2); err != nil || len(root2.Content) != 1 {
		return nil, fmt.Errorf("fixture %s: %v", name, err)
	}
	top := root2.Content[0]
	if name == "reordered" {
		Reorder(top)
	}
	return yamltree.JSON(top, "  ")
}

// Reorder reverses, in an OpenAPI document's mapping node, the order of its
// paths and of the operations of each, of every list of parameters and of
// every oneOf's branches: what an upstream that reorders its document does,
// which must change nothing a name-based overlay selects.
func Reorder(doc *yaml.Node) {
	paths := yamltree.Get(doc, "paths")
	reversePairs(paths)
	for _, p := range yamltree.Pairs(paths) {
		reversePairs(p.Val)
	}
	var walk func(n *yaml.Node)
	walk = func(n *yaml.Node) {
		if n.Kind == yaml.MappingNode {
			for _, p := range yamltree.Pairs(n) {
				if (p.Key == "parameters" || p.Key == "oneOf") && p.Val.Kind == yaml.SequenceNode {
					slices.Reverse(p.Val.Content)
				}
			}
		}
		for _, c := range n.Content {
			walk(c)
		}
	}
	walk(doc)
}

// reversePairs reverses the order of a mapping's entries.
func reversePairs(n *yaml.Node) {
	if n == nil || n.Kind != yaml.MappingNode {
		return
	}
	var pairs [][2]*yaml.Node
	for i := 0; i+1 < len(n.Content); i += 2 {
		pairs = append(pairs, [2]*yaml.Node{n.Content[i], n.Content[i+1]})
	}
	slices.Reverse(pairs)
	n.Content = n.Content[:0]
	for _, p := range pairs {
		n.Content = append(n.Content, p[0], p[1])
	}
}
