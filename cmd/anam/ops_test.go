package main

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"

	"github.com/anam-ai/anam-go/api"
	"github.com/anam-ai/anam-go/internal/specload"
)

// notServed reports whether the fake answered that it does not implement
// the operation yet (the avatar-only fake): such a test is skipped, and
// runs again once the fake serves every operation of the spec.
func notServed(r result) bool {
	return r.code == exitFailed && (strings.Contains(r.stderr, "does not implement") ||
		strings.Contains(r.stderr, "Cannot GET") || strings.Contains(r.stderr, "no operation of the spec matches"))
}

// testDoc is the embedded document, loaded with kin-openapi: the tests
// validate the command line's output against it (the command line itself
// never loads it).
func testDoc(t *testing.T) *openapi3.T {
	t.Helper()
	doc, err := specload.Load()
	if err != nil {
		t.Fatal(err)
	}
	return doc
}

// specOf is the operation of c in doc.
func specOf(t *testing.T, doc *openapi3.T, c *command) (*openapi3.PathItem, *openapi3.Operation) {
	t.Helper()
	item := doc.Paths.Value(c.op.Path)
	if item == nil || item.GetOperation(c.op.Method) == nil {
		t.Fatalf("%s %s is not in the embedded document", c.op.Method, c.op.Path)
	}
	return item, item.GetOperation(c.op.Method)
}

// TestEveryOperation runs every operation's command against the fake with
// --json and validates what it prints against the spec's response.
func TestEveryOperation(t *testing.T) {
	tr, doc := genTree(), testDoc(t)
	n := 0
	for _, g := range tr.groups {
		for _, c := range g.cmds {
			n++
			variants := [][]string{nil}
			if c.op.Body&api.BodyMultipart != 0 && c.op.Body&api.BodyJSON != 0 {
				variants = append(variants, []string{"multipart"})
			}
			for _, v := range variants {
				name := g.name + "/" + c.name
				if v != nil {
					name += "/multipart"
				}
				t.Run(name, func(t *testing.T) {
					env := fakeEnv(t, 3)
					args := []string{"--json", g.name, c.name}
					args = append(args, pathArgs(t, tr, env, c)...)
					args = append(args, bodyArgs(t, doc, c, v != nil)...)
					if c.destructive() {
						args = append(args, "--yes")
					}
					r := cli(t, env, "", args...)
					if notServed(r) {
						t.Skipf("the fake does not serve %s yet: %s", c.op.Path, strings.TrimSpace(r.stderr))
					}
					mustExit(t, r, exitOK)
					validateOutput(t, doc, c, r.stdout)
				})
			}
		}
	}
	if n != len(api.Operations()) {
		t.Errorf("%d commands for %d operations", n, len(api.Operations()))
	}
}

// validateOutput checks that out is a body one of the operation's 2xx
// responses documents (an empty output: a 204 or an empty body).
func validateOutput(t *testing.T, doc *openapi3.T, c *command, out string) {
	t.Helper()
	pathItem, spec := specOf(t, doc, c)
	if out == "" {
		if spec.Responses.Value("204") == nil && c.op.Result != api.ResultNone {
			t.Fatalf("no output, and the spec documents a body")
		}
		return
	}
	var errs []string
	for code := 200; code < 300; code++ {
		if spec.Responses.Value(fmt.Sprint(code)) == nil {
			continue
		}
		req := httptest.NewRequest(c.op.Method, "http://fake"+c.op.Path, nil)
		in := &openapi3filter.ResponseValidationInput{
			RequestValidationInput: &openapi3filter.RequestValidationInput{
				Request: req,
				Route:   &routers.Route{Spec: doc, Path: c.op.Path, PathItem: pathItem, Method: c.op.Method, Operation: spec},
				Options: &openapi3filter.Options{ExcludeRequestBody: true, MultiError: true},
			},
			Status: code,
			Header: http.Header{"Content-Type": {"application/json"}},
		}
		in.SetBodyBytes([]byte(out))
		err := openapi3filter.ValidateResponse(context.Background(), in)
		if err == nil {
			return
		}
		errs = append(errs, fmt.Sprintf("%d: %v", code, err))
	}
	t.Fatalf("the output matches no 2xx response of the spec:\n%s\noutput: %.2000s", strings.Join(errs, "\n"), out)
}

// pathArgs finds values for a command's path arguments: an ID listed by
// the operation that lists the collection the parameter stands in (e.g.
// /v1/x for /v1/x/{id}/y), else a well-formed UUID nothing has.
func pathArgs(t *testing.T, tr *tree, env map[string]string, c *command) []string {
	t.Helper()
	var args []string
	segs := strings.Split(c.op.Path, "/")
	for i, s := range segs {
		if !strings.HasPrefix(s, "{") {
			continue
		}
		id := "00000000-0000-4000-8000-000000000000"
		if lister := listerOf(tr, segs[i-1]); lister != nil {
			largs := append([]string{"--json", lister.group.name, lister.name}, pathArgs(t, tr, env, lister)...)
			if r := cli(t, env, "", largs...); r.code == exitOK {
				if first := firstID(r.stdout); first != "" {
					id = first
				}
			}
		}
		args = append(args, id)
	}
	return args
}

// listerOf is the GET operation whose path ends with the collection name
// and lists it.
func listerOf(tr *tree, collection string) *command {
	for _, g := range tr.groups {
		for _, c := range g.cmds {
			if c.op.Method == "GET" && strings.HasSuffix(c.op.Path, "/"+collection) && (c.op.Paginated || c.op.Result == api.ResultArray) {
				return c
			}
		}
	}
	return nil
}

func firstID(out string) string {
	var page struct {
		Data []struct{ ID string }
	}
	if json.Unmarshal([]byte(out), &page) == nil && len(page.Data) > 0 {
		return page.Data[0].ID
	}
	var arr []struct{ ID string }
	if json.Unmarshal([]byte(out), &arr) == nil && len(arr) > 0 {
		return arr[0].ID
	}
	return ""
}

// bodyArgs builds the flags of a valid request body: --data with the
// required fields of the JSON schema, or --form with a file for every
// binary field and the required text fields.
func bodyArgs(t *testing.T, doc *openapi3.T, c *command, multipart bool) []string {
	t.Helper()
	_, spec := specOf(t, doc, c)
	if c.op.Body == api.BodyNone || spec.RequestBody == nil {
		return nil
	}
	content := spec.RequestBody.Value.Content
	if mt := content.Get("application/json"); mt != nil && !multipart {
		b, err := json.Marshal(sample(mt.Schema.Value, 0))
		if err != nil {
			t.Fatal(err)
		}
		return []string{"--data", string(b)}
	}
	mt := content.Get("multipart/form-data")
	if mt == nil {
		t.Fatalf("no body media type the CLI sends")
	}
	s := mt.Schema.Value
	var args []string
	props := properties(s)
	for _, name := range slices.Sorted(maps.Keys(props)) {
		p := props[name]
		switch {
		case p.Format == "binary":
			path := filepath.Join(t.TempDir(), "upload.txt")
			if err := os.WriteFile(path, []byte("hello from the anam CLI test\n"), 0o600); err != nil {
				t.Fatal(err)
			}
			args = append(args, "--form", name+"=@"+path)
		case slices.Contains(s.Required, name):
			v := sample(p, 1)
			text := fmt.Sprint(v)
			args = append(args, "--form", name+"="+text)
		}
	}
	return args
}

// sample is a minimal value the schema accepts: its required fields, the
// first enum value, the smallest allowed number, a string of a known
// format.
func sample(s *openapi3.Schema, depth int) any {
	if s == nil || depth > 12 {
		return nil
	}
	if len(s.Enum) > 0 {
		return s.Enum[0]
	}
	if s.Const != nil {
		return s.Const
	}
	typ := ""
	if s.Type != nil {
		for _, t := range s.Type.Slice() {
			if t != "null" {
				typ = t
				break
			}
		}
	}
	if typ == "" && (len(s.Properties) > 0 || len(s.AllOf) > 0) {
		typ = "object"
	}
	if typ != "object" {
		for _, alts := range []openapi3.SchemaRefs{s.OneOf, s.AnyOf} {
			if len(alts) > 0 {
				return sample(alts[0].Value, depth+1)
			}
		}
	}
	switch typ {
	case "object":
		obj := map[string]any{}
		required := slices.Clone(s.Required)
		for _, sub := range s.AllOf {
			if v, ok := sample(sub.Value, depth+1).(map[string]any); ok {
				for k, x := range v {
					obj[k] = x
				}
			}
		}
		props := properties(s)
		// The first alternative of a oneOf/anyOf adds its required fields,
		// which may be properties of s.
		for _, alts := range []openapi3.SchemaRefs{s.OneOf, s.AnyOf} {
			if len(alts) > 0 && alts[0].Value != nil {
				alt := alts[0].Value
				required = append(required, alt.Required...)
				for k, v := range properties(alt) {
					props[k] = v
				}
			}
		}
		for _, name := range required {
			if p := props[name]; p != nil {
				obj[name] = sample(p, depth+1)
			}
		}
		return obj
	case "array":
		n := int(s.MinItems)
		out := make([]any, 0, n)
		for range n {
			out = append(out, sample(s.Items.Value, depth+1))
		}
		return out
	case "integer", "number":
		v := 1.0
		if s.Min != nil {
			v = *s.Min
			if s.ExclusiveMin.IsTrue() || s.ExclusiveMin.Value != nil {
				v++
			}
		}
		if s.Max != nil && v > *s.Max {
			v = *s.Max
		}
		return v
	case "boolean":
		return false
	case "string":
		switch s.Format {
		case "uuid":
			return "00000000-0000-4000-8000-000000000000"
		case "date-time":
			return "2026-01-02T03:04:05Z"
		case "date":
			return "2026-01-02"
		case "uri", "url":
			return "https://example.com/x"
		case "email":
			return "someone@example.com"
		}
		if s.Example != nil {
			if e, ok := s.Example.(string); ok {
				return e
			}
		}
		n := max(int(s.MinLength), 1)
		return strings.Repeat("a", n)
	}
	return map[string]any{}
}

// properties are the properties of an object schema, those of its allOf
// members included.
func properties(s *openapi3.Schema) map[string]*openapi3.Schema {
	out := map[string]*openapi3.Schema{}
	if s == nil {
		return out
	}
	for _, sub := range s.AllOf {
		if sub != nil {
			maps.Copy(out, properties(sub.Value))
		}
	}
	for name, p := range s.Properties {
		if p != nil && p.Value != nil {
			out[name] = p.Value
		}
	}
	return out
}
