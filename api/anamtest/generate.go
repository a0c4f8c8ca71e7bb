package anamtest

import (
	"encoding/binary"
	"fmt"
	"hash/fnv"
	"maps"
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/getkin/kin-openapi/openapi3"
)

// generator makes deterministic documents that satisfy a schema: the same
// seed, key and index give the same document. See the package
// documentation, "Generated items".
type generator struct {
	seed uint64
	// valid, if set, reports whether v is valid for s; it lets oneOf pick
	// an alternative that matches exactly one branch.
	valid func(s *openapi3.Schema, v any) bool
	// v31 is set for OpenAPI 3.1 documents, whose validator ignores the
	// 3.0 keyword nullable: only a "null" type allows null there.
	v31 bool
}

// omit is what value returns for a oneOf that no generated value satisfies:
// an optional property with it is left out.
type omit struct{}

// Generated data. Names repeat with a round number after the first round,
// and share substrings (Liv, Olivia) so that search has something to find.
var (
	genNames = []string{"Cara", "Leo", "Mia", "Olivia", "Finn", "Nora", "Eli", "Sofia", "Hugo", "Ava", "Oscar", "Isla", "Theo", "Ruby", "Maxine", "Zara"}
	genBase  = time.Date(2025, time.January, 6, 9, 0, 0, 0, time.UTC)
)

// timeLayout is how the API writes timestamps: UTC with exactly three
// fractional digits, as JavaScript's Date.toISOString does.
const timeLayout = "2006-01-02T15:04:05.000Z"

// maxDepth bounds the nesting of generated documents: deeper, objects get
// their required properties only and arrays no elements, so that recursive
// schemas end.
const maxDepth = 6

// hash returns a deterministic number for the seed and the parts.
func (g generator) hash(parts ...string) uint64 {
	h := fnv.New64a()
	var b [8]byte
	binary.LittleEndian.PutUint64(b[:], g.seed)
	h.Write(b[:])
	for _, p := range parts {
		h.Write([]byte(p))
		h.Write([]byte{0})
	}
	return h.Sum64()
}

// uuid returns a version 4 UUID derived from the seed and the parts.
func (g generator) uuid(parts ...string) string {
	var b [16]byte
	binary.BigEndian.PutUint64(b[:8], g.hash(append(parts, "hi")...))
	binary.BigEndian.PutUint64(b[8:], g.hash(append(parts, "lo")...))
	b[6] = b[6]&0x0f | 0x40 // version 4
	b[8] = b[8]&0x3f | 0x80 // RFC 9562 variant
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

// name returns the i-th generated display name: "Cara", "Leo"... then
// "Cara 2" from the second round on.
func name(i int) string {
	n := genNames[i%len(genNames)]
	if round := i / len(genNames); round > 0 {
		n += " " + strconv.Itoa(round+1)
	}
	return n
}

// item returns the i-th generated document of schema s, for the resource
// key.
func (g generator) item(key string, s *openapi3.SchemaRef, i int) map[string]any {
	v := g.value(s, key, "", i, 0, true)
	m, _ := v.(map[string]any)
	if m == nil {
		m = map[string]any{}
	}
	return m
}

// value generates a value of s. path names the value within the document
// (for hashing), field is the property name, i the item index.
func (g generator) value(sr *openapi3.SchemaRef, key, path string, i, depth int, nonNull bool) any {
	if sr == nil || sr.Value == nil {
		return "value"
	}
	s := sr.Value
	field := path[strings.LastIndexByte(path, '/')+1:]
	if s.Const != nil {
		return s.Const
	}
	if len(s.Enum) > 0 {
		var vals []any
		for _, e := range s.Enum {
			if e != nil {
				vals = append(vals, e)
			}
		}
		if len(vals) == 0 {
			return nil
		}
		return vals[i%len(vals)]
	}
	if len(s.AllOf) > 0 {
		out := map[string]any{}
		for k, part := range s.AllOf {
			if m, ok := g.value(part, key, path+"/allOf"+strconv.Itoa(k), i, depth, true).(map[string]any); ok {
				maps.Copy(out, m)
			}
		}
		if len(s.Properties) > 0 {
			maps.Copy(out, g.object(s, key, path, i, depth))
		}
		return out
	}
	if len(s.OneOf) > 0 {
		return g.oneOf(s, key, path, i, depth)
	}
	if len(s.AnyOf) > 0 {
		// The first alternative that is not null, for every item: a
		// stable shape is what tests of one resource expect.
		for _, a := range s.AnyOf {
			if a.Value != nil && !a.Value.Type.Is(openapi3.TypeNull) {
				return g.value(a, key, path, i, depth, true)
			}
		}
		return nil
	}
	types := s.Type.Slice()
	nullable := (s.Nullable && !g.v31) || slices.Contains(types, openapi3.TypeNull)
	types = slices.DeleteFunc(slices.Clone(types), func(t string) bool { return t == openapi3.TypeNull })
	if nullable && !nonNull && field != "id" && (i+int(g.hash(key, path)%3))%4 == 3 {
		return nil
	}
	typ := ""
	if len(types) > 0 {
		typ = types[0]
	} else {
		switch {
		case len(s.Properties) > 0:
			typ = openapi3.TypeObject
		case s.Items != nil:
			typ = openapi3.TypeArray
		case nullable:
			return nil
		default:
			typ = openapi3.TypeString
		}
	}
	switch typ {
	case openapi3.TypeObject:
		return g.object(s, key, path, i, depth)
	case openapi3.TypeArray:
		n := 1 + i%2
		if depth >= maxDepth {
			n = 0
		}
		n = max(n, int(s.MinItems))
		if s.MaxItems != nil {
			n = min(n, int(*s.MaxItems))
		}
		out := make([]any, 0, n)
		for k := range n {
			v := g.value(s.Items, key, path+"/"+strconv.Itoa(k), i+k, depth+1, true)
			if _, ok := v.(omit); ok {
				break
			}
			out = append(out, v)
		}
		return out
	case openapi3.TypeBoolean:
		return (i+int(g.hash(key, path)%2))%2 == 0
	case openapi3.TypeInteger:
		return math.Round(g.number(s, key, path, i, true))
	case openapi3.TypeNumber:
		return g.number(s, key, path, i, false)
	default:
		return g.str(s, key, path, field, i)
	}
}

// oneOf generates a value that matches exactly one alternative of s, trying
// each in turn: alone or, when s also has properties, merged into an object
// of them without the properties only the other alternatives name; and if
// that matches several alternatives, with only the properties the
// alternative requires and those no other alternative declares (a branch
// whose optional properties make it look like another). It returns omit{}
// if none validates (see generator.valid).
func (g generator) oneOf(s *openapi3.Schema, key, path string, i, depth int) any {
	var base map[string]any
	if len(s.Properties) > 0 {
		base = g.object(s, key, path, i, depth)
	}
	var first any
	for k, alt := range s.OneOf {
		if alt.Value == nil || alt.Value.Type.Is(openapi3.TypeNull) {
			continue
		}
		cand := g.value(alt, key, path, i, depth, true)
		others := map[string]bool{}
		for j, other := range s.OneOf {
			if j != k && other.Value != nil {
				maps.Copy(others, names(other.Value))
			}
		}
		own := names(alt.Value)
		if base != nil {
			m := maps.Clone(base)
			for n := range others {
				if !own[n] {
					delete(m, n)
				}
			}
			if cm, ok := cand.(map[string]any); ok {
				maps.Copy(m, cm)
			}
			cand = m
		}
		if first == nil {
			first = cand
		}
		if g.valid == nil {
			return cand
		}
		if v, err := roundTrip(cand); err == nil && g.valid(s, v) {
			return cand
		}
		if m, ok := cand.(map[string]any); ok {
			req := required(alt.Value)
			minimal := make(map[string]any, len(m))
			for n, v := range m {
				if slices.Contains(req, n) || !others[n] {
					minimal[n] = v
				}
			}
			if v, err := roundTrip(minimal); err == nil && len(minimal) < len(m) && g.valid(s, v) {
				return minimal
			}
		}
	}
	if first == nil {
		return nil
	}
	return omit{}
}

// names returns the properties a schema declares or requires.
func names(s *openapi3.Schema) map[string]bool {
	out := map[string]bool{}
	for k := range properties(s) {
		out[k] = true
	}
	for _, k := range required(s) {
		out[k] = true
	}
	return out
}

// object generates every property of s (only the required ones beyond
// maxDepth), except write-only ones, which responses do not carry.
func (g generator) object(s *openapi3.Schema, key, path string, i, depth int) map[string]any {
	out := map[string]any{}
	req := required(s)
	for _, k := range slices.Sorted(maps.Keys(properties(s))) {
		p := properties(s)[k]
		if p.Value != nil && p.Value.WriteOnly {
			continue
		}
		isReq := slices.Contains(req, k)
		if depth >= maxDepth && !isReq {
			continue
		}
		v := g.value(p, key, path+"/"+k, i, depth+1, k == "id")
		if _, ok := v.(omit); ok {
			if !isReq {
				continue
			}
			v = nil
		}
		out[k] = v
	}
	return out
}

// number returns a number within the bounds of s: the example if it fits,
// else one that varies with i.
func (g generator) number(s *openapi3.Schema, key, path string, i int, integer bool) float64 {
	step := 1e-3 // how far inside an exclusive bound
	if integer {
		step = 1
	}
	lo, hi := 0.0, 1000.0
	loSet, hiSet := false, false
	if s.Min != nil {
		lo, loSet = *s.Min, true
		if b := s.ExclusiveMin.Bool; b != nil && *b {
			lo += step
		}
	}
	if v := s.ExclusiveMin.Value; v != nil {
		lo, loSet = *v+step, true
	}
	if s.Max != nil {
		hi, hiSet = *s.Max, true
		if b := s.ExclusiveMax.Bool; b != nil && *b {
			hi -= step
		}
	}
	if v := s.ExclusiveMax.Value; v != nil {
		hi, hiSet = *v-step, true
	}
	switch {
	case loSet && !hiSet:
		hi = lo + 1000
	case hiSet && !loSet:
		lo = min(0, hi-1000)
	}
	if hi < lo {
		return lo
	}
	if integer {
		lo, hi = math.Ceil(lo), math.Floor(hi)
	}
	if s.MultipleOf != nil && *s.MultipleOf > 0 {
		m := *s.MultipleOf
		k := math.Ceil(lo / m)
		n := math.Floor(hi/m) - k + 1
		if n < 1 {
			return k * m
		}
		return (k + float64((uint64(i)+g.hash(key, path))%uint64(n))) * m
	}
	span := hi - lo
	if integer {
		if span <= 0 {
			return lo
		}
		return lo + float64((uint64(i)*7+g.hash(key, path))%uint64(span+1))
	}
	if span <= 0 {
		return lo
	}
	frac := float64((uint64(i)*7+g.hash(key, path))%1000) / 1000
	return math.Round((lo+frac*span)*1000) / 1000
}

var genTimeFields = regexp.MustCompile(`(?i)created|start|from|joined|issued`)

// str generates a string for the property field of format s.
func (g generator) str(s *openapi3.Schema, key, path, field string, i int) string {
	h := g.hash(key, path)
	var v string
	switch s.Format {
	case "uuid":
		v = g.uuid(key, path, strconv.Itoa(i))
	case "date-time":
		v = g.time(field, i).Format(timeLayout)
	case "date":
		v = g.time(field, i).Format(time.DateOnly)
	case "time":
		v = g.time(field, i).Format("15:04:05")
	case "uri", "url", "uri-reference", "iri":
		v = fmt.Sprintf("https://anamtest.example/%s/%s/%d", strings.Trim(key, "/"), field, i)
	case "email", "idn-email":
		v = fmt.Sprintf("user%d@anamtest.example", i)
	case "hostname", "idn-hostname":
		v = fmt.Sprintf("host%d.anamtest.example", i)
	case "ipv4":
		v = fmt.Sprintf("192.0.2.%d", i%255)
	case "ipv6":
		v = fmt.Sprintf("2001:db8::%x", i%65535+1)
	case "byte":
		v = "YW5hbXRlc3Q="
	case "binary":
		v = "anamtest"
	case "duration":
		v = fmt.Sprintf("PT%dS", i%3600+1)
	default:
		switch {
		case s.Pattern != "" && exampleMatches(s):
			v = s.Example.(string)
		case isNameField(field):
			v = name(i)
		case exampleString(s) != "":
			v = exampleString(s)
		case s.Pattern != "":
			v = patternString(s.Pattern, i)
		default:
			v = fmt.Sprintf("%s %d", field, i)
			if field == "" {
				v = fmt.Sprintf("value %d", h%1000)
			}
		}
	}
	// Lengths count characters.
	if s.MaxLength != nil && uint64(utf8.RuneCountInString(v)) > *s.MaxLength {
		v = string([]rune(v)[:*s.MaxLength])
	}
	for uint64(utf8.RuneCountInString(v)) < s.MinLength {
		v += "x"
	}
	return v
}

func isNameField(f string) bool {
	switch f {
	case "name", "displayName", "title", "label":
		return true
	}
	return false
}

func exampleString(s *openapi3.Schema) string {
	if e, ok := s.Example.(string); ok {
		return e
	}
	if len(s.Examples) > 0 {
		if e, ok := s.Examples[0].(string); ok {
			return e
		}
	}
	return ""
}

func exampleMatches(s *openapi3.Schema) bool {
	e, ok := s.Example.(string)
	if !ok {
		return false
	}
	re, err := regexp.Compile(s.Pattern)
	return err == nil && re.MatchString(e)
}

// patternString makes a best effort at a string matching a simple pattern
// (a character class repeated): "[a-z0-9]{8}" gives 8 letters. Patterns it
// cannot read give "anamtest".
func patternString(p string, i int) string {
	re, err := regexp.Compile(p)
	if err != nil {
		return "anamtest"
	}
	for _, c := range []string{"anamtest", strconv.Itoa(i), "a", "A", "0", "anamtest-" + strconv.Itoa(i)} {
		if re.MatchString(c) {
			return c
		}
	}
	return "anamtest"
}

// time returns the timestamp of a date-time property of the i-th item:
// creation-like fields (created..., start..., from) fall on day i, others
// up to a week and a second later, so that updatedAt >= createdAt.
func (g generator) time(field string, i int) time.Time {
	t := genBase.Add(time.Duration(i)*26*time.Hour + time.Duration((i*137+41)%1000)*time.Millisecond)
	if genTimeFields.MatchString(field) {
		return t
	}
	return t.Add(time.Duration(i%7)*24*time.Hour + time.Duration(i*53%1000+1)*time.Millisecond)
}
