// Package regen is the routine behind `make update-spec`, which vendors a
// new upstream OpenAPI document and regenerates the SDK from it unattended,
// and the proofs that it works on documents the SDK has never seen.
//
// Update checks the candidate document with the overlay and the tolerated
// list (internal/speccheck), dropping what upstream changed or fixed,
// vendors it, regenerates, builds, vets and tests the SDK, measures what
// changes in its exported Go API (apidiff) and on the wire (oasdiff), and
// merges a short entry into the [Unreleased] section of CHANGELOG.md. Each
// way it can stop has an error type of its own, so that the command says
// which it was, with its own exit status.
package regen

import (
	"bytes"
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/anam-ai/anam-go/internal/speccheck"
	"github.com/anam-ai/anam-go/internal/specdiff"
)

// The files of the repository the update reads and writes, relative to its
// root.
const (
	SpecFile      = "spec/swagger.json"
	OverlayFile   = "spec/overlay.yaml"
	ToleratedFile = "spec/tolerated.yaml"
	ChangelogFile = "CHANGELOG.md"
)

// Options configure Update.
type Options struct {
	// Root is the repository's root directory.
	Root string
	// Candidate is the path of the new upstream document.
	Candidate string
	// WorkDir receives the update's files: previous.json and
	// previous-overlay.yaml (what spec/ held at BaseRef), checks.md (the
	// spec check), report.md (the full update report) and before/ (the
	// SDK as the comparison base, when it must be regenerated).
	WorkDir string
	// BaseRef is the git revision whose SDK the update is compared with
	// (default HEAD), unless the [Unreleased] entry of the changelog was
	// measured from an earlier commit, which then stays the base: the entry
	// is net of every update since the last release.
	BaseRef string
	// Go is the go command (default "go").
	Go string
	// TestFlags are added to `go test ./...`.
	TestFlags []string
	// Stdout gets progress and the output of the go command; Stderr the
	// diagnostics.
	Stdout, Stderr io.Writer
}

// Result is what a completed update did.
type Result struct {
	// Pruned is the spec check, with the overlay actions and tolerated
	// entries the update removed.
	Pruned *speccheck.Pruned
	// Report is what the update changes, on the wire and in Go.
	Report *specdiff.Report
	// Base is the commit the Go API and the CHANGELOG entry were measured
	// from ("" without git).
	Base string
	// ReportPath is the Markdown report's file.
	ReportPath string
}

// BlockedError is the error of an update stopped by findings of the spec
// check that need a decision. Nothing in the repository changed.
type BlockedError struct {
	Report *speccheck.Report
}

func (e *BlockedError) Error() string {
	return fmt.Sprintf("%d finding(s) of the spec check need a decision (each is listed with its proposed fix)", len(e.Report.Findings))
}

// CannotRunError is the error of an update that could not run a step at
// all: an unreadable file, a candidate that is no YAML or JSON, an overlay
// or tolerated list that does not parse, the SDK before the update that
// does not build.
type CannotRunError struct {
	What string
	Err  error
	// Vendored is set when the new document was already in spec/.
	Vendored bool
}

func (e *CannotRunError) Error() string { return e.What + ": " + e.Err.Error() }
func (e *CannotRunError) Unwrap() error { return e.Err }

// StepError is the error of an update whose generate, build, vet or test
// step failed with the new document in place.
type StepError struct {
	// Step is the command that failed: "go generate ./..." and so on.
	Step string
	Err  error
}

func (e *StepError) Error() string {
	return fmt.Sprintf("'%s' failed with the new document: %v", e.Step, e.Err)
}
func (e *StepError) Unwrap() error { return e.Err }

// Update runs the update routine (see the package documentation). On a
// *BlockedError or *CannotRunError the repository is unchanged; on a
// *StepError spec/ holds the new document and the generated files what
// was generated before the failure (git restores the previous state).
func Update(ctx context.Context, o Options) (*Result, error) {
	if o.Go == "" {
		o.Go = "go"
	}
	if o.BaseRef == "" {
		o.BaseRef = "HEAD"
	}
	if o.Stdout == nil {
		o.Stdout = io.Discard
	}
	if o.Stderr == nil {
		o.Stderr = io.Discard
	}
	root, err := filepath.Abs(o.Root)
	if err != nil {
		return nil, &CannotRunError{What: "find the repository", Err: err}
	}
	if err := os.MkdirAll(o.WorkDir, 0o755); err != nil {
		return nil, &CannotRunError{What: "create the work directory", Err: err}
	}
	say := func(format string, args ...any) { fmt.Fprintf(o.Stdout, "update-spec: "+format+"\n", args...) }
	at := func(name string) string { return filepath.Join(root, name) }
	work := func(name string) string { return filepath.Join(o.WorkDir, name) }
	git := runner{dir: root, env: os.Environ()}

	// 1. Check the candidate with the overlay and the tolerated list,
	// dropping what no longer applies.
	candidate, err := os.ReadFile(o.Candidate)
	if err != nil {
		return nil, &CannotRunError{What: "read the candidate document", Err: err}
	}
	overlay, err := readOptional(at(OverlayFile))
	if err != nil {
		return nil, &CannotRunError{What: "read " + OverlayFile, Err: err}
	}
	tolerated, err := readOptional(at(ToleratedFile))
	if err != nil {
		return nil, &CannotRunError{What: "read " + ToleratedFile, Err: err}
	}
	say("checking %s with %s and %s", o.Candidate, OverlayFile, ToleratedFile)
	pruned, err := speccheck.Prune(candidate, overlay, tolerated)
	if err != nil {
		return nil, &CannotRunError{What: "the spec check could not run", Err: err}
	}
	var checks bytes.Buffer
	if err := pruned.WriteMarkdown(&checks); err != nil {
		return nil, &CannotRunError{What: "write the spec check", Err: err}
	}
	if err := os.WriteFile(work("checks.md"), checks.Bytes(), 0o644); err != nil {
		return nil, &CannotRunError{What: "write the spec check", Err: err}
	}
	for _, a := range pruned.Removed {
		say("overlay action no longer applies, removed: %s\n    (%s)", a, a.Why())
	}
	for _, t := range pruned.RemovedTolerated {
		say("tolerated entry matches nothing, removed: %s", t)
	}
	if err := pruned.Report.Write(o.Stdout); err != nil {
		return nil, &CannotRunError{What: "print the spec check", Err: err}
	}
	if !pruned.Report.OK() {
		return nil, &BlockedError{Report: pruned.Report}
	}

	// 2. The base: the SDK at the commit the changelog entry is measured
	// from, rebuilt from that commit's spec with today's generator and
	// handwritten code, so that what differs is what the spec changes.
	changelog, err := readOptional(at(ChangelogFile))
	if err != nil {
		return nil, &CannotRunError{What: "read " + ChangelogFile, Err: err}
	}
	res := &Result{Pruned: pruned, ReportPath: work("report.md")}
	if c := specdiff.UnreleasedBase(changelog); c != "" {
		res.Base = git.gitCommit(ctx, c)
		if res.Base == "" {
			fmt.Fprintf(o.Stderr, "update-spec: warning: %s's [Unreleased] entry was measured from commit %s, which git does not have; measuring from %s (the entry will not be net of earlier updates)\n", ChangelogFile, c, o.BaseRef)
		}
	}
	if res.Base == "" {
		res.Base = git.gitCommit(ctx, o.BaseRef)
	}
	current, err := os.ReadFile(at(SpecFile))
	if err != nil {
		return nil, &CannotRunError{What: "read " + SpecFile, Err: err}
	}
	baseSpec, baseOverlay := current, overlay
	if res.Base != "" {
		var ok bool
		if baseSpec, ok = git.gitFile(ctx, res.Base, SpecFile); !ok {
			return nil, &CannotRunError{What: "read the base document", Err: fmt.Errorf("commit %s has no %s", res.Base, SpecFile)}
		}
		baseOverlay, _ = git.gitFile(ctx, res.Base, OverlayFile)
	}
	previous, previousOverlay := current, overlay
	if c := git.gitCommit(ctx, o.BaseRef); c != "" {
		previous, _ = git.gitFile(ctx, c, SpecFile)
		previousOverlay, _ = git.gitFile(ctx, c, OverlayFile)
	}
	if err := os.WriteFile(work("previous.json"), previous, 0o644); err != nil {
		return nil, &CannotRunError{What: "save the previous document", Err: err}
	}
	if err := os.WriteFile(work("previous-overlay.yaml"), previousOverlay, 0o644); err != nil {
		return nil, &CannotRunError{What: "save the previous overlay", Err: err}
	}
	say("measuring the SDK's Go API before the update (base %s)", orNone(res.Base))
	beforeDir := root
	if !bytes.Equal(baseSpec, current) || !bytes.Equal(baseOverlay, overlay) {
		beforeDir = work("before")
		if err := rebuild(ctx, o, root, beforeDir, baseSpec, baseOverlay); err != nil {
			return nil, &CannotRunError{What: "regenerate the SDK of the base commit " + res.Base, Err: err}
		}
	}
	before, err := specdiff.MeasureAPI(beforeDir)
	if err != nil {
		return nil, &CannotRunError{What: "measure the SDK before the update", Err: err}
	}

	// The wire view: what the documents say, as the SDK is generated from
	// them.
	wire, err := specdiff.Compare(
		specdiff.Document{Name: SpecFile + " + " + OverlayFile + " at " + orNone(res.Base), Spec: baseSpec, Overlay: baseOverlay},
		specdiff.Document{Name: SpecFile + " + " + OverlayFile + " (updated)", Spec: candidate, Overlay: pruned.Overlay})
	if err != nil {
		return nil, &CannotRunError{What: "compare the documents (oasdiff)", Err: err}
	}

	// 3. Vendor the candidate, and the overlay and list without what no
	// longer applies.
	for name, data := range map[string][]byte{SpecFile: candidate, OverlayFile: pruned.Overlay, ToleratedFile: pruned.Tolerated} {
		old, _ := readOptional(at(name))
		if bytes.Equal(old, data) || (len(data) == 0 && name != SpecFile) {
			continue
		}
		if err := os.WriteFile(at(name), data, 0o644); err != nil {
			return nil, &CannotRunError{What: "write " + name, Err: err, Vendored: true}
		}
	}
	say("vendored %s (the previous one is %s)", SpecFile, work("previous.json"))

	// 4. Regenerate and build, measure, report; then vet and test.
	res.Report = wire
	gocmd := runner{dir: root, env: os.Environ(), stdout: o.Stdout, stderr: o.Stderr}
	report := func() error {
		return os.WriteFile(res.ReportPath, wire.Markdown(checks.Bytes()), 0o644)
	}
	steps := [][]string{{"generate", "./..."}, {"build", "./..."}}
	for _, step := range steps {
		if err := runStep(ctx, gocmd, o.Go, step, say); err != nil {
			_ = report() // the wire view, at least
			return res, err
		}
	}
	after, err := specdiff.MeasureAPI(root)
	if err != nil {
		_ = report()
		return res, &StepError{Step: "measure the Go API after the update", Err: err}
	}
	wire.Go, wire.GoMeasured = specdiff.CompareAPI(before, after), true
	if err := report(); err != nil {
		return res, &CannotRunError{What: "write the report", Err: err, Vendored: true}
	}
	say("what changes, in Go and on the wire: %s", res.ReportPath)
	for _, line := range wire.Entry().Breaking {
		say("breaking: %s", line)
	}
	test := append([]string{"test"}, o.TestFlags...)
	for _, step := range [][]string{{"vet", "./..."}, append(test, "./...")} {
		if err := runStep(ctx, gocmd, o.Go, step, say); err != nil {
			return res, err
		}
	}

	// 5. The CHANGELOG entry, net of the updates since the base.
	entry := wire.Entry()
	key := specdiff.BaseKey(cmp.Or(res.Base, "none"))
	if !emptyEntry(entry) || strings.Contains(string(changelog), "specdiff:begin "+key) {
		merged := specdiff.MergeChangelog(changelog, key, entry)
		if err := os.WriteFile(at(ChangelogFile), merged, 0o644); err != nil {
			return res, &CannotRunError{What: "write " + ChangelogFile, Err: err, Vendored: true}
		}
		say("merged the entry into %s [Unreleased] (measured from %s)", ChangelogFile, orNone(res.Base))
	}
	say("done. Review %s and the %s [Unreleased] entry, then commit (MAINTAINING.md).", res.ReportPath, ChangelogFile)
	return res, nil
}

// runStep runs one go command of the update as a step.
func runStep(ctx context.Context, r runner, gocmd string, args []string, say func(string, ...any)) error {
	name := "go " + strings.Join(args, " ")
	say("%s", name)
	if err := r.run(ctx, gocmd, args...); err != nil {
		return &StepError{Step: name, Err: err}
	}
	return nil
}

// rebuild copies the module at root into dir with spec and overlay in
// spec/ and regenerates it there.
func rebuild(ctx context.Context, o Options, root, dir string, spec, overlay []byte) error {
	if err := os.RemoveAll(dir); err != nil {
		return err
	}
	skip := []string{}
	if rel, err := filepath.Rel(root, o.WorkDir); err == nil && !strings.HasPrefix(rel, "..") {
		skip = append(skip, rel)
	}
	if err := CopyTree(root, dir, skip...); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(dir, SpecFile), spec, 0o644); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(dir, OverlayFile), overlay, 0o644); err != nil {
		return err
	}
	var out bytes.Buffer
	r := runner{dir: dir, env: os.Environ(), stdout: &out, stderr: &out}
	if err := r.run(ctx, o.Go, "generate", "./..."); err != nil {
		return fmt.Errorf("%w\n%s", err, out.String())
	}
	return nil
}

func emptyEntry(e specdiff.Entry) bool {
	return !slices.ContainsFunc([][]string{e.Breaking, e.Added, e.Changed, e.Deprecated, e.Removed}, func(s []string) bool { return len(s) > 0 })
}

func orNone(commit string) string {
	if commit == "" {
		return "the working tree (no git)"
	}
	return commit
}

// ExitStatus is the exit status the update command gives err: 0 for none,
// 1 for findings that need a decision, 3 for a failed generate, build, vet
// or test step, 2 for anything else (the routine could not run).
func ExitStatus(err error) int {
	var blocked *BlockedError
	var step *StepError
	switch {
	case err == nil:
		return 0
	case errors.As(err, &blocked):
		return 1
	case errors.As(err, &step):
		return 3
	}
	return 2
}
