package anamtest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"

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

// store holds the items of one resource, in listing order. Its seed items
// are made on first use (see Server.fill); from then on, the Server's data
// lock guards them.
type store struct {
	res     *resource
	filled  sync.Once
	items   []*item
	byID    map[string]*item
	seeded  []string      // IDs of the seed items, in order: those nested items are spread over
	created int           // items created through the API so far, for their IDs
	stored  *atomic.Int64 // the server's count of bytes held
}

func newStore(res *resource, stored *atomic.Int64) *store {
	return &store{res: res, byID: make(map[string]*item), stored: stored}
}

// size is the number of bytes an item takes, as the storage limit counts
// them: its JSON forms.
func (it *item) size() int64 {
	n := len(it.raw)
	for _, v := range it.views {
		n += len(v)
	}
	return int64(n)
}

// put adds it to the store, or replaces the item with the same ID.
func (st *store) put(it *item) {
	key := strings.ToLower(it.id)
	delta := it.size()
	if old, ok := st.byID[key]; ok {
		i := slices.Index(st.items, old)
		st.items[i] = it
		delta -= old.size()
	} else {
		st.items = append(st.items, it)
	}
	st.byID[key] = it
	st.stored.Add(delta)
}

func (st *store) remove(id string) bool {
	key := strings.ToLower(id)
	it, ok := st.byID[key]
	if !ok {
		return false
	}
	delete(st.byID, key)
	st.items = slices.DeleteFunc(st.items, func(x *item) bool { return x == it })
	st.stored.Add(-it.size())
	return true
}

func (st *store) get(id string) *item { return st.byID[strings.ToLower(id)] }

// room reports whether the server may store an item of n bytes in place of
// one of old bytes; it answers with a 507 to rt when it may not, and
// reports it.
func (s *Server) room(rt *route, n, old int64) (response, bool) {
	if held := s.stored.Load(); held-old+n > s.cfg.storageLimit {
		msg := fmt.Sprintf("anamtest: the fake holds %d bytes of items, and this item of %d bytes would take it beyond its limit of %d (WithStorageLimit): delete items, or raise the limit", held, n, s.cfg.storageLimit)
		s.report(fmt.Sprintf("anamtest: %s refused: %s", rt.id, msg))
		resp := s.errorResponse(rt, http.StatusInsufficientStorage, msg)
		resp.reported = true
		return resp, false
	}
	return response{}, true
}

// prepareStores makes the empty stores, and checks and decodes the items
// of WithData and the collections of WithItemsFor, so that NewServer
// reports a mistake in them at once.
func (s *Server) prepareStores() error {
	s.stores = make(map[*resource]*store, len(s.ix.resources))
	for _, res := range s.ix.resources {
		s.stores[res] = newStore(res, &s.stored)
	}
	for _, k := range slices.Sorted(maps.Keys(s.cfg.itemsFor)) {
		if s.ix.byKey[k] == nil {
			return fmt.Errorf("anamtest: WithItemsFor(%q, %d): no such collection (the spec has %s)", k, s.cfg.itemsFor[k], strings.Join(s.Collections(), ", "))
		}
	}
	s.preset = make(map[*resource][]map[string]any)
	for _, k := range slices.Sorted(maps.Keys(s.cfg.data)) {
		res := s.ix.byKey[k]
		if res == nil {
			return fmt.Errorf("anamtest: WithData(%q): no such collection (the spec has %s)", k, strings.Join(s.Collections(), ", "))
		}
		seen := map[string]bool{}
		docs := []map[string]any{}
		for n, b := range s.cfg.data[k] {
			var doc map[string]any
			if err := json.Unmarshal(b, &doc); err != nil || doc == nil {
				return fmt.Errorf("anamtest: WithData(%q): item %d is not a JSON object: %v", k, n, err)
			}
			if err := s.ix.validate(res, doc); err != nil {
				return fmt.Errorf("anamtest: WithData(%q): item %d does not match the spec: %v", k, n, err)
			}
			if res.idField != "" {
				id, ok := doc[res.idField].(string)
				if !ok || id == "" {
					return fmt.Errorf("anamtest: WithData(%q): item %d has no %q string", k, n, res.idField)
				}
				if seen[strings.ToLower(id)] {
					return fmt.Errorf("anamtest: WithData(%q): two items have ID %s", k, id)
				}
				seen[strings.ToLower(id)] = true
			}
			docs = append(docs, doc)
		}
		s.preset[res] = docs
	}
	return nil
}

// fill makes the seed items of res, once, when it is first used: the
// items of WithData or else the spec's examples, then the generated items
// of WithItems (or WithItemsFor), spread over the seed items of its parent
// for a nested collection. Seeding on first use keeps NewServer cheap: a
// test pays only for the collections it touches. fill must not be called
// with the data lock held.
func (s *Server) fill(res *resource) {
	st := s.stores[res]
	st.filled.Do(func() {
		var parents []string
		if res.parent != nil {
			s.fill(res.parent)
			parents = s.stores[res.parent].seeded
		}
		add := func(doc map[string]any, tag string, parent string) {
			it, err := s.ix.newItem(res, s.gen, doc, tag)
			if err != nil {
				s.report(fmt.Sprintf("anamtest: an item of %s cannot be stored, and is left out: %v", res.key, err))
				return
			}
			if parent != "" && it.parent == "" {
				it.parent = strings.ToLower(parent)
			}
			if st.get(it.id) != nil {
				return // an ID seen already: the first wins
			}
			st.put(it)
		}
		if preset, ok := s.preset[res]; ok {
			for n, doc := range preset {
				add(deepCopy(doc), "data/"+strconv.Itoa(n), "")
			}
		} else {
			examples, problems := s.ix.examplesOf(res)
			for _, p := range problems {
				s.report(p)
			}
			for n, doc := range examples {
				add(deepCopy(doc), "example/"+strconv.Itoa(n), "")
			}
		}
		count := s.cfg.items
		if n, ok := s.cfg.itemsFor[res.key]; ok {
			count = n
		}
		for i := range count {
			doc := s.gen.item(res.key, res.schema, i)
			if res.idField != "" {
				doc[res.idField] = s.gen.uuid(res.key, "item", strconv.Itoa(i))
			}
			parent := ""
			if len(parents) > 0 {
				parent = parents[i%len(parents)]
				if res.link != "" {
					doc[res.link] = parent
				}
			}
			add(doc, "item/"+strconv.Itoa(i), parent)
		}
		for _, it := range st.items {
			st.seeded = append(st.seeded, it.id)
		}
	})
}

// deepCopy copies a document decoded from JSON.
func deepCopy(v map[string]any) map[string]any {
	return copyValue(v).(map[string]any)
}

func copyValue(v any) any {
	switch v := v.(type) {
	case map[string]any:
		m := make(map[string]any, len(v))
		for k, x := range v {
			m[k] = copyValue(x)
		}
		return m
	case []any:
		out := make([]any, len(v))
		for i, x := range v {
			out[i] = copyValue(x)
		}
		return out
	}
	return v
}

// newItem encodes doc as an item of res, with the forms of its views. tag
// names the item among those of res ("item/3", "created/1"): it derives
// the ID of an item whose schema has none, and the values views generate.
func (ix *specIndex) newItem(res *resource, g generator, doc map[string]any, tag string) (*item, error) {
	it := &item{doc: doc}
	if res.idField != "" {
		id, ok := doc[res.idField].(string)
		if !ok || id == "" {
			return nil, fmt.Errorf("item has no %q string", res.idField)
		}
		it.id = id
	} else {
		it.id = g.uuid(res.key, "anonymous", tag)
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
			b, err := json.Marshal(ix.project(res, doc, v, g, res.key+"/view"+strconv.Itoa(k)+"/"+tag, 0))
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
