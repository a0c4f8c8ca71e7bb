package anamtest

import (
	"encoding/json"
	"maps"
	"slices"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
)

// merge sets the fields of doc, an item of res, from those of a create or
// update request, by the rule of the package documentation ("What is
// written is read back"), and returns the fields it ignored. A field is
// stored:
//
//  1. at the item's property of the same name, if it has one (the ID and
//     the timestamps excepted);
//  2. for "name", at the item's first name-like property;
//  3. for <x>Id, as the item's object property <x>: the stored item of
//     the collection whose items are <x>'s schema, when it holds that ID,
//     else <x> with its "id" set (avatarId -> avatar.id);
//  4. inside the only object property of the item that declares a
//     property of that name (systemPrompt -> brain.systemPrompt).
//
// Each candidate must be valid for the item's property, else the next rule
// is tried, and a field no rule places is ignored: a written value is never
// replaced by a generated one, and never makes an item invalid. merge is
// called with the data lock held, after fillFor(res).
func (s *Server) merge(res *resource, doc, fields map[string]any) (ignored []string) {
	props := properties(res.schema.Value)
	fixed := func(k string) bool {
		return k == res.idField || k == res.timestamps.created || k == res.timestamps.updated
	}
	set := func(k string, v any) bool {
		p := props[k]
		if p == nil || p.Value == nil || fixed(k) || s.ix.vals.check(p.Value, v) != nil {
			return false
		}
		doc[k] = v
		return true
	}
	for _, k := range slices.Sorted(maps.Keys(fields)) {
		v := fields[k]
		switch {
		case props[k] != nil:
			if set(k, v) {
				continue
			}
		case k == "name" && len(res.nameFields) > 0:
			if set(res.nameFields[0], v) {
				continue
			}
		}
		if x, ok := strings.CutSuffix(k, "Id"); ok && x != "" && props[k] == nil {
			if obj := s.referenced(res, doc, x, v); obj != nil && set(x, obj) {
				continue
			}
		}
		if holder, br := nestedHolder(props, k); holder != "" && props[k] == nil {
			obj := s.objectOf(res, doc, holder, br)
			if obj != nil {
				obj[k] = v
				if set(holder, obj) {
					continue
				}
			}
		}
		ignored = append(ignored, k)
	}
	return ignored
}

// referenced is the object the item's property x should hold for the
// request field <x>Id = id: the stored item it names, in the form of x's
// schema, or else x's current (or a generated) object with that id.
func (s *Server) referenced(res *resource, doc map[string]any, x string, id any) map[string]any {
	props := properties(res.schema.Value)
	br := objectBranch(props[x])
	if br == nil || properties(br.Value)["id"] == nil {
		return nil
	}
	if other := res.refs[x]; other != nil {
		if str, ok := id.(string); ok {
			if it := s.stores[other].get(str); it != nil {
				var m map[string]any
				if json.Unmarshal(it.form(br, other), &m) == nil {
					return m
				}
			}
		}
	}
	obj := s.objectOf(res, doc, x, br)
	if obj != nil {
		obj["id"] = id
	}
	return obj
}

// objectOf returns a copy of the item's object property k, or a generated
// object of its object schema br when it holds none (null, say).
func (s *Server) objectOf(res *resource, doc map[string]any, k string, br *openapi3.SchemaRef) map[string]any {
	if m, ok := doc[k].(map[string]any); ok {
		return maps.Clone(m)
	}
	m, _ := s.gen.value(br, res.key+"/merge", "/"+k, 0, 1, true).(map[string]any)
	return m
}

// nestedHolder returns the only property of props whose object schema
// declares a property k, and that schema.
func nestedHolder(props openapi3.Schemas, k string) (string, *openapi3.SchemaRef) {
	holder := ""
	var schema *openapi3.SchemaRef
	for _, name := range slices.Sorted(maps.Keys(props)) {
		if br := objectBranch(props[name]); br != nil && properties(br.Value)[k] != nil {
			if holder != "" {
				return "", nil
			}
			holder, schema = name, br
		}
	}
	return holder, schema
}

// objectBranch is the object schema of a property: itself, or the only
// object alternative of its oneOf or anyOf ([Avatar, null] gives Avatar).
func objectBranch(sr *openapi3.SchemaRef) *openapi3.SchemaRef {
	if sr == nil || sr.Value == nil {
		return nil
	}
	s := sr.Value
	alts := s.OneOf
	if len(alts) == 0 {
		alts = s.AnyOf
	}
	if len(alts) == 0 {
		if isObject(s) {
			return sr
		}
		return nil
	}
	var found *openapi3.SchemaRef
	for _, a := range alts {
		if a.Value != nil && isObject(a.Value) {
			if found != nil {
				return nil
			}
			found = a
		}
	}
	return found
}

// linkRefs finds, for each object property of the item schema of res, the
// resource whose items it holds (Persona.avatar holds an Avatar), so that
// merge can store the item an <x>Id names.
func (ix *specIndex) linkRefs(res *resource) {
	for k, p := range properties(res.schema.Value) {
		br := objectBranch(p)
		if br == nil {
			continue
		}
		for _, other := range ix.resources {
			if other != res && sameSchema(other.schema, br) {
				if res.refs == nil {
					res.refs = make(map[string]*resource)
				}
				res.refs[k] = other
				break
			}
		}
	}
}

// fillFor fills res and the resources its items refer to (see linkRefs),
// before the data lock is taken.
func (s *Server) fillFor(res *resource) {
	s.fill(res)
	for _, k := range slices.Sorted(maps.Keys(res.refs)) {
		s.fill(res.refs[k])
	}
}
