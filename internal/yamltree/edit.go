package yamltree

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"gopkg.in/yaml.v3"
)

// The editors below change a YAML file in its text, so that everything they
// do not touch (comments, blank lines, quoting, key order) stays byte for
// byte; each checks its result by parsing it again and comparing it with
// what the change should give, and refuses (an error, nothing changed)
// rather than write anything else.

// top parses src and returns its top-level mapping.
func top(src []byte) (*yaml.Node, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(src, &doc); err != nil {
		return nil, err
	}
	if len(doc.Content) != 1 || !IsMapping(doc.Content[0]) {
		return nil, errors.New("the document is not a YAML mapping")
	}
	return doc.Content[0], nil
}

// RemoveItems returns src without the elements at the given indexes of the
// block-style list under the top-level key: each element's lines go, with
// the comment lines right above it. A list left empty becomes `key: []`.
func RemoveItems(src []byte, key string, drop []int) ([]byte, error) {
	if len(drop) == 0 {
		return src, nil
	}
	root, err := top(src)
	if err != nil {
		return nil, err
	}
	seq := Get(root, key)
	if seq == nil || seq.Kind != yaml.SequenceNode || seq.Style&yaml.FlowStyle != 0 {
		return nil, fmt.Errorf("%s is not a block-style list", key)
	}
	lines := strings.SplitAfter(string(src), "\n")
	starts := make([]int, len(seq.Content)) // 0-based first line of each element, comments above included
	dash := make([]int, len(seq.Content))   // 0-based line of each element's dash
	col := -1                               // 0-based column of the dashes
	for i, item := range seq.Content {
		if item.Column < 3 {
			return nil, fmt.Errorf("%s: element %d is not written as `- ...`", key, i)
		}
		c := item.Column - 3
		if col >= 0 && c != col {
			return nil, fmt.Errorf("%s: the elements are not aligned", key)
		}
		col = c
		l := item.Line - 1
		for l >= 0 && !isDash(lines[l], col) {
			l--
		}
		if l < 0 || (i > 0 && l <= dash[i-1]) {
			return nil, fmt.Errorf("%s: cannot find the dash of element %d", key, i)
		}
		dash[i] = l
		s := l
		for s > 0 && isComment(lines[s-1], col) && (i == 0 || s-1 > dash[i-1]) {
			s--
		}
		starts[i] = s
	}
	// The last element ends before the first line that is neither blank nor
	// indented past the dashes.
	last := len(seq.Content) - 1
	end := dash[last] + 1
	for end < len(lines) && (strings.TrimSpace(lines[end]) == "" || indent(lines[end]) > col) {
		end++
	}
	for end > dash[last]+1 && strings.TrimSpace(lines[end-1]) == "" {
		end--
	}
	ends := append(slices.Clone(starts[1:]), end)

	remove := make([]bool, len(lines))
	dropped := make([]bool, len(seq.Content))
	for _, i := range drop {
		if i < 0 || i >= len(seq.Content) {
			return nil, fmt.Errorf("%s has no element %d", key, i)
		}
		dropped[i] = true
		for l := starts[i]; l < ends[i]; l++ {
			remove[l] = true
		}
	}
	var b strings.Builder
	for l, line := range lines {
		if !remove[l] {
			b.WriteString(line)
		}
	}
	out := []byte(b.String())
	var kept []*yaml.Node
	for i, item := range seq.Content {
		if !dropped[i] {
			kept = append(kept, item)
		}
	}
	if len(kept) == 0 {
		if out, err = emptyList(out, key); err != nil {
			return nil, err
		}
	}
	// Check: the same document with exactly those elements gone.
	got, err := top(out)
	if err != nil {
		return nil, fmt.Errorf("removing elements of %s broke the YAML: %w", key, err)
	}
	for _, p := range Pairs(root) {
		switch g := Get(got, p.Key); {
		case p.Key == key:
			if len(Items(g)) != len(kept) {
				return nil, fmt.Errorf("removing elements of %s left %d of them, want %d", key, len(Items(g)), len(kept))
			}
			for i, k := range kept {
				if !Equal(g.Content[i], k) {
					return nil, fmt.Errorf("removing elements of %s changed element %d", key, i)
				}
			}
		case !Equal(g, p.Val):
			return nil, fmt.Errorf("removing elements of %s changed %s", key, p.Key)
		}
	}
	return out, nil
}

// emptyList writes `key: []` where `key:` now holds nothing.
func emptyList(src []byte, key string) ([]byte, error) {
	lines := strings.SplitAfter(string(src), "\n")
	for i, line := range lines {
		text := strings.TrimRight(line, "\r\n")
		if strings.TrimSpace(text) == key+":" && indent(text) == 0 {
			lines[i] = key + ": []" + line[len(text):]
			return []byte(strings.Join(lines, "")), nil
		}
	}
	return nil, fmt.Errorf("cannot find the line `%s:` to write an empty list", key)
}

// SetItemScalar returns src with the scalar at field of the index-th
// element of the top-level list under key replaced by value, written on the
// scalar's line.
func SetItemScalar(src []byte, key string, index int, field, value string) ([]byte, error) {
	root, err := top(src)
	if err != nil {
		return nil, err
	}
	items := Items(Get(root, key))
	if index < 0 || index >= len(items) {
		return nil, fmt.Errorf("%s has no element %d", key, index)
	}
	old := Get(items[index], field)
	if old == nil || old.Kind != yaml.ScalarNode || old.Style&(yaml.LiteralStyle|yaml.FoldedStyle) != 0 {
		return nil, fmt.Errorf("%s element %d: %s is not a one-line scalar", key, index, field)
	}
	enc, err := yaml.Marshal(&yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: value})
	if err != nil {
		return nil, err
	}
	repl := strings.TrimSuffix(string(enc), "\n")
	if strings.Contains(repl, "\n") {
		return nil, fmt.Errorf("%q does not fit on one line", value)
	}
	lines := strings.SplitAfter(string(src), "\n")
	l, c := old.Line-1, old.Column-1
	line := lines[l]
	body := strings.TrimRight(line, "\r\n")
	if c > len(body) {
		return nil, fmt.Errorf("%s element %d: cannot find %s in its line", key, index, field)
	}
	rest := body[c:]
	tail := "" // a comment after the scalar
	switch old.Style {
	case yaml.SingleQuotedStyle, yaml.DoubleQuotedStyle:
		q := rest[0]
		i := 1
		for i < len(rest) {
			if rest[i] == '\\' && q == '"' {
				i += 2
				continue
			}
			if rest[i] == q {
				if q == '\'' && i+1 < len(rest) && rest[i+1] == '\'' {
					i += 2
					continue
				}
				break
			}
			i++
		}
		if i >= len(rest) {
			return nil, fmt.Errorf("%s element %d: %s spans lines", key, index, field)
		}
		tail = rest[i+1:]
	default:
		if i := strings.Index(rest, " #"); i >= 0 {
			tail = rest[i:]
		}
	}
	lines[l] = body[:c] + repl + tail + line[len(body):]
	out := []byte(strings.Join(lines, ""))
	got, err := top(out)
	if err != nil {
		return nil, fmt.Errorf("rewriting %s broke the YAML: %w", field, err)
	}
	gotItems := Items(Get(got, key))
	if len(gotItems) != len(items) || Str(Get(gotItems[index], field)) != value {
		return nil, fmt.Errorf("rewriting %s of %s element %d did not give %q", field, key, index, value)
	}
	for i := range items {
		for _, p := range Pairs(items[i]) {
			if (i != index || p.Key != field) && !Equal(Get(gotItems[i], p.Key), p.Val) {
				return nil, fmt.Errorf("rewriting %s of %s element %d changed something else", field, key, index)
			}
		}
	}
	for _, p := range Pairs(root) {
		if p.Key != key && !Equal(Get(got, p.Key), p.Val) {
			return nil, fmt.Errorf("rewriting %s changed %s", field, p.Key)
		}
	}
	return out, nil
}

func isComment(line string, minIndent int) bool {
	t := strings.TrimSpace(line)
	return strings.HasPrefix(t, "#") && indent(line) >= minIndent
}

// indent is the number of spaces a line starts with.
func indent(line string) int {
	return len(line) - len(strings.TrimLeft(line, " "))
}

// isDash reports whether line starts a list element at column col.
func isDash(line string, col int) bool {
	return len(line) > col && line[col] == '-' && strings.TrimSpace(line[:col]) == "" &&
		(len(line) == col+1 || line[col+1] == ' ' || line[col+1] == '\n' || line[col+1] == '\r')
}
