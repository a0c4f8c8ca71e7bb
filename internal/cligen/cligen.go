// Package cligen derives the command line's catalog (package climeta) from
// a prepared OpenAPI document, and writes it as Go source. It runs at
// `go generate` time (internal/tools/cligen), so that the command line
// itself never loads the document.
package cligen

import (
	"bytes"
	"cmp"
	"fmt"
	"go/format"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/anam-ai/anam-go/internal/climeta"
)

// Build derives the catalog of doc, a document loaded and resolved by
// kin-openapi. Every operation must have an operationId.
func Build(doc *openapi3.T) (climeta.Catalog, error) {
	var cat climeta.Catalog
	for _, t := range doc.Tags {
		if t != nil {
			cat.Tags = append(cat.Tags, climeta.Tag{Name: t.Name, About: firstLine(t.Description)})
		}
	}
	if doc.Paths == nil {
		return cat, nil
	}
	for _, path := range doc.Paths.InMatchingOrder() {
		item := doc.Paths.Value(path)
		for method, op := range item.Operations() {
			if op.OperationID == "" {
				return cat, fmt.Errorf("%s %s has no operationId: the command line names its command after it", method, path)
			}
			cat.Ops = append(cat.Ops, describe(item, op))
		}
	}
	slices.SortFunc(cat.Ops, func(a, b climeta.Op) int { return cmp.Compare(a.ID, b.ID) })
	for i := 1; i < len(cat.Ops); i++ {
		if cat.Ops[i].ID == cat.Ops[i-1].ID {
			return cat, fmt.Errorf("operationId %q is used twice", cat.Ops[i].ID)
		}
	}
	return cat, nil
}

func describe(item *openapi3.PathItem, op *openapi3.Operation) climeta.Op {
	o := climeta.Op{ID: op.OperationID}
	if d := strings.TrimSpace(op.Description); d != "" && d != strings.TrimSpace(op.Summary) {
		o.Description = d
	}
	seen := map[string]bool{}
	for _, ps := range []openapi3.Parameters{op.Parameters, item.Parameters} {
		for _, p := range ps {
			if p == nil || p.Value == nil || (p.Value.In != "path" && p.Value.In != "query") || seen[p.Value.In+" "+p.Value.Name] {
				continue
			}
			seen[p.Value.In+" "+p.Value.Name] = true
			if about := firstLine(p.Value.Description); about != "" {
				o.Params = append(o.Params, climeta.Param{Name: p.Value.Name, In: p.Value.In, About: about})
			}
		}
	}
	if op.RequestBody != nil && op.RequestBody.Value != nil {
		content := op.RequestBody.Value.Content
		if mt := content.Get("application/json"); mt != nil && mt.Schema != nil {
			o.JSON = fields(mt.Schema.Value)
		}
		if mt := content.Get("multipart/form-data"); mt != nil && mt.Schema != nil {
			o.Form = fields(mt.Schema.Value)
		}
	}
	o.Columns = columns(responseSchema(op))
	return o
}

// fields are the top-level fields of a body schema, by name.
func fields(s *openapi3.Schema) []climeta.Field {
	props := properties(s)
	var out []climeta.Field
	for _, name := range slices.Sorted(maps.Keys(props)) {
		ps := props[name]
		f := climeta.Field{Name: name, Type: typeOf(ps), About: firstLine(ps.Description)}
		f.Required = s != nil && slices.Contains(requiredOf(s), name)
		if f.Type == "string" {
			for _, e := range ps.Enum {
				if v, ok := e.(string); ok {
					f.Enum = append(f.Enum, v)
				}
			}
		}
		out = append(out, f)
	}
	return out
}

// requiredOf is the required fields of an object schema and its allOf
// members.
func requiredOf(s *openapi3.Schema) []string {
	out := slices.Clone(s.Required)
	for _, sub := range s.AllOf {
		if sub != nil && sub.Value != nil {
			out = append(out, requiredOf(sub.Value)...)
		}
	}
	return out
}

// typeOf is the field type climeta.Field records: a single JSON type (a
// nullable one is its non-null type), "file" for binary data, and "any"
// for unions and untyped schemas.
func typeOf(s *openapi3.Schema) string {
	if s == nil || s.Type == nil || len(s.OneOf)+len(s.AnyOf)+len(s.AllOf) > 0 {
		if s != nil && len(s.AllOf) > 0 && len(s.Properties) == 0 {
			return "object"
		}
		return "any"
	}
	var kinds []string
	for _, t := range s.Type.Slice() {
		if t != "null" {
			kinds = append(kinds, t)
		}
	}
	if len(kinds) != 1 {
		return "any"
	}
	if kinds[0] == "string" && s.Format == "binary" {
		return "file"
	}
	return kinds[0]
}

// columns chooses the table columns of a result schema: of its items for a
// list (an array, or the data array of a {data, meta} envelope), else of
// the object.
func columns(s *openapi3.Schema) []string {
	if s == nil {
		return nil
	}
	item := s
	switch {
	case s.Items != nil:
		item = s.Items.Value
	case properties(s)["data"] != nil && properties(s)["data"].Items != nil:
		item = properties(s)["data"].Items.Value
	}
	props := properties(item)
	var cands []climeta.Candidate
	for _, n := range slices.Sorted(maps.Keys(props)) {
		t := typeOf(props[n])
		scalar := t == "string" || t == "integer" || t == "number" || t == "boolean"
		cands = append(cands, climeta.Candidate{Name: n, Scalar: scalar, EnumString: t == "string" && len(props[n].Enum) > 0})
	}
	return climeta.ChooseColumns(cands)
}

// responseSchema is the schema of the operation's first 2xx JSON response.
func responseSchema(op *openapi3.Operation) *openapi3.Schema {
	if op.Responses == nil {
		return nil
	}
	for _, code := range []string{"200", "201", "202"} {
		r := op.Responses.Value(code)
		if r == nil || r.Value == nil {
			continue
		}
		if mt := r.Value.Content.Get("application/json"); mt != nil && mt.Schema != nil {
			return mt.Schema.Value
		}
	}
	return nil
}

// properties are the properties of an object schema, those of its allOf
// members included.
func properties(s *openapi3.Schema) map[string]*openapi3.Schema {
	out := map[string]*openapi3.Schema{}
	var walk func(s *openapi3.Schema, depth int)
	walk = func(s *openapi3.Schema, depth int) {
		if s == nil || depth > 8 {
			return
		}
		for _, sub := range s.AllOf {
			if sub != nil {
				walk(sub.Value, depth+1)
			}
		}
		for name, p := range s.Properties {
			if p != nil && p.Value != nil {
				out[name] = p.Value
			}
		}
	}
	walk(s, 0)
	return out
}

// firstLine is the first non-empty line of a description.
func firstLine(s string) string {
	for l := range strings.Lines(s) {
		if l = strings.TrimSpace(l); l != "" {
			return l
		}
	}
	return ""
}

// Write returns the catalog as the Go source of package climeta's
// catalog.gen.go: one variable, Generated, of plain data (no code runs at
// start-up to build it). source says where it came from, for the header.
func Write(cat climeta.Catalog, source string) ([]byte, error) {
	var b bytes.Buffer
	fmt.Fprintf(&b, "// Code generated by internal/tools/cligen from %s (go generate ./...). DO NOT EDIT.\n\n", source)
	b.WriteString("package climeta\n\n")
	b.WriteString("// Generated is the catalog of the document the SDK was generated from.\n")
	b.WriteString("var Generated = Catalog{\n\tTags: []Tag{\n")
	for _, t := range cat.Tags {
		if t.About == "" {
			fmt.Fprintf(&b, "\t\t{Name: %s},\n", q(t.Name))
			continue
		}
		fmt.Fprintf(&b, "\t\t{Name: %s, About: %s},\n", q(t.Name), q(t.About))
	}
	b.WriteString("\t},\n\tOps: []Op{\n")
	for _, o := range cat.Ops {
		fmt.Fprintf(&b, "\t\t{\n\t\t\tID: %s,\n", q(o.ID))
		if o.Description != "" {
			fmt.Fprintf(&b, "\t\t\tDescription: %s,\n", q(o.Description))
		}
		if len(o.Params) > 0 {
			b.WriteString("\t\t\tParams: []Param{\n")
			for _, p := range o.Params {
				fmt.Fprintf(&b, "\t\t\t\t{Name: %s, In: %s, About: %s},\n", q(p.Name), q(p.In), q(p.About))
			}
			b.WriteString("\t\t\t},\n")
		}
		writeFields(&b, "JSON", o.JSON)
		writeFields(&b, "Form", o.Form)
		if len(o.Columns) > 0 {
			fmt.Fprintf(&b, "\t\t\tColumns: %s,\n", strs(o.Columns))
		}
		b.WriteString("\t\t},\n")
	}
	b.WriteString("\t},\n}\n")
	return format.Source(b.Bytes())
}

func writeFields(b *bytes.Buffer, name string, fs []climeta.Field) {
	if len(fs) == 0 {
		return
	}
	fmt.Fprintf(b, "\t\t\t%s: []Field{\n", name)
	for _, f := range fs {
		fmt.Fprintf(b, "\t\t\t\t{Name: %s, Type: %s", q(f.Name), q(f.Type))
		if f.Required {
			b.WriteString(", Required: true")
		}
		if len(f.Enum) > 0 {
			fmt.Fprintf(b, ", Enum: %s", strs(f.Enum))
		}
		if f.About != "" {
			fmt.Fprintf(b, ", About: %s", q(f.About))
		}
		b.WriteString("},\n")
	}
	b.WriteString("\t\t\t},\n")
}

func q(s string) string { return strconv.Quote(s) }

func strs(ss []string) string {
	qs := make([]string, len(ss))
	for i, s := range ss {
		qs[i] = q(s)
	}
	return "[]string{" + strings.Join(qs, ", ") + "}"
}
