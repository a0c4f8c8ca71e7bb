package engine_test

import (
	"bytes"
	"encoding/json"
	"testing"
	"time"

	"github.com/oapi-codegen/nullable"

	"github.com/anam-ai/anam-go/internal/engine"
)

// decodeFixture has a field of every kind the generated models have (as
// oapi-codegen writes them: pointers for optional fields,
// nullable.Nullable for nullable ones, named string types for enums,
// unions with their own UnmarshalJSON, untyped JSON), so that the
// decoder is held to encoding/json's results on every kind, whatever the
// vendored spec holds.
type decodeFixture struct {
	S         *string                           `json:"s,omitempty"`
	I         *int                              `json:"i,omitempty"`
	F32       *float32                          `json:"f32,omitempty"`
	F64       *float64                          `json:"f64,omitempty"`
	B         *bool                             `json:"b,omitempty"`
	T         *time.Time                        `json:"t,omitempty"`
	E         *fixtureEnum                      `json:"e,omitempty"`
	L         *[]string                         `json:"l,omitempty"`
	M         *map[string]any                   `json:"m,omitempty"`
	A         any                               `json:"a,omitempty"`
	R         json.RawMessage                   `json:"r,omitempty"`
	In        *fixtureInner                     `json:"in,omitempty"`
	Ins       []fixtureInner                    `json:"ins,omitempty"`
	U         *fixtureUnion                     `json:"u,omitempty"`
	NS        nullable.Nullable[string]         `json:"ns,omitempty"`
	NI        nullable.Nullable[int]            `json:"ni,omitempty"`
	NF32      nullable.Nullable[float32]        `json:"nf32,omitempty"`
	NF64      nullable.Nullable[float64]        `json:"nf64,omitempty"`
	NB        nullable.Nullable[bool]           `json:"nb,omitempty"`
	NT        nullable.Nullable[time.Time]      `json:"nt,omitempty"`
	NE        nullable.Nullable[fixtureEnum]    `json:"ne,omitempty"`
	NIn       nullable.Nullable[fixtureInner]   `json:"nin,omitempty"`
	NL        nullable.Nullable[[]string]       `json:"nl,omitempty"`
	NM        nullable.Nullable[map[string]any] `json:"nm,omitempty"`
	CamelCase *string                           `json:"camelCase,omitempty"`
	Plain     string                            `json:"plain"`
	Count     int                               `json:"count"`
	Ignored   string                            `json:"-"`
}

type fixtureEnum string

type fixtureInner struct {
	A  *string                `json:"a,omitempty"`
	N  nullable.Nullable[int] `json:"n,omitempty"`
	Ts []time.Time            `json:"ts,omitempty"`
}

// fixtureUnion is a oneOf as oapi-codegen writes it: the raw JSON, kept
// by an UnmarshalJSON of its own.
type fixtureUnion struct{ union json.RawMessage }

func (u *fixtureUnion) UnmarshalJSON(b []byte) error { return u.union.UnmarshalJSON(b) }
func (u fixtureUnion) MarshalJSON() ([]byte, error)  { return u.union.MarshalJSON() }

var decodeSeeds = []string{
	`{}`, `null`, `[]`, `""`, `1`, ``, ` `, `{"s":"x"} `, `{"s":"x"}{}`, `{"s":"x"} x`,
	`{"s":"x","i":1,"f32":1.5,"f64":-2e-3,"b":true,"t":"2026-04-20T10:00:00.000Z","e":"on","l":["a","b"],"m":{"k":[1,{"x":null}]},"a":{"b":[true,1.5,"s",null]},"r":{"raw": [1, 2]},"in":{"a":"y","n":3,"ts":["2026-01-01T00:00:00+02:00"]},"ins":[{"n":null},{}],"u":{"kind":"x"},"plain":"p","count":7}`,
	`{"ns":"x","ni":1,"nf32":1.5,"nf64":2.5,"nb":false,"nt":"2026-04-20T10:00:00Z","ne":"off","nin":{"a":"z"},"nl":["a"],"nm":{"k":1}}`,
	`{"ns":null,"ni":null,"nf32":null,"nf64":null,"nb":null,"nt":null,"ne":null,"nin":null,"nl":null,"nm":null}`,
	`{"S":"upper","CAMELCASE":"c","camelcase":"d","Plain":"P"}`,
	`{"s":"a","s":"b","ns":"a","ns":null,"ni":null,"ni":2}`,
	`{"s":"\ud800","ns":"\u00e9\u0000","plain":"\xff\xfe"}`,
	"{\"s\":\"\xff\",\"ns\":\"a\xc3\"}",
	`{"i":1.0}`, `{"i":1e3}`, `{"i":99999999999999999999}`, `{"ni":1.5}`, `{"ni":"1"}`, `{"f32":1e40}`, `{"nf32":1e40}`, `{"nf64":1e400}`,
	`{"t":"2026-01-01 00:00:00"}`, `{"nt":"2026-01-01T24:00:00Z"}`, `{"nt":"2026-1-1T00:00:00Z"}`, `{"nt":"yesterday"}`, `{"nt":1}`,
	`{"ns":1}`, `{"ns":{}}`, `{"nb":"true"}`, `{"ne":3}`, `{"nin":"x"}`, `{"nl":"x"}`, `{"e":1}`, `{"b":0}`,
	`{"s":null,"i":null,"t":null,"l":null,"m":null,"in":null,"ins":null,"u":null,"plain":null,"count":null}`,
	`{"ins":[null,{"a":"x"}]}`, `{"l":[null]}`, `{"r":null}`, `{"Ignored":"x","-":"y"}`,
	`{"in":{"in":{"in":{}}},"a":[[[[[]]]]]}`, `{"s":"x",}`, `{"s" "x"}`, `{"s":"x"`, `[{"s":"x"}]`,
}

// decodeBoth decodes data with encoding/json and with engine.UnmarshalJSON,
// and fails t when they disagree: one fails and not the other, or both
// succeed with values that encoding/json writes differently (which tells
// the three states of a nullable apart: absent, null, a value).
func decodeBoth(t *testing.T, data []byte) {
	t.Helper()
	var want, got decodeFixture
	errWant := json.Unmarshal(data, &want)
	errGot := engine.UnmarshalJSON(data, &got)
	if (errWant == nil) != (errGot == nil) {
		t.Fatalf("%q: encoding/json: %v; engine: %v", data, errWant, errGot)
	}
	if errWant != nil {
		return
	}
	w, err1 := json.Marshal(want)
	g, err2 := json.Marshal(got)
	if err1 != nil || err2 != nil {
		t.Fatalf("%q: marshal: %v, %v", data, err1, err2)
	}
	if !bytes.Equal(w, g) {
		t.Fatalf("%q decodes differently:\nencoding/json: %s\n       engine: %s", data, w, g)
	}
}

// TestUnmarshalMatchesEncodingJSON: on each seed, engine.UnmarshalJSON
// succeeds or fails as encoding/json does, with the same result.
func TestUnmarshalMatchesEncodingJSON(t *testing.T) {
	for _, s := range decodeSeeds {
		decodeBoth(t, []byte(s))
	}
}

// TestUnmarshalNullableStates: absent, null and a value stay three states.
func TestUnmarshalNullableStates(t *testing.T) {
	for _, tc := range []struct {
		body                string
		specified, null, ok bool
	}{
		{`{}`, false, false, false},
		{`{"ns":null}`, true, true, false},
		{`{"ns":""}`, true, false, true},
		{`{"ns":"x"}`, true, false, true},
	} {
		var f decodeFixture
		if err := engine.UnmarshalJSON([]byte(tc.body), &f); err != nil {
			t.Fatal(err)
		}
		_, err := f.NS.Get()
		if f.NS.IsSpecified() != tc.specified || f.NS.IsNull() != tc.null || (err == nil) != tc.ok {
			t.Errorf("%s: specified %v, null %v, Get error %v", tc.body, f.NS.IsSpecified(), f.NS.IsNull(), err)
		}
	}
}

// FuzzUnmarshalMatchesEncodingJSON is TestUnmarshalMatchesEncodingJSON on
// arbitrary bodies.
func FuzzUnmarshalMatchesEncodingJSON(f *testing.F) {
	for _, s := range decodeSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(decodeBoth)
}
