package anamtest

import (
	"bytes"
	"encoding/json"
	"maps"
	"mime/multipart"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"gopkg.in/yaml.v3"

	"github.com/anam-ai/anam-go/internal/specload"
	"github.com/anam-ai/anam-go/spec"
)

// reversedOneOfs returns the document src (JSON or YAML) with the
// branches of every oneOf in reverse order, loaded: what an upstream that
// reorders its document does, which must change nothing the fake accepts.
func reversedOneOfs(t *testing.T, src []byte) *openapi3.T {
	t.Helper()
	var v any
	if err := yaml.Unmarshal(src, &v); err != nil {
		t.Fatal(err)
	}
	var walk func(any)
	walk = func(v any) {
		switch v := v.(type) {
		case map[string]any:
			if alts, ok := v["oneOf"].([]any); ok {
				slices.Reverse(alts)
			}
			for _, x := range v {
				walk(x)
			}
		case []any:
			for _, x := range v {
				walk(x)
			}
		}
	}
	walk(v)
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	doc, err := specload.LoadBytes(b, nil)
	if err != nil {
		t.Fatal(err)
	}
	return doc
}

// TestSampleIsAccepted: for every operation of every document, and of
// each with the branches of every oneOf in reverse order, the server
// answers its own Sample (JSON, and the form too when the operation takes
// one) with the documented success status; WithT fails the test on a
// sample the spec refuses.
func TestSampleIsAccepted(t *testing.T) {
	docs := specs(t)
	sources := map[string][]byte{"embedded": spec.Prepared}
	for _, name := range []string{"widgets.yaml", "sessions.yaml", "../../../testdata/seed/swagger.json"} {
		b, err := os.ReadFile(filepath.Join("testdata", name))
		if err != nil {
			t.Fatal(err)
		}
		key := strings.TrimSuffix(filepath.Base(name), filepath.Ext(name))
		if key == "swagger" {
			key = filepath.Base(filepath.Dir(name))
		}
		sources[key] = b
	}
	for name, src := range sources {
		docs[name+" reversed"] = reversedOneOfs(t, src)
	}
	for name, doc := range docs {
		t.Run(name, func(t *testing.T) {
			ix, err := indexFor(doc)
			if err != nil {
				t.Fatal(err)
			}
			for _, rt := range ix.routes {
				forms := []bool{false}
				if rb := rt.kin.Operation.RequestBody; rb != nil && rb.Value != nil && slices.ContainsFunc(slices.Collect(maps.Keys(rb.Value.Content)), func(ct string) bool { return !isJSON(ct) }) {
					forms = append(forms, true)
				}
				for _, form := range forms {
					t.Run(rt.id, func(t *testing.T) {
						srv := NewServer(WithSpec(doc), WithItems(3), WithT(reporterFor(t, strings.TrimSuffix(name, " reversed"))))
						smp, err := srv.Sample(rt.id, form)
						if err != nil {
							t.Fatal(err)
						}
						again, err := srv.Sample(rt.id, form)
						if err != nil || !bytes.Equal(again.Body, smp.Body) || !slices.Equal(again.PathArgs, smp.PathArgs) {
							t.Errorf("two samples differ: %s %v, then %s %v", smp.Body, smp.PathArgs, again.Body, again.PathArgs)
						}
						c := sampleCall(t, rt, smp)
						if status, body := do(t, srv, c); status != rt.status {
							t.Errorf("%s %s (%s) with the sample %s: status %d, want %d; body %.300s", c.method, c.path, c.contentType, smp.Body, status, rt.status, body)
						}
					})
				}
			}
		})
	}
	srv := NewServer(WithSpec(docs["widgets"]), WithT(t))
	if _, err := srv.Sample("noSuchOperation", false); err == nil || !strings.Contains(err.Error(), `unknown operationId "noSuchOperation"`) {
		t.Errorf("Sample of an unknown operation: %v", err)
	}
	if _, err := srv.Sample(AllOperations, false); err == nil {
		t.Error("Sample of AllOperations is no error")
	}
}

// sampleCall is the request a Sample describes: its path arguments in the
// path template, its query, its body as JSON or as a multipart form with a
// small file in each file field.
func sampleCall(t *testing.T, rt *route, smp Sample) call {
	t.Helper()
	c := call{method: rt.method, query: url.Values(smp.Query)}
	var segs []string
	args := smp.PathArgs
	for _, seg := range rt.segments {
		if seg.param == "" {
			segs = append(segs, seg.literal)
			continue
		}
		if len(args) == 0 {
			t.Fatalf("the sample has too few path arguments for %v: %v", rt.segments, smp.PathArgs)
		}
		segs = append(segs, url.PathEscape(args[0]))
		args = args[1:]
	}
	if len(args) > 0 {
		t.Fatalf("the sample has path arguments %v left over", args)
	}
	c.path = "/" + strings.Join(segs, "/")
	switch smp.ContentType {
	case "":
		if len(smp.Body) > 0 {
			t.Errorf("a sample without a content type has the body %s", smp.Body)
		}
	case "application/json":
		c.contentType, c.body = smp.ContentType, smp.Body
	default:
		var fields map[string]any
		if err := json.Unmarshal(smp.Body, &fields); err != nil {
			t.Fatalf("the sample form %s: %v", smp.Body, err)
		}
		var buf bytes.Buffer
		mw := multipart.NewWriter(&buf)
		for _, k := range slices.Sorted(maps.Keys(fields)) {
			s, ok := fields[k].(string)
			if !ok {
				b, _ := json.Marshal(fields[k])
				s = string(b)
			}
			if err := mw.WriteField(k, s); err != nil {
				t.Fatal(err)
			}
		}
		for _, k := range smp.Files {
			fw, err := mw.CreateFormFile(k, "sample.txt")
			if err != nil {
				t.Fatal(err)
			}
			fw.Write([]byte("hello anamtest"))
		}
		if err := mw.Close(); err != nil {
			t.Fatal(err)
		}
		c.contentType, c.body = mw.FormDataContentType(), buf.Bytes()
	}
	return c
}
