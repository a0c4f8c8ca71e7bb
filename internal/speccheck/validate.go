package speccheck

import (
	"context"
	"errors"
	"reflect"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
)

// validate runs openapi3.T.Validate and turns each problem it reports into
// a RuleInvalid finding, located with the source position kin-openapi
// records. T.Validate stops at the first problem of many elements (the
// first bad parameter of an operation, the first bad property of a schema),
// so every element is validated on its own as well, and a problem reported
// both ways is kept once. Examples are left to checkExamples, which
// validates them with formats and names the example; problems the linter
// already reports (lintFindings) are not reported twice.
func validate(t *openapi3.T, ix *positionIndex, lintFindings []Finding) []Finding {
	opts := []openapi3.ValidationOption{openapi3.EnableMultiError(), openapi3.DisableExamplesValidation()}
	errs := flattenMulti(t.Validate(context.Background(), opts...))
	if t.IsOpenAPI31OrLater() {
		opts = append(opts, openapi3.IsOpenAPI31OrLater())
	}
	if t.IsOpenAPI32OrLater() {
		opts = append(opts, openapi3.IsOpenAPI32OrLater())
	}
	errs = append(errs, elementErrors(openapi3.WithValidationOptions(context.Background(), opts...), t)...)

	linted := make(map[string]bool, len(lintFindings))
	for _, f := range lintFindings {
		linted[f.Location] = true
	}
	byLoc := map[string][]string{}
	var locs []string
	for _, e := range errs {
		loc := locate(e, ix)
		if coveredByLint(e, loc, linted) {
			continue
		}
		if _, ok := byLoc[loc]; !ok {
			locs = append(locs, loc)
		}
		byLoc[loc] = append(byLoc[loc], validationMessage(e))
	}
	var out []Finding
	for _, loc := range locs {
		for _, msg := range mostContextual(byLoc[loc]) {
			out = append(out, Finding{Rule: RuleInvalid, Location: loc, Message: msg})
		}
	}
	return out
}

// mostContextual drops the messages that another one ends with: the same
// problem, reported by an element's own validation without the context
// (section, path, operation) the document's validation prefixes.
func mostContextual(msgs []string) []string {
	var out []string
	for i, m := range msgs {
		redundant := false
		for j, o := range msgs {
			if i != j && strings.HasSuffix(o, m) && (len(o) > len(m) || j < i) {
				redundant = true
				break
			}
		}
		if !redundant {
			out = append(out, m)
		}
	}
	return out
}

// elementErrors validates every element of the document on its own.
func elementErrors(ctx context.Context, t *openapi3.T) []error {
	var errs []error
	add := func(err error) {
		if err != nil {
			errs = append(errs, flattenMulti(err)...)
		}
	}
	seen := map[*openapi3.Schema]bool{}
	var schema func(ref *openapi3.SchemaRef)
	schema = func(ref *openapi3.SchemaRef) {
		if ref == nil || ref.Value == nil || seen[ref.Value] {
			return
		}
		seen[ref.Value] = true
		add(ref.Value.Validate(ctx))
		for _, sub := range subschemas(ref.Value) {
			schema(sub.ref)
		}
	}
	var header func(h *openapi3.Header)
	content := func(c openapi3.Content) {
		for _, mt := range c {
			if mt != nil {
				add(mt.Validate(ctx))
				schema(mt.Schema)
				for _, enc := range mt.Encoding {
					for _, h := range enc.Headers {
						if h.Value != nil {
							header(h.Value)
						}
					}
				}
			}
		}
	}
	parameter := func(p *openapi3.Parameter) {
		add(p.Validate(ctx))
		schema(p.Schema)
		content(p.Content)
	}
	// A Header Object is a Parameter Object without `name` and `in` (the
	// name is its key), so it has a validation of its own: Parameter's
	// would call every header's name blank.
	header = func(h *openapi3.Header) {
		// kin-openapi records no position for a header's schema, nor in
		// the errors of Header.Validate: locate them at the header.
		n := len(errs)
		add(h.Validate(ctx))
		schema(h.Schema)
		for i := n; i < len(errs); i++ {
			errs[i] = &positioned{err: errs[i], Origin: h.Origin}
		}
		content(h.Content)
	}
	response := func(r *openapi3.Response) {
		add(r.Validate(ctx))
		for _, h := range r.Headers {
			if h.Value != nil {
				header(h.Value)
			}
		}
		content(r.Content)
	}
	pathItem := func(item *openapi3.PathItem) {
		for _, p := range item.Parameters {
			if p.Value != nil {
				parameter(p.Value)
			}
		}
		for _, op := range item.Operations() {
			add(op.Validate(ctx))
			for _, p := range op.Parameters {
				if p.Value != nil {
					parameter(p.Value)
				}
			}
			if op.RequestBody != nil && op.RequestBody.Value != nil {
				add(op.RequestBody.Value.Validate(ctx))
				content(op.RequestBody.Value.Content)
			}
			if op.Responses != nil {
				for _, r := range op.Responses.Map() {
					if r.Value != nil {
						response(r.Value)
					}
				}
			}
		}
	}
	if t.Paths != nil {
		for _, item := range t.Paths.Map() {
			if item != nil {
				pathItem(item)
			}
		}
	}
	for _, item := range t.Webhooks {
		if item != nil {
			pathItem(item)
		}
	}
	if c := t.Components; c != nil {
		for _, s := range c.Schemas {
			schema(s)
		}
		for _, p := range c.Parameters {
			if p.Value != nil {
				parameter(p.Value)
			}
		}
		for _, h := range c.Headers {
			if h.Value != nil {
				header(h.Value)
			}
		}
		for _, rb := range c.RequestBodies {
			if rb.Value != nil {
				add(rb.Value.Validate(ctx))
				content(rb.Value.Content)
			}
		}
		for _, r := range c.Responses {
			if r.Value != nil {
				response(r.Value)
			}
		}
		for _, e := range c.Examples {
			if e.Value != nil {
				add(e.Value.Validate(ctx))
			}
		}
		for _, ss := range c.SecuritySchemes {
			if ss.Value != nil {
				add(ss.Value.Validate(ctx))
			}
		}
	}
	return errs
}

// positioned gives an error without a source position the position of the
// element it is about, for locate: a position inside err wins.
type positioned struct {
	err    error
	Origin *openapi3.Origin
}

func (p *positioned) Error() string { return p.err.Error() }
func (p *positioned) Unwrap() error { return p.err }

// flattenMulti returns the errors of a (possibly nested) MultiError.
func flattenMulti(err error) []error {
	if err == nil {
		return nil
	}
	me, ok := err.(openapi3.MultiError)
	if !ok {
		return []error{err}
	}
	var out []error
	for _, e := range me {
		out = append(out, flattenMulti(e)...)
	}
	return out
}

func isMulti(err error) bool {
	_, ok := err.(openapi3.MultiError)
	return ok
}

// coveredByLint reports whether the error is one the linter reports with a
// rule of its own: fields kin-openapi does not know in a schema (unknown
// keywords, `style` and friends) and an Example Object with a null value.
func coveredByLint(err error, loc string, linted map[string]bool) bool {
	var extra *openapi3.ExtraSiblingFieldsError
	if errors.As(err, &extra) && len(extra.Fields) > 0 {
		for _, f := range extra.Fields {
			if !linted[join(loc, f)] && !lintedBelow(linted, loc, f) {
				return false
			}
		}
		return true
	}
	var noValue *openapi3.ExampleValueOrExternalValueRequired
	if errors.As(err, &noValue) {
		return linted[join(loc, "value")]
	}
	return false
}

// lintedBelow reports whether the linter reported keyword somewhere under
// loc: kin-openapi locates the schema errors of a Header Object (and of the
// Response validating its headers) no more precisely than an ancestor.
func lintedBelow(linted map[string]bool, loc, keyword string) bool {
	suffix := join("", keyword)
	for l := range linted {
		if strings.HasPrefix(l, loc+"/") && strings.HasSuffix(l, suffix) {
			return true
		}
	}
	return false
}

// locate returns the JSON pointer of the element an error is about: the
// innermost error in its chain that carries a source position, else the
// scope its context wrappers name.
func locate(err error, ix *positionIndex) string {
	var origin *openapi3.Origin
	for e := err; e != nil; e = errors.Unwrap(e) {
		if o := originOf(e); o != nil && o.Key != nil {
			origin = o
		}
		if isMulti(e) {
			break // several causes: keep the position found so far
		}
	}
	if origin != nil {
		if ptr, ok := ix.pointerAt(origin.Key.Line, origin.Key.Column, origin.Key.EndLine); ok {
			return ptr
		}
	}
	return scopeOf(err)
}

var originType = reflect.TypeFor[*openapi3.Origin]()

// originOf returns the Origin field of a kin-openapi error struct, if any:
// most validation errors carry the position of the element at fault in a
// field of that name.
func originOf(err error) *openapi3.Origin {
	v := reflect.ValueOf(err)
	if v.Kind() != reflect.Pointer || v.IsNil() || v.Elem().Kind() != reflect.Struct {
		return nil
	}
	f := v.Elem().FieldByName("Origin")
	if !f.IsValid() || f.Type() != originType || f.IsNil() {
		return nil
	}
	return f.Interface().(*openapi3.Origin)
}

// componentSections maps ComponentValidationError sections to the keys of
// the components object.
var componentSections = map[string]string{
	"schema": "schemas", "parameter": "parameters", "header": "headers",
	"request body": "requestBodies", "response": "responses", "security scheme": "securitySchemes",
	"example": "examples", "link": "links", "callback": "callbacks",
}

// scopeOf builds a pointer from the context wrappers of a validation error
// (section, path, operation, component), as precise as they go.
func scopeOf(err error) string {
	ptr := ""
	for e := err; e != nil; e = errors.Unwrap(e) {
		switch w := e.(type) {
		case *openapi3.SectionValidationError:
			ptr = join(ptr, w.Section)
		case *openapi3.PathValidationError:
			ptr = join(ptr, w.Path)
		case *openapi3.OperationValidationError:
			ptr = join(ptr, strings.ToLower(w.Method))
		case *openapi3.ComponentValidationError:
			if s, ok := componentSections[w.Section]; ok {
				ptr = join("/components", s, w.Name)
			}
		}
		if isMulti(e) {
			break
		}
	}
	return ptr
}

// validationMessage renders a validation error on one line, without the
// schema and value dumps kin-openapi appends to schema errors.
func validationMessage(err error) string {
	msg := err.Error()
	if i := strings.Index(msg, "\nSchema:"); i >= 0 {
		msg = msg[:i]
	}
	return oneLine(msg)
}
