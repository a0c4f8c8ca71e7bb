package main

import (
	"bytes"
	"encoding/json"
	"testing"
)

var compactSeeds = []string{
	`{}`, `[]`, `""`, `0`, `-1.5e+3`, `true`, `null`,
	`{"id":"a","n":1}`,
	" { \"id\" : \"a b\\tc\" ,\n\t\"l\" : [ 1 , 2 , { } , [ ] ] ,\r\n \"s\" : \"\\\" \\\\\" } ",
	`{"a":"\\","b":"\\\"","c":"x\"y z"}`,
	`[ "  ", " \" ", "\\ " ]`,
	"{\"k\":\"\u2028 \xff\"}",
	`{"deep":[[[[{"x":[ 1 ,2 ]}]]]]}`,
}

// TestAppendCompact: on valid JSON, appendCompact writes what json.Compact
// writes, and appends to what dst holds.
func TestAppendCompact(t *testing.T) {
	for _, s := range compactSeeds {
		checkCompact(t, []byte(s))
	}
	if got := string(appendCompact([]byte("x"), []byte(`{ "a" : 1 }`))); got != `x{"a":1}` {
		t.Errorf("appendCompact to a non-empty dst: %q", got)
	}
}

func checkCompact(t *testing.T, src []byte) {
	t.Helper()
	if !json.Valid(src) {
		return // appendCompact takes valid JSON only
	}
	var want bytes.Buffer
	if err := json.Compact(&want, src); err != nil {
		t.Fatal(err)
	}
	if got := appendCompact(nil, src); !bytes.Equal(got, want.Bytes()) {
		t.Fatalf("appendCompact(%q) = %q, json.Compact gives %q", src, got, want.Bytes())
	}
}

// FuzzAppendCompact is TestAppendCompact on arbitrary valid JSON.
func FuzzAppendCompact(f *testing.F) {
	for _, s := range compactSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(checkCompact)
}
