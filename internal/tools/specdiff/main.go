// Command specdiff reports what updating the OpenAPI document changes: on
// the wire (oasdiff's diff and HTTP compatibility findings) and, given the
// SDK built from each document, in Go (apidiff's compatible and
// incompatible changes of every importable package). See
// internal/specdiff. `make update-spec` runs the same comparison itself.
//
//	go run ./internal/tools/specdiff -base OLD.json -revision NEW.json \
//	    [-base-overlay O1.yaml] [-revision-overlay O2.yaml] \
//	    [-go-before DIR -go-after DIR] [-checks CHECKS.md] \
//	    [-changelog CHANGELOG.md] [-o report.md] [-base-name NAME] [-revision-name NAME]
//
// The report (Markdown) goes to -o, or to standard output. -go-before and
// -go-after are the roots of the module as generated from each document.
// -checks appends the spec checker's Markdown section verbatim. -changelog
// merges the short entry into the "## [Unreleased]" section of a Keep a
// Changelog file, creating it if absent; re-running with the same base
// document replaces its entry. -base-name and -revision-name set how the
// report names the documents (by default, their paths and overlays' paths).
//
// Exit status: 0 when the report was written (whatever it says), 2 for bad
// usage or an unusable input (unreadable or invalid document, overlay or
// checks file), 1 when an output cannot be written.
package main

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/anam-ai/anam-go/internal/specdiff"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// usageError is an error in the command line or an input: exit status 2.
type usageError struct{ error }

func run(args []string, stdout, stderr io.Writer) int {
	err := execute(args, stdout, stderr)
	switch {
	case err == nil:
		return 0
	case errors.Is(err, flag.ErrHelp):
		return 2
	}
	fmt.Fprintln(stderr, "specdiff:", err)
	var ue usageError
	var ie *specdiff.InputError
	if errors.As(err, &ue) || errors.As(err, &ie) {
		return 2
	}
	return 1
}

func execute(args []string, stdout, stderr io.Writer) error {
	fl := flag.NewFlagSet("specdiff", flag.ContinueOnError)
	fl.SetOutput(stderr)
	base := fl.String("base", "", "the previous OpenAPI document (required)")
	revision := fl.String("revision", "", "the new OpenAPI document (required)")
	baseOverlay := fl.String("base-overlay", "", "OpenAPI Overlay applied to -base first (\"\" for none)")
	revisionOverlay := fl.String("revision-overlay", "", "OpenAPI Overlay applied to -revision first (\"\" for none)")
	checks := fl.String("checks", "", "Markdown section from the spec checker to include verbatim (\"\" for none)")
	changelog := fl.String("changelog", "", "Keep a Changelog file whose [Unreleased] section gets the changes (created if absent)")
	out := fl.String("o", "", "write the report here instead of standard output")
	goBefore := fl.String("go-before", "", "the module's root as generated from -base, to measure its Go API (with -go-after)")
	goAfter := fl.String("go-after", "", "the module's root as generated from -revision, to measure its Go API (with -go-before)")
	baseName := fl.String("base-name", "", "how the report names the base document (default: its paths)")
	revisionName := fl.String("revision-name", "", "how the report names the revision document (default: its paths)")
	if err := fl.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return usageError{err}
	}
	if fl.NArg() > 0 {
		return usageError{fmt.Errorf("unexpected arguments %q", fl.Args())}
	}
	if *base == "" || *revision == "" {
		return usageError{errors.New("-base and -revision are required")}
	}
	if (*goBefore == "") != (*goAfter == "") {
		return usageError{errors.New("-go-before and -go-after go together")}
	}

	baseDoc, err := document(*base, *baseOverlay)
	if err != nil {
		return err
	}
	revDoc, err := document(*revision, *revisionOverlay)
	if err != nil {
		return err
	}
	if *baseName != "" {
		baseDoc.Name = *baseName
	}
	if *revisionName != "" {
		revDoc.Name = *revisionName
	}
	var checksMD []byte
	if *checks != "" {
		if checksMD, err = readInput("checks file", *checks); err != nil {
			return err
		}
	}
	report, err := specdiff.Compare(baseDoc, revDoc)
	if err != nil {
		return err
	}
	if *goBefore != "" {
		before, err := specdiff.MeasureAPI(*goBefore)
		if err != nil {
			return usageError{err}
		}
		after, err := specdiff.MeasureAPI(*goAfter)
		if err != nil {
			return usageError{err}
		}
		report.Go, report.GoMeasured = specdiff.CompareAPI(before, after), true
	}

	// An update that changes nothing for SDK users leaves the changelog as
	// it is: an entry saying "no changes" is noise for readers.
	if *changelog != "" && !report.Empty() {
		existing, err := os.ReadFile(*changelog)
		if err != nil && !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("read changelog: %w", err)
		}
		sum := sha256.Sum256(baseDoc.Spec)
		merged := specdiff.MergeChangelog(existing, "spec=sha256:"+hex.EncodeToString(sum[:8]), report.Entry())
		if err := writeFile(*changelog, merged); err != nil {
			return fmt.Errorf("write changelog: %w", err)
		}
	}
	md := report.Markdown(checksMD)
	if *out == "" {
		_, err := stdout.Write(md)
		return err
	}
	if err := writeFile(*out, md); err != nil {
		return fmt.Errorf("write report: %w", err)
	}
	return nil
}

// document reads a document and its optional overlay; the report names the
// document by its paths.
func document(path, overlayPath string) (specdiff.Document, error) {
	doc := specdiff.Document{Name: path}
	var err error
	if doc.Spec, err = readInput("document", path); err != nil {
		return doc, err
	}
	if overlayPath != "" {
		if doc.Overlay, err = readInput("overlay", overlayPath); err != nil {
			return doc, err
		}
		doc.Name += " + " + overlayPath
	}
	return doc, nil
}

func readInput(what, path string) ([]byte, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, usageError{fmt.Errorf("read %s: %w", what, err)}
	}
	return data, nil
}

// writeFile replaces path atomically, so an interrupted run never leaves a
// half-written changelog.
func writeFile(path string, data []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	if err := os.Chmod(tmp.Name(), 0o644); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}
