package anamtest

import (
	"encoding/json"
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
)

// mutations are values that break most schemas one way or another.
var mutations = []any{nil, "x", "not-a-uuid", 12.5, -1.0, 7.0, true, []any{}, []any{"x"}, map[string]any{}, map[string]any{"id": 1.0}}

// TestValidatorsAgreeWithKinOpenAPI: the compiled validators give the
// verdicts of kin-openapi's VisitJSON (which compiles anew on every call),
// on the items of the fixtures and on every one-property mutation of them:
// every keyword and format the fixtures use is checked alike.
func TestValidatorsAgreeWithKinOpenAPI(t *testing.T) {
	checked, invalid := 0, 0
	for _, name := range []string{"widgets.yaml", "sessions.yaml"} {
		doc := loadTestdata(t, name)
		srv := NewServer(WithSpec(doc), WithItems(2), WithT(t))
		ix := srv.ix
		for _, res := range ix.resources {
			srv.fill(res)
			for _, it := range srv.stores[res].items[:1] {
				var item map[string]any
				if err := json.Unmarshal(it.raw, &item); err != nil {
					t.Fatal(err)
				}
				schemas := append([]*openapi3.SchemaRef{res.schema}, res.views...)
				for _, sr := range schemas {
					for _, k := range slices.Sorted(maps.Keys(properties(sr.Value))) {
						for _, m := range mutations {
							v := maps.Clone(item)
							v[k] = m
							got := ix.vals.check(sr.Value, v)
							want := sr.Value.VisitJSON(v, ix.vopts...)
							if (got == nil) != (want == nil) {
								t.Errorf("%s %s: %s=%v: compiled says %v, kin-openapi %v", name, res.key, k, m, got, want)
							}
							checked++
							if got != nil {
								invalid++
							}
						}
					}
				}
			}
		}
		srv.Close()
	}
	if checked == 0 || invalid == 0 || invalid == checked {
		t.Errorf("%d values checked, %d invalid: want both verdicts", checked, invalid)
	}
}

// TestValidatorsCompileEveryFixtureSchema: every schema of the fixtures
// has a compiled validator: none falls back to VisitJSON.
func TestValidatorsCompileEveryFixtureSchema(t *testing.T) {
	for _, name := range []string{"widgets.yaml", "sessions.yaml"} {
		ix, err := newSpecIndex(loadTestdata(t, name))
		if err != nil {
			t.Fatal(err)
		}
		ix.vals.setup.Do(ix.vals.init)
		if len(ix.vals.locs) == 0 {
			t.Fatalf("%s: no schema located", name)
		}
		for s, loc := range ix.vals.locs {
			if ix.vals.compiledFor(s) == nil {
				t.Errorf("%s: the schema at %s#%s does not compile", name, resourceURL(loc.res), loc.frag)
			}
		}
	}
}

// TestValidatorsFallBack: a schema with no place in the document is
// validated by VisitJSON, and still validated.
func TestValidatorsFallBack(t *testing.T) {
	ix, err := newSpecIndex(loadTestdata(t, "widgets.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	loose := openapi3.NewStringSchema().WithMaxLength(3)
	if ix.vals.compiledFor(loose) != nil {
		t.Fatal("a schema of no document compiled")
	}
	if ix.vals.check(loose, "abc") != nil || ix.vals.check(loose, "abcd") == nil || ix.vals.check(loose, 1.0) == nil {
		t.Error("the fallback does not validate")
	}
}

// TestValidationProblems: a compiled validator's error reads as one line
// per problem, with the JSON pointer of the value.
func TestValidationProblems(t *testing.T) {
	doc := loadTestdata(t, "widgets.yaml")
	ix, _ := indexFor(doc)
	widget := doc.Components.Schemas["Widget"].Value
	err := ix.vals.check(widget, map[string]any{"id": "x", "label": "", "colour": "pink", "createdAt": "2026-01-01T00:00:00.000Z", "extra": 1.0})
	got := describe(err)
	for _, want := range []string{"/id: 'x' is not valid uuid: want 8-4-4-4-12 hexadecimal digits", "/label: minLength: got 0, want 1", "/colour: value must be one of", "additional properties 'extra' not allowed"} {
		if !strings.Contains(got, want) {
			t.Errorf("describe = %q, want it to say %q", got, want)
		}
	}
}

// BenchmarkValidate compares validating an item with its compiled
// validator against kin-openapi's VisitJSON, the baseline.
func BenchmarkValidate(b *testing.B) {
	doc := loadTestdata(b, "sessions.yaml")
	srv := NewServer(WithSpec(doc), WithItems(1))
	defer srv.Close()
	res := srv.ix.byKey["/v9/personas"]
	srv.fill(res)
	var item any
	_ = json.Unmarshal(srv.stores[res].items[0].raw, &item)
	s := res.schema.Value
	b.Run("VisitJSON", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if err := s.VisitJSON(item, srv.ix.vopts...); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("compiled", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if err := srv.ix.vals.check(s, item); err != nil {
				b.Fatal(err)
			}
		}
	})
}
