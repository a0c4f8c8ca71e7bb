package anamtest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"math"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/santhosh-tekuri/jsonschema/v6"
)

// validators validates decoded JSON values against the schemas of one
// document, compiling each schema once, on first use, and reusing the
// compiled form for every later value.
//
// kin-openapi's Schema.VisitJSON validates an OpenAPI 3.1 schema with
// santhosh-tekuri/jsonschema too, but it marshals and compiles the schema
// anew on every call, and compiling costs a hundred times what validating
// does. Here each top-level schema of the document (a component, or an
// inline schema of a parameter, request or response) is a JSON Schema
// resource of one compiler, loaded (marshalled) only when a schema that
// needs it is compiled; its references to other schemas of the document
// point at their resources, so that what schemas share is compiled once for
// all. The formats kin-openapi asserts (uuid, date-time and uri as anamtest
// checks them, and those of openapi3.SchemaStringFormats) are asserted
// alike.
//
// A schema that has no place in the document (one built by a program), or
// that the compiler refuses (a pattern Go's regexp cannot compile, an
// OpenAPI 3.0 keyword the 2020-12 meta-schema rejects), is validated by
// VisitJSON, as before. OpenAPI 3.0 documents are validated by VisitJSON
// alone: its 3.0 validator compiles nothing.
type validators struct {
	doc  *openapi3.T
	v31  bool
	opts []openapi3.SchemaValidationOption

	setup     sync.Once
	locs      map[*openapi3.Schema]schemaLoc // where each schema of the document is
	resources []*openapi3.Schema             // the top-level schemas, by resource number
	byPtr     map[string]int                 // resource number of a top-level schema's JSON pointer
	mu        sync.Mutex                     // guards compiler, which is not safe for concurrent use
	compiler  *jsonschema.Compiler
	compiled  sync.Map // *openapi3.Schema -> *compiledSchema
}

// schemaLoc is where a schema is: a JSON pointer within a resource.
type schemaLoc struct {
	res  int
	frag string
}

// resourcePrefix + n names resource n in the compiler.
const resourcePrefix = "anamtest:///schema/"

func resourceURL(n int) string { return resourcePrefix + strconv.Itoa(n) }

type compiledSchema struct {
	once sync.Once
	sch  *jsonschema.Schema // nil: validate with VisitJSON
}

func newValidators(doc *openapi3.T, opts []openapi3.SchemaValidationOption) *validators {
	return &validators{doc: doc, v31: doc.IsOpenAPI31OrLater(), opts: opts}
}

// check validates v, a value as decoded from JSON (or built of the same
// types: maps, slices, strings, numbers, booleans and nil), against s. Its
// error is a *jsonschema.ValidationError or a kin-openapi error, which
// describe renders.
func (vs *validators) check(s *openapi3.Schema, v any) error {
	if s == nil {
		return nil
	}
	if vs.v31 {
		if sch := vs.compiledFor(s); sch != nil {
			return sch.Validate(v)
		}
	}
	return s.VisitJSON(v, vs.opts...)
}

// compiledFor returns the compiled form of s, or nil when it has none.
func (vs *validators) compiledFor(s *openapi3.Schema) *jsonschema.Schema {
	vs.setup.Do(vs.init)
	v, _ := vs.compiled.LoadOrStore(s, &compiledSchema{})
	c := v.(*compiledSchema)
	c.once.Do(func() {
		loc, ok := vs.locs[s]
		if !ok {
			return
		}
		vs.mu.Lock()
		defer vs.mu.Unlock()
		if sch, err := vs.compiler.Compile(resourceURL(loc.res) + "#" + loc.frag); err == nil {
			c.sch = sch
		}
	})
	return c.sch
}

// init maps the document's schemas to resources and sets up the compiler,
// which loads a resource when it first needs it.
func (vs *validators) init() {
	w := pointerWalker{vs: vs, formats: map[string]bool{}}
	vs.locs = make(map[*openapi3.Schema]schemaLoc)
	vs.byPtr = make(map[string]int)
	w.document(vs.doc)
	c := jsonschema.NewCompiler()
	c.DefaultDraft(jsonschema.Draft2020)
	for _, f := range slices.Sorted(maps.Keys(w.formats)) {
		c.RegisterFormat(&jsonschema.Format{Name: f, Validate: formatCheck(f)})
	}
	c.AssertFormat()
	c.UseLoader(resourceLoader{vs})
	vs.compiler = c
}

// resourceLoader loads the resources of validators: the JSON form of a
// top-level schema, with its references to the document's schemas made
// references to their resources.
type resourceLoader struct{ vs *validators }

func (l resourceLoader) Load(u string) (any, error) {
	num, ok := strings.CutPrefix(u, resourcePrefix)
	n, err := strconv.Atoi(num)
	if !ok || err != nil || n < 0 || n >= len(l.vs.resources) {
		return nil, fmt.Errorf("anamtest: no schema resource %s", u)
	}
	b, err := json.Marshal(l.vs.resources[n])
	if err != nil {
		return nil, err
	}
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(b))
	if err != nil {
		return nil, err
	}
	l.vs.rewriteRefs(doc)
	return doc, nil
}

// rewriteRefs turns the document references ("#/components/schemas/X...")
// in a resource into references to the resources that hold their targets.
// A reference whose target is no resource is left as it is: compiling a
// schema that needs it fails, and the schema is validated by VisitJSON.
func (vs *validators) rewriteRefs(node any) {
	switch n := node.(type) {
	case map[string]any:
		if ref, ok := n["$ref"].(string); ok && strings.HasPrefix(ref, "#/") {
			ptr := ref[1:]
			for p := ptr; p != ""; p = p[:strings.LastIndexByte(p, '/')] {
				if res, ok := vs.byPtr[p]; ok {
					n["$ref"] = resourceURL(res) + "#" + ptr[len(p):]
					break
				}
			}
		}
		for _, v := range n {
			vs.rewriteRefs(v)
		}
	case []any:
		for _, v := range n {
			vs.rewriteRefs(v)
		}
	}
}

// formatCheck is the assertion of a format: anamtest's own validators
// (formatValidators), else kin-openapi's registered ones, else none.
func formatCheck(format string) func(any) error {
	return func(v any) error {
		switch v := v.(type) {
		case string:
			if f, ok := formatValidators[format]; ok {
				return f.Validate(v)
			}
			if f, ok := openapi3.SchemaStringFormats[format]; ok {
				return f.Validate(v)
			}
		case json.Number:
			if n, err := v.Float64(); err == nil {
				return numberFormat(format, n)
			}
		case float64:
			return numberFormat(format, v)
		case int:
			return numberFormat(format, float64(v))
		case int64:
			return numberFormat(format, float64(v))
		}
		return nil
	}
}

func numberFormat(format string, n float64) error {
	if n == math.Trunc(n) && !math.IsInf(n, 0) {
		if f, ok := openapi3.SchemaIntegerFormats[format]; ok {
			return f.Validate(int64(n))
		}
	}
	if f, ok := openapi3.SchemaNumberFormats[format]; ok {
		return f.Validate(n)
	}
	return nil
}

// document walks the schemas of doc's components, then of its paths: a
// component is where the references to it point, so it is the resource
// that holds it.
func (w pointerWalker) document(doc *openapi3.T) {
	if c := doc.Components; c != nil {
		for _, n := range slices.Sorted(maps.Keys(c.Schemas)) {
			w.schema("/components/schemas/"+tok(n), c.Schemas[n])
		}
		for _, n := range slices.Sorted(maps.Keys(c.Parameters)) {
			w.parameter("/components/parameters/"+tok(n), c.Parameters[n])
		}
		for _, n := range slices.Sorted(maps.Keys(c.RequestBodies)) {
			if rb := c.RequestBodies[n]; rb != nil && rb.Value != nil {
				if l, ok := at("/components/requestBodies/"+tok(n), rb.Ref); ok {
					w.content(l+"/content", rb.Value.Content)
				}
			}
		}
		for _, n := range slices.Sorted(maps.Keys(c.Responses)) {
			w.response("/components/responses/"+tok(n), c.Responses[n])
		}
		for _, n := range slices.Sorted(maps.Keys(c.Headers)) {
			w.header("/components/headers/"+tok(n), c.Headers[n])
		}
	}
	if doc.Paths == nil {
		return
	}
	for _, p := range doc.Paths.InMatchingOrder() {
		item := doc.Paths.Value(p)
		base := "/paths/" + tok(p)
		for i, pr := range item.Parameters {
			w.parameter(base+"/parameters/"+strconv.Itoa(i), pr)
		}
		for _, method := range slices.Sorted(maps.Keys(item.Operations())) {
			op := item.GetOperation(method)
			loc := base + "/" + strings.ToLower(method)
			for i, pr := range op.Parameters {
				w.parameter(loc+"/parameters/"+strconv.Itoa(i), pr)
			}
			if rb := op.RequestBody; rb != nil && rb.Value != nil {
				if l, ok := at(loc+"/requestBody", rb.Ref); ok {
					w.content(l+"/content", rb.Value.Content)
				}
			}
			if op.Responses != nil {
				for _, code := range slices.Sorted(maps.Keys(op.Responses.Map())) {
					w.response(loc+"/responses/"+tok(code), op.Responses.Value(code))
				}
			}
		}
	}
}

// pointerWalker fills the locations and resources of validators.
type pointerWalker struct {
	vs      *validators
	formats map[string]bool // the formats the schemas use
}

// at is the location of a node at loc, or where its reference points; false
// for a reference to another document.
func at(loc, ref string) (string, bool) {
	if ref == "" {
		return loc, true
	}
	if strings.HasPrefix(ref, "#/") {
		return ref[1:], true
	}
	return "", false
}

func (w pointerWalker) parameter(loc string, pr *openapi3.ParameterRef) {
	if pr != nil && pr.Value != nil {
		w.parameterAt(loc, pr.Ref, pr.Value)
	}
}

// header walks a header, which kin-openapi models as a parameter.
func (w pointerWalker) header(loc string, hr *openapi3.HeaderRef) {
	if hr != nil && hr.Value != nil {
		w.parameterAt(loc, hr.Ref, &hr.Value.Parameter)
	}
}

func (w pointerWalker) parameterAt(loc, ref string, p *openapi3.Parameter) {
	if l, ok := at(loc, ref); ok {
		w.schema(l+"/schema", p.Schema)
		w.content(l+"/content", p.Content)
	}
}

func (w pointerWalker) response(loc string, rr *openapi3.ResponseRef) {
	if rr == nil || rr.Value == nil {
		return
	}
	if l, ok := at(loc, rr.Ref); ok {
		w.content(l+"/content", rr.Value.Content)
		for _, n := range slices.Sorted(maps.Keys(rr.Value.Headers)) {
			w.header(l+"/headers/"+tok(n), rr.Value.Headers[n])
		}
	}
}

func (w pointerWalker) content(loc string, c openapi3.Content) {
	for _, ct := range slices.Sorted(maps.Keys(c)) {
		if mt := c[ct]; mt != nil {
			w.schema(loc+"/"+tok(ct)+"/schema", mt.Schema)
		}
	}
}

// schema records a top-level schema at loc (or where its reference
// points) as a resource, and the schemas within it.
func (w pointerWalker) schema(loc string, sr *openapi3.SchemaRef) {
	if sr == nil || sr.Value == nil {
		return
	}
	l, ok := at(loc, sr.Ref)
	if !ok {
		return
	}
	if _, seen := w.vs.locs[sr.Value]; seen {
		return
	}
	n := len(w.vs.resources)
	w.vs.resources = append(w.vs.resources, sr.Value)
	w.vs.byPtr[l] = n
	w.within(n, "", sr.Value)
}

// within records s at frag in resource n, and the inline schemas in it;
// those it references are where their references point.
func (w pointerWalker) within(n int, frag string, s *openapi3.Schema) {
	if _, seen := w.vs.locs[s]; seen {
		return
	}
	w.vs.locs[s] = schemaLoc{res: n, frag: frag}
	if s.Format != "" {
		w.formats[s.Format] = true
	}
	sub := func(f string, sr *openapi3.SchemaRef) {
		if sr != nil && sr.Value != nil && sr.Ref == "" {
			w.within(n, frag+f, sr.Value)
		}
	}
	for _, k := range slices.Sorted(maps.Keys(s.Properties)) {
		sub("/properties/"+tok(k), s.Properties[k])
	}
	sub("/items", s.Items)
	sub("/additionalProperties", s.AdditionalProperties.Schema)
	sub("/not", s.Not)
	for kw, list := range map[string]openapi3.SchemaRefs{"allOf": s.AllOf, "anyOf": s.AnyOf, "oneOf": s.OneOf, "prefixItems": s.PrefixItems} {
		for i, x := range list {
			sub("/"+kw+"/"+strconv.Itoa(i), x)
		}
	}
	for _, k := range slices.Sorted(maps.Keys(s.Defs)) {
		sub("/$defs/"+tok(k), s.Defs[k])
	}
}

// tok escapes a JSON pointer token (RFC 6901).
func tok(s string) string {
	return strings.ReplaceAll(strings.ReplaceAll(s, "~", "~0"), "/", "~1")
}

// validationProblems renders a jsonschema validation error as one problem
// per failing leaf: the JSON pointer of the value, then what is wrong.
func validationProblems(out []string, prefix string, e *jsonschema.ValidationError) []string {
	if len(e.Causes) == 0 {
		at := "/" + strings.Join(e.InstanceLocation, "/")
		msg := atRE.ReplaceAllString(e.Error(), "")
		if i := strings.LastIndex(msg, "\n- "); i >= 0 {
			msg = msg[i+3:]
		}
		msg, _, _ = strings.Cut(msg, "\n")
		if at == "/" {
			return append(out, prefix+msg)
		}
		return append(out, prefix+at+": "+msg)
	}
	for _, c := range e.Causes {
		out = validationProblems(out, prefix, c)
	}
	return out
}
