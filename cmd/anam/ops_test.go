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
	"github.com/anam-ai/anam-go/api/anamtest"
	"github.com/anam-ai/anam-go/internal/specload"
)

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
// --json and validates what it prints against the spec's response. The
// arguments are the fake's sample of a request it accepts (path arguments
// naming stored items, the required query parameters, a body), built by
// rule for any document, whatever order its oneOf branches come in; WithT
// fails the test on a request the CLI sends that does not match the spec.
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
					srv := anamtest.NewServer(anamtest.WithItems(3), anamtest.WithT(t))
					env := map[string]string{"ANAM_API_KEY": srv.APIKey(), "ANAM_BASE_URL": srv.URL, envConfigDir: t.TempDir()}
					multipart := v != nil || c.op.Body == api.BodyMultipart
					smp, err := srv.Sample(c.op.ID, multipart)
					if err != nil {
						t.Fatal(err)
					}
					args := append([]string{"--json", g.name, c.name}, smp.PathArgs...)
					for _, p := range slices.Sorted(maps.Keys(smp.Query)) {
						args = append(args, "--"+kebab(p), smp.Query.Get(p))
					}
					args = append(args, bodyArgs(t, c, smp)...)
					if c.destructive() {
						args = append(args, "--yes")
					}
					r := cli(t, env, "", args...)
					mustExit(t, r, exitOK)
					if got := srv.Requests(c.op.ID); got != 1 {
						t.Errorf("the fake saw %d requests of %s, want 1", got, c.op.ID)
					}
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

// bodyArgs are the flags that send a sample's body: --data with its JSON,
// or, for a multipart form, --form with a file for every file field and
// each scalar field as text (the fake reads form values as the types the
// schema gives them).
func bodyArgs(t *testing.T, c *command, smp anamtest.Sample) []string {
	t.Helper()
	switch {
	case smp.ContentType == "":
		return nil
	case smp.ContentType == "application/json":
		return []string{"--data", string(smp.Body)}
	case c.op.Body&api.BodyMultipart == 0:
		t.Fatalf("the sample is %s, which %s does not send", smp.ContentType, c.name)
	}
	var args []string
	for _, name := range smp.Files {
		path := filepath.Join(t.TempDir(), "upload.txt")
		if err := os.WriteFile(path, []byte("hello from the anam CLI test\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		args = append(args, "--form", name+"=@"+path)
	}
	var fields map[string]any
	if err := json.Unmarshal(smp.Body, &fields); err != nil {
		t.Fatalf("the sample form %s: %v", smp.Body, err)
	}
	for _, name := range slices.Sorted(maps.Keys(fields)) {
		switch v := fields[name].(type) {
		case string, float64, bool:
			args = append(args, "--form", fmt.Sprintf("%s=%v", name, v))
		}
	}
	return args
}
