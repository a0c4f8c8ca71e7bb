package anamtest

import (
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/routers"
)

// specIndex is what the fake infers from a document, computed once per
// document: documents are shared and read-only, so every Server of the same
// document reuses it.
type specIndex struct {
	doc          *openapi3.T
	base         string   // path of the first server URL, "" for https://api.anam.ai
	routes       []*route // in the document's matching order
	ops          map[string]*route
	resources    []*resource // in path order
	byKey        map[string]*resource
	vopts        []openapi3.SchemaValidationOption // for item validation
	vals         *validators                       // compiled schemas, see validators
	equal        sync.Map                          // [2]*openapi3.Schema -> bool, see equalSchemas
	exampleCache sync.Map                          // *route -> *exampleOnce, see staticExample
}

type exampleOnce struct {
	once sync.Once
	body []byte
}

// opKind is what the fake does for an operation.
type opKind int

const (
	kindStatic opKind = iota // singleton or action on no item: an example or a generated document
	kindList                 // GET on a collection
	kindCreate               // POST on a collection
	kindGet                  // GET on an item
	kindUpdate               // PUT or PATCH on an item
	kindDelete               // DELETE on an item
	kindAction               // any method on a path below an item
)

var kindNames = [...]string{"static", "list", "create", "get", "update", "delete", "action"}

func (k opKind) String() string { return kindNames[k] }

// route is one operation of the document, matched by hand: kin-openapi's
// legacy router needs a server URL in the request and gorillamux a new
// module, and path templates need neither.
type route struct {
	id       string // operationId
	method   string
	path     string // template, e.g. /v1/avatars/{id}
	segments []segment
	kin      *routers.Route
	memo     bool // requests are determined by path, query and Authorization

	kind        opKind
	res         *resource // the resource operated on (kindList ... kindAction)
	parent      *resource // for a nested collection: the parent resource
	parentParam string    // its path parameter
	idParam     string    // the item's path parameter (kindGet ... kindAction)

	status int                 // the success status the fake answers with
	body   *openapi3.SchemaRef // JSON schema of that answer, nil for no body
	list   *listShape          // for kindList

	// See sessionRules.
	tokenAuth bool      // the operation takes session tokens
	mints     string    // the answer's property that carries a new session token
	starts    *resource // the resource of the items the operation starts
	startID   string    // the answer's property that carries the started item's ID
	ends      bool      // an action that ends its item
}

// segment is a literal path segment, or a parameter when param is set.
type segment struct {
	literal, param string
}

// resource is a kind of stored item: the items of a collection path and of
// its item path.
type resource struct {
	key      string // collection path, e.g. /v1/avatars; see Server.Items
	itemPath string // e.g. /v1/avatars/{id}, "" when items have no path of their own
	schema   *openapi3.SchemaRef
	idField  string // property holding the ID, "" if none
	parent   *resource
	link     string // property of an item holding its parent's ID, "" if none

	nameFields []string             // name-like string properties, for search and request names
	refs       map[string]*resource // object properties holding items of another resource, see linkRefs
	timestamps struct{ created, updated string }
	// views are the other schemas items are served as (a list's element
	// schema, an update's answer...), rendered when an item is stored.
	views []*openapi3.SchemaRef
	// examples are the items of the spec's examples, in document order.
	examples []map[string]any
	// exItems are those that match the schema, and exProblems say why the
	// others are left out: see examplesOf.
	exOnce     sync.Once
	exItems    []map[string]any
	exProblems []string
}

// examplesOf returns the example items of res that match its schema, and a
// report for each example that does not; computed once per document.
func (ix *specIndex) examplesOf(res *resource) ([]map[string]any, []string) {
	res.exOnce.Do(func() {
		for _, ex := range res.examples {
			v, err := roundTrip(ex)
			if err != nil {
				continue
			}
			m := v.(map[string]any)
			if err := ix.validate(res, m); err != nil {
				res.exProblems = append(res.exProblems, fmt.Sprintf("anamtest: an example of %s does not match its schema, and is left out: %v", res.key, err))
				continue
			}
			res.exItems = append(res.exItems, m)
		}
	})
	return res.exItems, res.exProblems
}

// listShape is how a list operation answers.
type listShape struct {
	elem       *openapi3.SchemaRef
	dataKey    string // "" for a bare array
	metaKey    string // "" when the envelope has no pagination object
	metaProps  map[string]bool
	pageParam  string // "" when the list does not paginate
	sizeParam  string
	defPage    int
	defSize    int
	searchKey  string
	filters    []filter
	notFoundOn bool // the spec documents a 404 for this list
}

// filter is a query parameter that narrows a list to items whose field
// matches it.
type filter struct {
	param, field string
	onlyTrue     bool // a boolean only<Field> parameter: keep items whose field is true
}

var indexCache sync.Map // *openapi3.T -> *indexResult

type indexResult struct {
	once sync.Once
	ix   *specIndex
	err  error
}

// indexFor returns the index of doc, computing it once per document.
func indexFor(doc *openapi3.T) (*specIndex, error) {
	v, _ := indexCache.LoadOrStore(doc, &indexResult{})
	r := v.(*indexResult)
	r.once.Do(func() { r.ix, r.err = newSpecIndex(doc) })
	return r.ix, r.err
}

func newSpecIndex(doc *openapi3.T) (*specIndex, error) {
	if doc == nil || doc.Paths == nil {
		return nil, fmt.Errorf("anamtest: the document has no paths")
	}
	ix := &specIndex{doc: doc, ops: make(map[string]*route), byKey: make(map[string]*resource)}
	ix.vopts = []openapi3.SchemaValidationOption{openapi3.WithStringFormatValidators(formatValidators), openapi3.VisitAsResponse(), openapi3.MultiErrors()}
	if doc.IsOpenAPI31OrLater() {
		ix.vopts = append(ix.vopts, openapi3.EnableJSONSchema2020())
	}
	ix.vals = newValidators(doc, ix.vopts)
	if len(doc.Servers) > 0 {
		u, err := url.Parse(doc.Servers[0].URL)
		if err != nil {
			return nil, fmt.Errorf("anamtest: server URL %q: %w", doc.Servers[0].URL, err)
		}
		ix.base = strings.TrimSuffix(u.Path, "/")
	}
	byPath := make(map[string][]*route)
	for _, path := range doc.Paths.InMatchingOrder() {
		item := doc.Paths.Value(path)
		for _, method := range slices.Sorted(maps.Keys(item.Operations())) {
			op := item.GetOperation(method)
			if op.OperationID == "" {
				return nil, fmt.Errorf("anamtest: %s %s has no operationId", method, path)
			}
			if op.OperationID == AllOperations {
				return nil, fmt.Errorf("anamtest: %s %s has operationId %q, which anamtest reserves", method, path, AllOperations)
			}
			if _, dup := ix.ops[op.OperationID]; dup {
				return nil, fmt.Errorf("anamtest: duplicate operationId %q", op.OperationID)
			}
			rt := &route{
				id:     op.OperationID,
				method: method,
				path:   path,
				kin: &routers.Route{
					Spec: doc, Path: path, PathItem: item, Method: method, Operation: op,
				},
			}
			rt.memo = op.RequestBody == nil
			for _, params := range []openapi3.Parameters{item.Parameters, op.Parameters} {
				for _, p := range params {
					if p.Value == nil || (p.Value.In != openapi3.ParameterInPath && p.Value.In != openapi3.ParameterInQuery) {
						rt.memo = false
					}
				}
			}
			for _, s := range strings.Split(strings.Trim(path, "/"), "/") {
				if strings.HasPrefix(s, "{") && strings.HasSuffix(s, "}") {
					rt.segments = append(rt.segments, segment{param: s[1 : len(s)-1]})
				} else {
					rt.segments = append(rt.segments, segment{literal: s})
				}
			}
			rt.status, rt.body = successResponse(op, method)
			ix.routes = append(ix.routes, rt)
			ix.ops[rt.id] = rt
			byPath[path] = append(byPath[path], rt)
		}
	}
	ix.classify(byPath)
	return ix, nil
}

// successResponse picks the success status an operation answers with (201
// for a POST that documents it, else the lowest documented 2xx, else 200)
// and the JSON schema of its body.
func successResponse(op *openapi3.Operation, method string) (int, *openapi3.SchemaRef) {
	var codes []int
	for k := range op.Responses.Map() {
		if c, err := strconv.Atoi(k); err == nil && c >= 200 && c < 300 {
			codes = append(codes, c)
		}
	}
	slices.Sort(codes)
	status := http.StatusOK
	if len(codes) > 0 {
		status = codes[0]
		if method == http.MethodPost && slices.Contains(codes, http.StatusCreated) {
			status = http.StatusCreated
		}
	}
	return status, jsonSchema(op.Responses.Status(status))
}

// jsonSchema is the schema of the JSON content of a response, or nil.
func jsonSchema(r *openapi3.ResponseRef) *openapi3.SchemaRef {
	if r == nil || r.Value == nil {
		return nil
	}
	for _, ct := range slices.Sorted(maps.Keys(r.Value.Content)) {
		if isJSON(ct) {
			if mt := r.Value.Content[ct]; mt != nil && mt.Schema != nil && mt.Schema.Value != nil {
				return mt.Schema
			}
		}
	}
	return nil
}

func isJSON(ct string) bool {
	ct, _, _ = strings.Cut(ct, ";")
	ct = strings.TrimSpace(strings.ToLower(ct))
	return ct == "application/json" || strings.HasSuffix(ct, "+json")
}

// sameSchema reports whether a and b are the same schema: the same
// component, or the same resolved value.
func sameSchema(a, b *openapi3.SchemaRef) bool {
	if a == nil || b == nil {
		return false
	}
	return a.Value == b.Value || (a.Ref != "" && a.Ref == b.Ref)
}

// template joins path segments back into a path template.
func template(segs []segment) string {
	var b strings.Builder
	for _, s := range segs {
		b.WriteByte('/')
		if s.param != "" {
			b.WriteString("{" + s.param + "}")
		} else {
			b.WriteString(s.literal)
		}
	}
	return b.String()
}

// listElem returns the element schema of a list answer and, for an
// envelope, the keys of its array and of its pagination object.
func listElem(body *openapi3.SchemaRef) (elem *openapi3.SchemaRef, dataKey, metaKey string, ok bool) {
	if body == nil || body.Value == nil {
		return nil, "", "", false
	}
	s := body.Value
	if s.Type.Is(openapi3.TypeArray) && s.Items != nil && s.Items.Value != nil {
		return s.Items, "", "", true
	}
	props := properties(s)
	var arrays, objects []string
	for _, k := range slices.Sorted(maps.Keys(props)) {
		p := props[k].Value
		switch {
		case p == nil:
		case p.Type.Is(openapi3.TypeArray) && p.Items != nil && p.Items.Value != nil && isObject(p.Items.Value):
			arrays = append(arrays, k)
		case isObject(p):
			if pp := properties(p); pp["total"] != nil || pp["lastPage"] != nil || pp["next"] != nil {
				objects = append(objects, k)
			}
		}
	}
	// An envelope is {data: [...]} alone, or with a pagination object.
	if len(arrays) != 1 || len(objects) > 1 || (len(objects) == 0 && len(props) != 1) {
		return nil, "", "", false
	}
	if len(objects) == 1 {
		metaKey = objects[0]
	}
	return props[arrays[0]].Value.Items, arrays[0], metaKey, true
}

func isObject(s *openapi3.Schema) bool {
	return s.Type.Is(openapi3.TypeObject) || (s.Type.IsEmpty() && (len(s.Properties) > 0 || len(s.AllOf) > 0))
}

// properties returns the properties of an object schema, including those of
// its allOf parts.
func properties(s *openapi3.Schema) openapi3.Schemas {
	if s == nil {
		return nil
	}
	if len(s.AllOf) == 0 {
		return s.Properties
	}
	out := make(openapi3.Schemas, len(s.Properties))
	for _, part := range s.AllOf {
		if part != nil && part.Value != nil {
			maps.Copy(out, properties(part.Value))
		}
	}
	maps.Copy(out, s.Properties)
	return out
}

// required returns the required properties of an object schema, including
// those of its allOf parts.
func required(s *openapi3.Schema) []string {
	out := slices.Clone(s.Required)
	for _, part := range s.AllOf {
		if part != nil && part.Value != nil {
			out = append(out, required(part.Value)...)
		}
	}
	return out
}

// classify infers the resources of the document from its paths; see the
// package documentation, "Resources".
func (ix *specIndex) classify(byPath map[string][]*route) {
	paths := slices.Sorted(maps.Keys(byPath))
	// Item paths: the last segment is a parameter.
	for _, p := range paths {
		segs := byPath[p][0].segments
		last := segs[len(segs)-1]
		if last.param == "" || len(segs) < 2 || segs[len(segs)-2].param != "" {
			continue
		}
		key := template(segs[:len(segs)-1])
		res := &resource{key: key, itemPath: p}
		for _, rt := range byPath[p] {
			switch rt.method {
			case http.MethodGet:
				rt.kind = kindGet
				if rt.body != nil && isObject(rt.body.Value) {
					res.schema = rt.body
				}
			case http.MethodPut, http.MethodPatch:
				rt.kind = kindUpdate
			case http.MethodDelete:
				rt.kind = kindDelete
			default:
				rt.kind = kindAction
			}
			rt.res, rt.idParam = res, last.param
		}
		ix.byKey[key] = res
		ix.resources = append(ix.resources, res)
	}
	// Collections, nested collections, actions and singletons.
	for _, p := range paths {
		rts := byPath[p]
		segs := rts[0].segments
		if segs[len(segs)-1].param != "" {
			continue
		}
		if res := ix.byKey[p]; res != nil { // a collection with an item path
			ix.collection(res, rts, nil, "")
			continue
		}
		// The nearest item path above p, if any.
		var owner *resource
		ownerLen := 0
		for n := len(segs) - 1; n >= 2; n-- {
			if segs[n-1].param != "" {
				if r := ix.byKey[template(segs[:n-1])]; r != nil && r.itemPath == template(segs[:n]) {
					owner, ownerLen = r, n
					break
				}
			}
		}
		if owner != nil && ownerLen == len(segs)-1 {
			if child := ix.nestedTarget(segs[len(segs)-1].literal, rts); child != nil {
				ix.collection(child, rts, owner, segs[ownerLen-1].param)
				continue
			}
		}
		if owner != nil {
			for _, rt := range rts {
				rt.kind, rt.res, rt.idParam = kindAction, owner, segs[ownerLen-1].param
			}
			continue
		}
		// A list with no item path of its own still holds items.
		if get := find(rts, http.MethodGet); get != nil {
			if elem, _, _, ok := listElem(get.body); ok && !strings.Contains(p, "{") {
				res := &resource{key: p, schema: elem}
				ix.byKey[p] = res
				ix.resources = append(ix.resources, res)
				ix.collection(res, rts, nil, "")
				continue
			}
		}
		// Otherwise a singleton or an action on no item: kindStatic.
	}
	for _, res := range ix.resources {
		ix.finish(res)
	}
	for _, res := range ix.resources {
		ix.linkRefs(res)
	}
	ix.sessionRules()
	// Item routes (and actions) need the finished resources only for views.
	for _, rt := range ix.routes {
		if rt.res == nil || rt.body == nil || sameSchema(rt.body, rt.res.schema) {
			continue
		}
		switch rt.kind {
		case kindGet, kindCreate, kindUpdate:
			rt.res.addView(rt.body)
		case kindList:
			rt.res.addView(rt.list.elem)
		}
	}
}

func find(rts []*route, method string) *route {
	for _, rt := range rts {
		if rt.method == method {
			return rt
		}
	}
	return nil
}

// nestedTarget returns the resource that the collection path .../{id}/name
// (the operations rts) lists and creates, if any: the resource whose item
// path ends in /name/{param} and whose item schema is the schema of the
// path's list elements or of what its POST answers.
func (ix *specIndex) nestedTarget(name string, rts []*route) *resource {
	var want []*openapi3.SchemaRef
	for _, rt := range rts {
		switch rt.method {
		case http.MethodGet:
			if elem, _, _, ok := listElem(rt.body); ok {
				want = append(want, elem)
			}
		case http.MethodPost:
			if rt.body != nil {
				want = append(want, rt.body)
			}
		}
	}
	for _, res := range ix.resources {
		if res.parent != nil || !strings.HasSuffix(res.key, "/"+name) || res.schema == nil {
			continue
		}
		for _, w := range want {
			if sameSchema(w, res.schema) {
				return res
			}
		}
	}
	return nil
}

// collection makes rts (the operations of a collection path) the list and
// create operations of res, under parent if it is nested.
func (ix *specIndex) collection(res *resource, rts []*route, parent *resource, parentParam string) {
	if parent != nil {
		res.parent = parent
	}
	for _, rt := range rts {
		rt.res, rt.parent, rt.parentParam = res, parent, parentParam
		switch rt.method {
		case http.MethodGet:
			elem, dataKey, metaKey, ok := listElem(rt.body)
			if !ok {
				rt.kind = kindAction
				if parent == nil {
					rt.kind, rt.res = kindStatic, nil
				} else {
					rt.res = parent
				}
				continue
			}
			rt.kind = kindList
			rt.list = &listShape{elem: elem, dataKey: dataKey, metaKey: metaKey}
			if res.schema == nil {
				res.schema = elem
			}
		case http.MethodPost:
			rt.kind = kindCreate
			if res.schema == nil && rt.body != nil && isObject(rt.body.Value) {
				res.schema = rt.body
			}
		default:
			rt.kind, rt.res = kindStatic, nil
		}
	}
}

// finish completes a resource once its operations are known: item schema
// fields, list parameters, and the examples that seed it.
func (ix *specIndex) finish(res *resource) {
	if res.schema == nil {
		res.schema = &openapi3.SchemaRef{Value: openapi3.NewObjectSchema()}
	}
	props := properties(res.schema.Value)
	switch {
	case props["id"] != nil:
		res.idField = "id"
	default:
		if segs := strings.Split(res.itemPath, "/"); res.itemPath != "" {
			if p := strings.Trim(segs[len(segs)-1], "{}"); props[p] != nil {
				res.idField = p
			}
		}
	}
	res.nameFields = nameFields(props)
	for _, f := range []string{"createdAt", "created_at", "createdOn"} {
		if isString(props[f]) {
			res.timestamps.created = f
			break
		}
	}
	for _, f := range []string{"updatedAt", "updated_at", "updatedOn"} {
		if isString(props[f]) {
			res.timestamps.updated = f
			break
		}
	}
	if res.parent != nil {
		res.link = linkField(res, props)
	}
	for _, rt := range ix.routes {
		if rt.res != res || rt.kind != kindList {
			continue
		}
		ix.listParams(rt, props)
	}
	res.examples = ix.examples(res)
}

func isString(s *openapi3.SchemaRef) bool {
	return s != nil && s.Value != nil && s.Value.Type.Permits(openapi3.TypeString)
}

// nameFields are the properties that search matches and that a request's
// name fills: name, displayName, title, filename, fileName or label, or
// failing those any string property ending in "Name".
func nameFields(props openapi3.Schemas) []string {
	var out []string
	for _, f := range []string{"name", "displayName", "title", "label", "filename", "fileName"} {
		if isString(props[f]) {
			out = append(out, f)
		}
	}
	if len(out) > 0 {
		return out
	}
	for _, f := range slices.Sorted(maps.Keys(props)) {
		if strings.HasSuffix(f, "Name") && isString(props[f]) {
			out = append(out, f)
		}
	}
	return out
}

// linkField is the property of a nested item that holds its parent's ID:
// <parent>Id, where <parent> is the last segment of the parent's
// collection path in singular camel case (groups -> groupId, with and
// without the segments before it: knowledgeGroupId), or else the only
// property other than the ID whose name ends in "Id" and whose format is
// uuid.
func linkField(res *resource, props openapi3.Schemas) string {
	parts := strings.Split(strings.Trim(res.parent.key, "/"), "/")
	var cands []string
	name := ""
	for i := len(parts) - 1; i >= 0 && !strings.HasPrefix(parts[i], "{"); i-- {
		seg := camel(strings.TrimSuffix(parts[i], "s"))
		if name == "" {
			name = seg
		} else {
			name = seg + strings.ToUpper(name[:1]) + name[1:]
		}
		cands = append(cands, name+"Id")
	}
	for _, c := range cands {
		if isString(props[c]) {
			return c
		}
	}
	found := ""
	for _, f := range slices.Sorted(maps.Keys(props)) {
		if f == res.idField || !strings.HasSuffix(f, "Id") || !isString(props[f]) || props[f].Value.Format != "uuid" {
			continue
		}
		if found != "" {
			return ""
		}
		found = f
	}
	return found
}

// camel turns a path segment such as share-links into shareLinks.
func camel(s string) string {
	parts := strings.FieldsFunc(s, func(r rune) bool { return r == '-' || r == '_' })
	for i := 1; i < len(parts); i++ {
		parts[i] = strings.ToUpper(parts[i][:1]) + parts[i][1:]
	}
	return strings.Join(parts, "")
}

// listParams reads the query parameters of a list operation: pagination,
// search and filters.
func (ix *specIndex) listParams(rt *route, props openapi3.Schemas) {
	ls := rt.list
	ls.defPage, ls.defSize = 1, 10
	ls.notFoundOn = rt.kin.Operation.Responses.Status(http.StatusNotFound) != nil
	params := append(slices.Clone(rt.kin.PathItem.Parameters), rt.kin.Operation.Parameters...)
	for _, pr := range params {
		p := pr.Value
		if p == nil || p.In != openapi3.ParameterInQuery {
			continue
		}
		switch p.Name {
		case "page":
			ls.pageParam = p.Name
			ls.defPage = intDefault(p.Schema, 1)
		case "perPage", "per_page", "pageSize", "limit":
			ls.sizeParam = p.Name
			ls.defSize = intDefault(p.Schema, 10)
		case "search", "q", "query":
			ls.searchKey = p.Name
		default:
			if isFilterable(props[p.Name]) {
				ls.filters = append(ls.filters, filter{param: p.Name, field: p.Name})
				continue
			}
			if rest, ok := strings.CutPrefix(p.Name, "only"); ok && rest != "" {
				for _, f := range []string{strings.ToLower(rest[:1]) + rest[1:], "is" + rest} {
					if s := props[f]; s != nil && s.Value != nil && s.Value.Type.Permits(openapi3.TypeBoolean) {
						ls.filters = append(ls.filters, filter{param: p.Name, field: f, onlyTrue: true})
						break
					}
				}
			}
		}
	}
	if ls.pageParam == "" || ls.sizeParam == "" {
		ls.pageParam, ls.sizeParam = "", ""
	}
	if ls.dataKey != "" && ls.metaKey != "" {
		ls.metaProps = make(map[string]bool)
		env := properties(rt.body.Value)
		for k := range properties(env[ls.metaKey].Value) {
			ls.metaProps[k] = true
		}
	}
}

// isFilterable reports whether a property can be compared with a query
// parameter: a scalar, or an array of scalars.
func isFilterable(s *openapi3.SchemaRef) bool {
	if s == nil || s.Value == nil {
		return false
	}
	v := s.Value
	if v.Type.Is(openapi3.TypeArray) {
		return v.Items != nil && v.Items.Value != nil && !isObject(v.Items.Value) && !v.Items.Value.Type.Is(openapi3.TypeArray)
	}
	return !isObject(v) && !v.Type.Is(openapi3.TypeArray)
}

func intDefault(s *openapi3.SchemaRef, def int) int {
	if s == nil || s.Value == nil {
		return def
	}
	switch d := s.Value.Default.(type) {
	case float64:
		return int(d)
	case int:
		return d
	case int64:
		return int(d)
	}
	return def
}

func (res *resource) addView(s *openapi3.SchemaRef) {
	if s == nil || sameSchema(s, res.schema) || !isObject(s.Value) || len(properties(s.Value)) == 0 {
		return
	}
	for _, v := range res.views {
		if sameSchema(v, s) {
			return
		}
	}
	res.views = append(res.views, s)
}

// examples returns the items of the 200 examples of the resource's list
// and get operations, in that order and, within an operation, by media type
// and example name. Examples that are not objects are skipped.
func (ix *specIndex) examples(res *resource) []map[string]any {
	var out []map[string]any
	add := func(v any) {
		if m, ok := v.(map[string]any); ok {
			out = append(out, m)
		}
	}
	for _, kind := range []opKind{kindList, kindGet} {
		for _, rt := range ix.routes {
			if rt.res != res || rt.kind != kind {
				continue
			}
			resp := rt.kin.Operation.Responses.Status(rt.status)
			if resp == nil || resp.Value == nil {
				continue
			}
			for _, ct := range slices.Sorted(maps.Keys(resp.Value.Content)) {
				for _, v := range mediaExamples(resp.Value.Content[ct]) {
					if kind == kindGet {
						add(v)
						continue
					}
					var items []any
					if rt.list.dataKey == "" {
						items, _ = v.([]any)
					} else if m, ok := v.(map[string]any); ok {
						items, _ = m[rt.list.dataKey].([]any)
					}
					for _, it := range items {
						add(it)
					}
				}
			}
		}
	}
	return out
}

// mediaExamples returns the example values of a media type, example first
// then examples by name.
func mediaExamples(mt *openapi3.MediaType) []any {
	if mt == nil {
		return nil
	}
	var vs []any
	if mt.Example != nil {
		vs = append(vs, mt.Example)
	}
	for _, name := range slices.Sorted(maps.Keys(mt.Examples)) {
		if ex := mt.Examples[name]; ex != nil && ex.Value != nil && ex.Value.Value != nil {
			vs = append(vs, ex.Value.Value)
		}
	}
	return vs
}

// match finds the operation for r. When the path matches operations with
// other methods only, rt is nil and allowed lists their methods.
func (ix *specIndex) match(r *http.Request) (rt *route, params map[string]string, allowed []string) {
	p, ok := strings.CutPrefix(r.URL.EscapedPath(), ix.base)
	if !ok {
		return nil, nil, nil
	}
	if !strings.HasPrefix(p, "/") {
		return nil, nil, nil
	}
	// A trailing slash leaves an empty last part, which matches neither a
	// literal nor a parameter.
	parts := strings.Split(p[1:], "/")
	for i, part := range parts {
		u, err := url.PathUnescape(part)
		if err != nil {
			return nil, nil, nil
		}
		parts[i] = u
	}
next:
	for _, candidate := range ix.routes {
		if len(candidate.segments) != len(parts) {
			continue
		}
		var ps map[string]string
		for i, seg := range candidate.segments {
			switch {
			case seg.param == "":
				if parts[i] != seg.literal {
					continue next
				}
			case parts[i] == "":
				continue next
			default:
				if ps == nil {
					ps = make(map[string]string, 1)
				}
				ps[seg.param] = parts[i]
			}
		}
		if candidate.method != r.Method {
			if !slices.Contains(allowed, candidate.method) {
				allowed = append(allowed, candidate.method)
			}
			continue
		}
		return candidate, ps, nil
	}
	return nil, nil, allowed
}
