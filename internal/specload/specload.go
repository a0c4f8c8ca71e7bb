// Package specload loads the embedded Anam OpenAPI document with kin-openapi,
// exactly as the code generator sees it: the prepared document (spec.Prepared,
// the overlay of reviewed upstream fixes applied and inline schemas named).
package specload

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sync"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/speakeasy-api/openapi/overlay"
	"gopkg.in/yaml.v3"

	"github.com/anam-ai/anam-go/spec"
)

// Load returns the embedded prepared document (spec.Prepared), loaded and
// resolved by kin-openapi. It does not validate the document: see
// internal/speccheck for that. The result is shared; callers must not modify
// it.
func Load() (*openapi3.T, error) { return loadOnce() }

var loadOnce = sync.OnceValues(loadPrepared)

// loadPrepared loads spec.Prepared, compacted first. kin-openapi decodes
// every level of a document again to gather its extensions (each Schema,
// Operation... unmarshals its whole subtree into a map), so each byte of
// the indentation of spec.Prepared is scanned once per level above it:
// without it, the document is a third smaller and loads about a third
// faster (BenchmarkLoad).
func loadPrepared() (*openapi3.T, error) {
	var compact bytes.Buffer
	if err := json.Compact(&compact, spec.Prepared); err != nil {
		return nil, fmt.Errorf("the embedded document is not JSON: %w", err)
	}
	return LoadBytes(compact.Bytes(), nil)
}

// LoadBytes is Load for any document and overlay; an empty overlay applies
// nothing. Every overlay action must match something in the document, as in
// `go generate`, so a stale fix is an error rather than a silent no-op.
func LoadBytes(doc, overlayDoc []byte) (*openapi3.T, error) {
	data, err := ApplyOverlay(doc, overlayDoc)
	if err != nil {
		return nil, err
	}
	loader := openapi3.NewLoader()
	loader.IsExternalRefsAllowed = false
	t, err := loader.LoadFromData(data)
	if err != nil {
		return nil, fmt.Errorf("load OpenAPI document: %w", err)
	}
	return t, nil
}

// ApplyOverlay returns doc with the overlay's actions applied, as YAML (a
// superset of JSON that kin-openapi loads). An empty overlay returns doc.
func ApplyOverlay(doc, overlayDoc []byte) ([]byte, error) {
	if len(bytes.TrimSpace(overlayDoc)) == 0 {
		return doc, nil
	}
	ov, err := overlay.ParseReader(bytes.NewReader(overlayDoc))
	if err != nil {
		return nil, fmt.Errorf("parse overlay: %w", err)
	}
	if err := ov.Validate(); err != nil {
		return nil, fmt.Errorf("overlay is not valid: %w", err)
	}
	var node yaml.Node
	if err := yaml.Unmarshal(doc, &node); err != nil {
		return nil, fmt.Errorf("parse OpenAPI document: %w", err)
	}
	if warnings, err := ov.ApplyToStrict(&node); err != nil {
		return nil, fmt.Errorf("apply overlay: %w (%v)", err, warnings)
	}
	out, err := yaml.Marshal(&node)
	if err != nil {
		return nil, fmt.Errorf("re-encode overlaid document: %w", err)
	}
	return out, nil
}
