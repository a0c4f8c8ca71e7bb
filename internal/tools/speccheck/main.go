// Command speccheck validates the vendored Anam OpenAPI document before the
// SDK is generated from it: it applies the overlay, validates the document
// and its examples with kin-openapi, lints it for the defects upstream Anam
// documents are known to carry, and sorts the findings (see package
// internal/speccheck): blocking findings must be resolved by an overlay
// action or accepted with a reason in the tolerated list; notices (inline
// schemas, error responses without a body schema) are counted and located
// but never block.
//
// Usage:
//
//	go run ./internal/tools/speccheck [-spec spec/swagger.json] [-overlay spec/overlay.yaml]
//	    [-tolerate spec/tolerated.yaml] [-fix] [-report-md FILE]
//
// It prints the blocking findings that need a decision first (each with the
// overlay action -fix would write for it, where the fix is mechanical), then
// the overlay actions applied and what they resolved, the tolerated
// findings, the notices, and warnings about tolerated entries that matched
// nothing.
//
// -fix appends the overlay actions for the mechanical fixes (`nullable` in a
// 3.1 document, `style`/`explode` written in a parameter's schema) to the
// -overlay file, keeping its text and comments, for the maintainer to
// review; then it checks again and prints that result. Running it twice adds
// nothing the second time. -report-md FILE writes a short Markdown section
// (### Spec check) for changelogs and update reports.
//
// Exit status: 0 when no blocking finding is left; 1 when some are (each is
// named: rule, location, message); 2 when the check could not run: a file
// that cannot be read or written, an overlay that does not apply, a
// malformed tolerated list, a fix that would not apply cleanly, bad flags.
// A missing tolerated file is an empty list; -overlay "" applies no overlay
// (and cannot be combined with -fix); with -fix a missing overlay file is
// started.
package main

import (
	"bytes"
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
	fix := fset.Bool("fix", false, "append the overlay actions for mechanical fixes to the -overlay file, then check again")
	mdPath := fset.String("report-md", "", "write a Markdown summary for a maintainer's review to this file")
	if err := fset.Parse(args); err != nil {
		return 2
	}
	if fset.NArg() > 0 {
		fmt.Fprintf(stderr, "speccheck: unexpected arguments %q\n", fset.Args())
		fset.Usage()
		return 2
	}
	if *fix && *overlayPath == "" {
		fmt.Fprintln(stderr, "speccheck: -fix writes to the -overlay file: give one")
		return 2
	}

	doc, err := os.ReadFile(*specPath)
	if err != nil {
		fmt.Fprintln(stderr, "speccheck:", err)
		return 2
	}
	var ov []byte
	overlayName := *overlayPath
	if *overlayPath != "" {
		ov, err = os.ReadFile(*overlayPath)
		switch {
		case *fix && errors.Is(err, fs.ErrNotExist):
			ov, overlayName = nil, *overlayPath+" (missing: -fix starts it)"
		case err != nil:
			fmt.Fprintln(stderr, "speccheck:", err)
			return 2
		}
	} else {
		overlayName = "(none)"
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

	var report *speccheck.Report
	if *fix {
		var fixed []byte
		fixed, report, err = speccheck.CheckAndFix(doc, ov, tol)
		if err == nil && !bytes.Equal(fixed, ov) {
			err = writeFile(*overlayPath, fixed)
		}
	} else {
		report, err = speccheck.Check(doc, ov, tol)
	}
	if err != nil {
		fmt.Fprintf(stderr, "speccheck: %s: %v\n", *specPath, err)
		return 2
	}
	fmt.Fprintf(stdout, "speccheck: %s (OpenAPI %s), overlay %s, tolerated list %s\n", *specPath, report.OpenAPI, overlayName, tolName)
	if *fix {
		if n := len(report.Fixed); n > 0 {
			fmt.Fprintf(stdout, "-fix appended %d overlay action(s) to %s and checked again:\n", n, *overlayPath)
		} else {
			fmt.Fprintln(stdout, "-fix found nothing to fix mechanically; the overlay is unchanged.")
		}
	}
	if err := report.Write(stdout); err != nil {
		fmt.Fprintln(stderr, "speccheck:", err)
		return 2
	}
	if *mdPath != "" {
		var md bytes.Buffer
		if err := report.WriteMarkdown(&md); err != nil {
			fmt.Fprintln(stderr, "speccheck:", err)
			return 2
		}
		if err := writeFile(*mdPath, md.Bytes()); err != nil {
			fmt.Fprintln(stderr, "speccheck:", err)
			return 2
		}
	}
	if !report.OK() {
		fmt.Fprintf(stderr, "speccheck: %s: %d blocking finding(s) need a decision\n", *specPath, len(report.Findings))
		return 1
	}
	return 0
}

// writeFile replaces the file at path with data, keeping its mode when it
// exists.
func writeFile(path string, data []byte) error {
	mode := fs.FileMode(0o644)
	if fi, err := os.Stat(path); err == nil {
		mode = fi.Mode().Perm()
	}
	return os.WriteFile(path, data, mode)
}
