package speccheck

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/anam-ai/anam-go/internal/yamltree"
)

// formats are the string formats examples are checked for, each as the SDK
// will read the value: gen/ decodes date-time into time.Time, which takes
// RFC 3339; uuid and uri stay strings in gen/, but api/ and users rely on
// them looking like one. They are per-validation options: kin-openapi's
// global format registry is left alone.
var formats = map[string]openapi3.StringFormatValidator{
	"uuid": openapi3.NewCallbackValidator(func(s string) error {
		if !uuidPattern.MatchString(s) {
			return errors.New("not a UUID (8-4-4-4-12 hexadecimal digits)")
		}
		return nil
	}),
	"date-time": openapi3.NewCallbackValidator(func(s string) error {
		if _, err := time.Parse(time.RFC3339Nano, s); err != nil {
			return errors.New("not an RFC 3339 date-time")
		}
		return nil
	}),
	"date": openapi3.NewCallbackValidator(func(s string) error {
		if _, err := time.Parse(time.DateOnly, s); err != nil {
			return errors.New("not an RFC 3339 full-date (YYYY-MM-DD)")
		}
		return nil
	}),
	"uri": openapi3.NewCallbackValidator(func(s string) error {
		if u, err := url.Parse(s); err != nil || !u.IsAbs() {
			return errors.New("not an absolute URI")
		}
		return nil
	}),
	"uri-reference": openapi3.NewCallbackValidator(func(s string) error {
		if _, err := url.Parse(s); err != nil {
			return errors.New("not a URI reference")
		}
		return nil
	}),
	"email": openapi3.NewRegexpFormatValidator(openapi3.FormatOfStringForEmail),
}

var uuidPattern = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)

// exampleChecker validates the examples of a loaded document.
type exampleChecker struct {
	// base are the options every validation uses; opts adds MultiErrors
	// for the validation of a whole example, so that it reports every
	// problem.
	base     []openapi3.SchemaValidationOption
	opts     []openapi3.SchemaValidationOption
	visited  map[*openapi3.Schema]bool
	findings []Finding
}

// checkExamples validates every example of the document against the schema
// it illustrates and returns the findings.
func checkExamples(t *openapi3.T) []Finding {
	c := &exampleChecker{
		base:    []openapi3.SchemaValidationOption{openapi3.WithStringFormatValidators(formats)},
		visited: map[*openapi3.Schema]bool{},
	}
	if t.IsOpenAPI31OrLater() {
		// JSON Schema 2020-12 semantics: `type: [string, 'null']` accepts
		// null, OpenAPI 3.0's `nullable` does not.
		c.base = append(c.base, openapi3.EnableJSONSchema2020())
	}
	c.opts = append(slices.Clone(c.base), openapi3.MultiErrors())
	if t.Paths != nil {
		m := t.Paths.Map()
		for _, path := range slices.Sorted(maps.Keys(m)) {
			c.pathItem(yamltree.Join("/paths", path), m[path])
		}
	}
	for _, name := range slices.Sorted(maps.Keys(t.Webhooks)) {
		c.pathItem(yamltree.Join("/webhooks", name), t.Webhooks[name])
	}
	if comps := t.Components; comps != nil {
		for _, name := range slices.Sorted(maps.Keys(comps.Schemas)) {
			c.schemaTree(yamltree.Join("/components/schemas", name), comps.Schemas[name])
		}
		for _, name := range slices.Sorted(maps.Keys(comps.Parameters)) {
			if p := comps.Parameters[name]; p.Ref == "" && p.Value != nil {
				c.parameter(yamltree.Join("/components/parameters", name), p.Value)
			}
		}
		for _, name := range slices.Sorted(maps.Keys(comps.Headers)) {
			if h := comps.Headers[name]; h.Ref == "" && h.Value != nil {
				c.parameter(yamltree.Join("/components/headers", name), &h.Value.Parameter)
			}
		}
		for _, name := range slices.Sorted(maps.Keys(comps.RequestBodies)) {
			if rb := comps.RequestBodies[name]; rb.Ref == "" && rb.Value != nil {
				c.content(yamltree.Join("/components/requestBodies", name, "content"), rb.Value.Content)
			}
		}
		for _, name := range slices.Sorted(maps.Keys(comps.Responses)) {
			if r := comps.Responses[name]; r.Ref == "" && r.Value != nil {
				c.response(yamltree.Join("/components/responses", name), r.Value)
			}
		}
	}
	return c.findings
}

func (c *exampleChecker) pathItem(ptr string, item *openapi3.PathItem) {
	if item == nil || item.Ref != "" {
		return
	}
	for i, p := range item.Parameters {
		if p.Ref == "" && p.Value != nil {
			c.parameter(yamltree.Join(ptr, "parameters", strconv.Itoa(i)), p.Value)
		}
	}
	ops := item.Operations()
	for _, method := range slices.Sorted(maps.Keys(ops)) {
		op := ops[method]
		optr := yamltree.Join(ptr, strings.ToLower(method))
		if _, extra := item.AdditionalOperations[method]; extra && item.GetOperation(method) == nil {
			optr = yamltree.Join(ptr, "additionalOperations", method)
		}
		c.operation(optr, op)
	}
}

func (c *exampleChecker) operation(ptr string, op *openapi3.Operation) {
	for i, p := range op.Parameters {
		if p.Ref == "" && p.Value != nil {
			c.parameter(yamltree.Join(ptr, "parameters", strconv.Itoa(i)), p.Value)
		}
	}
	if rb := op.RequestBody; rb != nil && rb.Ref == "" && rb.Value != nil {
		c.content(yamltree.Join(ptr, "requestBody", "content"), rb.Value.Content)
	}
	if op.Responses != nil {
		m := op.Responses.Map()
		for _, status := range slices.Sorted(maps.Keys(m)) {
			if r := m[status]; r.Ref == "" && r.Value != nil {
				c.response(yamltree.Join(ptr, "responses", status), r.Value)
			}
		}
	}
	for _, name := range slices.Sorted(maps.Keys(op.Callbacks)) {
		cb := op.Callbacks[name]
		if cb.Ref != "" || cb.Value == nil {
			continue
		}
		m := cb.Value.Map()
		for _, expr := range slices.Sorted(maps.Keys(m)) {
			c.pathItem(yamltree.Join(ptr, "callbacks", name, expr), m[expr])
		}
	}
}

func (c *exampleChecker) response(ptr string, r *openapi3.Response) {
	for _, name := range slices.Sorted(maps.Keys(r.Headers)) {
		if h := r.Headers[name]; h.Ref == "" && h.Value != nil {
			c.parameter(yamltree.Join(ptr, "headers", name), &h.Value.Parameter)
		}
	}
	c.content(yamltree.Join(ptr, "content"), r.Content)
}

// parameter checks a Parameter or Header Object.
func (c *exampleChecker) parameter(ptr string, p *openapi3.Parameter) {
	c.site(ptr, p.Schema, p.Example, p.Examples)
	c.schemaTree(yamltree.Join(ptr, "schema"), p.Schema)
	c.content(yamltree.Join(ptr, "content"), p.Content)
}

func (c *exampleChecker) content(ptr string, content openapi3.Content) {
	for _, mt := range slices.Sorted(maps.Keys(content)) {
		m := content[mt]
		if m == nil {
			continue
		}
		mptr := yamltree.Join(ptr, mt)
		c.site(mptr, m.Schema, m.Example, m.Examples)
		c.schemaTree(yamltree.Join(mptr, "schema"), m.Schema)
		for _, name := range slices.Sorted(maps.Keys(m.Encoding)) {
			enc := m.Encoding[name]
			for _, h := range slices.Sorted(maps.Keys(enc.Headers)) {
				if hr := enc.Headers[h]; hr.Ref == "" && hr.Value != nil {
					c.parameter(yamltree.Join(mptr, "encoding", name, "headers", h), &hr.Value.Parameter)
				}
			}
		}
	}
}

// site checks the examples of a media type, parameter or header at ptr
// against its schema.
func (c *exampleChecker) site(ptr string, schema *openapi3.SchemaRef, example any, examples openapi3.Examples) {
	if schema == nil || schema.Value == nil {
		return
	}
	against := yamltree.Join(ptr, "schema")
	if schema.Ref != "" {
		against = schema.Ref
	}
	if example != nil {
		c.check(yamltree.Join(ptr, "example"), "the example", against, schema.Value, example)
	}
	for _, name := range slices.Sorted(maps.Keys(examples)) {
		ex := examples[name]
		// A null value (RuleNullExample) or an externalValue leaves
		// nothing to check here.
		if ex == nil || ex.Value == nil || ex.Value.Value == nil {
			continue
		}
		loc := yamltree.Join(ptr, "examples", name)
		what := "the example"
		if ex.Ref != "" {
			what = fmt.Sprintf("example %s, used at %s,", strings.TrimPrefix(ex.Ref, "#/"), loc)
		}
		c.check(loc, what, against, schema.Value, ex.Value.Value)
	}
}

// schemaTree checks the `example` and `examples` of the schema at ptr and of
// its inline subschemas. A $ref is checked where its target is defined.
func (c *exampleChecker) schemaTree(ptr string, ref *openapi3.SchemaRef) {
	if ref == nil || ref.Ref != "" || ref.Value == nil || c.visited[ref.Value] {
		return
	}
	s := ref.Value
	c.visited[s] = true
	if s.Example != nil {
		c.check(yamltree.Join(ptr, "example"), "the schema's example", ptr, s, s.Example)
	}
	for i, ex := range s.Examples {
		c.check(yamltree.Join(ptr, "examples", strconv.Itoa(i)), "the schema's example", ptr, s, ex)
	}
	for _, sub := range subschemas(s) {
		c.schemaTree(yamltree.Join(ptr, sub.tokens...), sub.ref)
	}
}

// subschema is a schema held by another, with the reference tokens that
// lead to it from its parent.
type subschema struct {
	tokens []string
	ref    *openapi3.SchemaRef
}

// subschemas lists the subschemas of s in a stable order.
func subschemas(s *openapi3.Schema) []subschema {
	var out []subschema
	for _, kw := range []struct {
		name string
		m    openapi3.Schemas
	}{{"properties", s.Properties}, {"patternProperties", s.PatternProperties}, {"dependentSchemas", s.DependentSchemas}, {"$defs", s.Defs}} {
		for _, name := range slices.Sorted(maps.Keys(kw.m)) {
			out = append(out, subschema{[]string{kw.name, name}, kw.m[name]})
		}
	}
	for _, kw := range []struct {
		name string
		list openapi3.SchemaRefs
	}{{"allOf", s.AllOf}, {"anyOf", s.AnyOf}, {"oneOf", s.OneOf}, {"prefixItems", s.PrefixItems}} {
		for i, sub := range kw.list {
			out = append(out, subschema{[]string{kw.name, strconv.Itoa(i)}, sub})
		}
	}
	for _, kw := range []struct {
		name string
		ref  *openapi3.SchemaRef
	}{
		{"items", s.Items}, {"additionalProperties", s.AdditionalProperties.Schema}, {"not", s.Not},
		{"if", s.If}, {"then", s.Then}, {"else", s.Else}, {"contains", s.Contains}, {"propertyNames", s.PropertyNames},
		{"unevaluatedItems", s.UnevaluatedItems.Schema}, {"unevaluatedProperties", s.UnevaluatedProperties.Schema},
		{"contentSchema", s.ContentSchema},
	} {
		if kw.ref != nil {
			out = append(out, subschema{[]string{kw.name}, kw.ref})
		}
	}
	return out
}

// check validates one example value, found at loc, against schema (written
// at against), and records what is wrong with it.
func (c *exampleChecker) check(loc, what, against string, schema *openapi3.Schema, value any) {
	value, err := jsonValue(value)
	if err != nil {
		c.add(RuleInvalidExample, loc, "%s is no JSON value: %v", what, err)
		return
	}
	ambiguous := map[string]bool{}
	for _, a := range c.ambiguities(schema, value, "", 0) {
		if ambiguous[a.at] {
			continue
		}
		ambiguous[a.at] = true
		if a.discriminated {
			continue // the discriminator picks one of the branches
		}
		c.addAbout(RuleAmbiguousOneOfExample, loc, strings.TrimPrefix(against, "#")+a.schemaPath,
			"%s matches branches %s of the oneOf at %s%s: a oneOf must match exactly one branch, and with no discriminator nothing tells these apart",
			what, joinInts(a.branches), against, a.schemaPath+valueAt(a.at))
	}
	verr := schema.VisitJSON(value, c.opts...)
	if verr == nil {
		return
	}
	var problems []string
	for _, l := range schemaLeaves(verr) {
		if l.ambiguous && ambiguous[l.ptr] {
			continue // reported above
		}
		problems = append(problems, l.String())
	}
	if len(problems) == 0 && len(ambiguous) > 0 {
		return
	}
	if len(problems) == 0 {
		problems = []string{validationMessage(verr)}
	}
	c.addAbout(RuleInvalidExample, loc, strings.TrimPrefix(against, "#"), "%s does not match the schema at %s: %s", what, against, strings.Join(problems, "; "))
}

func (c *exampleChecker) add(rule, loc, format string, args ...any) {
	c.addAbout(rule, loc, "", format, args...)
}

// addAbout records a finding about the schema at subject.
func (c *exampleChecker) addAbout(rule, loc, subject, format string, args ...any) {
	c.findings = append(c.findings, Finding{Rule: rule, Location: loc, Subject: subject, Message: fmt.Sprintf(format, args...)})
}

func valueAt(at string) string {
	if at == "" {
		return ""
	}
	return " (value at " + at + ")"
}

func joinInts(is []int) string {
	s := make([]string, len(is))
	for i, v := range is {
		s[i] = strconv.Itoa(v)
	}
	if len(s) == 2 {
		return s[0] + " and " + s[1]
	}
	return strings.Join(s[:len(s)-1], ", ") + " and " + s[len(s)-1]
}

// jsonValue normalizes a decoded YAML value to what encoding/json produces
// (numbers as json.Number), the shapes kin-openapi's validators expect.
func jsonValue(v any) (any, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var out any
	if err := dec.Decode(&out); err != nil {
		return nil, err
	}
	return out, nil
}

// ambiguity is a value, at a JSON pointer into an example, that matches more
// than one branch of an undiscriminated oneOf.
type ambiguity struct {
	at         string
	schemaPath string // where the oneOf is, relative to the example's schema
	branches   []int
	// discriminated is set when the oneOf's discriminator picks one of the
	// matching branches: generated code decodes by the discriminator, so
	// the overlap is harmless. (kin-openapi resolves only an explicit
	// discriminator mapping, so it reports such values as invalid.)
	discriminated bool
}

// ambiguities walks value and schema together and returns the values that
// match several branches of a oneOf.
func (c *exampleChecker) ambiguities(s *openapi3.Schema, value any, at string, depth int) []ambiguity {
	if s == nil || depth > 32 {
		return nil
	}
	var out []ambiguity
	branchOpts := append(slices.Clone(c.base), openapi3.FailFast())
	matching := func(list openapi3.SchemaRefs) []int {
		var m []int
		for i, b := range list {
			if b.Value != nil && b.Value.VisitJSON(value, branchOpts...) == nil {
				m = append(m, i)
			}
		}
		return m
	}
	if len(s.OneOf) > 1 {
		m := matching(s.OneOf)
		switch {
		case len(m) < 2:
		case s.Discriminator == nil:
			out = append(out, ambiguity{at: at, branches: m})
		case slices.Contains(m, discriminated(s, value)):
			out = append(out, ambiguity{at: at, branches: m, discriminated: true})
		default:
			// A discriminating value that picks none of the matching
			// branches: the example is invalid, as validation says.
		}
		for _, i := range m {
			out = append(out, prefixed(c.ambiguities(s.OneOf[i].Value, value, at, depth+1), fmt.Sprintf("/oneOf/%d", i))...)
		}
	}
	for _, i := range matching(s.AnyOf) {
		out = append(out, prefixed(c.ambiguities(s.AnyOf[i].Value, value, at, depth+1), fmt.Sprintf("/anyOf/%d", i))...)
	}
	for i, sub := range s.AllOf {
		out = append(out, prefixed(c.ambiguities(sub.Value, value, at, depth+1), fmt.Sprintf("/allOf/%d", i))...)
	}
	switch v := value.(type) {
	case map[string]any:
		for _, k := range slices.Sorted(maps.Keys(v)) {
			if p, ok := s.Properties[k]; ok && p.Value != nil {
				out = append(out, prefixed(c.ambiguities(p.Value, v[k], yamltree.Join(at, k), depth+1), yamltree.Join("/properties", k))...)
			} else if ap := s.AdditionalProperties.Schema; ap != nil && ap.Value != nil {
				out = append(out, prefixed(c.ambiguities(ap.Value, v[k], yamltree.Join(at, k), depth+1), "/additionalProperties")...)
			}
		}
	case []any:
		for i, e := range v {
			switch {
			case i < len(s.PrefixItems):
				out = append(out, prefixed(c.ambiguities(s.PrefixItems[i].Value, e, yamltree.Join(at, strconv.Itoa(i)), depth+1), fmt.Sprintf("/prefixItems/%d", i))...)
			case s.Items != nil:
				out = append(out, prefixed(c.ambiguities(s.Items.Value, e, yamltree.Join(at, strconv.Itoa(i)), depth+1), "/items")...)
			}
		}
	}
	return out
}

// discriminated returns the index of the oneOf branch the discriminator of
// s picks for value, or -1: the branch the mapping names, else the branch
// that $refs the component schema named like the discriminating value.
func discriminated(s *openapi3.Schema, value any) int {
	d := s.Discriminator
	obj, ok := value.(map[string]any)
	if d == nil || !ok {
		return -1
	}
	v, ok := obj[d.PropertyName].(string)
	if !ok {
		return -1
	}
	target := "#/components/schemas/" + v
	if m, ok := d.Mapping[v]; ok {
		target = m.Ref
		if !strings.Contains(target, "/") {
			target = "#/components/schemas/" + target
		}
	}
	return slices.IndexFunc(s.OneOf, func(b *openapi3.SchemaRef) bool { return b.Ref == target })
}

func prefixed(as []ambiguity, prefix string) []ambiguity {
	for i := range as {
		as[i].schemaPath = prefix + as[i].schemaPath
	}
	return as
}

// leaf is one precise reason a value does not match a schema.
type leaf struct {
	ptr       string // JSON pointer into the value
	field     string // the failing schema keyword
	reason    string
	ambiguous bool // a oneOf matched by several branches
}

func (l leaf) String() string {
	at := l.ptr
	if at == "" {
		at = "(whole value)"
	}
	return at + ": " + l.reason
}

// schemaLeaves flattens a VisitJSON error into its precise reasons. It
// handles both shapes kin-openapi produces: its own validator's SchemaErrors
// and those converted from the JSON Schema 2020-12 validator, whose
// outermost error only wraps the others.
func schemaLeaves(err error) []leaf {
	switch e := err.(type) {
	case openapi3.MultiError:
		var out []leaf
		for _, sub := range e {
			out = append(out, schemaLeaves(sub)...)
		}
		return out
	case *openapi3.SchemaError:
		kids := childErrors(e.Origin)
		combinator := e.SchemaField == "oneOf" || e.SchemaField == "anyOf"
		wrapper := strings.HasPrefix(e.Reason, "jsonschema validation failed")
		if len(kids) > 0 && (wrapper || !combinator) {
			var out []leaf
			for _, k := range kids {
				out = append(out, schemaLeaves(k)...)
			}
			return out
		}
		l := leaf{ptr: pointerOf(e.JSONPointer()), field: e.SchemaField, reason: cleanReason(e.Reason)}
		l.ambiguous = errors.Is(e, openapi3.ErrOneOfConflict) || strings.Contains(e.Reason, "matched") && !strings.Contains(e.Reason, "none matched")
		if combinator && len(kids) > 0 && !l.ambiguous {
			// One error per branch, in branch order, since none matched.
			var branches []string
			for i, k := range kids {
				var details []string
				for _, kl := range schemaLeaves(k) {
					details = append(details, kl.String())
				}
				branches = append(branches, fmt.Sprintf("branch %d: %s", i, strings.Join(details, ", ")))
			}
			l.reason = fmt.Sprintf("matches no branch of %s (%s)", e.SchemaField, strings.Join(branches, "; "))
		}
		if l.reason == "" {
			l.reason = fmt.Sprintf("does not match %q", e.SchemaField)
		}
		return []leaf{l}
	}
	return []leaf{{reason: validationMessage(err)}}
}

// childErrors returns the schema errors an error wraps, if any.
func childErrors(err error) []error {
	for e := err; e != nil; e = errors.Unwrap(e) {
		switch x := e.(type) {
		case openapi3.MultiError:
			return x
		case *openapi3.SchemaError:
			return []error{x}
		}
	}
	return nil
}

func pointerOf(tokens []string) string { return yamltree.Join("", tokens...) }

// reasonPrefix matches the location prefixes the JSON Schema 2020-12
// validator's messages carry, which leaf.String renders itself.
var reasonPrefix = regexp.MustCompile(`^(error at "[^"]*": )?(at '[^']*': )?`)

// cleanReason reduces a schema error reason to its first line, without the
// location prefixes.
func cleanReason(r string) string {
	r, _, _ = strings.Cut(r, "\n")
	return reasonPrefix.ReplaceAllString(r, "")
}
