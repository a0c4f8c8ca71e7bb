package specdiff

import (
	"cmp"
	"errors"
	"fmt"
	"go/types"
	"os"
	"slices"
	"strings"

	"golang.org/x/exp/apidiff"
	"golang.org/x/tools/go/packages"
)

// The Go consequences of an update are measured, not predicted: the SDK's
// exported API is type-checked before and after the update and compared with
// golang.org/x/exp/apidiff, which knows what breaks code compiled against the
// previous version (a field's type changing from *string to
// nullable.Nullable[string], a method's signature, a removed identifier) and
// what does not (an added field, method or type).

// API is the exported API of a module: its packages that users can import
// (not internal, not commands), type-checked.
type API struct {
	// Module is the module path.
	Module string
	// Dir is the module's root directory.
	Dir      string
	packages []*types.Package
}

// Packages returns the import paths of the packages measured, sorted.
func (a *API) Packages() []string {
	out := make([]string, len(a.packages))
	for i, p := range a.packages {
		out[i] = p.Path()
	}
	slices.Sort(out)
	return out
}

// MeasureAPI type-checks every importable package of the module rooted at
// dir: every package but commands, tests and those under an internal
// directory, wherever the module puts them. Build flags (such as -trimpath,
// which lets the build cache serve copies of the module in other
// directories) are passed to the go command.
func MeasureAPI(dir string, buildFlags ...string) (*API, error) {
	cfg := &packages.Config{
		Mode:       packages.NeedName | packages.NeedTypes | packages.NeedModule,
		Dir:        dir,
		Env:        append(os.Environ(), "GOWORK=off"),
		BuildFlags: buildFlags,
	}
	pkgs, err := packages.Load(cfg, "./...")
	if err != nil {
		return nil, fmt.Errorf("load the packages of %s: %w", dir, err)
	}
	api := &API{Dir: dir}
	var errs []error
	for _, p := range pkgs {
		if p.Name == "main" || isInternal(p.PkgPath) {
			continue
		}
		for _, e := range p.Errors {
			errs = append(errs, fmt.Errorf("%s: %v", p.PkgPath, e))
		}
		if p.Module != nil {
			api.Module = p.Module.Path
		}
		if p.Types != nil {
			api.packages = append(api.packages, p.Types)
		}
	}
	if err := errors.Join(errs...); err != nil {
		return nil, fmt.Errorf("type-check the SDK in %s: %w", dir, err)
	}
	if len(api.packages) == 0 {
		return nil, fmt.Errorf("no importable package in %s", dir)
	}
	return api, nil
}

func isInternal(path string) bool {
	return strings.HasSuffix(path, "/internal") || strings.Contains(path, "/internal/") || strings.HasPrefix(path, "internal/")
}

// GoChange is one change of the exported API, as apidiff reports it.
type GoChange struct {
	// Package is the import path relative to the module ("api", "gen").
	Package string
	// Name is what changed, relative to the package: "Client.ListWidgets",
	// "Avatar.VariantName", "CreateVoiceForm"; "" for a whole package.
	Name string
	// What is apidiff's description: "added", "removed", "changed from
	// *string to nullable.Nullable[string]"...
	What string
	// Compatible is false when code compiled against the previous SDK may
	// stop compiling.
	Compatible bool
}

// String renders the change as apidiff does: "api.Client.X: added".
func (c GoChange) String() string {
	return c.Qualified() + ": " + c.What
}

// Qualified is the package-qualified name: "api.Client.ListWidgets".
func (c GoChange) Qualified() string {
	pkg := c.Package[strings.LastIndex(c.Package, "/")+1:]
	if c.Name == "" {
		return "package " + c.Package
	}
	return pkg + "." + c.Name
}

// Removed reports whether the change is the removal of an identifier or a
// package.
func (c GoChange) Removed() bool { return c.What == "removed" }

// Added reports whether the change is the addition of an identifier or a
// package.
func (c GoChange) Added() bool { return c.What == "added" }

// CompareAPI returns the changes from before to after, incompatible ones
// first, each group sorted by package and name.
func CompareAPI(before, after *API) []GoChange {
	old := &apidiff.Module{Path: before.Module, Packages: before.packages}
	neu := &apidiff.Module{Path: after.Module, Packages: after.packages}
	rep := apidiff.ModuleChanges(old, neu)
	out := make([]GoChange, 0, len(rep.Changes))
	for _, c := range rep.Changes {
		out = append(out, parseChange(c, before.Module, after.Module))
	}
	slices.SortFunc(out, func(a, b GoChange) int {
		if a.Compatible != b.Compatible {
			if !a.Compatible {
				return -1
			}
			return 1
		}
		return cmp.Or(cmp.Compare(a.Package, b.Package), cmp.Compare(a.Name, b.Name), cmp.Compare(a.What, b.What))
	})
	return out
}

// parseChange splits an apidiff message. Messages name objects relative to
// the module root, "./gen.Avatar.VariantName: changed from ...", or whole
// packages, "package github.com/x/y/gen: added".
func parseChange(c apidiff.Change, modules ...string) GoChange {
	g := GoChange{Compatible: c.Compatible, What: c.Message}
	msg := c.Message
	if rest, ok := strings.CutPrefix(msg, "package "); ok {
		if path, what, ok := strings.Cut(rest, ": "); ok {
			g.Package, g.What = relative(path, modules), what
		}
		return g
	}
	subject, what, ok := strings.Cut(msg, ": ")
	if !ok {
		return g
	}
	g.What = what
	subject = strings.TrimPrefix(subject, "./")
	// The package is everything up to the first dot after the last slash.
	slash := strings.LastIndex(subject, "/")
	dot := strings.Index(subject[slash+1:], ".")
	if dot < 0 {
		g.Package = relative(subject, modules)
		return g
	}
	g.Package = relative(subject[:slash+1+dot], modules)
	g.Name = subject[slash+1+dot+1:]
	return g
}

func relative(path string, modules []string) string {
	for _, m := range modules {
		if rest, ok := strings.CutPrefix(path, m+"/"); ok && m != "" {
			return rest
		}
	}
	return path
}
