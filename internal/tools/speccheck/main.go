// Command speccheck validates the vendored Anam OpenAPI document before the
// SDK is generated from it: it applies the overlay, validates the document
// and its examples with kin-openapi, lints it for the defects no library
// reports and upstream Anam documents are known to carry, and checks the
// overlay itself (see package internal/speccheck). Every finding must be
// resolved by an overlay action or accepted with a reason in the tolerated
// list; overlay actions must select by name and still apply.
//
// Usage:
//
//	go run ./internal/tools/speccheck [-spec spec/swagger.json] [-overlay spec/overlay.yaml]
//	    [-tolerate spec/tolerated.yaml] [-fix | -prune] [-report-md FILE]
//
// It prints the findings that need a decision first, each with its proposed
// fix (the overlay change -fix writes, where the fix is mechanical, or the
// overlay action or tolerated entry to write), then the overlay actions that
// no longer apply, the overlay actions and what they resolved, the
// tolerated findings, and warnings about tolerated entries that matched
// nothing.
//
// -fix writes the mechanical fixes into the -overlay file, keeping its text
// and comments, for the maintainer to review: it appends actions for
// `nullable` in a 3.1 document and `style`/`explode` written in a
// parameter's schema, and rewrites positional targets (`parameters[4]`) to
// select by name; then it checks again and prints that result. Running it
// twice changes nothing the second time. -prune removes the overlay actions
// that no longer apply and the tolerated entries that match nothing from
// their files (as `make update-spec` does). -report-md FILE writes a short
// Markdown section (### Spec check) for update reports.
//
// Exit status: 0 when no finding is left and every overlay action applies;
// 1 when not (each finding and action is named); 2 when the check could not
// run: a file that cannot be read or written, an overlay action that fails
// to apply, a malformed tolerated list, a fix that would not apply cleanly,
// bad flags. Run the built binary to see 2: `go run` reports every failure
// as 1. A missing tolerated file is an empty list; -overlay "" applies no
// overlay (and cannot be combined with -fix or -prune); with -fix a missing
// overlay file is started.
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
	fix := fset.Bool("fix", false, "write the mechanical fixes into the -overlay file, then check again")
	prune := fset.Bool("prune", false, "remove the overlay actions that no longer apply and the tolerated entries that match nothing from their files")
	mdPath := fset.String("report-md", "", "write a Markdown summary for a maintainer's review to this file")
	if err := fset.Parse(args); err != nil {
		return 2
	}
	if fset.NArg() > 0 {
		fmt.Fprintf(stderr, "speccheck: unexpected arguments %q\n", fset.Args())
		fset.Usage()
		return 2
	}
	if (*fix || *prune) && *overlayPath == "" {
		fmt.Fprintln(stderr, "speccheck: -fix and -prune write to the -overlay file: give one")
		return 2
	}
	if *fix && *prune {
		fmt.Fprintln(stderr, "speccheck: -fix and -prune do not go together: prune first")
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
	var pruned *speccheck.Pruned
	switch {
	case *fix:
		var fixed []byte
		fixed, report, err = speccheck.CheckAndFix(doc, ov, tol)
		if err == nil && !bytes.Equal(fixed, ov) {
			err = writeFile(*overlayPath, fixed)
		}
	case *prune:
		if pruned, err = speccheck.Prune(doc, ov, tol); err == nil {
			report = pruned.Report
			if !bytes.Equal(pruned.Overlay, ov) {
				err = writeFile(*overlayPath, pruned.Overlay)
			}
			if err == nil && !bytes.Equal(pruned.Tolerated, tol) {
				err = writeFile(*tolPath, pruned.Tolerated)
			}
		}
	default:
		report, err = speccheck.Check(doc, ov, tol)
	}
	if err != nil {
		fmt.Fprintf(stderr, "speccheck: %s: %v\n", *specPath, err)
		return 2
	}
	fmt.Fprintf(stdout, "speccheck: %s (OpenAPI %s), overlay %s, tolerated list %s\n", *specPath, report.OpenAPI, overlayName, tolName)
	if *fix {
		if n := len(report.Fixed); n > 0 {
			fmt.Fprintf(stdout, "-fix wrote %d overlay action(s) into %s (appended or retargeted) and checked again:\n", n, *overlayPath)
		} else {
			fmt.Fprintln(stdout, "-fix found nothing to fix mechanically; the overlay is unchanged.")
		}
	}
	if pruned != nil {
		fmt.Fprintf(stdout, "-prune removed %d overlay action(s) and %d tolerated entr%s:\n", len(pruned.Removed), len(pruned.RemovedTolerated), map[bool]string{true: "y", false: "ies"}[len(pruned.RemovedTolerated) == 1])
		for _, a := range pruned.Removed {
			fmt.Fprintf(stdout, "  %s\n    %s\n", a, a.Why())
		}
		for _, t := range pruned.RemovedTolerated {
			fmt.Fprintf(stdout, "  tolerated %s: it matches no finding any more\n", t)
		}
	}
	if err := report.Write(stdout); err != nil {
		fmt.Fprintln(stderr, "speccheck:", err)
		return 2
	}
	if *mdPath != "" {
		var md bytes.Buffer
		write := report.WriteMarkdown
		if pruned != nil {
			write = pruned.WriteMarkdown
		}
		if err := write(&md); err != nil {
			fmt.Fprintln(stderr, "speccheck:", err)
			return 2
		}
		if err := writeFile(*mdPath, md.Bytes()); err != nil {
			fmt.Fprintln(stderr, "speccheck:", err)
			return 2
		}
	}
	if !report.OK() {
		fmt.Fprintf(stderr, "speccheck: %s: %d finding(s) need a decision, %d overlay action(s) no longer apply\n",
			*specPath, len(report.Findings), len(report.Obsolete()))
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
