package regen

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// CopyTree copies the working tree of the module at root into dir (which
// it creates): every regular file, generated ones included, but for version
// control metadata and the directories in skip (paths relative to root).
func CopyTree(root, dir string, skip ...string) error {
	root, err := filepath.Abs(root)
	if err != nil {
		return err
	}
	return filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(root, path)
		if err != nil {
			return err
		}
		rel = filepath.ToSlash(rel)
		if d.IsDir() {
			if rel == ".git" || rel == ".jj" || contains(skip, rel) {
				return filepath.SkipDir
			}
			return os.MkdirAll(filepath.Join(dir, rel), 0o755)
		}
		if !d.Type().IsRegular() || rel == ".git" {
			return nil
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dir, rel), data, 0o644)
	})
}

func contains(list []string, s string) bool {
	for _, l := range list {
		if strings.TrimSuffix(filepath.ToSlash(l), "/") == s {
			return true
		}
	}
	return false
}

// runner runs commands in a directory, echoing them and their output.
type runner struct {
	dir    string
	env    []string
	stdout io.Writer
	stderr io.Writer
}

// run runs name with args, streaming its output; the error carries the
// command line.
func (r runner) run(ctx context.Context, name string, args ...string) error {
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Dir = r.dir
	cmd.Env = r.env
	cmd.Stdout, cmd.Stderr = r.stdout, r.stderr
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("%s %s: %w", name, strings.Join(args, " "), err)
	}
	return nil
}

// output runs name with args and returns its standard output; the error
// carries its standard error.
func (r runner) output(ctx context.Context, name string, args ...string) ([]byte, error) {
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Dir = r.dir
	cmd.Env = r.env
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("%s %s: %w: %s", name, strings.Join(args, " "), err, strings.TrimSpace(stderr.String()))
	}
	return out, nil
}

// gitFile returns the content of path at a commit, and false when the
// commit does not have it (or there is no git).
func (r runner) gitFile(ctx context.Context, commit, path string) ([]byte, bool) {
	out, err := r.output(ctx, "git", "show", commit+":"+path)
	return out, err == nil
}

// gitCommit resolves a revision to a commit hash; "" when it cannot.
func (r runner) gitCommit(ctx context.Context, rev string) string {
	out, err := r.output(ctx, "git", "rev-parse", "--verify", "--quiet", rev+"^{commit}")
	if err != nil {
		return ""
	}
	return strings.TrimSpace(string(out))
}

// readOptional reads a file, a missing one as empty.
func readOptional(path string) ([]byte, error) {
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	return b, err
}
