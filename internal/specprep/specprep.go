// Package specprep turns the vendored OpenAPI document into the document the
// SDK is generated from: it applies the overlay of reviewed upstream fixes
// (spec/overlay.yaml), then names every inline request and response schema by
// one rule (see Names), and writes the result as JSON.
//
// Each named schema moves to components/schemas under its name, leaving a
// $ref in its place, so the schemas nested in it are named after it too
// (GetAggregatedSessionAnalyticsResponse_Counts).
//
// The naming rule exists because upstream inlines list envelopes, request
// bodies and many response bodies, which oapi-codegen would otherwise name
// after their location (ListVoices200JSONResponseBody, CreateToolJSONBody).
// The rule derives each name from the operationId alone, so a name never
// changes when an unrelated operation is added or removed:
//
//	JSON request body            <OperationId>Request    (CreatePersonaRequest)
//	multipart/form-data body     <OperationId>Form       (CreateVoiceForm)
//	2xx JSON response body       <OperationId>Response   (GetSessionTranscriptResponse)
//	inline item of a list body   <OperationId>Item
//
// A schema that already has an x-go-type-name (set in the overlay) stays
// where it is, with that name.
// A derived name that collides with a component schema, or with another
// derived name, is an error naming both: the overlay must then name one of
// them by hand.
package specprep

import (
	"fmt"
	"slices"
	"strings"
	"unicode"

	"gopkg.in/yaml.v3"

	"github.com/anam-ai/anam-go/internal/specload"
	"github.com/anam-ai/anam-go/internal/yamltree"
)

// Name is one name the rule gave: the JSON path of the schema (in the
// notation of an overlay action's target) and its Go type name.
type Name struct {
	Target string
	GoName string
}

// Result is a prepared document.
type Result struct {
	// JSON is the prepared document: the vendored one with the overlay
	// applied and the naming rule's x-go-type-name keys added.
	JSON []byte
	// Names lists the names the rule gave, in document order.
	Names []Name
}

var httpMethods = []string{"get", "put", "post", "delete", "options", "head", "patch", "trace"}

// Prepare applies overlay to doc and names its inline schemas. An empty
// overlay applies nothing.
func Prepare(doc, overlay []byte) (*Result, error) {
	data, err := specload.ApplyOverlay(doc, overlay)
	if err != nil {
		return nil, err
	}
	var root yaml.Node
	if err := yaml.Unmarshal(data, &root); err != nil {
		return nil, fmt.Errorf("parse OpenAPI document: %w", err)
	}
	if root.Kind != yaml.DocumentNode || len(root.Content) != 1 || root.Content[0].Kind != yaml.MappingNode {
		return nil, fmt.Errorf("the OpenAPI document is not a JSON object")
	}
	top := root.Content[0]
	names, err := nameInlineSchemas(top)
	if err != nil {
		return nil, err
	}
	// Indented: the prepared document is committed and read in reviews.
	out, err := yamltree.JSON(top, "  ")
	if err != nil {
		return nil, fmt.Errorf("encode prepared document: %w", err)
	}
	return &Result{JSON: out, Names: names}, nil
}

// namer gives inline schemas their names: it moves each into
// components/schemas, leaving a $ref in its place.
type namer struct {
	schemas *yaml.Node        // components/schemas
	taken   map[string]string // Go name -> what holds it
	names   []Name
}

func newNamer(top *yaml.Node) *namer {
	n := &namer{taken: map[string]string{}}
	if schemas := get(get(top, "components"), "schemas"); schemas != nil {
		for i := 0; i+1 < len(schemas.Content); i += 2 {
			n.taken[GoTypeName(schemas.Content[i].Value)] = "component schema " + schemas.Content[i].Value
		}
	}
	components := get(top, "components")
	if components == nil {
		components = &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map"}
		top.Content = append(top.Content, &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: "components"}, components)
	}
	n.schemas = get(components, "schemas")
	if n.schemas == nil {
		n.schemas = &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map"}
		components.Content = append(components.Content, &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: "schemas"}, n.schemas)
	}
	return n
}

// give moves an inline object schema into components/schemas under
// name, leaving a $ref in its place, and returns the moved schema.
func (n *namer) give(schema *yaml.Node, target, name string) (*yaml.Node, error) {
	if schema == nil || schema.Kind != yaml.MappingNode || get(schema, "$ref") != nil || !isObjectSchema(schema) {
		return schema, nil
	}
	return n.move(schema, target, name)
}

// move moves schema into components/schemas under name, leaving a $ref in
// its place, unless it has a name already (x-go-type-name). A name that
// is taken is an error naming both holders.
func (n *namer) move(schema *yaml.Node, target, name string) (*yaml.Node, error) {
	if x := get(schema, "x-go-type-name"); x != nil {
		n.taken[x.Value] = target
		return schema, nil
	}
	if holder, ok := n.taken[name]; ok {
		return nil, fmt.Errorf("the naming rule names %s %q, which %s already has: name one of them with x-go-type-name in spec/overlay.yaml", target, name, holder)
	}
	n.taken[name] = target
	moved := *schema
	n.schemas.Content = append(n.schemas.Content, &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: name}, &moved)
	*schema = yaml.Node{Kind: yaml.MappingNode, Tag: "!!map"}
	set(schema, "$ref", "#/components/schemas/"+name)
	n.names = append(n.names, Name{Target: target, GoName: name})
	return &moved, nil
}

func nameInlineSchemas(top *yaml.Node) ([]Name, error) {
	n := newNamer(top)
	if err := n.nameBodies(top); err != nil {
		return nil, err
	}
	if err := n.nameUnions(); err != nil {
		return nil, err
	}
	return n.names, nil
}

// nameBodies names the request and response bodies of every operation, and
// the items of list bodies.
func (n *namer) nameBodies(top *yaml.Node) error {
	paths := get(top, "paths")
	if paths == nil {
		return nil
	}
	for i := 0; i+1 < len(paths.Content); i += 2 {
		path, item := paths.Content[i].Value, paths.Content[i+1]
		for _, method := range httpMethods {
			op := get(item, method)
			if op == nil {
				continue
			}
			id := get(op, "operationId")
			if id == nil || id.Value == "" {
				continue
			}
			base := GoTypeName(id.Value)
			opTarget := fmt.Sprintf("$.paths[%s].%s", quote(path), method)
			content := get(get(op, "requestBody"), "content")
			for j := 0; content != nil && j+1 < len(content.Content); j += 2 {
				mt, media := content.Content[j].Value, content.Content[j+1]
				suffix := ""
				switch {
				case isJSON(mt):
					suffix = "Request"
				case mt == "multipart/form-data":
					suffix = "Form"
				default:
					continue
				}
				target := fmt.Sprintf("%s.requestBody.content[%s].schema", opTarget, quote(mt))
				if _, err := n.give(get(media, "schema"), target, base+suffix); err != nil {
					return err
				}
			}
			responses := get(op, "responses")
			for j := 0; responses != nil && j+1 < len(responses.Content); j += 2 {
				code := responses.Content[j].Value
				if !strings.HasPrefix(code, "2") {
					continue
				}
				content := get(responses.Content[j+1], "content")
				for k := 0; content != nil && k+1 < len(content.Content); k += 2 {
					mt, media := content.Content[k].Value, content.Content[k+1]
					if !isJSON(mt) {
						continue
					}
					target := fmt.Sprintf("%s.responses[%s].content[%s].schema", opTarget, quote(code), quote(mt))
					schema, err := n.give(get(media, "schema"), target, base+"Response")
					if err != nil {
						return err
					}
					// The items of a list body: an envelope's data, or a bare array.
					switch items, at := listItems(schema); {
					case items != nil:
						if _, err := n.give(items, target+at, base+"Item"); err != nil {
							return err
						}
					}
				}
			}
		}
	}
	return nil
}

// listItems returns the inline item schema of a list body (a bare array, or
// an object whose data property is an array) and its path below schema.
func listItems(schema *yaml.Node) (*yaml.Node, string) {
	if schema == nil {
		return nil, ""
	}
	if typeIs(schema, "array") {
		return get(schema, "items"), ".items"
	}
	if data := get(get(schema, "properties"), "data"); data != nil && typeIs(data, "array") {
		return get(data, "items"), ".properties.data.items"
	}
	return nil, ""
}

// isObjectSchema reports whether schema describes an object (and so becomes
// a Go struct worth a name): type object, properties, or an allOf.
func isObjectSchema(schema *yaml.Node) bool {
	return typeIs(schema, "object") || get(schema, "properties") != nil || get(schema, "allOf") != nil
}

func typeIs(schema *yaml.Node, want string) bool {
	t := get(schema, "type")
	switch {
	case t == nil:
		return false
	case t.Kind == yaml.ScalarNode:
		return t.Value == want
	case t.Kind == yaml.SequenceNode:
		return slices.ContainsFunc(t.Content, func(n *yaml.Node) bool { return n.Value == want })
	}
	return false
}

func isJSON(mediaType string) bool {
	mt, _, _ := strings.Cut(mediaType, ";")
	mt = strings.TrimSpace(mt)
	return mt == "application/json" || strings.HasSuffix(mt, "+json")
}

// get returns the value of key in a mapping node, or nil.
var get = yamltree.Get

func set(n *yaml.Node, key, value string) {
	n.Content = append(n.Content,
		&yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: key},
		&yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: value})
}

func quote(s string) string { return "'" + strings.ReplaceAll(s, "'", `\'`) + "'" }

// GoTypeName is the Go type name oapi-codegen gives an operationId or a
// schema name under the ToCamelCaseWithInitialisms normalizer with this
// repository's initialisms, for the names this package derives: the first
// letter upper-cased, separators dropped with the next letter upper-cased,
// and initialisms (ID, URL, HTTP, LLM...) and their plurals (IDs, LLMs)
// spelled as Go spells them.
func GoTypeName(s string) string {
	var words []string
	var cur []rune
	flush := func() {
		if len(cur) > 0 {
			words = append(words, string(cur))
			cur = cur[:0]
		}
	}
	rs := []rune(s)
	for i, r := range rs {
		switch {
		case !unicode.IsLetter(r) && !unicode.IsDigit(r):
			flush()
		case unicode.IsUpper(r) && i > 0 && (unicode.IsLower(rs[i-1]) || unicode.IsDigit(rs[i-1])):
			flush()
			cur = append(cur, r)
		default:
			cur = append(cur, r)
		}
	}
	flush()
	var b strings.Builder
	for _, w := range words {
		if up := strings.ToUpper(w); initialisms[up] {
			b.WriteString(up)
			continue
		}
		if up := strings.ToUpper(w[:len(w)-1]); len(w) > 2 && w[len(w)-1] == 's' && initialisms[up] {
			b.WriteString(up + "s") // a plural: IDs, LLMs
			continue
		}
		r := []rune(w)
		r[0] = unicode.ToUpper(r[0])
		b.WriteString(string(r))
	}
	return b.String()
}

// initialisms are those of oapi-codegen's ToCamelCaseWithInitialisms, and
// LLM. oapi-codegen.yaml's additional-initialisms adds LLM and the plural
// of each (IDs, LLMs, URLs...), so that models and operations spell them
// alike, as Go does (ListLLMs, ToolIDs); a test checks the two agree.
var initialisms = map[string]bool{
	"LLM": true,
	"ACL": true, "API": true, "ASCII": true, "CPU": true, "CSS": true, "DNS": true, "EOF": true, "GUID": true,
	"HTML": true, "HTTP": true, "HTTPS": true, "ID": true, "IP": true, "JSON": true, "QPS": true, "RAM": true,
	"RPC": true, "SLA": true, "SMTP": true, "SQL": true, "SSH": true, "TCP": true, "TLS": true, "TTL": true,
	"UDP": true, "UI": true, "GID": true, "UID": true, "UUID": true, "URI": true, "URL": true, "UTF8": true,
	"VM": true, "XML": true, "XMPP": true, "XSRF": true, "XSS": true, "SIP": true, "RTP": true, "AMQP": true,
	"DB": true, "TS": true,
}
