package speccheck

import (
	"fmt"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/anam-ai/anam-go/internal/yamltree"
)

// The linter walks the raw overlaid document, knowing where the OpenAPI
// structure puts schemas, parameters, responses, media types and examples,
// and reports the defect classes upstream Anam documents are known to carry.

// schemaKeywords are the keywords of a Schema Object in OpenAPI 3.1: JSON
// Schema 2020-12 (core, applicator, unevaluated, validation, meta-data,
// format, content vocabularies) and OpenAPI's own. OpenAPI 3.0's subset is
// included. `nullable`, `style`, `explode` and `allowReserved` are left out
// on purpose: rules of their own report them.
var schemaKeywords = toSet(
	// core
	"$schema", "$id", "$ref", "$anchor", "$dynamicRef", "$dynamicAnchor", "$vocabulary", "$comment", "$defs",
	// applicator
	"allOf", "anyOf", "oneOf", "not", "if", "then", "else", "dependentSchemas",
	"prefixItems", "items", "contains", "properties", "patternProperties", "additionalProperties", "propertyNames",
	// unevaluated
	"unevaluatedItems", "unevaluatedProperties",
	// validation
	"type", "enum", "const", "multipleOf", "maximum", "exclusiveMaximum", "minimum", "exclusiveMinimum",
	"maxLength", "minLength", "pattern", "maxItems", "minItems", "uniqueItems", "maxContains", "minContains",
	"maxProperties", "minProperties", "required", "dependentRequired",
	// format, content, meta-data
	"format", "contentEncoding", "contentMediaType", "contentSchema",
	"title", "description", "default", "deprecated", "readOnly", "writeOnly", "examples",
	// OpenAPI
	"discriminator", "xml", "externalDocs", "example",
)

// parameterKeywords are Parameter Object fields that upstream sometimes
// writes inside the parameter's schema.
var parameterKeywords = toSet("style", "explode", "allowReserved")

// singleSchemaKeywords hold one subschema; schemaListKeywords a list of
// them; schemaMapKeywords a map of names to subschemas.
var (
	singleSchemaKeywords = []string{
		"items", "additionalProperties", "not", "if", "then", "else", "contains", "propertyNames",
		"unevaluatedItems", "unevaluatedProperties", "contentSchema",
	}
	schemaListKeywords = []string{"allOf", "anyOf", "oneOf", "prefixItems"}
	schemaMapKeywords  = []string{"properties", "patternProperties", "$defs", "dependentSchemas"}
)

var httpMethods = []string{"get", "put", "post", "delete", "options", "head", "patch", "trace", "query"}

func toSet(words ...string) map[string]bool {
	m := make(map[string]bool, len(words))
	for _, w := range words {
		m[w] = true
	}
	return m
}

type linter struct {
	is31     bool
	findings []Finding
}

// lint returns the findings of the linter for the document mapping node.
func lint(doc *yaml.Node) []Finding {
	l := &linter{is31: !strings.HasPrefix(yamltree.Str(yamltree.Get(doc, "openapi")), "3.0")}
	for _, p := range yamltree.Pairs(yamltree.Get(doc, "paths")) {
		l.pathItem(yamltree.Join("/paths", p.Key), p.Val)
	}
	for _, p := range yamltree.Pairs(yamltree.Get(doc, "webhooks")) {
		l.pathItem(yamltree.Join("/webhooks", p.Key), p.Val)
	}
	comps := yamltree.Get(doc, "components")
	for _, p := range yamltree.Pairs(yamltree.Get(comps, "schemas")) {
		l.schema(yamltree.Join("/components/schemas", p.Key), p.Val, "")
	}
	for _, p := range yamltree.Pairs(yamltree.Get(comps, "parameters")) {
		l.parameter(yamltree.Join("/components/parameters", p.Key), p.Val)
	}
	for _, p := range yamltree.Pairs(yamltree.Get(comps, "headers")) {
		l.parameter(yamltree.Join("/components/headers", p.Key), p.Val)
	}
	for _, p := range yamltree.Pairs(yamltree.Get(comps, "requestBodies")) {
		l.requestBody(yamltree.Join("/components/requestBodies", p.Key), p.Val)
	}
	for _, p := range yamltree.Pairs(yamltree.Get(comps, "responses")) {
		l.response(yamltree.Join("/components/responses", p.Key), p.Val)
	}
	for _, p := range yamltree.Pairs(yamltree.Get(comps, "examples")) {
		l.example(yamltree.Join("/components/examples", p.Key), p.Val)
	}
	for _, p := range yamltree.Pairs(yamltree.Get(comps, "pathItems")) {
		l.pathItem(yamltree.Join("/components/pathItems", p.Key), p.Val)
	}
	for _, p := range yamltree.Pairs(yamltree.Get(comps, "callbacks")) {
		l.callback(yamltree.Join("/components/callbacks", p.Key), p.Val)
	}
	return l.findings
}

func (l *linter) add(rule, loc, format string, args ...any) {
	l.findings = append(l.findings, Finding{Rule: rule, Location: loc, Message: fmt.Sprintf(format, args...)})
}

func (l *linter) pathItem(ptr string, n *yaml.Node) {
	if yamltree.Get(n, "$ref") != nil {
		return // linted where it is defined
	}
	for i, p := range yamltree.Items(yamltree.Get(n, "parameters")) {
		l.parameter(yamltree.Join(ptr, "parameters", fmt.Sprint(i)), p)
	}
	for _, m := range httpMethods {
		if op := yamltree.Get(n, m); yamltree.IsMapping(op) {
			l.operation(yamltree.Join(ptr, m), op)
		}
	}
}

func (l *linter) callback(ptr string, n *yaml.Node) {
	if yamltree.Get(n, "$ref") != nil {
		return
	}
	for _, p := range yamltree.Pairs(n) {
		if !strings.HasPrefix(p.Key, "x-") {
			l.pathItem(yamltree.Join(ptr, p.Key), p.Val)
		}
	}
}

func (l *linter) operation(ptr string, n *yaml.Node) {
	for i, p := range yamltree.Items(yamltree.Get(n, "parameters")) {
		l.parameter(yamltree.Join(ptr, "parameters", fmt.Sprint(i)), p)
	}
	if rb := yamltree.Get(n, "requestBody"); rb != nil {
		l.requestBody(yamltree.Join(ptr, "requestBody"), rb)
	}
	for _, p := range yamltree.Pairs(yamltree.Get(n, "responses")) {
		if !strings.HasPrefix(p.Key, "x-") {
			l.response(yamltree.Join(ptr, "responses", p.Key), p.Val)
		}
	}
	for _, p := range yamltree.Pairs(yamltree.Get(n, "callbacks")) {
		l.callback(yamltree.Join(ptr, "callbacks", p.Key), p.Val)
	}
}

// parameter lints a Parameter or Header Object.
func (l *linter) parameter(ptr string, n *yaml.Node) {
	if yamltree.Get(n, "$ref") != nil {
		return
	}
	if s := yamltree.Get(n, "schema"); s != nil {
		l.schema(yamltree.Join(ptr, "schema"), s, yamltree.Str(yamltree.Get(n, "name")))
	}
	l.content(yamltree.Join(ptr, "content"), yamltree.Get(n, "content"))
	for _, p := range yamltree.Pairs(yamltree.Get(n, "examples")) {
		l.example(yamltree.Join(ptr, "examples", p.Key), p.Val)
	}
}

func (l *linter) requestBody(ptr string, n *yaml.Node) {
	if yamltree.Get(n, "$ref") != nil {
		return
	}
	l.content(yamltree.Join(ptr, "content"), yamltree.Get(n, "content"))
}

// response lints a Response Object.
func (l *linter) response(ptr string, n *yaml.Node) {
	if yamltree.Get(n, "$ref") != nil {
		return
	}
	for _, p := range yamltree.Pairs(yamltree.Get(n, "headers")) {
		l.parameter(yamltree.Join(ptr, "headers", p.Key), p.Val)
	}
	l.content(yamltree.Join(ptr, "content"), yamltree.Get(n, "content"))
}

func (l *linter) content(ptr string, n *yaml.Node) {
	for _, p := range yamltree.Pairs(n) {
		mptr := yamltree.Join(ptr, p.Key)
		if s := yamltree.Get(p.Val, "schema"); s != nil {
			l.schema(yamltree.Join(mptr, "schema"), s, "")
		}
		for _, e := range yamltree.Pairs(yamltree.Get(p.Val, "examples")) {
			l.example(yamltree.Join(mptr, "examples", e.Key), e.Val)
		}
		for _, enc := range yamltree.Pairs(yamltree.Get(p.Val, "encoding")) {
			for _, h := range yamltree.Pairs(yamltree.Get(enc.Val, "headers")) {
				l.parameter(yamltree.Join(mptr, "encoding", enc.Key, "headers", h.Key), h.Val)
			}
		}
	}
}

// example lints an Example Object.
func (l *linter) example(ptr string, n *yaml.Node) {
	if yamltree.Get(n, "$ref") != nil {
		return
	}
	if v := yamltree.Get(n, "value"); yamltree.IsNull(v) {
		note := oneLine(yamltree.Str(yamltree.Get(n, "summary")))
		if note == "" {
			note = oneLine(yamltree.Str(yamltree.Get(n, "description")))
		}
		if note != "" {
			note = fmt.Sprintf(" (it reads %q, a note rather than an example)", note)
		}
		l.add(RuleNullExample, yamltree.Join(ptr, "value"),
			"the example's value is null%s: it illustrates nothing and no schema can check it", note)
	}
}

// schema lints a Schema Object and its subschemas. param is the name of the
// parameter the schema belongs to, if it is a parameter's schema.
func (l *linter) schema(ptr string, n *yaml.Node, param string) {
	if !yamltree.IsMapping(n) {
		return // a boolean schema, or garbage kin-openapi reports
	}
	for _, p := range yamltree.Pairs(n) {
		k := p.Key
		switch {
		case strings.HasPrefix(k, "x-"):
		case k == "nullable":
			switch {
			case !l.is31:
			case yamltree.Str(p.Val) == "false":
				l.add(RuleNullable, yamltree.Join(ptr, k), "`nullable` is OpenAPI 3.0; in a 3.1 document it is no keyword: drop it")
			default:
				l.add(RuleNullable, yamltree.Join(ptr, k),
					"`nullable` is OpenAPI 3.0; in a 3.1 document it is no keyword, so this schema does not accept null: write `type: [%s, 'null']` instead",
					typeOf(n))
			}
		case parameterKeywords[k]:
			where := "a schema"
			if param != "" {
				where = fmt.Sprintf("the schema of parameter %q", param)
			}
			l.add(RuleStyleInSchema, yamltree.Join(ptr, k),
				"`%s` is a Parameter field, written here inside %s where it means nothing: the parameter is serialized with its defaults", k, where)
		case !schemaKeywords[k]:
			hint := ""
			if k == "optional" {
				hint = " (a property is optional unless `required` lists it)"
			}
			l.add(RuleUnknownSchemaKeyword, yamltree.Join(ptr, k),
				"`%s` is no JSON Schema or OpenAPI keyword, so validators and the code generator ignore it%s", k, hint)
		}
	}
	for _, k := range singleSchemaKeywords {
		if s := yamltree.Get(n, k); s != nil {
			l.schema(yamltree.Join(ptr, k), s, "")
		}
	}
	for _, k := range schemaListKeywords {
		for i, s := range yamltree.Items(yamltree.Get(n, k)) {
			l.schema(yamltree.Join(ptr, k, fmt.Sprint(i)), s, "")
		}
	}
	for _, k := range schemaMapKeywords {
		for _, p := range yamltree.Pairs(yamltree.Get(n, k)) {
			l.schema(yamltree.Join(ptr, k, p.Key), p.Val, "")
		}
	}
}

// typeOf renders a schema's type for a message.
func typeOf(n *yaml.Node) string {
	t := yamltree.Get(n, "type")
	if t == nil {
		return "<type>"
	}
	if t.Kind == yaml.SequenceNode {
		var ts []string
		for _, c := range t.Content {
			ts = append(ts, yamltree.Str(c))
		}
		return strings.Join(ts, ", ")
	}
	return yamltree.Str(t)
}
