package specload

import (
	"errors"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

const doc = `openapi: 3.1.0
info: {title: t, version: "1"}
paths:
  /a:
    get:
      parameters:
        - {name: page, in: query, schema: {type: integer}}
        - {name: tags, in: query, style: form, schema: {type: array, items: {type: string}}}
      responses:
        "200": {description: ok}
components:
  schemas:
    A: {type: object, required: [id], properties: {id: {type: string}}}
`

func overlayOf(actions string) []byte {
	return []byte("overlay: 1.0.0\nx-speakeasy-jsonpath: rfc9535\ninfo: {title: o, version: 1.0.0}\nactions:\n" + actions)
}

func TestApplyOverlayIsStrict(t *testing.T) {
	ov := overlayOf(`  - target: $.paths['/a'].get.parameters[?(@.name=='page')]
    update: {schema: {minimum: 1}}
  - target: $.components.schemas.Gone
    description: Upstream removed it.
    remove: true
  - target: $.paths['/b']
    remove: true
`)
	_, err := ApplyOverlay([]byte(doc), ov)
	var stale *StaleError
	if !errors.As(err, &stale) || len(stale.Actions) != 2 || stale.Actions[0].Index != 1 || stale.Actions[1].Index != 2 {
		t.Fatalf("error = %v, want a *StaleError for actions 2 and 3", err)
	}
	for _, want := range []string{"2 overlay action(s) select nothing", "upstream changed or fixed", "make update-spec",
		"\n  #2 remove $.components.schemas.Gone: Upstream removed it.", "\n  #3 remove $.paths['/b']: (no description)"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error lacks %q: %v", want, err)
		}
	}

	out, err := ApplyOverlay([]byte(doc), overlayOf("  - target: $.paths['/a'].get.parameters[?(@.name=='page')]\n    update: {schema: {minimum: 1}}\n"))
	if err != nil || !strings.Contains(string(out), "minimum: 1") {
		t.Errorf("ApplyOverlay: %v\n%s", err, out)
	}
	// No overlay, or one without actions, returns the document as it is.
	for _, ov := range [][]byte{nil, []byte("  \n"), []byte("overlay: 1.0.0\ninfo: {title: o, version: 1.0.0}\nactions: []\n")} {
		if out, err := ApplyOverlay([]byte(doc), ov); err != nil || string(out) != doc {
			t.Errorf("ApplyOverlay(%q) = %v, changed %v", ov, err, string(out) != doc)
		}
	}
	for name, c := range map[string]struct{ ov, want string }{
		"not YAML":      {"overlay: [", "parse overlay"},
		"bad version":   {"overlay: 7.0.0\ninfo: {title: o, version: 1.0.0}\nactions:\n  - {target: $.info, remove: true}\n", "overlay is not valid"},
		"bad merge 1.1": {"overlay: 1.1.0\ninfo: {title: o, version: 1.0.0}\nactions:\n  - {target: $.info.title, update: {a: 1}}\n", "apply overlay action #1"},
	} {
		if _, err := ApplyOverlay([]byte(doc), []byte(c.ov)); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error = %v, want %q", name, err, c.want)
		}
	}
	if _, err := ApplyOverlay([]byte("[1]"), overlayOf("  - {target: $.info, remove: true}\n")); err == nil {
		t.Error("applied an overlay to a document that is no object")
	}
}

func TestTrace(t *testing.T) {
	ov := overlayOf(`  - target: $.paths['/a'].get.parameters[?(@.name=='tags')]
    description: Upstream now says it.
    update: {style: form}
  - target: $.components.schemas.A
    update: {required: [id]}
  - target: $.components.schemas.Gone
    remove: true
  - target: $.paths['/a'].get.parameters[?(@.name=='page')]
    update: {schema: {minimum: 1}}
  - target: $.components.schemas.A.required
    update: [id, name]
  - target: $.components.schemas.B
    copy: $.components.schemas.Missing
`)
	var seen []int
	trace, root, err := Trace([]byte(doc), ov, func(a ActionTrace, root *yaml.Node) {
		seen = append(seen, a.Index)
		if root.Kind != yaml.DocumentNode {
			t.Errorf("visit got a %v node", root.Kind)
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	type want struct {
		matched     string
		stale, moot bool
		kind        string
	}
	for i, w := range []want{
		{"/paths/~1a/get/parameters/1", false, true, "update"},
		{"/components/schemas/A", false, true, "update"}, // a list update whose elements are there
		{"", true, false, "remove"},
		{"/paths/~1a/get/parameters/0", false, false, "update"},
		{"/components/schemas/A/required", false, false, "update"}, // name is not there yet
		{"", true, false, "copy"},                                  // its source is gone
	} {
		a := trace[i]
		if strings.Join(a.Matched, ",") != w.matched || a.Stale != w.stale || a.Moot != w.moot || a.Kind != w.kind || a.Obsolete() != (w.stale || w.moot) {
			t.Errorf("action #%d: %+v, want %+v", i+1, a, w)
		}
	}
	if len(seen) != 6 {
		t.Errorf("visited %v", seen)
	}
	if trace[0].Why() == "" || trace[2].Why() == "" || trace[3].Why() != "" {
		t.Errorf("Why: %q %q %q", trace[0].Why(), trace[2].Why(), trace[3].Why())
	}
	// The result is the overlay without its obsolete actions: a required
	// list that says id once, and the page minimum.
	out, err := yaml.Marshal(root)
	if err != nil {
		t.Fatal(err)
	}
	if s := string(out); !strings.Contains(s, "minimum: 1") || !strings.Contains(s, "required: [id, id, name]") {
		t.Errorf("traced document:\n%s", s)
	}
}

func TestPositional(t *testing.T) {
	for target, want := range map[string]bool{
		"$.paths['/a'].get.parameters[4]":         true,
		"$.paths['/a'].get.parameters[-1].schema": true,
		"$.a[0:2]":               true,
		"$.a['x', 2]":            true,
		"$.a[?(@.tags[0]=='x')]": true,
		"$.paths['/a'].get.parameters[?(@.name=='tags')]": false,
		"$.a[?(@.size==4)]":                           false,
		"$.a[?(@.size>=4 && @.name=='x')]":            false,
		"$.paths['/v1/avatars'].get.responses['200']": false,
		"$.a[*]": false,
		"$.components.schemas.A.oneOf[?(@.properties.name)]": false,
	} {
		if got := Positional(target); got != want {
			t.Errorf("Positional(%q) = %v, want %v", target, got, want)
		}
	}
}
