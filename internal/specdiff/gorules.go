package specdiff

import (
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/oasdiff/oasdiff/diff"
)

// walker turns oasdiff's diff into Go-level changes.
type walker struct {
	base, revision *openapi3.T

	subject, order string // of the changes being added
	changes        []Change
	addedOps       []Operation
	addedSchemas   []string
}

func (w *walker) add(kind Kind, breaking bool, format string, args ...any) {
	w.changes = append(w.changes, Change{
		Subject: w.subject, Kind: kind, Breaking: breaking,
		Text: fmt.Sprintf(format, args...), order: w.order,
	})
}

func (w *walker) at(subject, order string) { w.subject, w.order = subject, order }

func (w *walker) diff(d *diff.Diff) {
	if d.PathsDiff != nil {
		w.paths(d.PathsDiff)
	}
	if d.ComponentsDiff != nil && d.ComponentsDiff.SchemasDiff != nil {
		sd := d.ComponentsDiff.SchemasDiff
		w.addedSchemas = slices.Sorted(slices.Values(sd.Added))
		for _, name := range slices.Sorted(slices.Values(sd.Deleted)) {
			w.at("schema "+name, schemaOrder(name))
			w.add(Removed, true, "schema %s removed; the Go type %s is gone", name, name)
		}
		for _, name := range slices.Sorted(maps.Keys(sd.Modified)) {
			w.at("schema "+name, schemaOrder(name))
			// The entry is the named type itself, not a reference to it.
			entry := *sd.Modified[name]
			entry.BaseComponent, entry.RevisionComponent = "", ""
			w.schema(name, &entry, true, true, true)
		}
	}
	slices.SortFunc(w.addedOps, func(a, b Operation) int { return strings.Compare(opOrder(a), opOrder(b)) })
}

func operationOf(method, path string, op *openapi3.Operation) Operation {
	o := Operation{Method: strings.ToUpper(method), Path: path}
	if op != nil {
		o.OperationID = op.OperationID
	}
	return o
}

func (w *walker) paths(pd *diff.PathsDiff) {
	for _, path := range pd.Added {
		if item := pd.Revision.Value(path); item != nil {
			for method, op := range item.Operations() {
				w.addedOps = append(w.addedOps, operationOf(method, path, op))
			}
		}
	}
	for _, path := range pd.Deleted {
		if item := pd.Base.Value(path); item != nil {
			for method, op := range item.Operations() {
				w.removedOp(operationOf(method, path, op))
			}
		}
	}
	for _, path := range slices.Sorted(maps.Keys(pd.Modified)) {
		p := pd.Modified[path]
		if p.ParametersDiff != nil && p.Base != nil && p.Revision != nil {
			w.at("path "+path+" (all operations)", "0"+path+"\x00")
			w.params(p.ParametersDiff, p.Base.Parameters, p.Revision.Parameters)
		}
		if p.OperationsDiff == nil {
			continue
		}
		for _, method := range p.OperationsDiff.Added {
			w.addedOps = append(w.addedOps, operationOf(method, path, p.Revision.GetOperation(method)))
		}
		for _, method := range p.OperationsDiff.Deleted {
			w.removedOp(operationOf(method, path, p.Base.GetOperation(method)))
		}
		for _, method := range slices.Sorted(maps.Keys(p.OperationsDiff.Modified)) {
			w.operation(method, path, p.OperationsDiff.Modified[method])
		}
	}
}

func (w *walker) removedOp(op Operation) {
	w.at(op.String(), opOrder(op))
	w.add(Removed, true, "operation %s %s removed; its client methods and types are gone", op.Method, op.Path)
}

func (w *walker) operation(method, path string, md *diff.MethodDiff) {
	op := operationOf(method, path, md.Revision)
	w.at(op.String(), opOrder(op))
	if d := md.OperationIDDiff; d != nil {
		w.add(Changed, true, "operationId %s -> %s; the client method and the types named after it (%sParams, %sHTTPResponse...) are renamed",
			show(d.From), show(d.To), upperFirst(show(d.From)), upperFirst(show(d.From)))
	}
	if d := md.DeprecatedDiff; d != nil {
		w.deprecated("operation", d)
	}
	if md.ParametersDiff != nil && md.Base != nil && md.Revision != nil {
		w.params(md.ParametersDiff, md.Base.Parameters, md.Revision.Parameters)
	}
	if rb := md.RequestBodyDiff; rb != nil {
		switch {
		case rb.Added:
			w.add(Changed, true, "request body added; the client method gains a body argument")
		case rb.Deleted:
			w.add(Removed, true, "request body removed; the client method loses its body argument")
		case rb.ContentDiff != nil:
			w.content("request body", rb.ContentDiff, true)
		}
	}
	if rd := md.ResponsesDiff; rd != nil {
		for _, status := range slices.Sorted(slices.Values(rd.Added)) {
			w.add(Added, false, "response %s", status)
		}
		for _, status := range slices.Sorted(slices.Values(rd.Deleted)) {
			hasBody := false
			if md.Base != nil && md.Base.Responses != nil {
				if r := md.Base.Responses.Value(status); r != nil && r.Value != nil && len(r.Value.Content) > 0 {
					hasBody = true
				}
			}
			if hasBody {
				w.add(Removed, true, "response %s removed; its decoded body type is gone", status)
			} else {
				w.add(Removed, false, "response %s (no body)", status)
			}
		}
		for _, status := range slices.Sorted(maps.Keys(rd.Modified)) {
			if c := rd.Modified[status].ContentDiff; c != nil {
				w.content("response "+status, c, false)
			}
		}
	}
}

func (w *walker) content(name string, cd *diff.ContentDiff, request bool) {
	for _, mt := range slices.Sorted(slices.Values(cd.MediaTypeAdded)) {
		w.add(Added, false, "%s media type %s", name, mt)
	}
	for _, mt := range slices.Sorted(slices.Values(cd.MediaTypeDeleted)) {
		what := "its decoded body type is gone"
		if request {
			what = "the client method for it is gone"
		}
		w.add(Removed, true, "%s media type %s removed; %s", name, mt, what)
	}
	for _, mt := range slices.Sorted(maps.Keys(cd.MediaTypeModified)) {
		if sd := cd.MediaTypeModified[mt].SchemaDiff; sd != nil {
			label := name
			if len(cd.MediaTypeModified) > 1 {
				label += " (" + mt + ")"
			}
			w.schema(label, sd, true, true, true)
		}
	}
}

func (w *walker) params(pd *diff.ParametersDiffByLocation, base, revision openapi3.Parameters) {
	for _, in := range slices.Sorted(maps.Keys(pd.Added)) {
		for _, name := range slices.Sorted(slices.Values(pd.Added[in])) {
			p := revision.GetByInAndName(in, name)
			if p != nil && p.Required {
				w.add(Changed, true, "new required %s parameter %s (%s); callers must pass it", in, name, paramType(p))
			} else {
				w.add(Added, false, "%s parameter %s (optional, Go %s%s)", in, name, paramType(p), enumValues(p.Schema))
			}
		}
	}
	for _, in := range slices.Sorted(maps.Keys(pd.Deleted)) {
		for _, name := range slices.Sorted(slices.Values(pd.Deleted[in])) {
			w.add(Removed, true, "%s parameter %s removed; its Go field or argument is gone", in, name)
		}
	}
	for _, in := range slices.Sorted(maps.Keys(pd.Modified)) {
		for _, name := range slices.Sorted(maps.Keys(pd.Modified[in])) {
			d := pd.Modified[in][name]
			b, r := base.GetByInAndName(in, name), revision.GetByInAndName(in, name)
			if b == nil || r == nil {
				continue
			}
			label := in + " parameter " + name
			if d.RequiredDiff != nil {
				from, to := paramType(b), paramType(r)
				w.requiredChange(label, b.Required, r.Required, from, to)
			}
			if d.DeprecatedDiff != nil {
				w.deprecated(label, d.DeprecatedDiff)
			}
			if d.SchemaDiff != nil {
				// Path parameters are method arguments: always values.
				w.schema(label, d.SchemaDiff, b.Required || in == "path", r.Required || in == "path", false)
			}
		}
	}
}

func paramType(p *openapi3.Parameter) string {
	if p == nil || p.Schema == nil {
		return "string"
	}
	return goType(p.Schema.Value, refName(p.Schema.Ref), p.Required || p.In == "path")
}

func (w *walker) requiredChange(label string, fromReq, toReq bool, fromGo, toGo string) {
	if fromReq == toReq {
		return
	}
	change := "optional -> required"
	if !toReq {
		change = "required -> optional"
	}
	if fromGo == toGo {
		w.add(Changed, false, "%s: %s (the Go type stays %s)", label, change, fromGo)
		return
	}
	w.add(Changed, true, "%s: %s; the Go type changes from %s to %s", label, change, fromGo, toGo)
}

func (w *walker) deprecated(label string, d *diff.ValueDiff) {
	if to, _ := d.To.(bool); to {
		w.add(Deprecated, false, "%s", label)
	} else {
		w.add(Changed, false, "%s is no longer deprecated", label)
	}
}

// schema applies the Go rules to one schema diff. name is how the report
// names the schema ("Avatar.activeVersion", "response 200", "query
// parameter page"); reqBase and reqRev say whether it is a required value
// (not a pointer) on each side; root is true for a components.schemas entry
// or a request/response body.
func (w *walker) schema(name string, sd *diff.SchemaDiff, reqBase, reqRev, root bool) {
	if sd.Empty() || sd.Base == nil || sd.Revision == nil {
		return
	}
	b, r := sd.Base, sd.Revision
	bComp, rComp := sd.BaseComponent, sd.RevisionComponent
	goB, goR := goType(b, bComp, reqBase), goType(r, rComp, reqRev)
	what := "field"
	if root {
		what = "type"
	} else if strings.Contains(name, " parameter ") {
		what = "parameter"
	}

	if isNullable(b) != isNullable(r) {
		w.add(Changed, true, "%s: %s -> %s; the Go %s changes from %s to %s", name, typeText(b, bComp), typeText(r, rComp), what, goB, goR)
		return
	}
	if bComp != rComp {
		w.add(Changed, true, "%s: %s -> %s; the Go %s changes from %s to %s", name, typeText(b, bComp), typeText(r, rComp), what, goB, goR)
		return
	}
	if bComp != "" {
		return // the same named schema: its own changes are listed under it
	}
	if sd.TypeDiff != nil || sd.ListOfTypesDiff != nil {
		if !slices.Equal(nonNull(b), nonNull(r)) {
			w.add(Changed, true, "%s: type %s -> %s; the Go %s changes from %s to %s", name, typeText(b, ""), typeText(r, ""), what, goB, goR)
			return
		}
	}
	if sd.FormatDiff != nil {
		if goB != goR {
			w.add(Changed, true, "%s: format %s -> %s; the Go %s changes from %s to %s", name, show(sd.FormatDiff.From), show(sd.FormatDiff.To), what, goB, goR)
		} else {
			w.add(Changed, false, "%s: format %s -> %s (the Go type stays %s)", name, show(sd.FormatDiff.From), show(sd.FormatDiff.To), goB)
		}
	}
	if e := sd.EnumDiff; e != nil {
		switch {
		case e.EnumAdded:
			w.add(Changed, true, "%s became an enum (%s); the Go type becomes a named enum type", name, enumList(r.Enum))
		case e.EnumDeleted:
			w.add(Changed, true, "%s is no longer an enum; its named Go type and constants are gone", name)
		default:
			if len(e.Deleted) > 0 {
				w.add(Removed, true, "%s: enum value %s removed; its Go constant is gone", name, enumList(e.Deleted))
			}
			if len(e.Added) > 0 {
				w.add(Added, false, "%s: enum value %s", name, enumList(e.Added))
			}
		}
	}
	if sd.DeprecatedDiff != nil && !root {
		w.deprecated(name, sd.DeprecatedDiff)
	}
	if sd.ExtensionsDiff != nil {
		w.extensions(name, sd.ExtensionsDiff, b.Extensions, r.Extensions)
	}
	w.properties(name, sd)
	if sd.ItemsDiff != nil {
		w.schema(name+"[]", sd.ItemsDiff, true, true, false)
	}
	if sd.AdditionalPropertiesDiff != nil {
		w.schema(name+"{}", sd.AdditionalPropertiesDiff, true, true, false)
	}
	w.subschemas(name, "oneOf", sd.OneOfDiff)
	w.subschemas(name, "anyOf", sd.AnyOfDiff)
	w.subschemas(name, "allOf", sd.AllOfDiff)
}

func (w *walker) properties(name string, sd *diff.SchemaDiff) {
	b, r := sd.Base, sd.Revision
	if pd := sd.PropertiesDiff; pd != nil {
		for _, p := range slices.Sorted(slices.Values(pd.Added)) {
			req := slices.Contains(r.Required, p)
			opt := "optional"
			if req {
				opt = "required"
			}
			w.add(Added, false, "%s.%s (%s, Go %s%s)", name, p, opt, propGoType(r, p, req), enumValues(r.Properties[p]))
		}
		for _, p := range slices.Sorted(slices.Values(pd.Deleted)) {
			w.add(Removed, true, "%s.%s removed; the Go field is gone", name, p)
		}
		for _, p := range slices.Sorted(maps.Keys(pd.Modified)) {
			w.schema(name+"."+p, pd.Modified[p], slices.Contains(b.Required, p), slices.Contains(r.Required, p), false)
		}
	}
	if rd := sd.RequiredDiff; rd != nil {
		changed := append(slices.Clone(rd.Added), rd.Deleted...)
		slices.Sort(changed)
		for _, p := range changed {
			if b.Properties[p] == nil || r.Properties[p] == nil {
				continue // an added or removed property, listed as such
			}
			fromReq, toReq := slices.Contains(b.Required, p), slices.Contains(r.Required, p)
			w.requiredChange(name+"."+p, fromReq, toReq, propGoType(b, p, fromReq), propGoType(r, p, toReq))
		}
	}
}

func (w *walker) subschemas(name, keyword string, d *diff.SubschemasDiff) {
	if d == nil {
		return
	}
	for _, s := range d.Added {
		w.add(Added, false, "%s: %s variant %s", name, keyword, s.String())
	}
	for _, s := range d.Deleted {
		w.add(Removed, true, "%s: %s variant %s removed; its Go accessors are gone", name, keyword, s.String())
	}
	for _, m := range d.Modified {
		w.schema(fmt.Sprintf("%s (%s %s)", name, keyword, m.Base.String()), m.Diff, true, true, false)
	}
}

// goNamingExtensions are the oapi-codegen extensions that decide Go names
// and types: changing one renames or retypes something users can name.
var goNamingExtensions = []string{
	"x-go-type-name", "x-go-name", "x-go-type", "x-go-type-import", "x-go-type-skip-optional-pointer",
	"x-enum-varnames", "x-enumNames", "x-go-json-ignore", "x-oapi-codegen-only-honour-go-name",
}

func (w *walker) extensions(name string, d *diff.ExtensionsDiff, base, revision map[string]any) {
	var names []string
	names = append(names, d.Added...)
	names = append(names, d.Deleted...)
	names = append(names, slices.Collect(maps.Keys(d.Modified))...)
	slices.Sort(names)
	for _, ext := range slices.Compact(names) {
		if !slices.Contains(goNamingExtensions, ext) {
			continue
		}
		from, to := extValue(base, ext), extValue(revision, ext)
		if ext == "x-go-type-name" {
			w.add(Changed, true, "%s: Go type name %s -> %s (x-go-type-name); code naming the type must change", name, from,
				strings.Replace(to, "(none)", "the generator's default name", 1))
			continue
		}
		w.add(Changed, true, "%s: oapi-codegen hint %s %s -> %s; the Go name or type it sets changes", name, ext, from, to)
	}
}

func extValue(m map[string]any, name string) string {
	v, ok := m[name]
	if !ok {
		return "(none)"
	}
	if raw, ok := v.(json.RawMessage); ok {
		return string(raw)
	}
	return show(v)
}

// isNullable reports whether s admits null: OpenAPI 3.1 `type: [T, null]`,
// 3.0 `nullable: true`, or a oneOf/anyOf with a `type: null` branch.
func isNullable(s *openapi3.Schema) bool {
	if s == nil {
		return false
	}
	if s.Nullable || (s.Type != nil && s.Type.IncludesNull()) {
		return true
	}
	for _, refs := range []openapi3.SchemaRefs{s.OneOf, s.AnyOf} {
		for _, ref := range refs {
			if ref != nil && ref.Value != nil && ref.Value.Type != nil && ref.Value.Type.Is("null") {
				return true
			}
		}
	}
	return false
}

func nonNull(s *openapi3.Schema) []string {
	if s == nil || s.Type == nil {
		return nil
	}
	var out []string
	for _, t := range *s.Type {
		if t != "null" {
			out = append(out, t)
		}
	}
	slices.Sort(out)
	return out
}

// typeText is the schema's type as the document spells it: "string",
// "[string, null]", "Avatar" for a named schema.
func typeText(s *openapi3.Schema, component string) string {
	if component != "" {
		if isNullable(s) {
			return "[" + component + ", null]"
		}
		return component
	}
	if s == nil {
		return "(none)"
	}
	var types []string
	if s.Type != nil {
		types = append(types, *s.Type...)
	}
	if s.Nullable && !slices.Contains(types, "null") {
		types = append(types, "null")
	}
	switch {
	case len(types) == 1:
		return types[0]
	case len(types) > 1:
		return "[" + strings.Join(types, ", ") + "]"
	case len(s.OneOf) > 0:
		return "oneOf"
	case len(s.AnyOf) > 0:
		return "anyOf"
	case len(s.AllOf) > 0:
		return "allOf"
	}
	return "any"
}

func propGoType(parent *openapi3.Schema, prop string, required bool) string {
	ref := parent.Properties[prop]
	if ref == nil {
		return "?"
	}
	return goType(ref.Value, refName(ref.Ref), required)
}

func refName(ref string) string {
	const prefix = "#/components/schemas/"
	if name, ok := strings.CutPrefix(ref, prefix); ok && !strings.Contains(name, "/") {
		return name
	}
	return ""
}

// goType approximates the Go type oapi-codegen gives a field of schema s
// with this repository's oapi-codegen.yaml (nullable-type: true; format uuid
// mapped to string). component is the schema's name when it is a $ref.
func goType(s *openapi3.Schema, component string, required bool) string {
	t := baseGoType(s, component)
	switch {
	case isNullable(s):
		return "nullable.Nullable[" + t + "]"
	case required:
		return t
	default:
		return "*" + t
	}
}

func baseGoType(s *openapi3.Schema, component string) string {
	if s == nil {
		return "any"
	}
	if v, ok := s.Extensions["x-go-type"]; ok {
		return strings.Trim(extValue(map[string]any{"x": v}, "x"), `"`)
	}
	if component != "" {
		return component
	}
	if v, ok := s.Extensions["x-go-type-name"]; ok {
		return strings.Trim(extValue(map[string]any{"x": v}, "x"), `"`)
	}
	if len(s.Enum) > 0 {
		return "enum type"
	}
	types := nonNull(s)
	if len(types) != 1 {
		if len(s.OneOf)+len(s.AnyOf) > 0 {
			return "union type"
		}
		if len(types) == 0 && len(s.Properties) > 0 {
			return "struct type"
		}
		return "interface{}"
	}
	switch types[0] {
	case "string":
		switch s.Format {
		case "date-time":
			return "time.Time"
		case "date":
			return "openapi_types.Date"
		case "email":
			return "openapi_types.Email"
		case "binary":
			return "openapi_types.File"
		}
		return "string"
	case "integer":
		switch s.Format {
		case "int32":
			return "int32"
		case "int64":
			return "int64"
		}
		return "int"
	case "number":
		if s.Format == "double" {
			return "float64"
		}
		return "float32"
	case "boolean":
		return "bool"
	case "array":
		if s.Items == nil {
			return "[]interface{}"
		}
		return "[]" + baseGoType(s.Items.Value, refName(s.Items.Ref))
	case "object":
		if len(s.Properties) == 0 && s.AdditionalProperties.Schema != nil {
			ap := s.AdditionalProperties.Schema
			return "map[string]" + baseGoType(ap.Value, refName(ap.Ref))
		}
		if len(s.Properties) == 0 {
			return "map[string]interface{}"
		}
		return "struct type"
	}
	return "interface{}"
}

func enumList(values []any) string {
	parts := make([]string, len(values))
	for i, v := range values {
		parts[i] = show(v)
	}
	return strings.Join(parts, ", ")
}

func show(v any) string {
	if v == nil || v == "" {
		return "(none)"
	}
	if s, ok := v.(string); ok {
		return s
	}
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	return string(b)
}

func upperFirst(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// enumValues is "; values a, b" for an enum schema, "" otherwise.
func enumValues(ref *openapi3.SchemaRef) string {
	if ref == nil || ref.Value == nil || len(ref.Value.Enum) == 0 {
		return ""
	}
	return "; values " + enumList(ref.Value.Enum)
}
