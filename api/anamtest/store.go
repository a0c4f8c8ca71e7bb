package anamtest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
)

// item is one stored document of a resource, with its wire forms encoded
// once per change.
type item struct {
	id     string // as stored; compared lowercased, as UUIDs are
	parent string // lowercased ID of the parent item, "" if none
	doc    map[string]any
	raw    json.RawMessage
	views  map[*openapi3.Schema]json.RawMessage // see resource.views
	names  string                               // name-like fields, lowercased, for search
}

// store holds the items of one resource, in listing order.
type store struct {
	res     *resource
	items   []*item
	byID    map[string]*item
	created int // items created through the API so far, for their IDs
}

func newStore(res *resource) *store {
	return &store{res: res, byID: make(map[string]*item)}
}

// put adds it to the store, or replaces the item with the same ID.
func (st *store) put(it *item) {
	key := strings.ToLower(it.id)
	if old, ok := st.byID[key]; ok {
		i := slices.Index(st.items, old)
		st.items[i] = it
	} else {
		st.items = append(st.items, it)
	}
	st.byID[key] = it
}

func (st *store) remove(id string) bool {
	key := strings.ToLower(id)
	it, ok := st.byID[key]
	if !ok {
		return false
	}
	delete(st.byID, key)
	st.items = slices.DeleteFunc(st.items, func(x *item) bool { return x == it })
	return true
}

func (st *store) get(id string) *item { return st.byID[strings.ToLower(id)] }

// newItem encodes doc as an item of res, with the forms of its views.
func (ix *specIndex) newItem(res *resource, g generator, doc map[string]any, index int) (*item, error) {
	it := &item{doc: doc}
	if res.idField != "" {
		id, ok := doc[res.idField].(string)
		if !ok || id == "" {
			return nil, fmt.Errorf("item has no %q string", res.idField)
		}
		it.id = id
	} else {
		it.id = g.uuid(res.key, "anonymous", fmt.Sprint(index))
	}
	if res.link != "" {
		if p, ok := doc[res.link].(string); ok {
			it.parent = strings.ToLower(p)
		}
	}
	var err error
	if it.raw, err = json.Marshal(doc); err != nil {
		return nil, err
	}
	var names []string
	for _, f := range res.nameFields {
		if s, ok := doc[f].(string); ok {
			names = append(names, strings.ToLower(s))
		}
	}
	it.names = strings.Join(names, "\x00")
	if len(res.views) > 0 {
		it.views = make(map[*openapi3.Schema]json.RawMessage, len(res.views))
		for k, v := range res.views {
			b, err := json.Marshal(ix.project(res, doc, v, g, res.key+"/view"+fmt.Sprint(k), index))
			if err != nil {
				return nil, err
			}
			it.views[v.Value] = b
		}
	}
	return it, nil
}

// form returns the wire form of it as the schema s: its own, or a view.
func (it *item) form(s *openapi3.SchemaRef, res *resource) json.RawMessage {
	if s == nil || sameSchema(s, res.schema) {
		return it.raw
	}
	if v, ok := it.views[s.Value]; ok {
		return v
	}
	return it.raw
}

// project renders doc (valid for its resource's schema) as the schema
// target: the properties of target that doc has and that are valid for
// target, and generated values for the required ones it lacks.
func (ix *specIndex) project(res *resource, doc map[string]any, target *openapi3.SchemaRef, g generator, key string, index int) map[string]any {
	props := properties(target.Value)
	src := properties(res.schema.Value)
	req := required(target.Value)
	out := make(map[string]any, len(props))
	for _, k := range slices.Sorted(maps.Keys(props)) {
		v, ok := doc[k]
		if ok && props[k].Value != nil && ix.fits(v, props[k], src[k]) {
			out[k] = v
			continue
		}
		if ok || slices.Contains(req, k) {
			v := g.value(props[k], key, "/"+k, index, 1, false)
			if _, skip := v.(omit); skip {
				v = nil
			}
			out[k] = v
		}
	}
	return out
}

// fits reports whether v, valid for the schema from, is valid for to:
// at once when the two schemas are the same or have the same JSON form,
// else by validation.
func (ix *specIndex) fits(v any, to, from *openapi3.SchemaRef) bool {
	if from != nil && (sameSchema(to, from) || ix.equalSchemas(to.Value, from.Value)) {
		return true
	}
	return ix.vals.check(to.Value, v) == nil
}

// equalSchemas reports whether a and b have the same JSON form, remembering
// the answer.
func (ix *specIndex) equalSchemas(a, b *openapi3.Schema) bool {
	k := [2]*openapi3.Schema{a, b}
	if v, ok := ix.equal.Load(k); ok {
		return v.(bool)
	}
	ja, err1 := json.Marshal(a)
	jb, err2 := json.Marshal(b)
	eq := err1 == nil && err2 == nil && bytes.Equal(ja, jb)
	ix.equal.Store(k, eq)
	return eq
}

// valid reports whether v (as decoded from JSON) is valid for s.
func (ix *specIndex) valid(s *openapi3.Schema, v any) bool {
	return ix.vals.check(s, v) == nil
}

// validate checks doc against the item schema of res.
func (ix *specIndex) validate(res *resource, doc map[string]any) error {
	// Through JSON, so that numbers are float64 as the validator expects.
	v, err := roundTrip(doc)
	if err != nil {
		return err
	}
	if err := ix.vals.check(res.schema.Value, v); err != nil {
		return fmt.Errorf("%s", describe(err))
	}
	return nil
}

func roundTrip(v any) (any, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	var out any
	d := json.NewDecoder(bytes.NewReader(b))
	if err := d.Decode(&out); err != nil {
		return nil, err
	}
	return out, nil
}

// merge sets the fields of doc from those of a request: each field that is
// a property of the item schema, except the ID and timestamps, and whose
// value is valid for that property. A "name" that is not a property fills
// the first name-like one. It returns the fields it ignored.
func (ix *specIndex) merge(res *resource, doc, fields map[string]any) (ignored []string) {
	props := properties(res.schema.Value)
	for _, k := range slices.Sorted(maps.Keys(fields)) {
		v := fields[k]
		target := k
		if props[k] == nil && k == "name" && len(res.nameFields) > 0 {
			target = res.nameFields[0]
		}
		p := props[target]
		if p == nil || p.Value == nil || target == res.idField || target == res.timestamps.created || target == res.timestamps.updated {
			ignored = append(ignored, k)
			continue
		}
		if err := ix.vals.check(p.Value, v); err != nil {
			ignored = append(ignored, k)
			continue
		}
		doc[target] = v
	}
	return ignored
}

// now is the timestamp a create or update writes: the current time, in the
// API's format.
func now() string { return time.Now().UTC().Format(timeLayout) }
