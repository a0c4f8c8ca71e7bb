// Package specdiff reports what an update of the vendored OpenAPI document
// changes for users of the Go SDK, for a maintainer to review in minutes.
//
// The comparison itself is oasdiff's (github.com/oasdiff/oasdiff): its diff
// of the two documents and its HTTP backward-compatibility checks (levels
// ERR, WARN, INFO). On top of that diff, specdiff applies the rules that
// decide whether code compiled against the previous SDK still compiles, which
// go beyond HTTP compatibility because of how oapi-codegen maps schemas to Go
// (optional = pointer, required = value, `type: [T, 'null']` =
// nullable.Nullable[T], enum = named type, operationId = method and type
// names). See [Compare] for the rules.
package specdiff

import (
	"bytes"
	"cmp"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/oasdiff/oasdiff/checker"
	"github.com/oasdiff/oasdiff/diff"
	"github.com/oasdiff/oasdiff/load"

	"github.com/anam-ai/anam-go/internal/specprep"
)

// Document is one side of a comparison: an OpenAPI document and the overlay
// applied to it before comparing (empty for none), so that the report
// describes the document the SDK is generated from.
type Document struct {
	// Name identifies the document in the report and in errors, e.g. its
	// path ("spec/swagger.json + spec/overlay.yaml").
	Name    string
	Spec    []byte
	Overlay []byte
}

// InputError is the error [Compare] returns when a document or its overlay
// cannot be used: it does not parse, the overlay does not apply, or it is not
// an OpenAPI document. Role is "base" or "revision".
type InputError struct {
	Role string
	Name string
	Err  error
}

func (e *InputError) Error() string {
	return fmt.Sprintf("%s document %s: %v", e.Role, e.Name, e.Err)
}

func (e *InputError) Unwrap() error { return e.Err }

// Kind is the Keep a Changelog category of a change.
type Kind string

// The Keep a Changelog categories specdiff uses.
const (
	Added      Kind = "Added"
	Changed    Kind = "Changed"
	Deprecated Kind = "Deprecated"
	Removed    Kind = "Removed"
)

// Change is one change that matters to SDK users, found by specdiff's Go
// rules on oasdiff's diff.
type Change struct {
	// Subject is what changed: "schema Avatar" or
	// "GET /v1/avatars (listAvatars)".
	Subject string
	Kind    Kind
	// Breaking is true when code compiled against the previous SDK may no
	// longer compile or may silently misbehave (a field's Go type changes,
	// something users can name disappears).
	Breaking bool
	// Text is one human-readable line, e.g. "Avatar.activeVersion: string ->
	// [string, null]; the Go field changes from *string to
	// nullable.Nullable[string]".
	Text string

	order string // sort key of Subject
}

// Line is the change as one report line, e.g. "BREAKING (Go): Avatar.x
// removed" or "Added: Avatar.y (optional, Go *string)".
func (c Change) Line() string {
	if c.Breaking {
		return "BREAKING (Go): " + c.Text
	}
	return string(c.Kind) + ": " + c.Text
}

// Finding is one result of oasdiff's HTTP backward-compatibility checks.
type Finding struct {
	Level   string // ERR (breaks HTTP clients), WARN or INFO
	ID      string // oasdiff's rule id, e.g. response-property-became-nullable
	Subject string // as in Change
	Text    string // oasdiff's message (English)

	order string
}

// Operation identifies an operation of a document.
type Operation struct {
	Method, Path, OperationID string
}

func (o Operation) String() string {
	if o.OperationID == "" {
		return o.Method + " " + o.Path
	}
	return fmt.Sprintf("%s %s (%s)", o.Method, o.Path, o.OperationID)
}

// Side summarises one compared document.
type Side struct {
	Name       string
	Title      string // info.title
	Version    string // info.version
	Operations int
	Schemas    int
}

// Report is the result of [Compare].
type Report struct {
	Base, Revision Side
	// AddedOperations and AddedSchemas are whole new operations and
	// components.schemas entries; their content is not listed in Changes.
	AddedOperations []Operation
	AddedSchemas    []string
	// Changes are specdiff's Go-level findings, sorted by subject, breaking
	// first within a subject.
	Changes []Change
	// Findings are oasdiff's HTTP backward-compatibility findings, all levels.
	Findings []Finding
}

// Breaking returns the changes that break Go code.
func (r *Report) Breaking() []Change {
	var out []Change
	for _, c := range r.Changes {
		if c.Breaking {
			out = append(out, c)
		}
	}
	return out
}

// FindingsAt returns oasdiff's findings of the given level (ERR, WARN, INFO).
func (r *Report) FindingsAt(level string) []Finding {
	var out []Finding
	for _, f := range r.Findings {
		if f.Level == level {
			out = append(out, f)
		}
	}
	return out
}

// Empty reports whether the two documents differ in nothing specdiff or
// oasdiff reports.
func (r *Report) Empty() bool {
	return len(r.AddedOperations) == 0 && len(r.AddedSchemas) == 0 && len(r.Changes) == 0 && len(r.Findings) == 0
}

// Compare loads both documents (applying each one's overlay with
// specprep.Prepare: the overlay applied, inline schemas named), diffs them with oasdiff, runs oasdiff's checks and
// adds specdiff's Go rules. A document that cannot be used gives an
// *InputError.
//
// Go rules (a change is Breaking when code written against the previous
// SDK may stop compiling or change meaning):
//   - an operation removed, or its operationId changed (method and type
//     names derive from it);
//   - a schema, property, parameter, enum value, response or media type
//     removed;
//   - a property or parameter that becomes nullable or stops being
//     nullable (pointer or value <-> nullable.Nullable[T]);
//   - a type change, a format change that changes the Go type, a $ref to a
//     different schema;
//   - optional <-> required (pointer <-> value), when the Go type changes;
//   - becoming an enum or no longer one (string <-> named type);
//   - a change to an oapi-codegen naming hint (x-go-type-name, x-go-name,
//     x-go-type, x-enum-varnames...);
//   - a new required parameter or a new request body (callers must pass it).
//
// New operations, schemas, optional fields and parameters, enum values and
// responses are additions.
func Compare(base, revision Document) (report *Report, err error) {
	defer func() {
		// A document oasdiff cannot handle must not crash the caller.
		if p := recover(); p != nil {
			report, err = nil, fmt.Errorf("oasdiff failed on %s and %s: %v", base.Name, revision.Name, p)
		}
	}()
	s1, err := loadDocument("base", base)
	if err != nil {
		return nil, err
	}
	s2, err := loadDocument("revision", revision)
	if err != nil {
		return nil, err
	}
	d, sources, err := diff.GetWithOperationsSourcesMap(diff.NewConfig(), s1, s2)
	if err != nil {
		return nil, fmt.Errorf("oasdiff: %w", err)
	}
	r := &Report{Base: side(base.Name, s1.Spec), Revision: side(revision.Name, s2.Spec)}
	if d == nil || d.Empty() {
		return r, nil // identical documents: oasdiff gives no diff at all
	}
	w := &walker{base: s1.Spec, revision: s2.Spec}
	w.diff(d)
	r.AddedOperations = w.addedOps
	r.AddedSchemas = w.addedSchemas
	r.Changes = w.changes
	sortChanges(r.Changes)

	checks := checker.CheckBackwardCompatibilityUntilLevel(checker.NewConfig(checker.GetAllChecks()), d, sources, checker.INFO)
	loc := checker.NewDefaultLocalizer()
	for _, c := range checks {
		f := Finding{Level: levelName(c.GetLevel()), ID: c.GetId(), Text: c.GetUncolorizedText(loc)}
		if c.GetPath() != "" {
			op := Operation{Method: c.GetOperation(), Path: c.GetPath(), OperationID: c.GetOperationId()}
			f.Subject, f.order = op.String(), opOrder(op)
		} else {
			f.Subject, f.order = "document", "2"
		}
		r.Findings = append(r.Findings, f)
	}
	slices.SortStableFunc(r.Findings, func(a, b Finding) int {
		return cmp.Or(cmp.Compare(levelRank(a.Level), levelRank(b.Level)), cmp.Compare(a.order, b.order))
	})
	return r, nil
}

func loadDocument(role string, doc Document) (*load.SpecInfo, error) {
	fail := func(err error) error { return &InputError{Role: role, Name: doc.Name, Err: err} }
	if len(bytes.TrimSpace(doc.Spec)) == 0 {
		return nil, fail(errors.New("empty document"))
	}
	// The documents as the SDK is generated from them: the overlay applied
	// and inline schemas named by specprep's rule, so that the Go names the
	// report speaks of are the generated ones.
	prepared, err := specprep.Prepare(doc.Spec, doc.Overlay)
	if err != nil {
		return nil, fail(err)
	}
	data := prepared.JSON
	loader := openapi3.NewLoader()
	loader.IsExternalRefsAllowed = false
	info, err := load.NewSpecInfoFromData(loader, data, doc.Name)
	if err != nil {
		return nil, fail(fmt.Errorf("load OpenAPI document: %w", err))
	}
	if info.Spec == nil || info.Spec.OpenAPI == "" {
		return nil, fail(errors.New("not an OpenAPI document (no openapi version field)"))
	}
	if !strings.HasPrefix(info.Spec.OpenAPI, "3.") {
		return nil, fail(fmt.Errorf("OpenAPI version %q is not supported (want 3.x)", info.Spec.OpenAPI))
	}
	return info, nil
}

func side(name string, t *openapi3.T) Side {
	s := Side{Name: name}
	if t.Info != nil {
		s.Title, s.Version = t.Info.Title, t.Info.Version
	}
	if t.Paths != nil {
		for _, item := range t.Paths.Map() {
			s.Operations += len(item.Operations())
		}
	}
	if t.Components != nil {
		s.Schemas = len(t.Components.Schemas)
	}
	return s
}

func levelName(l checker.Level) string {
	switch l {
	case checker.ERR:
		return "ERR"
	case checker.WARN:
		return "WARN"
	default:
		return "INFO"
	}
}

func levelRank(l string) int {
	switch l {
	case "ERR":
		return 0
	case "WARN":
		return 1
	}
	return 2
}

// methodRank orders methods within a path as readers expect.
var methodRank = map[string]string{"GET": "0", "POST": "1", "PUT": "2", "PATCH": "3", "DELETE": "4"}

func opOrder(op Operation) string {
	return "0" + op.Path + "\x00" + cmp.Or(methodRank[op.Method], "5") + op.Method
}

func schemaOrder(name string) string { return "1" + name }

func sortChanges(cs []Change) {
	slices.SortStableFunc(cs, func(a, b Change) int {
		if c := cmp.Compare(a.order, b.order); c != 0 {
			return c
		}
		// Breaking first within a subject.
		if a.Breaking != b.Breaking {
			if a.Breaking {
				return -1
			}
			return 1
		}
		return 0
	})
}
