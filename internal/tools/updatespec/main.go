// Command updatespec is the routine behind `make update-spec`: it vendors a
// new upstream OpenAPI document and regenerates the SDK from it (see package
// internal/regen).
//
// Usage (from the repository's root):
//
//	go build -o /tmp/updatespec ./internal/tools/updatespec
//	/tmp/updatespec -spec NEW.json [-work DIR] [-base-ref HEAD] [-test-flags '-skip X']
//
// It checks NEW.json with spec/overlay.yaml and spec/tolerated.yaml,
// removing the overlay actions and tolerated entries that no longer apply
// (upstream changed or fixed what they patched) and listing them; vendors
// it as spec/swagger.json; runs go generate, go build, measures the SDK's
// exported Go API against the base (apidiff) and the documents (oasdiff)
// into DIR/report.md; runs go vet and go test; and merges a short entry into
// the [Unreleased] section of CHANGELOG.md, net of earlier updates since the
// last release.
//
// Exit status (run the built binary: `go run` turns every failure into 1):
//
//	0  done
//	1  findings of the spec check need a decision; each is printed with its
//	   proposed fix, and nothing in the repository changed
//	2  the routine could not run (an unreadable or unparsable input, the SDK
//	   of the base commit does not regenerate...); the real error is printed
//	3  go generate, go build, go vet or go test failed with the new
//	   document; the step is named, and DIR/report.md says what changed
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"strings"

	"github.com/anam-ai/anam-go/internal/regen"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("updatespec", flag.ContinueOnError)
	fs.SetOutput(stderr)
	spec := fs.String("spec", "", "the new upstream OpenAPI document (required)")
	work := fs.String("work", filepath.Join(os.TempDir(), "anam-go-spec-update"), "the directory for the update's files")
	baseRef := fs.String("base-ref", "HEAD", "the git revision of the SDK before the update")
	testFlags := fs.String("test-flags", "", "flags added to `go test ./...`, separated by spaces")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if *spec == "" || fs.NArg() > 0 {
		fmt.Fprintln(stderr, "updatespec: give the new document with -spec, and nothing else")
		fs.Usage()
		return 2
	}
	o := regen.Options{
		Root: ".", Candidate: *spec, WorkDir: *work, BaseRef: *baseRef,
		TestFlags: strings.Fields(*testFlags), Stdout: stdout, Stderr: stderr,
	}
	_, err := regen.Update(ctx, o)
	if err != nil {
		fmt.Fprintln(stderr, "update-spec:", message(err, o))
	}
	return regen.ExitStatus(err)
}

// message says what stopped the update and what to do next.
func message(err error, o regen.Options) string {
	again := "make update-spec SPEC=" + o.Candidate
	switch regen.ExitStatus(err) {
	case 1:
		return fmt.Sprintf("%v; spec/ is unchanged.\n"+
			"  Resolve each finding with an overlay action in spec/overlay.yaml (the mechanical ones:\n"+
			"  go run ./internal/tools/speccheck -spec %s -fix) or accept it with a reason in\n"+
			"  spec/tolerated.yaml, then re-run: %s", err, o.Candidate, again)
	case 3:
		return fmt.Sprintf("%v.\n"+
			"  %s lists what the update changes in the Go API, which usually says what broke.\n"+
			"  The previous document is %s; `git status` shows what the update changed and git restores it.\n"+
			"  Fix the overlay or the SDK, then re-run: %s",
			err, filepath.Join(o.WorkDir, "report.md"), filepath.Join(o.WorkDir, "previous.json"), again)
	}
	var cannot *regen.CannotRunError
	if errors.As(err, &cannot) && cannot.Vendored {
		return fmt.Sprintf("could not run: %v.\n  The new document is in spec/; `git status` shows what the update changed and git restores it.", err)
	}
	return fmt.Sprintf("could not run: %v; spec/ is unchanged.", err)
}
