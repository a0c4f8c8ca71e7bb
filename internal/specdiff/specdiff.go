// Package specdiff reports what an update of the vendored OpenAPI document
// changes, for a maintainer to review in minutes and for the CHANGELOG:
//
//   - on the wire, with oasdiff (github.com/oasdiff/oasdiff): its diff of the
//     two documents and its HTTP backward-compatibility checks ([Compare]);
//   - in Go, measured rather than predicted: the SDK's exported API built
//     from each document, compared with golang.org/x/exp/apidiff
//     ([MeasureAPI], [CompareAPI]), which gives the exact compatible and
//     incompatible changes.
//
// [Report.Markdown] writes the full report for review; [Report.Entry] the
// short, human CHANGELOG entry that [MergeChangelog] merges into the
// [Unreleased] section, net of earlier updates since the last release.
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

// Finding is one result of oasdiff's HTTP backward-compatibility checks.
type Finding struct {
	Level   string // ERR (breaks HTTP clients), WARN or INFO
	ID      string // oasdiff's rule id, e.g. response-property-became-nullable
	Subject string // "GET /v1/avatars (listAvatars)" or "document"
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

// Report is what an update changes: on the wire (oasdiff's diff and checks
// of the two documents, from [Compare]) and in Go (apidiff's comparison of
// the SDK's exported API built from each, from [CompareAPI], set by the
// caller that built them).
type Report struct {
	Base, Revision Side
	// AddedOperations and RemovedOperations are whole operations;
	// AddedSchemas and RemovedSchemas whole components.schemas entries.
	AddedOperations, RemovedOperations []Operation
	AddedSchemas, RemovedSchemas       []string
	// Findings are oasdiff's HTTP backward-compatibility findings, all
	// levels, most severe first.
	Findings []Finding
	// Go are the changes of the SDK's exported Go API, incompatible first;
	// GoMeasured says whether they were measured at all.
	Go         []GoChange
	GoMeasured bool
}

// Breaking returns the Go changes that break code compiled against the
// previous SDK.
func (r *Report) Breaking() []GoChange {
	var out []GoChange
	for _, c := range r.Go {
		if !c.Compatible {
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

// Empty reports whether the two documents differ in nothing oasdiff
// reports and the Go API in nothing apidiff reports.
func (r *Report) Empty() bool {
	return len(r.AddedOperations) == 0 && len(r.RemovedOperations) == 0 && len(r.AddedSchemas) == 0 &&
		len(r.RemovedSchemas) == 0 && len(r.Findings) == 0 && len(r.Go) == 0
}

// Compare loads both documents as the SDK is generated from them (each
// one's overlay applied and inline schemas named with specprep.Prepare),
// diffs them with oasdiff and runs oasdiff's backward-compatibility checks.
// It says what changes on the wire; the Go consequences are measured by
// [CompareAPI] on the SDK built from each. A document that cannot be used
// gives an *InputError.
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
	r.inventory(d)
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
		return cmp.Or(cmp.Compare(levelRank(a.Level), levelRank(b.Level)), cmp.Compare(a.order, b.order), cmp.Compare(a.ID, b.ID))
	})
	return r, nil
}

// inventory lists the operations and schemas the diff adds or removes.
func (r *Report) inventory(d *diff.Diff) {
	if pd := d.PathsDiff; pd != nil {
		for _, path := range pd.Added {
			if item := pd.Revision.Value(path); item != nil {
				for method, op := range item.Operations() {
					r.AddedOperations = append(r.AddedOperations, operationOf(method, path, op))
				}
			}
		}
		for _, path := range pd.Deleted {
			if item := pd.Base.Value(path); item != nil {
				for method, op := range item.Operations() {
					r.RemovedOperations = append(r.RemovedOperations, operationOf(method, path, op))
				}
			}
		}
		for path, p := range pd.Modified {
			if p.OperationsDiff == nil {
				continue
			}
			for _, method := range p.OperationsDiff.Added {
				r.AddedOperations = append(r.AddedOperations, operationOf(method, path, p.Revision.GetOperation(method)))
			}
			for _, method := range p.OperationsDiff.Deleted {
				r.RemovedOperations = append(r.RemovedOperations, operationOf(method, path, p.Base.GetOperation(method)))
			}
		}
	}
	byOrder := func(a, b Operation) int { return strings.Compare(opOrder(a), opOrder(b)) }
	slices.SortFunc(r.AddedOperations, byOrder)
	slices.SortFunc(r.RemovedOperations, byOrder)
	if d.ComponentsDiff != nil && d.ComponentsDiff.SchemasDiff != nil {
		r.AddedSchemas = slices.Sorted(slices.Values(d.ComponentsDiff.SchemasDiff.Added))
		r.RemovedSchemas = slices.Sorted(slices.Values(d.ComponentsDiff.SchemasDiff.Deleted))
	}
}

func operationOf(method, path string, op *openapi3.Operation) Operation {
	o := Operation{Method: strings.ToUpper(method), Path: path}
	if op != nil {
		o.OperationID = op.OperationID
	}
	return o
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
