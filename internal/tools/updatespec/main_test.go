package main

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/anam-ai/anam-go/internal/regen"
	"github.com/anam-ai/anam-go/internal/speccheck"
)

func TestUsage(t *testing.T) {
	for name, args := range map[string][]string{
		"no document":    nil,
		"stray argument": {"-spec", "x.json", "y"},
		"unknown flag":   {"-specs", "x.json"},
	} {
		var out, errOut bytes.Buffer
		if code := run(context.Background(), args, &out, &errOut); code != 2 || errOut.Len() == 0 {
			t.Errorf("%s: exit %d, stderr %q; want 2 and a message", name, code, errOut.String())
		}
	}
}

func TestUnreadableDocumentCannotRun(t *testing.T) {
	var out, errOut bytes.Buffer
	missing := filepath.Join(t.TempDir(), "missing.json")
	code := run(context.Background(), []string{"-spec", missing, "-work", t.TempDir()}, &out, &errOut)
	if code != 2 || !strings.Contains(errOut.String(), "update-spec: could not run: read the candidate document: ") ||
		!strings.Contains(errOut.String(), "spec/ is unchanged") {
		t.Errorf("exit %d, stderr %q", code, errOut.String())
	}
	if _, err := os.Stat(missing); err == nil {
		t.Error("the run created the document")
	}
}

func TestMessages(t *testing.T) {
	o := regen.Options{Candidate: "/tmp/u/candidate.json", WorkDir: "/tmp/u"}
	for err, want := range map[error][]string{
		&regen.BlockedError{Report: &speccheck.Report{Findings: []speccheck.Finding{{Rule: "r"}}}}: {
			"1 finding(s) of the spec check need a decision", "spec/ is unchanged",
			"go run ./internal/tools/speccheck -spec /tmp/u/candidate.json -fix", "re-run: make update-spec SPEC=/tmp/u/candidate.json"},
		&regen.StepError{Step: "go test ./...", Err: errors.New("exit status 1")}: {
			"'go test ./...' failed with the new document", "/tmp/u/report.md lists what the update changes", "/tmp/u/previous.json"},
		&regen.CannotRunError{What: "write CHANGELOG.md", Err: errors.New("disk full"), Vendored: true}: {
			"could not run: write CHANGELOG.md: disk full", "The new document is in spec/"},
	} {
		got := message(err, o)
		for _, w := range want {
			if !strings.Contains(got, w) {
				t.Errorf("message(%v) lacks %q:\n%s", err, w, got)
			}
		}
	}
}
