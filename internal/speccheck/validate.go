package speccheck

import (
	"context"
	"errors"
	"reflect"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/anam-ai/anam-go/internal/yamltree"
)

// validate runs openapi3.T.Validate, kin-openapi's own validation, and
// turns each problem it reports into a RuleInvalid finding, located with the
// source position kin-openapi records (else the section, path or component
// its error names). Examples are left to checkExamples, which says which
// example fails; problems the linter already reports (lintFindings) are not
// reported twice.
func validate(t *openapi3.T, ix *positionIndex, lintFindings []Finding) []Finding {
	opts := []openapi3.ValidationOption{openapi3.EnableMultiError(), openapi3.DisableExamplesValidation()}
	if t.IsOpenAPI31OrLater() {
		opts = append(opts, openapi3.IsOpenAPI31OrLater())
	}
	if t.IsOpenAPI32OrLater() {
		opts = append(opts, openapi3.IsOpenAPI32OrLater())
	}
	linted := make(map[string]bool, len(lintFindings))
	for _, f := range lintFindings {
		linted[f.Location] = true
	}
	var out []Finding
	for _, e := range flattenMulti(t.Validate(context.Background(), opts...)) {
		loc := locate(e, ix)
		if !coveredByLint(e, loc, linted) {
			out = append(out, Finding{Rule: RuleInvalid, Location: loc, Message: validationMessage(e)})
		}
	}
	return out
}

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
			if !linted[yamltree.Join(loc, f)] && !lintedBelow(linted, loc, f) {
				return false
			}
		}
		return true
	}
	var noValue *openapi3.ExampleValueOrExternalValueRequired
	if errors.As(err, &noValue) {
		return linted[yamltree.Join(loc, "value")]
	}
	return false
}

// lintedBelow reports whether the linter reported keyword somewhere under
// loc: kin-openapi locates the schema errors of a Header Object (and of the
// Response validating its headers) no more precisely than an ancestor.
func lintedBelow(linted map[string]bool, loc, keyword string) bool {
	suffix := yamltree.Join("", keyword)
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
			ptr = yamltree.Join(ptr, w.Section)
		case *openapi3.PathValidationError:
			ptr = yamltree.Join(ptr, w.Path)
		case *openapi3.OperationValidationError:
			ptr = yamltree.Join(ptr, strings.ToLower(w.Method))
		case *openapi3.ComponentValidationError:
			if s, ok := componentSections[w.Section]; ok {
				ptr = yamltree.Join("/components", s, w.Name)
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
