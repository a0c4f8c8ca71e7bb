package sdkgen

import (
	"fmt"
	"go/ast"
	"reflect"
	"strings"

	"github.com/anam-ai/anam-go/internal/specprep"
)

// A request body may hold unions: oneOf schemas, which oapi-codegen makes
// a struct with an unexported json.RawMessage and, per branch B, the
// methods FromB, AsB and MergeB. FromB returns an error, so filling a union
// takes two statements and an error check. For every union a request body
// can reach, sdkgen writes a constructor per branch that takes the branch
// and returns the union, ready to be a field's value:
//
//	New<Union><Variant>(v <Branch>) *<Union>
//
// Variant is what the branch's type name adds to the union's name (a
// branch specprep named: CreateToolRequestConfigClientTool, Variant
// "ClientTool"), or else the branch's type name less the words it shares
// with the end of the union's name (ElevenLabsV1VoiceGenerationOptions in
// ...VoiceGenerationOptions: "ElevenLabsV1"). A branch with one property,
// which it requires, is given by that property's value instead
// (NewCreateSessionTokenRequestPersonaConfigByPersonaID(personaID string)).
//
// A constructor never returns an error: a branch that does not encode as
// JSON (a NaN, say) leaves the union holding text that does not either,
// so the call that sends it is refused, unsent, with an *ArgumentError.

// constructor is one union constructor, as api/models.gen.go forwards it.
type constructor struct {
	union, branch    string
	param, paramType string // the argument, and its type as package api writes it
	what             string // what the union holds, for the doc comment
}

// unionBranches returns the branch types of a union type of gen (a struct
// of one field, `union json.RawMessage`), in the spec's order, or nil when
// t is not such a union.
func unionBranches(types *pkgInfo, t string) []string {
	ts := types.types[t]
	if ts == nil {
		return nil
	}
	st, ok := ts.Type.(*ast.StructType)
	if !ok || len(st.Fields.List) != 1 || len(st.Fields.List[0].Names) != 1 || st.Fields.List[0].Names[0].Name != "union" {
		return nil
	}
	var out []string
	for _, m := range types.mlist[t] {
		d := types.methods[t][m]
		b, ok := strings.CutPrefix(m, "From")
		if !ok || d.Type.Params == nil || len(d.Type.Params.List) != 1 {
			continue
		}
		if id, ok := d.Type.Params.List[0].Type.(*ast.Ident); ok && id.Name == b {
			out = append(out, b)
		}
	}
	return out
}

// typeRefs returns the names of gen's types that e refers to.
func typeRefs(types *pkgInfo, e ast.Expr) []string {
	var out []string
	ast.Inspect(e, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.SelectorExpr:
			return false // another package's type, e.g. nullable.Nullable; its index is visited apart
		case *ast.Ident:
			if types.types[n.Name] != nil {
				out = append(out, n.Name)
			}
		}
		return true
	})
	return out
}

// requestUnions returns the unions the request bodies of ops can reach,
// through fields, union branches and aliases, in a stable order.
func requestUnions(types *pkgInfo, ops []*operation) []string {
	seen := map[string]bool{}
	var queue, unions []string
	visit := func(t string) {
		if t != "" && !seen[t] {
			seen[t] = true
			queue = append(queue, t)
		}
	}
	for _, op := range ops {
		visit(op.jsonBody)
		visit(op.formBody)
	}
	for len(queue) > 0 {
		t := queue[0]
		queue = queue[1:]
		ts := types.types[t]
		if ts == nil {
			continue
		}
		if bs := unionBranches(types, t); bs != nil {
			unions = append(unions, t)
			for _, b := range bs {
				visit(b)
			}
			continue
		}
		switch x := ts.Type.(type) {
		case *ast.StructType:
			for _, f := range x.Fields.List {
				for _, r := range typeRefs(types, f.Type) {
					visit(r)
				}
			}
		default:
			for _, r := range typeRefs(types, x) {
				visit(r)
			}
		}
	}
	return unions
}

// variantName is what tells branch b of union u apart (see the package
// comment above).
func variantName(u, b string) string {
	if v, ok := strings.CutPrefix(b, u); ok && v != "" {
		return v
	}
	return specprep.TrimShared(b, u)
}

// writeUnions writes a constructor for every branch of every union a
// request body can reach.
func writeUnions(w *writer, s *surface, ops []*operation, types *pkgInfo, rep *Report) error {
	unions := requestUnions(types, ops)
	if len(unions) == 0 {
		return nil
	}
	w.p("")
	w.p("// unencodable is what a union constructor stores when its branch does")
	w.p("// not encode as JSON: text that does not either, so that the call that")
	w.p("// sends the union fails, unsent, rather than send null.")
	w.p("func unencodable(err error) json.RawMessage { return json.RawMessage(\"!\" + err.Error()) }")
	for _, u := range unions {
		rep.Unions = append(rep.Unions, u)
		s.reexport(u)
		for _, b := range unionBranches(types, u) {
			name := "New" + u + variantName(u, b)
			if types.types[name] != nil || types.funcs[name] || s.constructors[name].union != "" || s.api.types[name] != nil || s.api.funcs[name] {
				return fmt.Errorf("the constructor of branch %s of the union %s would be named %s, a name already taken: give the branch a title in spec/overlay.yaml", b, u, name)
			}
			c := constructor{union: u, branch: b, param: "v", paramType: b, what: "v"}
			build := "v"
			if f, ok := onlyRequiredField(types, b); ok {
				c.param = goParamName(f.json)
				if c.param == "v" || c.param == "u" || c.param == "err" {
					c.param += "Arg"
				}
				c.paramType = apiType(s, types, f.typ)
				c.what = fmt.Sprintf("a %s with the given %s", b, f.name)
				build = fmt.Sprintf("%s{%s: %s}", b, f.name, c.param)
				w.p("")
				w.p("// %s returns a %s holding a %s with the given %s.", name, u, b, f.name)
				w.p("func %s(%s %s) *%s {", name, c.param, exprString(f.typ), u)
			} else {
				s.reexport(b)
				w.p("")
				w.p("// %s returns a %s holding v.", name, u)
				w.p("func %s(v %s) *%s {", name, b, u)
			}
			w.p("\tu := new(%s)", u)
			w.p("\tif err := u.From%s(%s); err != nil {", b, build)
			w.p("\t\tu.union = unencodable(err)")
			w.p("\t}")
			w.p("\treturn u")
			w.p("}")
			s.constructors[name] = c
			s.reexport(name)
		}
	}
	return nil
}

// field is one field of a struct of gen.
type field struct {
	name, json string
	typ        ast.Expr
}

// onlyRequiredField returns the field of a struct type that has exactly
// one field, when the spec requires it (its json tag has no omitempty).
func onlyRequiredField(types *pkgInfo, t string) (field, bool) {
	ts := types.types[t]
	if ts == nil {
		return field{}, false
	}
	st, ok := ts.Type.(*ast.StructType)
	if !ok || len(st.Fields.List) != 1 || len(st.Fields.List[0].Names) != 1 || st.Fields.List[0].Tag == nil {
		return field{}, false
	}
	f := st.Fields.List[0]
	name, opts, _ := strings.Cut(reflect.StructTag(strings.Trim(f.Tag.Value, "`")).Get("json"), ",")
	if strings.Contains(opts, "omitempty") || name == "" || name == "-" {
		return field{}, false
	}
	if _, ptr := f.Type.(*ast.StarExpr); ptr {
		return field{}, false
	}
	return field{name: f.Names[0].Name, json: name, typ: f.Type}, true
}

// apiType is e as package api writes it: gen's types that api re-exports
// by name, the others qualified.
func apiType(s *surface, types *pkgInfo, e ast.Expr) string {
	src := exprString(e)
	for _, r := range typeRefs(types, e) {
		s.reexport(r)
		if !s.exports[r] { // api declares that name itself
			src = strings.ReplaceAll(src, r, "gen."+r)
		}
	}
	return src
}
