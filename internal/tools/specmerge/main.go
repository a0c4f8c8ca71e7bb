// Command specmerge builds the small seed spec (testdata/seed/swagger.json)
// from the two documentation pages the project started from, an older view
// of two avatar operations. The SDK is generated from Anam's published
// swagger.json (spec/); the seed spec is a test fixture: the SDK must
// regenerate from it too.
//
// Anam publishes its OpenAPI document one operation at a time: each seed is a
// Markdown page holding, inside a ````yaml fence, a complete OpenAPI document
// reduced to one path. specmerge extracts each fenced document, merges them
// into one (the union of paths and components; every key that appears in two
// seeds must carry the same value there, or the merge fails naming the JSON
// path), and writes it as JSON, keeping the key order of the seeds.
//
// Usage:
//
//	go run ./internal/tools/specmerge -o testdata/seed/swagger.json testdata/seed/pages/*.txt
//
// With -check it writes nothing and exits 1 when the output file differs from
// what the seeds produce.
package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

func main() {
	out := flag.String("o", "testdata/seed/swagger.json", "output file")
	check := flag.Bool("check", false, "do not write; fail if the output file is not what the seeds produce")
	flag.Parse()
	if flag.NArg() == 0 {
		fmt.Fprintln(os.Stderr, "specmerge: name at least one seed document")
		os.Exit(2)
	}
	if err := run(*out, *check, flag.Args()); err != nil {
		fmt.Fprintln(os.Stderr, "specmerge:", err)
		os.Exit(1)
	}
}

func run(out string, check bool, seeds []string) error {
	docs := make([][]byte, 0, len(seeds))
	for _, name := range slices.Sorted(slices.Values(seeds)) {
		b, err := os.ReadFile(name)
		if err != nil {
			return err
		}
		docs = append(docs, b)
	}
	merged, err := Merge(docs...)
	if err != nil {
		return err
	}
	if check {
		have, err := os.ReadFile(out)
		if err != nil {
			return err
		}
		if !bytes.Equal(have, merged) {
			return fmt.Errorf("%s is not what the seed documents produce; run `make merge-spec` and commit the result", out)
		}
		return nil
	}
	return os.WriteFile(out, merged, 0o644)
}

// Merge extracts the OpenAPI document from each seed and returns their union
// as indented JSON.
func Merge(seeds ...[]byte) ([]byte, error) {
	var merged *yaml.Node
	for i, seed := range seeds {
		src, err := extractYAML(seed)
		if err != nil {
			return nil, fmt.Errorf("seed %d: %w", i+1, err)
		}
		var doc yaml.Node
		if err := yaml.Unmarshal(src, &doc); err != nil {
			return nil, fmt.Errorf("seed %d: %w", i+1, err)
		}
		if doc.Kind != yaml.DocumentNode || len(doc.Content) != 1 || doc.Content[0].Kind != yaml.MappingNode {
			return nil, fmt.Errorf("seed %d: the OpenAPI document is not a YAML mapping", i+1)
		}
		if merged == nil {
			merged = doc.Content[0]
			continue
		}
		if err := mergeNode(merged, doc.Content[0], ""); err != nil {
			return nil, fmt.Errorf("seed %d: %w", i+1, err)
		}
	}
	if merged == nil {
		return nil, errors.New("no seed documents")
	}
	var buf bytes.Buffer
	if err := writeJSON(&buf, merged, ""); err != nil {
		return nil, err
	}
	buf.WriteByte('\n')
	return buf.Bytes(), nil
}

// extractYAML returns the body of the first ````yaml fence in a seed page.
func extractYAML(seed []byte) ([]byte, error) {
	lines := strings.SplitAfter(string(seed), "\n")
	start := -1
	for i, l := range lines {
		t := strings.TrimSpace(l)
		switch {
		case start < 0 && strings.HasPrefix(t, "```") && strings.Contains(t, "yaml"):
			start = i + 1
		case start >= 0 && strings.Trim(t, "`") == "" && strings.HasPrefix(t, "```"):
			return []byte(strings.Join(lines[start:i], "")), nil
		}
	}
	if start < 0 {
		return nil, errors.New("no ```yaml fence holding an OpenAPI document")
	}
	return nil, errors.New("the ```yaml fence is not closed")
}

// mergeNode merges src into dst. Mappings are united key by key (new keys
// appended in src's order); any other pair of nodes must be equal.
func mergeNode(dst, src *yaml.Node, path string) error {
	if dst.Kind == yaml.MappingNode && src.Kind == yaml.MappingNode {
		for i := 0; i+1 < len(src.Content); i += 2 {
			key, val := src.Content[i], src.Content[i+1]
			if d := lookup(dst, key.Value); d != nil {
				if err := mergeNode(d, val, path+"/"+escapePointer(key.Value)); err != nil {
					return err
				}
				continue
			}
			dst.Content = append(dst.Content, key, val)
		}
		return nil
	}
	if !equalNode(dst, src) {
		return fmt.Errorf("conflicting values at %s: the seeds disagree, so a merge would have to pick one", orRoot(path))
	}
	return nil
}

func lookup(m *yaml.Node, key string) *yaml.Node {
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			return m.Content[i+1]
		}
	}
	return nil
}

func equalNode(a, b *yaml.Node) bool {
	if a.Kind != b.Kind || len(a.Content) != len(b.Content) {
		return false
	}
	if a.Kind == yaml.ScalarNode {
		return a.ShortTag() == b.ShortTag() && a.Value == b.Value
	}
	if a.Kind == yaml.AliasNode {
		return equalNode(a.Alias, b.Alias)
	}
	for i := range a.Content {
		if !equalNode(a.Content[i], b.Content[i]) {
			return false
		}
	}
	return true
}

func writeJSON(buf *bytes.Buffer, n *yaml.Node, indent string) error {
	inner := indent + "  "
	switch n.Kind {
	case yaml.AliasNode:
		return writeJSON(buf, n.Alias, indent)
	case yaml.MappingNode:
		if len(n.Content) == 0 {
			buf.WriteString("{}")
			return nil
		}
		buf.WriteString("{\n")
		for i := 0; i+1 < len(n.Content); i += 2 {
			buf.WriteString(inner)
			writeString(buf, n.Content[i].Value)
			buf.WriteString(": ")
			if err := writeJSON(buf, n.Content[i+1], inner); err != nil {
				return err
			}
			if i+2 < len(n.Content) {
				buf.WriteByte(',')
			}
			buf.WriteByte('\n')
		}
		buf.WriteString(indent + "}")
	case yaml.SequenceNode:
		if len(n.Content) == 0 {
			buf.WriteString("[]")
			return nil
		}
		buf.WriteString("[\n")
		for i, c := range n.Content {
			buf.WriteString(inner)
			if err := writeJSON(buf, c, inner); err != nil {
				return err
			}
			if i+1 < len(n.Content) {
				buf.WriteByte(',')
			}
			buf.WriteByte('\n')
		}
		buf.WriteString(indent + "]")
	case yaml.ScalarNode:
		return writeScalar(buf, n)
	default:
		return fmt.Errorf("line %d: unexpected YAML node kind %v", n.Line, n.Kind)
	}
	return nil
}

func writeScalar(buf *bytes.Buffer, n *yaml.Node) error {
	switch n.ShortTag() {
	case "!!null":
		buf.WriteString("null")
	case "!!bool":
		var b bool
		if err := n.Decode(&b); err != nil {
			return fmt.Errorf("line %d: %w", n.Line, err)
		}
		buf.WriteString(strconv.FormatBool(b))
	case "!!int", "!!float":
		var v any
		if err := n.Decode(&v); err != nil {
			return fmt.Errorf("line %d: %w", n.Line, err)
		}
		b, err := json.Marshal(v)
		if err != nil {
			return fmt.Errorf("line %d: %q is not a JSON number: %w", n.Line, n.Value, err)
		}
		buf.Write(b)
	default: // !!str, !!timestamp, !!binary: keep the text as written
		writeString(buf, n.Value)
	}
	return nil
}

func writeString(buf *bytes.Buffer, s string) {
	enc := json.NewEncoder(buf)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(s) // encoding a string cannot fail
	buf.Truncate(buf.Len() - 1)
}

func escapePointer(s string) string {
	return strings.NewReplacer("~", "~0", "/", "~1").Replace(s)
}

func orRoot(p string) string {
	if p == "" {
		return "the document root"
	}
	return p
}
