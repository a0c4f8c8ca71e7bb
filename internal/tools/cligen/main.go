// Command cligen writes the command line's catalog (internal/climeta's
// catalog.gen.go) from the prepared OpenAPI document: descriptions, body
// fields, table columns and tags, as plain Go data, so that `anam` never
// loads the document at run time. It is a step of `go generate ./...`.
//
// Usage:
//
//	go run ./internal/tools/cligen [-spec spec/openapi.gen.json] [-o internal/climeta/catalog.gen.go]
package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/anam-ai/anam-go/internal/cligen"
	"github.com/anam-ai/anam-go/internal/specload"
)

func main() { os.Exit(run(os.Args[1:], os.Stderr)) }

func run(args []string, stderr io.Writer) int {
	fs := flag.NewFlagSet("cligen", flag.ContinueOnError)
	fs.SetOutput(stderr)
	specPath := fs.String("spec", "spec/openapi.gen.json", "the prepared OpenAPI document")
	out := fs.String("o", "internal/climeta/catalog.gen.go", "the file to write")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if err := generate(*specPath, *out); err != nil {
		fmt.Fprintln(stderr, "cligen:", err)
		return 1
	}
	return 0
}

func generate(specPath, out string) error {
	data, err := os.ReadFile(specPath)
	if err != nil {
		return err
	}
	doc, err := specload.LoadBytes(data, nil)
	if err != nil {
		return err
	}
	cat, err := cligen.Build(doc)
	if err != nil {
		return err
	}
	src, err := cligen.Write(cat, filepath.ToSlash(specPath))
	if err != nil {
		return err
	}
	return os.WriteFile(out, src, 0o644)
}
