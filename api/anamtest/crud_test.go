package anamtest

import (
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"net/url"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"testing"
)

// recorder is a testing.TB that records Errorf calls instead of failing.
type recorder struct {
	testing.TB
	mu   sync.Mutex
	errs []string
}

func (r *recorder) Errorf(format string, args ...any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.errs = append(r.errs, fmt.Sprintf(format, args...))
}

func (r *recorder) Helper() {}

func (r *recorder) take() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := r.errs
	r.errs = nil
	return out
}

// routesOf returns the route of res of each kind (the first one).
func routesOf(ix *specIndex, res *resource) map[opKind]*route {
	out := map[opKind]*route{}
	for _, rt := range ix.routes {
		if rt.res == res && out[rt.kind] == nil {
			out[rt.kind] = rt
		}
	}
	return out
}

func decode(t testing.TB, body []byte) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(body, &m); err != nil {
		t.Fatalf("decode %.200s: %v", body, err)
	}
	return m
}

// listIDs returns the IDs of every item the list route returns, all pages.
func listIDs(t testing.TB, srv *Server, rt *route, c call) []string {
	t.Helper()
	var ids []string
	for page := 1; ; page++ {
		if rt.list.pageParam != "" {
			c.query = url.Values{rt.list.pageParam: {strconv.Itoa(page)}}
		}
		status, body := do(t, srv, c)
		if status != http.StatusOK {
			t.Fatalf("list %s: status %d: %s", c.path, status, body)
		}
		var items []map[string]any
		var meta map[string]any
		if rt.list.dataKey == "" {
			if err := json.Unmarshal(body, &items); err != nil {
				t.Fatal(err)
			}
		} else {
			var env map[string]json.RawMessage
			if err := json.Unmarshal(body, &env); err != nil {
				t.Fatal(err)
			}
			if err := json.Unmarshal(env[rt.list.dataKey], &items); err != nil {
				t.Fatal(err)
			}
			_ = json.Unmarshal(env[rt.list.metaKey], &meta)
		}
		for _, it := range items {
			ids = append(ids, fmt.Sprint(it[rt.res.idField]))
		}
		if rt.list.pageParam == "" || meta["next"] == nil {
			return ids
		}
	}
}

// TestRoundTrip creates, gets, updates, lists and deletes an item of every
// resource that has a create operation, in every document.
func TestRoundTrip(t *testing.T) {
	total := 0
	for name, doc := range specs(t) {
		ix, err := indexFor(doc)
		if err != nil {
			t.Fatal(err)
		}
		for _, res := range ix.resources {
			ops := routesOf(ix, res)
			if ops[kindCreate] == nil {
				continue
			}
			total++
			t.Run(name+res.key, func(t *testing.T) {
				srv := NewServer(WithSpec(doc), WithItems(2), WithT(reporterFor(t, name)))
				create := buildCall(t, srv, ops[kindCreate])
				status, body := do(t, srv, create)
				if status != ops[kindCreate].status {
					t.Fatalf("create: status %d, want %d: %s", status, ops[kindCreate].status, body)
				}
				created := decode(t, body)
				id, _ := created[res.idField].(string)
				if id == "" || !uuidRE.MatchString(id) {
					t.Fatalf("create: ID %q, want a UUID: %s", id, body)
				}
				for _, f := range []string{res.timestamps.created, res.timestamps.updated} {
					if f != "" && !dateTimeRE.MatchString(fmt.Sprint(created[f])) {
						t.Errorf("create: %s = %v, want a date-time", f, created[f])
					}
				}
				itemCall := func(rt *route) call {
					c := buildCall(t, srv, rt)
					c.path = strings.Replace(c.path, firstID(t, srv, res), id, 1)
					return c
				}
				if get := ops[kindGet]; get != nil {
					status, body := do(t, srv, itemCall(get))
					if got := decode(t, body); status != 200 || got[res.idField] != id {
						t.Errorf("get after create: %d %s", status, body)
					}
				}
				if up := ops[kindUpdate]; up != nil {
					c := itemCall(up)
					status, body := do(t, srv, c)
					if status != up.status {
						t.Fatalf("update: status %d: %s", status, body)
					}
					sent := decode(t, c.body)
					_, after := do(t, srv, itemCall(ops[kindGet]))
					stored := decode(t, after)
					merged := 0
					for k, v := range sent {
						if p := properties(res.schema.Value)[k]; p != nil && k != res.idField {
							if !reflect.DeepEqual(stored[k], v) {
								t.Errorf("update sent %s=%v, get returns %v", k, v, stored[k])
							}
							merged++
						}
					}
					if stored[res.idField] != id {
						t.Errorf("update changed the ID: %s", after)
					}
					t.Logf("update merged %d fields", merged)
				}
				if list := ops[kindList]; list != nil {
					c := buildCall(t, srv, list)
					if ids := listIDs(t, srv, list, c); !contains(ids, id) {
						t.Errorf("list does not show the created item %s: %v", id, ids)
					}
				}
				if del := ops[kindDelete]; del != nil {
					status, body := do(t, srv, itemCall(del))
					if status != del.status || (del.body == nil && len(body) != 0) {
						t.Errorf("delete: status %d, body %q; want %d", status, body, del.status)
					}
					if get := ops[kindGet]; get != nil {
						if status, _ := do(t, srv, itemCall(get)); status != http.StatusNotFound {
							t.Errorf("get after delete: status %d, want 404", status)
						}
					}
					if status, _ := do(t, srv, itemCall(del)); status != http.StatusNotFound {
						t.Errorf("delete twice: status %d, want 404", status)
					}
					if list := ops[kindList]; list != nil {
						if ids := listIDs(t, srv, list, buildCall(t, srv, list)); contains(ids, id) {
							t.Errorf("list still shows the deleted item")
						}
					}
				}
			})
		}
	}
	if total < 2 {
		t.Errorf("only %d CRUD resources found", total)
	}
}

func contains(ids []string, id string) bool {
	for _, x := range ids {
		if strings.EqualFold(x, id) {
			return true
		}
	}
	return false
}

// TestPagination checks the meta arithmetic of every paginated list, pages
// past the end, and perPage bounds.
func TestPagination(t *testing.T) {
	for name, doc := range specs(t) {
		ix, err := indexFor(doc)
		if err != nil {
			t.Fatal(err)
		}
		for _, rt := range ix.routes {
			if rt.kind != kindList || rt.list.pageParam == "" {
				continue
			}
			t.Run(name+"/"+rt.id, func(t *testing.T) {
				rec := &recorder{TB: reporterFor(t, name)}
				srv := NewServer(WithSpec(doc), WithItems(23), WithT(rec))
				srv.fill(rt.res)
				rec.take() // the examples of a defective document left out
				base := buildCall(t, srv, rt)
				meta := func(page, perPage int) (map[string]any, int) {
					c := base
					c.query = url.Values{rt.list.pageParam: {strconv.Itoa(page)}, rt.list.sizeParam: {strconv.Itoa(perPage)}}
					status, body := do(t, srv, c)
					if status != 200 {
						t.Fatalf("page %d perPage %d: status %d: %s", page, perPage, status, body)
					}
					var env map[string]json.RawMessage
					_ = json.Unmarshal(body, &env)
					var items []any
					_ = json.Unmarshal(env[rt.list.dataKey], &items)
					return decode(t, env[rt.list.metaKey]), len(items)
				}
				num := func(v any) int {
					if v == nil {
						return -1
					}
					return int(v.(float64))
				}
				m, n := meta(1, 10)
				total := num(m["total"])
				if total != len(srv.Items(rt.res.key)) || total < 23 {
					t.Fatalf("total %d, want every item (%d)", total, len(srv.Items(rt.res.key)))
				}
				last := int(math.Ceil(float64(total) / 10))
				if num(m["lastPage"]) != last || num(m["currentPage"]) != 1 || num(m["perPage"]) != 10 || num(m["prev"]) != -1 || num(m["next"]) != 2 || n != 10 {
					t.Errorf("page 1: meta %v with %d items; want lastPage %d", m, n, last)
				}
				m, n = meta(last, 10)
				if num(m["prev"]) != last-1 || num(m["next"]) != -1 || n != total-(last-1)*10 {
					t.Errorf("last page: meta %v with %d items", m, n)
				}
				m, n = meta(last+3, 10)
				if n != 0 || num(m["prev"]) != last+2 || num(m["next"]) != -1 || num(m["currentPage"]) != last+3 {
					t.Errorf("past the end: meta %v with %d items", m, n)
				}
				// Defaults.
				c := base
				c.query = nil
				_, body := do(t, srv, c)
				var env map[string]json.RawMessage
				_ = json.Unmarshal(body, &env)
				if d := decode(t, env[rt.list.metaKey]); num(d["perPage"]) != rt.list.defSize || num(d["currentPage"]) != rt.list.defPage {
					t.Errorf("defaults: meta %v, want perPage %d", d, rt.list.defSize)
				}
				if errs := rec.take(); len(errs) > 0 {
					t.Errorf("valid requests reported: %v", errs)
				}
				// Out of the spec's bounds: 400. A 0 the spec allows means the
				// default, as prisma-pagination's page || 1 does.
				bad := []url.Values{{rt.list.pageParam: {"x"}}}
				for _, p := range []string{rt.list.pageParam, rt.list.sizeParam} {
					sch := paramSchema(rt, p).Value
					if sch.Min != nil && *sch.Min > 0 {
						bad = append(bad, url.Values{p: {"0"}})
						continue
					}
					c := base
					c.query = url.Values{p: {"0"}}
					_, body := do(t, srv, c)
					var env map[string]json.RawMessage
					_ = json.Unmarshal(body, &env)
					if d := decode(t, env[rt.list.metaKey]); num(d["perPage"]) != rt.list.defSize || num(d["currentPage"]) != rt.list.defPage {
						t.Errorf("%s=0: meta %v, want the defaults", p, d)
					}
				}
				if max := paramSchema(rt, rt.list.sizeParam).Value.Max; max != nil {
					bad = append(bad, url.Values{rt.list.sizeParam: {strconv.Itoa(int(*max) + 1)}})
				}
				// Each is a request the spec does not allow: reported once.
				for _, q := range bad {
					c := base
					c.query = q
					status, body := do(t, srv, c)
					if status != http.StatusBadRequest || !strings.Contains(string(body), "parameter") {
						t.Errorf("%v: status %d, body %s; want 400 naming the parameter", q, status, body)
					}
					if errs := rec.take(); len(errs) != 1 || !strings.Contains(errs[0], rt.id+" request does not match the spec: parameter") {
						t.Errorf("%v: want one report of the request; got %v", q, errs)
					}
				}
			})
		}
	}
}
