package speccheck

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"

	"gopkg.in/yaml.v3"
)

// Tolerated is one entry of a tolerated list: it accepts the findings of
// Rule whose location matches Location, for Reason.
//
// A tolerated list is a YAML document:
//
//	tolerated:
//	  - rule: ambiguous-oneof-example
//	    location: /paths/*/post/responses/400/content/application~1json/examples/*
//	    reason: >-
//	      The validation error extends the plain error, so its examples
//	      match both branches; clients read the `error` both share.
//
// Location is a JSON pointer into
// the overlaid document, or a pattern of one: a `*` in a reference token
// matches any run of characters within that token (never a `/`), so
// `/paths/*/get/responses/4*` matches the 4xx responses of every GET
// operation. Tokens are compared in their escaped
// form: /v1/avatars is written ~1v1~1avatars. Every entry needs a rule, a
// location and a reason; unknown fields are errors.
type Tolerated struct {
	Rule     string `yaml:"rule"`
	Location string `yaml:"location"`
	Reason   string `yaml:"reason"`
	// Line is the entry's line in the tolerated list, for messages.
	Line int `yaml:"-"`
	// Index is the entry's position in the list, from 0.
	Index int `yaml:"-"`
}

// String renders the entry for messages: its line in the list, rule and
// location.
func (t Tolerated) String() string {
	loc := t.Location
	if loc == "" {
		loc = `""`
	}
	if t.Line > 0 {
		return fmt.Sprintf("line %d: %s at %s", t.Line, t.Rule, loc)
	}
	return fmt.Sprintf("%s at %s", t.Rule, loc)
}

// Matches reports whether the entry accepts f.
func (t Tolerated) Matches(f Finding) bool {
	return t.Rule == f.Rule && matchPointer(t.Location, f.Location)
}

// ParseTolerated parses a tolerated list. Empty input (say, a missing file
// read as nothing) is an empty list.
func ParseTolerated(data []byte) ([]Tolerated, error) {
	if len(bytes.TrimSpace(data)) == 0 {
		return nil, nil
	}
	var doc struct {
		Tolerated []yaml.Node `yaml:"tolerated"`
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&doc); err != nil && !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("tolerated list: %w", err)
	}
	var out []Tolerated
	var errs []error
	for i, n := range doc.Tolerated {
		var t Tolerated
		if err := decodeStrict(&n, &t); err != nil {
			errs = append(errs, fmt.Errorf("tolerated list, line %d: %w", n.Line, err))
			continue
		}
		t.Line, t.Index = n.Line, i
		t.Rule = strings.TrimSpace(t.Rule)
		t.Location = strings.TrimSpace(t.Location)
		if err := t.validate(); err != nil {
			errs = append(errs, fmt.Errorf("tolerated list, line %d: %w", n.Line, err))
			continue
		}
		for _, prev := range out {
			if prev.Rule == t.Rule && prev.Location == t.Location {
				errs = append(errs, fmt.Errorf("tolerated list, line %d: the same rule and location as line %d", t.Line, prev.Line))
			}
		}
		out = append(out, t)
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return out, nil
}

// decodeStrict decodes a mapping node into v, refusing unknown fields, which
// yaml.Node.Decode would ignore.
func decodeStrict(n *yaml.Node, v any) error {
	if n.Kind != yaml.MappingNode {
		return errors.New("an entry must be a mapping with rule, location and reason")
	}
	b, err := yaml.Marshal(n)
	if err != nil {
		return err
	}
	dec := yaml.NewDecoder(bytes.NewReader(b))
	dec.KnownFields(true)
	return dec.Decode(v)
}

func (t Tolerated) validate() error {
	switch {
	case t.Rule == "":
		return errors.New("the entry names no rule")
	case !slices.Contains(Rules, t.Rule):
		return fmt.Errorf("unknown rule %q (rules: %s)", t.Rule, strings.Join(Rules, ", "))
	case untolerable[t.Rule]:
		return fmt.Errorf("rule %s cannot be tolerated: a document that does not load cannot be generated from", t.Rule)
	case t.Location != "" && !strings.HasPrefix(t.Location, "/"):
		return fmt.Errorf("location %q is not a JSON pointer: it must start with /", t.Location)
	case strings.TrimSpace(t.Reason) == "":
		return fmt.Errorf("the entry for %s at %s gives no reason: say why the defect is harmless", t.Rule, t.Location)
	}
	return nil
}

// matchPointer reports whether the JSON pointer ptr matches pattern: the
// same number of reference tokens, each matching its pattern token, where
// `*` stands for any run of characters.
func matchPointer(pattern, ptr string) bool {
	if pattern == "" || ptr == "" {
		return pattern == ptr
	}
	pt := strings.Split(pattern, "/")
	lt := strings.Split(ptr, "/")
	if len(pt) != len(lt) {
		return false
	}
	for i := range pt {
		if !matchToken(pt[i], lt[i]) {
			return false
		}
	}
	return true
}

// matchToken matches s against a pattern in which `*` matches any run of
// characters, and every other character itself.
func matchToken(pattern, s string) bool {
	parts := strings.Split(pattern, "*")
	if len(parts) == 1 {
		return pattern == s
	}
	if !strings.HasPrefix(s, parts[0]) {
		return false
	}
	s = s[len(parts[0]):]
	last := parts[len(parts)-1]
	for _, p := range parts[1 : len(parts)-1] {
		i := strings.Index(s, p)
		if i < 0 {
			return false
		}
		s = s[i+len(p):]
	}
	return len(s) >= len(last) && strings.HasSuffix(s, last)
}

// tolerate splits findings into those an entry accepts and the rest, and
// returns the entries that accepted nothing. A finding is accepted by the
// first entry that matches it.
func tolerate(findings []Finding, entries []Tolerated) (accepted []ToleratedFinding, rest []Finding, stale []Tolerated) {
	used := make([]bool, len(entries))
	for _, f := range findings {
		i := slices.IndexFunc(entries, func(t Tolerated) bool { return t.Matches(f) })
		if i < 0 {
			rest = append(rest, f)
			continue
		}
		used[i] = true
		accepted = append(accepted, ToleratedFinding{Finding: f, Entry: entries[i]})
	}
	for i, t := range entries {
		if !used[i] {
			stale = append(stale, t)
		}
	}
	return accepted, rest, stale
}
