// Command speccheck validates the vendored Anam OpenAPI document before the
// SDK is generated from it: it applies the overlay, validates the document
// and its examples with kin-openapi, lints it for the defects upstream Anam
// documents are known to carry, and accepts the findings the tolerated list
// gives a reason for (see package internal/speccheck).
//
// Usage:
//
//	go run ./internal/tools/speccheck [-spec spec/swagger.json] [-overlay spec/overlay.yaml] [-tolerate spec/tolerated.yaml]
//
// It prints every overlay action applied and every tolerated defect, one
// line each, warns about tolerated entries that matched nothing, and exits
// with status 1 naming every untolerated defect (rule, location, message).
// Status 2 means the check could not run: a file that cannot be read, an
// overlay that does not apply, a malformed tolerated list. A missing
// tolerated file is an empty list; -overlay "" applies no overlay.
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"

	"github.com/anam-ai/anam-go/internal/speccheck"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// run is the command with its arguments and output streams; it returns the
// exit status.
func run(args []string, stdout, stderr io.Writer) int {
	fset := flag.NewFlagSet("speccheck", flag.ContinueOnError)
	fset.SetOutput(stderr)
	specPath := fset.String("spec", "spec/swagger.json", "the OpenAPI document to check")
	overlayPath := fset.String("overlay", "spec/overlay.yaml", `the OpenAPI Overlay to apply first ("" for none)`)
	tolPath := fset.String("tolerate", "spec/tolerated.yaml", "the tolerated list (a missing file is an empty list)")
	if err := fset.Parse(args); err != nil {
		return 2
	}
	if fset.NArg() > 0 {
		fmt.Fprintf(stderr, "speccheck: unexpected arguments %q\n", fset.Args())
		fset.Usage()
		return 2
	}

	doc, err := os.ReadFile(*specPath)
	if err != nil {
		fmt.Fprintln(stderr, "speccheck:", err)
		return 2
	}
	var ov []byte
	if *overlayPath != "" {
		if ov, err = os.ReadFile(*overlayPath); err != nil {
			fmt.Fprintln(stderr, "speccheck:", err)
			return 2
		}
	}
	tolName := *tolPath
	tol, err := os.ReadFile(*tolPath)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		tol, tolName = nil, *tolPath+" (missing: nothing tolerated)"
	case err != nil:
		fmt.Fprintln(stderr, "speccheck:", err)
		return 2
	}

	report, err := speccheck.Check(doc, ov, tol)
	if err != nil {
		fmt.Fprintf(stderr, "speccheck: %s: %v\n", *specPath, err)
		return 2
	}
	overlayName := *overlayPath
	if overlayName == "" {
		overlayName = "(none)"
	}
	fmt.Fprintf(stdout, "speccheck: %s (OpenAPI %s), overlay %s, tolerated list %s\n", *specPath, report.OpenAPI, overlayName, tolName)
	if err := report.Write(stdout); err != nil {
		fmt.Fprintln(stderr, "speccheck:", err)
		return 2
	}
	if !report.OK() {
		fmt.Fprintf(stderr, "speccheck: %s: %d untolerated defect(s)\n", *specPath, len(report.Findings))
		return 1
	}
	return 0
}
