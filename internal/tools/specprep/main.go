// Command specprep writes the document the SDK is generated from: the
// vendored OpenAPI document with the overlay applied and every inline
// request and response schema named by the rule of package
// internal/specprep. It is the first step of `go generate ./...`.
//
// Usage:
//
//	go run ./internal/tools/specprep [-spec spec/swagger.json] [-overlay spec/overlay.yaml] [-o spec/openapi.gen.json]
//
// Exit status 1 means the document could not be prepared (an unreadable
// file, an overlay action that matches nothing, a name collision); the
// message says which.
package main

import (
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/anam-ai/anam-go/internal/specprep"
)

func main() { os.Exit(run(os.Args[1:], os.Stderr)) }

func run(args []string, stderr io.Writer) int {
	fs := flag.NewFlagSet("specprep", flag.ContinueOnError)
	fs.SetOutput(stderr)
	specPath := fs.String("spec", "spec/swagger.json", "the vendored OpenAPI document")
	overlayPath := fs.String("overlay", "spec/overlay.yaml", `the overlay of upstream fixes ("" for none)`)
	out := fs.String("o", "spec/openapi.gen.json", "where to write the prepared document")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	doc, err := os.ReadFile(*specPath)
	if err != nil {
		fmt.Fprintln(stderr, "specprep:", err)
		return 1
	}
	var ov []byte
	if *overlayPath != "" {
		if ov, err = os.ReadFile(*overlayPath); err != nil {
			fmt.Fprintln(stderr, "specprep:", err)
			return 1
		}
	}
	res, err := specprep.Prepare(doc, ov)
	if err != nil {
		fmt.Fprintf(stderr, "specprep: %s: %v\n", *specPath, err)
		return 1
	}
	if err := os.WriteFile(*out, res.JSON, 0o644); err != nil {
		fmt.Fprintln(stderr, "specprep:", err)
		return 1
	}
	return 0
}
