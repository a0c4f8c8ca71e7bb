package main

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

// TestCatalogUpToDate regenerates the catalog from the prepared document
// in the repository and compares it with the committed one, whatever
// version of the spec is vendored: `make check-generated` diffs gen, spec,
// api and testdata only.
func TestCatalogUpToDate(t *testing.T) {
	out := filepath.Join(t.TempDir(), "catalog.gen.go")
	if code := run([]string{"-spec", "../../../spec/openapi.gen.json", "-o", out}, os.Stderr); code != 0 {
		t.Fatalf("cligen exited %d", code)
	}
	got, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	committed, err := os.ReadFile("../../climeta/catalog.gen.go")
	if err != nil {
		t.Fatal(err)
	}
	// The header names the document as given on the command line.
	got = bytes.Replace(got, []byte("from ../../../spec/openapi.gen.json"), []byte("from spec/openapi.gen.json"), 1)
	if !bytes.Equal(got, committed) {
		t.Error("internal/climeta/catalog.gen.go is out of date: run go generate ./... and commit it")
	}
	if code := run([]string{"-spec", "/nonexistent.json", "-o", out}, os.Stderr); code != 1 {
		t.Errorf("a missing document: exit %d", code)
	}
	if code := run([]string{"-nope"}, os.Stderr); code != 2 {
		t.Errorf("a bad flag: exit %d", code)
	}
}
