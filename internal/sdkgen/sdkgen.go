// Package sdkgen generates the client of the SDK from the prepared OpenAPI
// document (spec/openapi.gen.json) and the models oapi-codegen generated
// from it (gen/models.gen.go, models only). It is the last step of
// `go generate ./...`, and writes:
//
//   - gen/client.gen.go: type Client and one thin method per operation, an
//     Operation descriptor for each, the iterators of every paginated list,
//     and constructors for the unions (oneOfs) a request body may hold;
//   - gen/accessors.gen.go: nil-safe getters and a String method on the
//     models;
//   - api/models.gen.go: the names package api re-exports, so that users
//     of api need not import gen: the models the methods take and return,
//     and the request unions with their constructors.
//
// Everything that depends on which operations exist comes from here: the
// handwritten code (api, internal/engine, internal/pager) implements each
// mechanism once, for all operations, over the descriptors.
//
// Semantics come from the spec (parameters, rules, body media types, what
// a success returns); Go type names come from oapi-codegen's own output,
// read with go/parser, so the two can never disagree:
//   - <Op>Params is the query type when it exists;
//   - <Op>JSONRequestBody and <Op>MultipartRequestBody are the bodies;
//   - a 2xx body is a $ref to a component schema (specprep names every
//     inline one), whose Go type is the model of that name, or an array of
//     such a $ref.
package sdkgen

import (
	"bytes"
	"cmp"
	"fmt"
	"go/ast"
	"go/format"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"unicode"

	"github.com/getkin/kin-openapi/openapi3"
	"gopkg.in/yaml.v3"

	"github.com/anam-ai/anam-go/internal/specprep"
)

// The files sdkgen writes, in GenDir and APIDir.
const (
	ClientFile    = "client.gen.go"
	AccessorsFile = "accessors.gen.go"
	APIModelsFile = "models.gen.go"
)

// Config says where to read and write.
type Config struct {
	Spec       []byte // the prepared OpenAPI document
	GenDir     string // the directory of package gen (read: the models; written: ClientFile, AccessorsFile)
	APIDir     string // the directory of package api (read: its handwritten names; written: APIModelsFile)
	ModulePath string // the module's path: gen, internal/engine and internal/pager are below it
	Generate   string // the command that regenerates, for the header
}

// Output is what Generate writes.
type Output struct {
	Client    []byte // gen/client.gen.go
	Accessors []byte // gen/accessors.gen.go
	APIModels []byte // api/models.gen.go
	Report    Report
}

// Report summarises the surface, for the update report.
type Report struct {
	Operations int
	Paginated  []string
	Methods    []string
	Unions     []string // the request unions that got constructors
}

// Generate builds the files in memory.
func Generate(cfg Config) (*Output, error) {
	loader := openapi3.NewLoader()
	loader.IsExternalRefsAllowed = false
	doc, err := loader.LoadFromData(cfg.Spec)
	if err != nil {
		return nil, fmt.Errorf("load prepared document: %w", err)
	}
	types, err := readPackage(cfg.GenDir, func(name string) bool { return name != AccessorsFile && name != ClientFile })
	if err != nil {
		return nil, fmt.Errorf("read package gen: %w", err)
	}
	apiNames, err := readPackage(cfg.APIDir, func(name string) bool {
		return !strings.HasSuffix(name, "_test.go") && !strings.HasSuffix(name, ".gen.go")
	})
	if err != nil {
		return nil, fmt.Errorf("read package api: %w", err)
	}
	order, err := pathOrder(cfg.Spec)
	if err != nil {
		return nil, fmt.Errorf("read the order of paths: %w", err)
	}
	ops, err := describe(doc, order, types)
	if err != nil {
		return nil, err
	}
	out := &Output{}
	if out.Client, out.APIModels, out.Report, err = writeClient(cfg, ops, types, apiNames); err != nil {
		return nil, err
	}
	if out.Accessors, err = writeAccessors(cfg, types); err != nil {
		return nil, err
	}
	return out, nil
}

// pkgInfo is what sdkgen needs of a Go package: its type declarations and
// the methods declared on each type.
type pkgInfo struct {
	types   map[string]*ast.TypeSpec
	order   []string
	methods map[string]map[string]*ast.FuncDecl
	mlist   map[string][]string // the names of each type's methods, in source order
	funcs   map[string]bool     // top-level funcs, vars, consts
	imports map[string]string   // package name -> import path
}

func readPackage(dir string, keep func(string) bool) (*pkgInfo, error) {
	info := &pkgInfo{types: map[string]*ast.TypeSpec{}, methods: map[string]map[string]*ast.FuncDecl{}, mlist: map[string][]string{}, funcs: map[string]bool{}, imports: map[string]string{}}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	fset := token.NewFileSet()
	for _, e := range entries {
		if e.IsDir() || !strings.HasSuffix(e.Name(), ".go") || !keep(e.Name()) {
			continue
		}
		f, err := parser.ParseFile(fset, filepath.Join(dir, e.Name()), nil, parser.SkipObjectResolution)
		if err != nil {
			return nil, err
		}
		for _, imp := range f.Imports {
			path, _ := strconv.Unquote(imp.Path.Value)
			name := path[strings.LastIndex(path, "/")+1:]
			if imp.Name != nil {
				name = imp.Name.Name
			}
			info.imports[name] = path
		}
		for _, d := range f.Decls {
			switch d := d.(type) {
			case *ast.GenDecl:
				for _, s := range d.Specs {
					switch s := s.(type) {
					case *ast.TypeSpec:
						info.types[s.Name.Name] = s
						info.order = append(info.order, s.Name.Name)
					case *ast.ValueSpec:
						for _, n := range s.Names {
							info.funcs[n.Name] = true
						}
					}
				}
			case *ast.FuncDecl:
				if d.Recv == nil {
					info.funcs[d.Name.Name] = true
					continue
				}
				recv := d.Recv.List[0].Type
				if star, ok := recv.(*ast.StarExpr); ok {
					recv = star.X
				}
				if id, ok := recv.(*ast.Ident); ok {
					if info.methods[id.Name] == nil {
						info.methods[id.Name] = map[string]*ast.FuncDecl{}
					}
					info.methods[id.Name][d.Name.Name] = d
					info.mlist[id.Name] = append(info.mlist[id.Name], d.Name.Name)
				}
			}
		}
	}
	return info, nil
}

// operation is what sdkgen knows of one operation.
type operation struct {
	id, method, path, tag, summary, description string
	goName                                      string
	pathParams, query                           []param
	params                                      string // Go type of the query params, "" when none
	jsonBody, formBody                          string // Go types, "" when not taken
	bodyRequired                                bool
	result                                      string // "none", "object", "array"
	resultType                                  string // Go type (T of *T, or E of []E)
	paginated                                   bool
	itemType, metaType                          string         // a list's item and meta types
	statuses                                    map[int]string // documented status -> description
	auth                                        []string       // the credentials it accepts: "APIKey", "SessionToken"
}

// authOf is what credentials op accepts, by its security requirements
// (its own, else the document's): an HTTP bearer scheme whose
// bearerFormat is JWT takes session tokens; any other HTTP bearer scheme,
// and an apiKey scheme, take the API key (the rule anamtest serves by).
// A requirement that names a scheme of no known kind, or none, adds
// nothing: the API key is what every operation is sent with unless it
// accepts session tokens only.
func authOf(doc *openapi3.T, o *openapi3.Operation) []string {
	reqs := doc.Security
	if o.Security != nil {
		reqs = *o.Security
	}
	var apiKey, token bool
	for _, req := range reqs {
		for name := range req {
			var s *openapi3.SecurityScheme
			if doc.Components != nil {
				if ref := doc.Components.SecuritySchemes[name]; ref != nil {
					s = ref.Value
				}
			}
			switch {
			case s == nil:
			case s.Type == "http" && strings.EqualFold(s.Scheme, "bearer") && strings.EqualFold(s.BearerFormat, "JWT"):
				token = true
			case s.Type == "http" && strings.EqualFold(s.Scheme, "bearer"), s.Type == "apiKey":
				apiKey = true
			}
		}
	}
	var out []string
	if apiKey || !token {
		out = append(out, "APIKey")
	}
	if token {
		out = append(out, "SessionToken")
	}
	return out
}

type param struct {
	name, goName, typ, format string
	required, explode         bool
	min, max                  *float64
	minLen, maxLen            *int
	enum                      []string
	description               string
}

var methodOrder = []string{"GET", "PUT", "POST", "DELETE", "OPTIONS", "HEAD", "PATCH", "TRACE"}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

func describe(doc *openapi3.T, docOrder []string, types *pkgInfo) ([]*operation, error) {
	var ops []*operation
	// The spec's own order: paths as written, methods in a fixed order.
	paths := doc.Paths.Map()
	keys := make([]string, 0, len(paths))
	for k := range paths {
		keys = append(keys, k)
	}
	order := map[string]int{}
	for i, k := range docOrder {
		order[k] = i
	}
	slices.SortFunc(keys, func(a, b string) int {
		ia, oka := order[a]
		ib, okb := order[b]
		return cmp.Or(-cmp.Compare(boolInt(oka), boolInt(okb)), cmp.Compare(ia, ib), cmp.Compare(a, b))
	})
	seen := map[string]string{}
	for _, path := range keys {
		item := paths[path]
		for _, method := range methodOrder {
			o := item.GetOperation(method)
			if o == nil {
				continue
			}
			if o.OperationID == "" {
				return nil, fmt.Errorf("%s %s has no operationId: the SDK names its method after it, so give it one in spec/overlay.yaml", method, path)
			}
			op, err := describeOne(path, method, item, o, types)
			if err == nil {
				op.auth = authOf(doc, o)
			}
			if err != nil {
				return nil, fmt.Errorf("%s (%s %s): %w", o.OperationID, method, path, err)
			}
			if prev, dup := seen[op.goName]; dup {
				return nil, fmt.Errorf("operations %s and %s both become the method %s", prev, op.id, op.goName)
			}
			seen[op.goName] = op.id
			ops = append(ops, op)
		}
	}
	return ops, nil
}

// pathOrder is the order the document lists its paths in, which
// kin-openapi's map forgets.
func pathOrder(spec []byte) ([]string, error) {
	var root yaml.Node
	if err := yaml.Unmarshal(spec, &root); err != nil {
		return nil, err
	}
	var out []string
	if len(root.Content) == 0 {
		return nil, nil
	}
	top := root.Content[0]
	for i := 0; i+1 < len(top.Content); i += 2 {
		if top.Content[i].Value != "paths" {
			continue
		}
		paths := top.Content[i+1]
		for j := 0; j+1 < len(paths.Content); j += 2 {
			out = append(out, paths.Content[j].Value)
		}
	}
	return out, nil
}

func describeOne(path, method string, item *openapi3.PathItem, o *openapi3.Operation, types *pkgInfo) (*operation, error) {
	op := &operation{id: o.OperationID, method: method, path: path, summary: oneLine(o.Summary), description: strings.TrimSpace(o.Description)}
	op.goName = goTypeName(o.OperationID)
	if len(o.Tags) > 0 {
		op.tag = o.Tags[0]
	}
	params := append(openapi3.Parameters{}, item.Parameters...)
	params = append(params, o.Parameters...)
	byName := map[string]*param{}
	var pathParams []param
	for _, ref := range params {
		p := ref.Value
		if p == nil {
			continue
		}
		pp := toParam(p)
		switch p.In {
		case "path":
			pathParams = append(pathParams, pp)
		case "query":
			op.query = append(op.query, pp)
		default:
			continue
		}
		byName[p.In+":"+p.Name] = &pp
	}
	// Path parameters in the order they appear in the template.
	for _, name := range templateParams(path) {
		i := slices.IndexFunc(pathParams, func(p param) bool { return p.name == name })
		if i < 0 {
			return nil, fmt.Errorf("the path names {%s}, which no parameter describes", name)
		}
		op.pathParams = append(op.pathParams, pathParams[i])
	}
	if len(op.pathParams) != len(pathParams) {
		return nil, fmt.Errorf("a path parameter does not appear in the path template")
	}
	if len(op.query) > 0 {
		op.params = op.goName + "Params"
		if types.types[op.params] == nil {
			return nil, fmt.Errorf("gen has no type %s for its query parameters", op.params)
		}
	}

	if rb := o.RequestBody; rb != nil && rb.Value != nil {
		op.bodyRequired = rb.Value.Required
		for mt := range rb.Value.Content {
			switch {
			case isJSON(mt):
				op.jsonBody = resolveAlias(types, op.goName+"JSONRequestBody")
			case mt == "multipart/form-data":
				op.formBody = resolveAlias(types, op.goName+"MultipartRequestBody")
			}
		}
		if op.jsonBody == "" && op.formBody == "" {
			return nil, fmt.Errorf("its request body is neither JSON nor multipart/form-data, which the SDK cannot send yet")
		}
		for _, t := range []string{op.jsonBody, op.formBody} {
			if t != "" && types.types[t] == nil {
				return nil, fmt.Errorf("gen has no request body type %s", t)
			}
		}
	}

	op.statuses = map[int]string{}
	for code, r := range o.Responses.Map() {
		if n, err := strconv.Atoi(code); err == nil && r.Value != nil {
			desc := ""
			if r.Value.Description != nil {
				desc = oneLine(*r.Value.Description)
			}
			op.statuses[n] = desc
		}
	}

	op.result = "none"
	if code, media := successSchema(o); media != nil && !onlyMessage(media.Value) {
		t, array, err := modelOf(media, types)
		if err != nil {
			return nil, fmt.Errorf("its %d response: %w", code, err)
		}
		op.result, op.resultType = "object", t
		if array {
			op.result = "array"
		}
		if !array && isPage(o, media.Value) {
			data, err := fieldType(types, op.resultType, "Data")
			if err != nil {
				return nil, err
			}
			meta, err := fieldType(types, op.resultType, "Meta")
			if err != nil {
				return nil, err
			}
			op.paginated = true
			op.itemType = strings.TrimPrefix(strings.TrimPrefix(data, "*"), "[]")
			op.metaType = strings.TrimPrefix(meta, "*")
		}
	}
	return op, nil
}

func toParam(p *openapi3.Parameter) param {
	pp := param{name: p.Name, goName: goParamName(p.Name), required: p.Required || p.In == "path", explode: true, description: oneLine(p.Description)}
	if p.Explode != nil {
		pp.explode = *p.Explode
	}
	if s := p.Schema; s != nil && s.Value != nil {
		v := s.Value
		if v.Type != nil {
			for _, t := range v.Type.Slice() {
				if t != "null" {
					pp.typ = t
				}
			}
		}
		pp.format, pp.min, pp.max = v.Format, v.Min, v.Max
		if v.MinLength > 0 {
			n := int(v.MinLength)
			pp.minLen = &n
		}
		if v.MaxLength != nil {
			n := int(*v.MaxLength)
			pp.maxLen = &n
		}
		enumOf := v
		if pp.typ == "array" && v.Items != nil && v.Items.Value != nil {
			enumOf = v.Items.Value
		}
		for _, e := range enumOf.Enum {
			pp.enum = append(pp.enum, fmt.Sprint(e))
		}
	}
	return pp
}

func templateParams(path string) []string {
	var out []string
	for {
		i := strings.IndexByte(path, '{')
		if i < 0 {
			return out
		}
		j := strings.IndexByte(path[i:], '}')
		if j < 0 {
			return out
		}
		out = append(out, path[i+1:i+j])
		path = path[i+j+1:]
	}
}

// successSchema returns the lowest documented 2xx status with a JSON body,
// and its schema.
func successSchema(o *openapi3.Operation) (int, *openapi3.SchemaRef) {
	var codes []int
	for code := range o.Responses.Map() {
		if n, err := strconv.Atoi(code); err == nil && n >= 200 && n <= 299 {
			codes = append(codes, n)
		}
	}
	slices.Sort(codes)
	for _, n := range codes {
		r := o.Responses.Status(n)
		if r == nil || r.Value == nil {
			continue
		}
		for mt, media := range r.Value.Content {
			if isJSON(mt) && media.Schema != nil && media.Schema.Value != nil {
				return n, media.Schema
			}
		}
	}
	return 0, nil
}

// onlyMessage reports whether a success body carries nothing worth a
// result: an object with no properties, or with only a message.
func onlyMessage(s *openapi3.Schema) bool {
	if !s.Type.Is("object") && len(s.Properties) == 0 {
		return false
	}
	if len(s.AllOf)+len(s.OneOf)+len(s.AnyOf) > 0 || s.AdditionalProperties.Schema != nil {
		return false
	}
	switch len(s.Properties) {
	case 0:
		return true
	case 1:
		_, ok := s.Properties["message"]
		return ok
	}
	return false
}

// isPage reports whether an operation is a paginated list: page and
// perPage in its query, and a 2xx body {data: [...], meta: {...}}.
func isPage(o *openapi3.Operation, s *openapi3.Schema) bool {
	var page, perPage bool
	for _, p := range o.Parameters {
		if p.Value != nil && p.Value.In == "query" {
			page = page || p.Value.Name == "page"
			perPage = perPage || p.Value.Name == "perPage"
		}
	}
	data, meta := s.Properties["data"], s.Properties["meta"]
	return page && perPage && data != nil && data.Value != nil && data.Value.Type.Is("array") && meta != nil
}

func isJSON(mt string) bool {
	mt, _, _ = strings.Cut(mt, ";")
	mt = strings.TrimSpace(mt)
	return mt == "application/json" || strings.HasSuffix(mt, "+json")
}

// resolveAlias follows `type A = B` declarations to the named type.
func resolveAlias(types *pkgInfo, name string) string {
	for range 8 {
		ts := types.types[name]
		if ts == nil || !ts.Assign.IsValid() {
			return name
		}
		id, ok := ts.Type.(*ast.Ident)
		if !ok {
			return name
		}
		name = id.Name
	}
	return name
}

// modelOf returns the Go type of a success body: the model of the schema
// it is, or of the items of an array of such schemas. The schema's model
// is named by its x-go-type-name (the overlay's name, which specprep
// leaves in place), else after the component schema it refers to
// (specprep moves every other inline object into one).
func modelOf(s *openapi3.SchemaRef, types *pkgInfo) (name string, array bool, err error) {
	if s.Ref == "" && s.Value.Type.Is("array") && s.Value.Items != nil {
		s, array = s.Value.Items, true
	}
	component, isRef := strings.CutPrefix(s.Ref, "#/components/schemas/")
	if n, ok := s.Value.Extensions["x-go-type-name"].(string); ok && (!isRef || n != "") {
		name = n
	} else if isRef {
		name = specprep.GoTypeName(component)
	} else {
		return "", false, fmt.Errorf("its body is an unnamed inline schema, which specprep names when it is an object; the SDK cannot return this one (%v) yet", s.Value.Type)
	}
	if types.types[name] == nil {
		return "", false, fmt.Errorf("gen has no type %s for the schema %s (the name oapi-codegen gives it): check x-go-type-name in spec/overlay.yaml", name, cmp.Or(component, "of the body"))
	}
	return name, array, nil
}

// fieldType returns the Go type of a field of a struct type in gen, as
// source text.
func fieldType(types *pkgInfo, typeName, field string) (string, error) {
	ts := types.types[resolveAlias(types, typeName)]
	if ts == nil {
		return "", fmt.Errorf("gen has no type %s", typeName)
	}
	st, ok := ts.Type.(*ast.StructType)
	if !ok {
		return "", fmt.Errorf("gen's %s is not a struct", typeName)
	}
	for _, f := range st.Fields.List {
		for _, n := range f.Names {
			if n.Name == field {
				return exprString(f.Type), nil
			}
		}
	}
	return "", fmt.Errorf("gen's %s has no field %s", typeName, field)
}

func exprString(e ast.Expr) string {
	var b bytes.Buffer
	_ = format.Node(&b, token.NewFileSet(), e)
	return b.String()
}

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

// goTypeName is an operationId as an exported Go name, as oapi-codegen
// spells it (ToCamelCaseWithInitialisms): the rule specprep names schemas
// by.
func goTypeName(s string) string { return specprep.GoTypeName(s) }

// goParamName is a parameter name as a Go argument name.
func goParamName(s string) string {
	n := goTypeName(s)
	if n == "" {
		return "arg"
	}
	r := []rune(n)
	// Lower the leading initialism or letter: ID -> id, URLKey -> urlKey.
	i := 0
	for i < len(r) && unicode.IsUpper(r[i]) && (i == 0 || i+1 == len(r) || unicode.IsUpper(r[i+1])) {
		r[i] = unicode.ToLower(r[i])
		i++
	}
	if i == 0 {
		r[0] = unicode.ToLower(r[0])
	}
	name := string(r)
	switch name {
	case "ctx", "opts", "params", "body", "form", "c", "out", "err",
		"break", "case", "chan", "const", "continue", "default", "defer", "else", "fallthrough", "for", "func",
		"go", "goto", "if", "import", "interface", "map", "package", "range", "return", "select", "struct",
		"switch", "type", "var":
		name += "Arg"
	}
	return name
}
