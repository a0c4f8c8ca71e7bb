package sdkgen

import (
	"fmt"
	"go/ast"
	"maps"
	"slices"
	"strings"
)

// writeAccessors writes nil-safe getters for the optional fields of every
// model of package gen (go-github's accessors are the model), and a String
// method that prints a model as JSON rather than as a row of pointers.
func writeAccessors(cfg Config, types *pkgInfo) ([]byte, error) {
	var w writer
	used := map[string]bool{}
	useTypes := func(e ast.Expr) {
		ast.Inspect(e, func(n ast.Node) bool {
			if sel, ok := n.(*ast.SelectorExpr); ok {
				if id, ok := sel.X.(*ast.Ident); ok {
					used[id.Name] = true
				}
			}
			return true
		})
	}
	w.p("// jsonString is what the String methods below return: the model as")
	w.p("// compact JSON, as the API would send it.")
	w.p("func jsonString(v any) string {")
	w.p("\tb, err := json.Marshal(v)")
	w.p("\tif err != nil {")
	w.p(`		return "<" + err.Error() + ">"`)
	w.p("\t}")
	w.p("\treturn string(b)")
	w.p("}")
	names := slices.Clone(types.order)
	slices.Sort(names)
	for _, name := range names {
		ts := types.types[name]
		st, ok := ts.Type.(*ast.StructType)
		if !ok || ts.Assign.IsValid() || ts.TypeParams != nil || !ast.IsExported(name) || !isModel(st) {
			continue
		}
		have := types.methods[name]
		if have["String"] == nil {
			w.p("")
			w.p("// String returns the %s as JSON.", name)
			w.p("func (x %s) String() string { return jsonString(x) }", name)
		}
		for _, f := range st.Fields.List {
			if len(f.Names) != 1 || !ast.IsExported(f.Names[0].Name) {
				continue
			}
			field := f.Names[0].Name
			getter := "Get" + field
			if have[getter] != nil || fieldNamed(st, getter) {
				continue
			}
			switch t := f.Type.(type) {
			case *ast.StarExpr:
				useTypes(t.X)
				elem := exprString(t.X)
				if isStruct(types, elem) {
					w.p("")
					w.p("// %s returns x.%s, or nil when x is nil.", getter, field)
					w.p("func (x *%s) %s() *%s {", name, getter, elem)
					w.p("\tif x == nil {")
					w.p("\t\treturn nil")
					w.p("\t}")
					w.p("\treturn x.%s", field)
					w.p("}")
					continue
				}
				w.p("")
				w.p("// %s returns *x.%s, or the zero value when x or x.%s is nil.", getter, field, field)
				w.p("func (x *%s) %s() (v %s) {", name, getter, elem)
				w.p("\tif x == nil || x.%s == nil {", field)
				w.p("\t\treturn v")
				w.p("\t}")
				w.p("\treturn *x.%s", field)
				w.p("}")
			case *ast.IndexExpr:
				if sel, ok := t.X.(*ast.SelectorExpr); !ok || sel.Sel.Name != "Nullable" {
					continue
				}
				useTypes(t.Index)
				elem := exprString(t.Index)
				w.p("")
				w.p("// %s returns the value of x.%s, or the zero value when x is nil or", getter, field)
				w.p("// the field is null or absent (x.%s.IsNull and IsSpecified tell those apart).", field)
				w.p("func (x *%s) %s() (v %s) {", name, getter, elem)
				w.p("\tif x == nil {")
				w.p("\t\treturn v")
				w.p("\t}")
				w.p("\tv, _ = x.%s.Get()", field)
				w.p("\treturn v")
				w.p("}")
			}
		}
	}
	var file writer
	file.WriteString(header(cfg))
	file.p("package gen")
	file.p("")
	file.p("import (")
	file.p(`	"encoding/json"`)
	for _, name := range slices.Sorted(maps.Keys(used)) {
		path, ok := types.imports[name]
		if !ok {
			return nil, fmt.Errorf("accessors use package %s, which gen does not import", name)
		}
		if path[strings.LastIndex(path, "/")+1:] == name {
			file.p("\t%q", path)
		} else {
			file.p("\t%s %q", name, path)
		}
	}
	file.p(")")
	file.p("")
	file.Write(w.Bytes())
	return gofmt(file.Bytes(), "accessors.gen.go")
}

// isModel reports whether a struct is a model of the spec (its fields
// carry json tags) rather than a client type of oapi-codegen.
func isModel(st *ast.StructType) bool {
	for _, f := range st.Fields.List {
		if f.Tag != nil && strings.Contains(f.Tag.Value, `json:"`) {
			return true
		}
	}
	return len(st.Fields.List) == 1 && len(st.Fields.List[0].Names) == 1 && st.Fields.List[0].Names[0].Name == "union"
}

func fieldNamed(st *ast.StructType, name string) bool {
	for _, f := range st.Fields.List {
		for _, n := range f.Names {
			if n.Name == name {
				return true
			}
		}
	}
	return false
}

func isStruct(types *pkgInfo, name string) bool {
	ts := types.types[resolveAlias(types, name)]
	if ts == nil {
		return false
	}
	_, ok := ts.Type.(*ast.StructType)
	return ok
}
