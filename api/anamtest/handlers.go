package anamtest

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"math"
	"mime"
	"mime/multipart"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
)

// handle builds the answer to r, a valid request to rt.
func (s *Server) handle(r *http.Request, rt *route, params map[string]string) response {
	switch {
	case rt.mints != "":
		return s.mintToken(r, rt)
	case rt.starts != nil:
		return s.start(r, rt)
	}
	switch rt.kind {
	case kindList:
		return s.list(r, rt, params)
	case kindCreate:
		return s.create(r, rt, params)
	case kindGet, kindUpdate, kindDelete, kindAction:
		return s.onItem(r, rt, params)
	default:
		return s.static(rt, rt.id, 0)
	}
}

// errorResponse is the answer with status and message to a request to rt,
// shaped by the schema the spec documents for that status, if any: see the
// package documentation, "Errors".
func (s *Server) errorResponse(rt *route, status int, message string) response {
	body := map[string]any{"error": http.StatusText(status), "message": message}
	if sr := jsonSchema(rt.kin.Operation.Responses.Status(status)); sr != nil && isObject(sr.Value) {
		props := properties(sr.Value)
		doc := s.gen.object(sr.Value, rt.path, "/error", status, maxDepth-1)
		for k, p := range props {
			if p.Value == nil {
				continue
			}
			switch {
			case (k == "statusCode" || k == "status") && p.Value.Type.Permits(openapi3.TypeInteger):
				doc[k] = status
			case isString(p) && (k == "message" || k == "summary" || k == "detail"):
				doc[k] = message
			case isString(p) && k == "error":
				if props["message"] == nil {
					doc[k] = message // the only human-readable field
				} else {
					doc[k] = http.StatusText(status)
				}
			}
		}
		if sr.Value.AdditionalProperties.Has == nil || *sr.Value.AdditionalProperties.Has {
			for k, v := range body {
				if _, ok := doc[k]; !ok {
					doc[k] = v
				}
			}
		}
		body = doc
	}
	b, err := json.Marshal(body)
	if err != nil {
		b, _ = json.Marshal(map[string]string{"error": http.StatusText(status), "message": message})
	}
	return jsonResponse(status, b)
}

// static answers an operation on no stored item: the first example of its
// success response that matches the schema, else a document generated for
// seed (deterministic), or no body when the spec documents none.
func (s *Server) static(rt *route, seed string, i int) response {
	if rt.body == nil {
		return response{status: rt.status, header: http.Header{}}
	}
	if b, ok := s.ix.staticExample(rt); ok {
		return jsonResponse(rt.status, b)
	}
	v := s.gen.value(rt.body, rt.path, "/"+seed, i, 0, true)
	b, err := json.Marshal(v)
	if err != nil {
		return s.errorResponse(rt, http.StatusInternalServerError, "anamtest: encode: "+err.Error())
	}
	return jsonResponse(rt.status, b)
}

// staticExample returns the first example of rt's success response that
// validates, remembered per operation.
func (ix *specIndex) staticExample(rt *route) ([]byte, bool) {
	v, _ := ix.exampleCache.LoadOrStore(rt, &exampleOnce{})
	e := v.(*exampleOnce)
	e.once.Do(func() {
		resp := rt.kin.Operation.Responses.Status(rt.status)
		if resp == nil || resp.Value == nil {
			return
		}
		for _, ct := range slices.Sorted(maps.Keys(resp.Value.Content)) {
			if !isJSON(ct) {
				continue
			}
			for _, ex := range mediaExamples(resp.Value.Content[ct]) {
				val, err := roundTrip(ex)
				if err != nil || ix.vals.check(rt.body.Value, val) != nil {
					continue
				}
				e.body, _ = json.Marshal(val)
				return
			}
		}
	})
	return e.body, e.body != nil
}

// list answers a list operation.
func (s *Server) list(r *http.Request, rt *route, params map[string]string) response {
	ls := rt.list
	q := r.URL.Query()
	page, size := ls.defPage, ls.defSize
	if ls.pageParam != "" {
		var err error
		if page, err = intParam(q.Get(ls.pageParam), ls.defPage); err != nil || page < 1 {
			return s.errorResponse(rt, http.StatusBadRequest, fmt.Sprintf("parameter %q in query: want an integer >= 1", ls.pageParam))
		}
		if size, err = intParam(q.Get(ls.sizeParam), ls.defSize); err != nil || size < 1 {
			return s.errorResponse(rt, http.StatusBadRequest, fmt.Sprintf("parameter %q in query: want an integer >= 1", ls.sizeParam))
		}
	}
	s.fill(rt.res)
	if rt.parent != nil {
		s.fill(rt.parent)
	}
	search := ""
	if ls.searchKey != "" && len(rt.res.nameFields) > 0 {
		search = strings.ToLower(q.Get(ls.searchKey))
	}
	type cond struct {
		f      filter
		values []string
	}
	var conds []cond
	for _, f := range ls.filters {
		v := q.Get(f.param)
		if v == "" {
			continue
		}
		if f.onlyTrue {
			if b, err := strconv.ParseBool(v); err != nil || !b {
				continue
			}
		}
		var vals []string
		for _, x := range q[f.param] {
			vals = append(vals, strings.Split(x, ",")...)
		}
		if !f.onlyTrue && !rt.res.inEnum(f.field, vals) {
			continue // such as renderStyle=all: a value the field never has means any
		}
		conds = append(conds, cond{f, vals})
	}

	s.data.RLock()
	defer s.data.RUnlock()
	st := s.stores[rt.res]
	parent := ""
	if rt.parent != nil {
		parent = strings.ToLower(params[rt.parentParam])
		if s.stores[rt.parent].get(parent) == nil {
			return s.errorResponse(rt, http.StatusNotFound, "parent not found")
		}
	}
	var matches []*item
	for _, it := range st.items {
		if rt.parent != nil && it.parent != parent {
			continue
		}
		if search != "" && !strings.Contains(it.names, search) {
			continue
		}
		ok := true
		for _, c := range conds {
			if !matchField(it.doc[c.f.field], c.f.onlyTrue, c.values) {
				ok = false
				break
			}
		}
		if ok {
			matches = append(matches, it)
		}
	}
	var pageItems []*item
	var meta map[string]any
	if ls.pageParam != "" {
		meta = paginate(len(matches), page, size)
		// page-1 < lastPage keeps (page-1)*size below len(matches): no
		// overflow, whatever page and size the spec allows.
		if page-1 < lastPage(len(matches), size) {
			start := (page - 1) * size
			pageItems = matches[start:min(start+min(size, len(matches)), len(matches))]
		}
	} else {
		pageItems = matches
		meta = paginate(len(matches), 1, max(len(matches), 1))
	}
	if len(pageItems) == 0 && s.cfg.emptyListNotFound && ls.notFoundOn {
		return s.errorResponse(rt, http.StatusNotFound, "No items found")
	}
	// Assembled by hand from the stored forms of the items.
	n := 2
	for _, it := range pageItems {
		n += len(it.form(ls.elem, rt.res)) + 1
	}
	body := make([]byte, 0, n+256)
	if ls.dataKey != "" {
		body = append(body, '{')
		body = appendKey(body, ls.dataKey)
	}
	body = append(body, '[')
	for i, it := range pageItems {
		if i > 0 {
			body = append(body, ',')
		}
		body = append(body, it.form(ls.elem, rt.res)...)
	}
	body = append(body, ']')
	if ls.dataKey != "" {
		if ls.metaKey != "" {
			for k := range meta {
				if !ls.metaProps[k] {
					delete(meta, k)
				}
			}
			mb, _ := json.Marshal(meta)
			body = append(body, ',')
			body = appendKey(body, ls.metaKey)
			body = append(body, mb...)
		}
		body = append(body, '}')
	}
	return jsonResponse(rt.status, body)
}

func appendKey(b []byte, k string) []byte {
	kb, _ := json.Marshal(k)
	b = append(b, kb...)
	return append(b, ':')
}

// inEnum reports whether one of values is allowed by the enum of the
// field (of its elements, for an array), or the field has no enum.
func (res *resource) inEnum(field string, values []string) bool {
	p := properties(res.schema.Value)[field]
	if p == nil || p.Value == nil {
		return true
	}
	s := p.Value
	if s.Items != nil && s.Items.Value != nil {
		s = s.Items.Value
	}
	if len(s.Enum) == 0 {
		return true
	}
	for _, e := range s.Enum {
		if matchField(e, false, values) {
			return true
		}
	}
	return false
}

// matchField reports whether a stored field value matches one of the
// values of a query parameter: strings case-insensitively, numbers and
// booleans by their JSON text, arrays when an element matches.
func matchField(v any, onlyTrue bool, values []string) bool {
	if onlyTrue {
		b, _ := v.(bool)
		return b
	}
	switch v := v.(type) {
	case []any:
		for _, e := range v {
			if matchField(e, false, values) {
				return true
			}
		}
		return false
	case nil:
		return slices.Contains(values, "null")
	}
	var text string
	switch v := v.(type) {
	case string:
		text = v
	default:
		b, _ := json.Marshal(v)
		text = string(b)
	}
	for _, want := range values {
		if strings.EqualFold(text, want) {
			return true
		}
	}
	return false
}

// intParam reads a page or page size: def when absent or 0 (as
// prisma-pagination's page || 1 reads it, for a spec that allows 0), and
// the largest int for an integer beyond the range of int (a page that far
// is past the last one).
func intParam(v string, def int) (int, error) {
	if v == "" {
		return def, nil
	}
	n, err := strconv.Atoi(v)
	if errors.Is(err, strconv.ErrRange) && !strings.HasPrefix(v, "-") {
		return math.MaxInt, nil
	}
	if err == nil && n == 0 {
		return def, nil
	}
	return n, err
}

// lastPage is ceil(total/perPage), without overflow for any perPage > 0.
func lastPage(total, perPage int) int {
	n := total / perPage
	if total%perPage != 0 {
		n++
	}
	return n
}

// paginate returns the meta of page (from 1) of a listing of total items,
// perPage per page, computed as the prisma-pagination convention the API
// follows does: lastPage is ceil(total/perPage), hence 0 when total is 0;
// prev is page-1 from page 2 on (even past the last page); next is page+1
// while page < lastPage.
func paginate(total, page, perPage int) map[string]any {
	last := lastPage(total, perPage)
	m := map[string]any{
		"total": total, "lastPage": last, "currentPage": page, "perPage": perPage,
		"prev": nil, "next": nil,
	}
	if page > 1 {
		m["prev"] = page - 1
	}
	if page < last {
		m["next"] = page + 1
	}
	return m
}

// create answers a create operation: it stores a new item made of a
// generated one and the fields of the request.
func (s *Server) create(r *http.Request, rt *route, params map[string]string) response {
	fields, err := requestFields(r, rt.res)
	if err != nil {
		return s.errorResponse(rt, http.StatusBadRequest, err.Error())
	}
	s.fillFor(rt.res)
	if rt.parent != nil {
		s.fill(rt.parent)
	}
	s.data.Lock()
	defer s.data.Unlock()
	parent := ""
	if rt.parent != nil {
		parent = params[rt.parentParam]
		p := s.stores[rt.parent].get(parent)
		if p == nil {
			return s.errorResponse(rt, http.StatusNotFound, "parent not found")
		}
		parent = p.id
	}
	st := s.stores[rt.res]
	st.created++
	n := st.created
	doc := s.gen.item(rt.res.key+"/created", rt.res.schema, n)
	s.merge(rt.res, doc, fields)
	if f := rt.res.idField; f != "" {
		doc[f] = s.gen.uuid(rt.res.key, "created", strconv.Itoa(n))
	}
	stamp := s.stamp()
	for _, f := range []string{rt.res.timestamps.created, rt.res.timestamps.updated} {
		if f != "" {
			doc[f] = stamp
		}
	}
	if rt.res.link != "" && parent != "" {
		doc[rt.res.link] = parent
	}
	it, err := s.ix.newItem(rt.res, s.gen, doc, "created/"+strconv.Itoa(n))
	if err != nil {
		return s.errorResponse(rt, http.StatusInternalServerError, "anamtest: "+err.Error())
	}
	if parent != "" {
		it.parent = strings.ToLower(parent)
	}
	if resp, ok := s.room(rt, it.size(), 0); !ok {
		return resp
	}
	st.put(it)
	return s.itemResponse(rt, it)
}

// itemResponse answers with it, in the form of rt's success schema.
func (s *Server) itemResponse(rt *route, it *item) response {
	if rt.body == nil {
		return response{status: rt.status, header: http.Header{}}
	}
	if sameSchema(rt.body, rt.res.schema) || isOpenObject(rt.body.Value) {
		return jsonResponse(rt.status, it.raw)
	}
	if _, ok := it.views[rt.body.Value]; ok {
		return jsonResponse(rt.status, it.form(rt.body, rt.res))
	}
	return s.static(rt, it.id, 0)
}

// isOpenObject reports whether s is an object schema that declares no
// property and allows any: any stored item fits it.
func isOpenObject(s *openapi3.Schema) bool {
	return s.Type.Is(openapi3.TypeObject) && len(properties(s)) == 0 && len(s.OneOf) == 0 && len(s.AnyOf) == 0 &&
		(s.AdditionalProperties.Has == nil || *s.AdditionalProperties.Has)
}

// onItem answers get, update, delete and actions on an item.
func (s *Server) onItem(r *http.Request, rt *route, params map[string]string) response {
	id := params[rt.idParam]
	var fields map[string]any
	if rt.kind == kindUpdate {
		var err error
		if fields, err = requestFields(r, rt.res); err != nil {
			return s.errorResponse(rt, http.StatusBadRequest, err.Error())
		}
	}
	s.fillFor(rt.res)
	ends := rt.kind == kindAction && rt.ends
	if rt.kind == kindGet || (rt.kind == kindAction && !ends) {
		s.data.RLock()
		defer s.data.RUnlock()
	} else {
		s.data.Lock()
		defer s.data.Unlock()
	}
	st := s.stores[rt.res]
	it := st.get(id)
	if it == nil {
		return s.errorResponse(rt, http.StatusNotFound, "Not found")
	}
	switch rt.kind {
	case kindGet:
		return s.itemResponse(rt, it)
	case kindUpdate:
		doc := maps.Clone(it.doc)
		s.merge(rt.res, doc, fields)
		if f := rt.res.timestamps.updated; f != "" {
			doc[f] = s.stamp()
		}
		updated, err := s.ix.newItem(rt.res, s.gen, doc, "id/"+it.id)
		if err != nil {
			return s.errorResponse(rt, http.StatusInternalServerError, "anamtest: "+err.Error())
		}
		updated.id, updated.parent = it.id, it.parent
		if resp, ok := s.room(rt, updated.size(), it.size()); !ok {
			return resp
		}
		st.put(updated)
		return s.itemResponse(rt, updated)
	case kindDelete:
		st.remove(id)
		if rt.body == nil {
			return response{status: rt.status, header: http.Header{}}
		}
		if sameSchema(rt.body, rt.res.schema) {
			return jsonResponse(rt.status, it.raw)
		}
		resp := s.static(rt, "delete", 0)
		return s.withMessage(rt, resp, "Deleted successfully")
	default: // kindAction
		if ends {
			if it = s.end(rt, st, it); it == nil {
				return s.errorResponse(rt, http.StatusInternalServerError, "anamtest: cannot store the ended item")
			}
		}
		if sameSchema(rt.body, rt.res.schema) || (rt.body != nil && isOpenObject(rt.body.Value)) {
			return jsonResponse(rt.status, it.raw)
		}
		return s.actionAnswer(rt, it)
	}
}

// withMessage sets a string "message" property of an object answer.
func (s *Server) withMessage(rt *route, resp response, msg string) response {
	if !isString(properties(rt.body.Value)["message"]) {
		return resp
	}
	var m map[string]any
	if json.Unmarshal(resp.body, &m) != nil {
		return resp
	}
	m["message"] = msg
	b, _ := json.Marshal(m)
	resp.body = b
	return resp
}

// maxField bounds a form field's value, and maxFile the bytes of a file
// part that are counted (not kept) for its size.
const (
	maxField = 64 << 10
	maxFile  = maxBody
)

// requestFields returns the fields of a create or update request: the
// members of a JSON object, or the fields of a form (multipart or
// urlencoded), converted to the types of the item schema. A file part
// fills the item's filename-like field with its file name, a size-like one
// with its size and a type-like one with its Content-Type; its bytes are
// counted and discarded.
func requestFields(r *http.Request, res *resource) (map[string]any, error) {
	if r.Body == nil || r.Body == http.NoBody {
		return map[string]any{}, nil
	}
	ct, params, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil {
		ct = "application/json"
	}
	props := properties(res.schema.Value)
	switch {
	case ct == "multipart/form-data":
		mr := multipart.NewReader(r.Body, params["boundary"])
		fields := map[string]any{}
		for {
			part, err := mr.NextPart()
			if errors.Is(err, io.EOF) {
				return fields, nil
			}
			if err != nil {
				return nil, fmt.Errorf("request body: %v", err)
			}
			if part.FileName() != "" {
				n, _ := io.Copy(io.Discard, io.LimitReader(part, maxFile))
				setFirst(fields, props, part.FileName(), "filename", "fileName", "name", "displayName")
				setFirst(fields, props, float64(n), "fileSize", "size")
				if t := part.Header.Get("Content-Type"); t != "" {
					setFirst(fields, props, t, "fileType", "mimeType", "contentType")
				}
				continue
			}
			b, _ := io.ReadAll(io.LimitReader(part, maxField))
			fields[part.FormName()] = convert(string(b), props[part.FormName()])
		}
	case ct == "application/x-www-form-urlencoded":
		if err := r.ParseForm(); err != nil {
			return nil, fmt.Errorf("request body: %v", err)
		}
		fields := map[string]any{}
		for k, v := range r.PostForm {
			fields[k] = convert(v[0], props[k])
		}
		return fields, nil
	default:
		var fields map[string]any
		d := json.NewDecoder(r.Body)
		if err := d.Decode(&fields); err != nil {
			if errors.Is(err, io.EOF) {
				return map[string]any{}, nil
			}
			return nil, fmt.Errorf("request body is not a JSON object: %v", err)
		}
		if fields == nil {
			fields = map[string]any{}
		}
		return fields, nil
	}
}

// setFirst sets the first of names that is a property of the item and not
// set yet.
func setFirst(fields map[string]any, props openapi3.Schemas, v any, names ...string) {
	for _, n := range names {
		if props[n] == nil {
			continue
		}
		if _, set := fields[n]; !set {
			fields[n] = v
		}
		return
	}
}

// convert turns a form value into the type of the property p.
func convert(v string, p *openapi3.SchemaRef) any {
	if p == nil || p.Value == nil {
		return v
	}
	t := p.Value.Type
	switch {
	case t.Permits(openapi3.TypeString):
		return v
	case t.Permits(openapi3.TypeInteger), t.Permits(openapi3.TypeNumber):
		if f, err := strconv.ParseFloat(v, 64); err == nil {
			return f
		}
	case t.Permits(openapi3.TypeBoolean):
		if b, err := strconv.ParseBool(v); err == nil {
			return b
		}
	case t.Permits(openapi3.TypeArray), t.Permits(openapi3.TypeObject):
		var x any
		if json.Unmarshal([]byte(v), &x) == nil {
			return x
		}
	}
	return v
}
