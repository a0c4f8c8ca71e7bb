package anamtest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"mime/multipart"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/anam-ai/anam-go/internal/specload"
)

// loadTestdata loads a document of testdata.
func loadTestdata(t testing.TB, name string) *openapi3.T {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	doc, err := specload.LoadBytes(b, nil)
	if err != nil {
		t.Fatalf("load %s: %v", name, err)
	}
	return doc
}

// specs are the documents every spec-wide test runs on: the embedded one,
// whatever it holds, the fixtures of this package, and two of the
// repository's: the seed spec (an older, smaller Anam document) and the
// defective copy, served as published, with no overlay, so that the fake
// copes with upstream's defects (3.0 nullable keywords in a 3.1 document,
// style written inside parameter schemas, null examples...).
func specs(t *testing.T) map[string]*openapi3.T {
	t.Helper()
	embedded, err := specload.Load()
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]*openapi3.T{"embedded": embedded}
	for _, name := range []string{"widgets.yaml", "sessions.yaml", "../../../testdata/seed/swagger.json", "../../../testdata/defective/swagger.json"} {
		key := strings.TrimSuffix(filepath.Base(name), filepath.Ext(name))
		if key == "swagger" {
			key = filepath.Base(filepath.Dir(name))
		}
		out[key] = loadTestdata(t, name)
	}
	return out
}

// reporterFor is what a spec-wide test passes to WithT for the document
// name: t, except that for the defective document the examples the fake
// leaves out for not matching their schema (one of its defects) are
// logged, not failures.
func reporterFor(t *testing.T, name string) testing.TB {
	if name != "defective" {
		return t
	}
	return &tolerant{TB: t, ignore: "does not match its schema, and is left out"}
}

type tolerant struct {
	testing.TB
	ignore string
}

func (r *tolerant) Errorf(format string, args ...any) {
	msg := fmt.Sprintf(format, args...)
	if strings.Contains(msg, r.ignore) {
		r.TB.Logf("%s (a defect of the document)", msg)
		return
	}
	r.TB.Errorf("%s", msg)
}

func (r *tolerant) Helper() {}

// call is a request to one operation, built from the spec.
type call struct {
	method, path, contentType string
	query                     url.Values
	body                      []byte
	auth                      string // the bearer token: the API key if ""
}

// buildCall builds a valid request to rt on srv: path parameters name
// stored items (the first of the resource, or of the parent), required
// query parameters and the body are generated from their schemas.
func buildCall(t testing.TB, srv *Server, rt *route) call {
	t.Helper()
	g := generator{seed: 7, valid: srv.ix.valid, v31: srv.ix.doc.IsOpenAPI31OrLater()}

	c := call{method: rt.method, query: url.Values{}}
	segs := make([]string, len(rt.segments))
	for i, seg := range rt.segments {
		switch {
		case seg.param == "":
			segs[i] = seg.literal
		case rt.res != nil && seg.param == rt.idParam && rt.kind >= kindGet:
			segs[i] = firstID(t, srv, rt.res)
		case rt.parent != nil && seg.param == rt.parentParam:
			segs[i] = firstID(t, srv, rt.parent)
		default:
			segs[i] = fmt.Sprint(g.value(paramSchema(rt, seg.param), "path", seg.param, 0, 0, true))
		}
		segs[i] = url.PathEscape(segs[i])
	}
	c.path = "/" + strings.Join(segs, "/")
	for _, p := range append(slices.Clone(rt.kin.PathItem.Parameters), rt.kin.Operation.Parameters...) {
		if p.Value.In == openapi3.ParameterInQuery && p.Value.Required {
			c.query.Set(p.Value.Name, fmt.Sprint(g.value(p.Value.Schema, "query", p.Value.Name, 0, 0, true)))
		}
	}
	if rb := rt.kin.Operation.RequestBody; rb != nil && rb.Value != nil {
		cts := slices.Sorted(maps.Keys(rb.Value.Content))
		ct := cts[0]
		for _, x := range cts {
			if isJSON(x) {
				ct = x
			}
		}
		schema := rb.Value.Content[ct].Schema
		v := g.value(schema, "request", "", 1, 0, true)
		if isJSON(ct) {
			c.contentType = "application/json"
			c.body, _ = json.Marshal(v)
		} else {
			var buf bytes.Buffer
			mw := multipart.NewWriter(&buf)
			props := properties(schema.Value)
			for _, k := range slices.Sorted(maps.Keys(props)) {
				if props[k].Value.Format == "binary" {
					fw, _ := mw.CreateFormFile(k, "sample.txt")
					fw.Write([]byte("hello anamtest"))
					continue
				}
				s, ok := v.(map[string]any)[k].(string)
				if !ok {
					b, _ := json.Marshal(v.(map[string]any)[k])
					s = string(b)
				}
				mw.WriteField(k, s)
			}
			mw.Close()
			c.contentType = mw.FormDataContentType()
			c.body = buf.Bytes()
		}
	}
	return c
}

func paramSchema(rt *route, name string) *openapi3.SchemaRef {
	for _, p := range append(slices.Clone(rt.kin.PathItem.Parameters), rt.kin.Operation.Parameters...) {
		if p.Value.Name == name {
			return p.Value.Schema
		}
	}
	return nil
}

// firstID returns the ID of the first item of res.
func firstID(t testing.TB, srv *Server, res *resource) string {
	t.Helper()
	items := srv.Items(res.key)
	if len(items) == 0 {
		t.Fatalf("%s holds no item", res.key)
	}
	var m map[string]any
	if err := json.Unmarshal(items[0], &m); err != nil {
		t.Fatal(err)
	}
	id, _ := m[res.idField].(string)
	return id
}

// do sends c to srv, authenticated, and returns the status and body.
func do(t testing.TB, srv *Server, c call) (int, []byte) {
	t.Helper()
	u := srv.URL + c.path
	if len(c.query) > 0 {
		u += "?" + c.query.Encode()
	}
	req, err := http.NewRequest(c.method, u, bytes.NewReader(c.body))
	if err != nil {
		t.Fatal(err)
	}
	token := c.auth
	if token == "" {
		token = srv.APIKey()
	}
	req.Header.Set("Authorization", "Bearer "+token)
	if c.contentType != "" {
		req.Header.Set("Content-Type", c.contentType)
	}
	resp, err := srv.Client().Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", c.method, c.path, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, body
}

// TestEveryOperation sends a valid request to every operation of every
// document, on a fresh server each, and wants the documented success
// status; WithT fails the test on any response that does not match the
// spec.
func TestEveryOperation(t *testing.T) {
	for name, doc := range specs(t) {
		t.Run(name, func(t *testing.T) {
			ix, err := indexFor(doc)
			if err != nil {
				t.Fatal(err)
			}
			for _, rt := range ix.routes {
				t.Run(rt.id, func(t *testing.T) {
					srv := NewServer(WithSpec(doc), WithItems(3), WithT(reporterFor(t, name)))
					c := buildCall(t, srv, rt)
					status, body := do(t, srv, c)
					if status != rt.status {
						t.Errorf("%s %s (%s): status %d, want %d; body %.300s", c.method, c.path, rt.kind, status, rt.status, body)
					}
					if srv.Requests(rt.id) != 1 {
						t.Errorf("Requests(%s) = %d, want 1", rt.id, srv.Requests(rt.id))
					}
				})
			}
		})
	}
}
