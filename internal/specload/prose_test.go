package specload

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/anam-ai/anam-go/spec"
)

func compact(t *testing.T, data []byte) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := json.Compact(&b, data); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// TestWithoutProseFixture: testdata/prose.json holds prose where OpenAPI
// puts it (info, a path, an operation, a parameter, a response, a link, a
// schema, a property, a security scheme), and the same words where they
// are data or names: a query parameter named description, examples,
// defaults, enums, a const, an extension, an Example's summary and value,
// a property named description, a discriminator's mapping, OAuth scopes,
// a link's parameters. Only the prose goes: the result is
// testdata/prose.lean.json, compacted.
func TestCompactDocLeanFixture(t *testing.T) {
	in, err := os.ReadFile("testdata/prose.json")
	if err != nil {
		t.Fatal(err)
	}
	want, err := os.ReadFile("testdata/prose.lean.json")
	if err != nil {
		t.Fatal(err)
	}
	got := compactDoc(in, true)
	if !json.Valid(got) {
		t.Fatalf("not JSON: %s", got)
	}
	if w := compact(t, want); !bytes.Equal(got, w) {
		t.Errorf("compactDoc:\n got %s\nwant %s", got, w)
	}
}

// TestCompactDoc: every kind of JSON value goes through intact, white
// space between tokens goes, as json.Compact would remove it, and a
// document that is not well-formed comes back unchanged.
func TestCompactDoc(t *testing.T) {
	for _, doc := range []string{
		`{}`, `[]`, `{"a":[]}`, `{"a":{}}`, `[1,-2.5e+3,true,false,null,"s"]`,
		`{"description":{"type":"string"},"summary":[1]}`,
		`{"a":"\"description\":\"x\"","b":"\\","c":"\u00e9"}`,
		`[{"description":"x"},{"summary":"y","k":1}]`,
		" {\n\t\"a\" : [ 1 , { } , \" x \" ] ,\r\n \"b\":null } ",
	} {
		for _, lean := range []bool{false, true} {
			got := compactDoc([]byte(doc), lean)
			if !json.Valid(got) {
				t.Errorf("%s: not JSON: %s", doc, got)
			}
			if !lean && !bytes.Equal(got, compact(t, []byte(doc))) {
				t.Errorf("%s: compacted to %s, json.Compact gives %s", doc, got, compact(t, []byte(doc)))
			}
		}
	}
	if got := compactDoc([]byte(`[{"description":"x"}, {"summary":"y", "k":1}]`), true); string(got) != `[{},{"k":1}]` {
		t.Errorf("array of objects: %s", got)
	}
	for _, bad := range []string{``, ` `, `{`, `{"description":"x"`, `{"a":1}x`, `{"a" 1}`, `{"a":1,}`, `["a",]`, `{"a":"x}`, `[1 2]`, `{"a":1 "b":2}`, `{1:2}`} {
		if got := compactDoc([]byte(bad), true); string(got) != bad {
			t.Errorf("%q: got %q, want it unchanged", bad, got)
		}
	}
}

// TestLoadLeanIsLoadWithoutProse: the lean document is the document Load
// loads but for description and summary members with string values, none
// of them inside data (example, examples, default, enum, const, value,
// x-*).
func TestLoadLeanIsLoadWithoutProse(t *testing.T) {
	full, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	lean, err := LoadLean()
	if err != nil {
		t.Fatal(err)
	}
	decode := func(v json.Marshaler) any {
		data, err := v.MarshalJSON()
		if err != nil {
			t.Fatal(err)
		}
		var out any
		if err := json.Unmarshal(data, &out); err != nil {
			t.Fatal(err)
		}
		return out
	}
	// The members whose values are data, as OpenAPI 3.1 defines them.
	dataMembers := []string{"example", "examples", "default", "enum", "const", "value"}
	var removed int
	var diff func(path string, data bool, f, l any)
	diff = func(path string, data bool, f, l any) {
		switch f := f.(type) {
		case map[string]any:
			l, ok := l.(map[string]any)
			if !ok {
				t.Errorf("%s: an object in Load, %T in LoadLean", path, l)
				return
			}
			for _, k := range slices.Sorted(maps.Keys(f)) {
				lv, ok := l[k]
				if !ok {
					if _, isString := f[k].(string); data || !isString || (k != "description" && k != "summary") {
						t.Errorf("%s/%s: missing from LoadLean", path, k)
					}
					removed++
					continue
				}
				diff(path+"/"+k, data || slices.Contains(dataMembers, k) || strings.HasPrefix(k, "x-"), f[k], lv)
			}
			for k := range l {
				if _, ok := f[k]; !ok {
					t.Errorf("%s/%s: in LoadLean only", path, k)
				}
			}
		case []any:
			l, ok := l.([]any)
			if !ok || len(l) != len(f) {
				t.Errorf("%s: an array of %d in Load, %v in LoadLean", path, len(f), l)
				return
			}
			for i := range f {
				diff(fmt.Sprintf("%s/%d", path, i), data, f[i], l[i])
			}
		default:
			if f != l {
				t.Errorf("%s: %v in Load, %v in LoadLean", path, f, l)
			}
		}
	}
	diff("", false, decode(full), decode(lean))
	t.Logf("%d prose members left out", removed)
}

// TestCompactDocIsJSONCompact: on the embedded document, compactDoc without
// lean is json.Compact.
func TestCompactDocIsJSONCompact(t *testing.T) {
	if got, want := compactDoc(spec.Prepared, false), compact(t, spec.Prepared); !bytes.Equal(got, want) {
		t.Errorf("compactDoc(spec.Prepared) is %d bytes, json.Compact's %d, and they differ", len(got), len(want))
	}
}
