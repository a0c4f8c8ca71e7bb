package speccheck

import (
	"fmt"
	"strings"

	"github.com/anam-ai/anam-go/internal/specprep"
	"gopkg.in/yaml.v3"
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
	root     *yaml.Node
	is31     bool
	findings []Finding
}

// operation identifies the operation a body belongs to, for messages.
type operation struct {
	id, method, path string
}

func (o operation) String() string {
	if o.id != "" {
		return fmt.Sprintf("%s (%s %s)", o.id, strings.ToUpper(o.method), o.path)
	}
	return fmt.Sprintf("%s %s", strings.ToUpper(o.method), o.path)
}

// body is the request or response body a media type belongs to.
type body struct {
	op operation
	// status is the response status code; "" for the request body.
	status string
}

func (b body) String() string {
	if b.status == "" {
		return fmt.Sprintf("the request body of %s", b.op)
	}
	return fmt.Sprintf("the %s response body of %s", b.status, b.op)
}

// machineName is the name oapi-codegen derives for the body type.
// ruleName is the Go name internal/specprep's naming rule gives the body's
// schema (a JSON request body, or a 2xx JSON response body).
func (b body) ruleName() string {
	id := specprep.GoTypeName(b.op.id)
	if b.status == "" {
		return id + "Request"
	}
	return id + "Response"
}

// lint returns the findings of the linter for the document mapping node.
func lint(doc *yaml.Node) []Finding {
	l := &linter{root: doc, is31: !strings.HasPrefix(str(get(doc, "openapi")), "3.0")}
	for _, p := range pairs(get(doc, "paths")) {
		l.pathItem(join("/paths", p.key), p.key, p.val)
	}
	for _, p := range pairs(get(doc, "webhooks")) {
		l.pathItem(join("/webhooks", p.key), p.key, p.val)
	}
	comps := get(doc, "components")
	for _, p := range pairs(get(comps, "schemas")) {
		l.schema(join("/components/schemas", p.key), p.val, "")
	}
	for _, p := range pairs(get(comps, "parameters")) {
		l.parameter(join("/components/parameters", p.key), p.val)
	}
	for _, p := range pairs(get(comps, "headers")) {
		l.parameter(join("/components/headers", p.key), p.val)
	}
	for _, p := range pairs(get(comps, "requestBodies")) {
		l.requestBody(join("/components/requestBodies", p.key), p.val, nil)
	}
	for _, p := range pairs(get(comps, "responses")) {
		l.response(join("/components/responses", p.key), p.val, nil)
	}
	for _, p := range pairs(get(comps, "examples")) {
		l.example(join("/components/examples", p.key), p.val)
	}
	for _, p := range pairs(get(comps, "pathItems")) {
		l.pathItem(join("/components/pathItems", p.key), p.key, p.val)
	}
	for _, p := range pairs(get(comps, "callbacks")) {
		l.callback(join("/components/callbacks", p.key), p.val)
	}
	return l.findings
}

func (l *linter) add(rule, loc, format string, args ...any) {
	l.findings = append(l.findings, Finding{Rule: rule, Location: loc, Message: fmt.Sprintf(format, args...)})
}

func (l *linter) pathItem(ptr, path string, n *yaml.Node) {
	if get(n, "$ref") != nil {
		return // linted where it is defined
	}
	for i, p := range items(get(n, "parameters")) {
		l.parameter(join(ptr, "parameters", fmt.Sprint(i)), p)
	}
	for _, m := range httpMethods {
		if op := get(n, m); isMapping(op) {
			l.operation(join(ptr, m), op, operation{id: str(get(op, "operationId")), method: m, path: path})
		}
	}
}

func (l *linter) callback(ptr string, n *yaml.Node) {
	if get(n, "$ref") != nil {
		return
	}
	for _, p := range pairs(n) {
		if !strings.HasPrefix(p.key, "x-") {
			l.pathItem(join(ptr, p.key), p.key, p.val)
		}
	}
}

func (l *linter) operation(ptr string, n *yaml.Node, op operation) {
	for i, p := range items(get(n, "parameters")) {
		l.parameter(join(ptr, "parameters", fmt.Sprint(i)), p)
	}
	if rb := get(n, "requestBody"); rb != nil {
		l.requestBody(join(ptr, "requestBody"), rb, &body{op: op})
	}
	for _, p := range pairs(get(n, "responses")) {
		if !strings.HasPrefix(p.key, "x-") {
			l.response(join(ptr, "responses", p.key), p.val, &body{op: op, status: p.key})
		}
	}
	for _, p := range pairs(get(n, "callbacks")) {
		l.callback(join(ptr, "callbacks", p.key), p.val)
	}
}

// parameter lints a Parameter or Header Object.
func (l *linter) parameter(ptr string, n *yaml.Node) {
	if get(n, "$ref") != nil {
		return
	}
	if s := get(n, "schema"); s != nil {
		l.schema(join(ptr, "schema"), s, str(get(n, "name")))
	}
	l.content(join(ptr, "content"), get(n, "content"), nil)
	for _, p := range pairs(get(n, "examples")) {
		l.example(join(ptr, "examples", p.key), p.val)
	}
}

func (l *linter) requestBody(ptr string, n *yaml.Node, b *body) {
	if get(n, "$ref") != nil {
		return
	}
	l.content(join(ptr, "content"), get(n, "content"), b)
}

// response lints a Response Object; b is nil for a component response,
// which belongs to no operation (yet).
func (l *linter) response(ptr string, n *yaml.Node, b *body) {
	if b != nil && (strings.HasPrefix(b.status, "4") || strings.HasPrefix(b.status, "5")) {
		if !hasBodySchema(l.resolve(n)) {
			l.add(RuleErrorResponseWithoutBody, ptr,
				"the %s response of %s declares no body schema, so the generated client has no type for its error body",
				b.status, b.op)
		}
	}
	if get(n, "$ref") != nil {
		return
	}
	for _, p := range pairs(get(n, "headers")) {
		l.parameter(join(ptr, "headers", p.key), p.val)
	}
	l.content(join(ptr, "content"), get(n, "content"), b)
}

// resolve follows local references ("#/...") from n, and returns n itself
// when it is no reference or the reference does not resolve.
func (l *linter) resolve(n *yaml.Node) *yaml.Node {
	for range 32 { // a bound against reference cycles
		ref := str(get(n, "$ref"))
		if !strings.HasPrefix(ref, "#") {
			return n
		}
		target := lookup(l.root, strings.TrimPrefix(ref, "#"))
		if target == nil {
			return n
		}
		n = target
	}
	return n
}

// hasBodySchema reports whether a Response Object describes a body with a
// schema in at least one media type.
func hasBodySchema(resp *yaml.Node) bool {
	for _, mt := range pairs(get(resp, "content")) {
		if get(mt.val, "schema") != nil {
			return true
		}
	}
	return false
}

func (l *linter) content(ptr string, n *yaml.Node, b *body) {
	for _, p := range pairs(n) {
		mptr := join(ptr, p.key)
		if s := get(p.val, "schema"); s != nil {
			l.schema(join(mptr, "schema"), s, "")
			if b != nil && isJSONMediaType(p.key) {
				l.inlineSchema(join(mptr, "schema"), s, *b, "", true, false)
			}
		}
		for _, e := range pairs(get(p.val, "examples")) {
			l.example(join(mptr, "examples", e.key), e.val)
		}
		for _, enc := range pairs(get(p.val, "encoding")) {
			for _, h := range pairs(get(enc.val, "headers")) {
				l.parameter(join(mptr, "encoding", enc.key, "headers", h.key), h.val)
			}
		}
	}
}

// isJSONMediaType reports whether oapi-codegen generates a typed body for
// the media type, as it does for JSON ones.
func isJSONMediaType(mt string) bool {
	mt = strings.ToLower(strings.TrimSpace(strings.SplitN(mt, ";", 2)[0]))
	return mt == "application/json" || strings.HasSuffix(mt, "+json") || strings.HasSuffix(mt, "/json")
}

// example lints an Example Object.
func (l *linter) example(ptr string, n *yaml.Node) {
	if get(n, "$ref") != nil {
		return
	}
	if v := get(n, "value"); isNull(v) {
		note := oneLine(str(get(n, "summary")))
		if note == "" {
			note = oneLine(str(get(n, "description")))
		}
		if note != "" {
			note = fmt.Sprintf(" (it reads %q, a note rather than an example)", note)
		}
		l.add(RuleNullExample, join(ptr, "value"),
			"the example's value is null%s: it illustrates nothing and no schema can check it", note)
	}
}

// schema lints a Schema Object and its subschemas. param is the name of the
// parameter the schema belongs to, if it is a parameter's schema.
func (l *linter) schema(ptr string, n *yaml.Node, param string) {
	if !isMapping(n) {
		return // a boolean schema, or garbage kin-openapi reports
	}
	for _, p := range pairs(n) {
		k := p.key
		switch {
		case strings.HasPrefix(k, "x-"):
		case k == "nullable":
			switch {
			case !l.is31:
			case str(p.val) == "false":
				l.add(RuleNullable, join(ptr, k), "`nullable` is OpenAPI 3.0; in a 3.1 document it is no keyword: drop it")
			default:
				l.add(RuleNullable, join(ptr, k),
					"`nullable` is OpenAPI 3.0; in a 3.1 document it is no keyword, so this schema does not accept null: write `type: [%s, 'null']` instead",
					typeOf(n))
			}
		case parameterKeywords[k]:
			where := "a schema"
			if param != "" {
				where = fmt.Sprintf("the schema of parameter %q", param)
			}
			l.add(RuleStyleInSchema, join(ptr, k),
				"`%s` is a Parameter field, written here inside %s where it means nothing: the parameter is serialized with its defaults", k, where)
		case !schemaKeywords[k]:
			hint := ""
			if k == "optional" {
				hint = " (a property is optional unless `required` lists it)"
			}
			l.add(RuleUnknownSchemaKeyword, join(ptr, k),
				"`%s` is no JSON Schema or OpenAPI keyword, so validators and the code generator ignore it%s", k, hint)
		}
	}
	for _, k := range singleSchemaKeywords {
		if s := get(n, k); s != nil {
			l.schema(join(ptr, k), s, "")
		}
	}
	for _, k := range schemaListKeywords {
		for i, s := range items(get(n, k)) {
			l.schema(join(ptr, k, fmt.Sprint(i)), s, "")
		}
	}
	for _, k := range schemaMapKeywords {
		for _, p := range pairs(get(n, k)) {
			l.schema(join(ptr, k, p.key), p.val, "")
		}
	}
}

// typeOf renders a schema's type for a message.
func typeOf(n *yaml.Node) string {
	t := get(n, "type")
	if t == nil {
		return "<type>"
	}
	if t.Kind == yaml.SequenceNode {
		var ts []string
		for _, c := range t.Content {
			ts = append(ts, str(c))
		}
		return strings.Join(ts, ", ")
	}
	return str(t)
}

// inlineSchema reports the inline object schemas of a JSON body that the
// generator would name after their location. flag is false for allOf
// branches, which are merged into their parent rather than typed; branch is
// true for oneOf and anyOf branches.
func (l *linter) inlineSchema(ptr string, n *yaml.Node, b body, rel string, flag, branch bool) {
	if !isMapping(n) || get(n, "$ref") != nil {
		return
	}
	named := get(n, "x-go-type-name") != nil || get(n, "x-go-type") != nil
	// The body's own schema and a list's items are named by specprep's
	// rule (<Op>Request, <Op>Response, <Op>Item): no notice for those.
	ruleNamed := rel == "" || (b.status != "" && (rel == "/items" || rel == "/properties/data/items"))
	if flag && !named && !ruleNamed && becomesType(n) {
		how := "fine unless users must write its name; else $ref a component schema, or name it with x-go-type-name in the overlay"
		if branch {
			how = "$ref a component schema if users build it (x-go-type-name names the type, but the union's From/As/Merge methods keep the machine-made name)"
		}
		l.add(RuleInlineSchema, ptr,
			"the schema at %s in %s is an inline object, which the generator names after its location in %s: %s", rel, b, b.ruleName(), how)
	}
	for _, p := range pairs(get(n, "properties")) {
		l.inlineSchema(join(ptr, "properties", p.key), p.val, b, rel+"/properties/"+p.key, true, false)
	}
	for _, k := range []string{"items", "additionalProperties"} {
		if s := get(n, k); s != nil {
			l.inlineSchema(join(ptr, k), s, b, rel+"/"+k, true, false)
		}
	}
	for _, k := range []string{"oneOf", "anyOf", "allOf"} {
		for i, s := range items(get(n, k)) {
			l.inlineSchema(join(ptr, k, fmt.Sprint(i)), s, b, fmt.Sprintf("%s/%s/%d", rel, k, i), k != "allOf", k != "allOf")
		}
	}
}

// becomesType reports whether oapi-codegen generates a struct or union type
// for an inline schema: it has properties, or combines subschemas.
func becomesType(n *yaml.Node) bool {
	if len(pairs(get(n, "properties"))) > 0 {
		return true
	}
	for _, k := range []string{"oneOf", "anyOf", "allOf"} {
		if len(items(get(n, k))) > 0 {
			return true
		}
	}
	return false
}
