package yamltree

import (
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

func node(t *testing.T, src string) *yaml.Node {
	t.Helper()
	var n yaml.Node
	if err := yaml.Unmarshal([]byte(src), &n); err != nil {
		t.Fatal(err)
	}
	return n.Content[0]
}

func TestPointers(t *testing.T) {
	root := node(t, "paths:\n  /v1/a~b:\n    get: {parameters: [{name: x}]}\n")
	if got := Join("/paths", "/v1/a~b", "get"); got != "/paths/~1v1~1a~0b/get" {
		t.Errorf("Join = %q", got)
	}
	if got := Split("/paths/~1v1~1a~0b/get"); strings.Join(got, "|") != "paths|/v1/a~b|get" {
		t.Errorf("Split = %q", got)
	}
	x := Lookup(root, "/paths/~1v1~1a~0b/get/parameters/0/name")
	if Str(x) != "x" {
		t.Fatalf("Lookup = %v", x)
	}
	if p := Pointers(root)[x]; p != "/paths/~1v1~1a~0b/get/parameters/0/name" {
		t.Errorf("Pointers = %q", p)
	}
	for _, ptr := range []string{"/paths/nope", "/paths/~1v1~1a~0b/get/parameters/1", "/paths/~1v1~1a~0b/get/parameters/x", "/paths/~1v1~1a~0b/get/parameters/0/name/deeper"} {
		if n := Lookup(root, ptr); n != nil {
			t.Errorf("Lookup(%q) = %v", ptr, n)
		}
	}
}

func TestEqualAndHolds(t *testing.T) {
	for _, c := range []struct {
		target, update string
		equal, holds   bool
	}{
		{"{a: 1, b: [x, y]}", "{b: [x, y], a: 1}", true, true},
		{"{a: 1, b: [x, y]}", "{b: [y]}", false, true},     // a list update holds when its elements are there
		{"{a: 1, b: [x, y]}", "{b: [y, z]}", false, false}, // z is not
		{"{type: [integer, 'null']}", "{type: [integer, \"null\"]}", true, true},
		{"{type: integer}", "{type: [integer, 'null']}", false, false},
		{"{required: [id]}", "{required: [id]}", true, true},
		{"{a: '1'}", "{a: 1}", false, false}, // a string is no number
		{"{a: {b: {c: true}, d: 2}}", "{a: {b: {c: true}}}", false, true},
		{"{a: {b: {c: true}}}", "{a: {b: {c: false}}}", false, false},
		{"[a, b]", "[b, a]", false, true},
	} {
		tn, un := node(t, c.target), node(t, c.update)
		if got := Equal(tn, un); got != c.equal {
			t.Errorf("Equal(%s, %s) = %v", c.target, c.update, got)
		}
		if got := Holds(tn, un); got != c.holds {
			t.Errorf("Holds(%s, %s) = %v", c.target, c.update, got)
		}
	}
}

const list = `# the file's comment
version: 1
# the list
items:
  # the first
  - name: a
    text: >-
      folded
      over lines
  - name: b # b's comment

  - name: c
    nested:
      - 1
      - 2
after: true
`

func TestRemoveItems(t *testing.T) {
	for name, c := range map[string]struct {
		drop []int
		want string
	}{
		"nothing":                 {nil, list},
		"first, with its comment": {[]int{0}, "# the file's comment\nversion: 1\n# the list\nitems:\n  - name: b # b's comment\n\n  - name: c\n    nested:\n      - 1\n      - 2\nafter: true\n"},
		"middle":                  {[]int{1}, strings.Replace(list, "  - name: b # b's comment\n\n", "", 1)},
		"last, not what follows":  {[]int{2}, strings.Replace(list, "  - name: c\n    nested:\n      - 1\n      - 2\n", "", 1)},
		"all":                     {[]int{0, 1, 2}, "# the file's comment\nversion: 1\n# the list\nitems: []\nafter: true\n"},
	} {
		t.Run(name, func(t *testing.T) {
			got, err := RemoveItems([]byte(list), "items", c.drop)
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != c.want {
				t.Errorf("got:\n%s\nwant:\n%s", got, c.want)
			}
		})
	}
	for name, c := range map[string]struct {
		src  string
		drop []int
		want string
	}{
		"flow list":     {"items: [a, b]\n", []int{0}, "not a block-style list"},
		"no such key":   {"other: [a]\n", []int{0}, "not a block-style list"},
		"out of range":  {list, []int{3}, "has no element 3"},
		"not a mapping": {"- a\n", []int{0}, "not a YAML mapping"},
	} {
		t.Run(name, func(t *testing.T) {
			if _, err := RemoveItems([]byte(c.src), "items", c.drop); err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("error = %v, want %q", err, c.want)
			}
		})
	}
}

func TestSetItemScalar(t *testing.T) {
	src := "items:\n  - {name: a}\n  - name: 'b' # keep\n    other: x\n  - name: \"c\"\n  - name: $.plain\n"
	for i, want := range map[int]string{
		1: "items:\n  - {name: a}\n  - name: '[?(@.n==''x'')]' # keep\n    other: x\n  - name: \"c\"\n  - name: $.plain\n",
		2: "items:\n  - {name: a}\n  - name: 'b' # keep\n    other: x\n  - name: '[?(@.n==''x'')]'\n  - name: $.plain\n",
		3: "items:\n  - {name: a}\n  - name: 'b' # keep\n    other: x\n  - name: \"c\"\n  - name: '[?(@.n==''x'')]'\n",
	} {
		got, err := SetItemScalar([]byte(src), "items", i, "name", "[?(@.n=='x')]")
		if err != nil {
			t.Errorf("element %d: %v", i, err)
		} else if string(got) != want {
			t.Errorf("element %d:\n%s\nwant:\n%s", i, got, want)
		}
	}
	for name, c := range map[string]struct {
		src   string
		index int
		field string
	}{
		"a flow mapping (refused, not guessed)": {src, 0, "name"},
		"a field the element lacks":             {src, 1, "missing"},
		"a block scalar":                        {"items:\n  - name: |\n      a\n", 0, "name"},
		"no such element":                       {src, 9, "name"},
	} {
		if out, err := SetItemScalar([]byte(c.src), "items", c.index, c.field, "x"); err == nil {
			t.Errorf("%s: rewrote it:\n%s", name, out)
		}
	}
}
