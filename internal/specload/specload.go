// Package specload loads the embedded Anam OpenAPI document with kin-openapi,
// exactly as the code generator sees it: the prepared document (spec.Prepared,
// the overlay of reviewed upstream fixes applied and inline schemas named).
package specload

import (
	"fmt"
	"sync"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/anam-ai/anam-go/spec"
)

// Load returns the embedded prepared document (spec.Prepared), loaded and
// resolved by kin-openapi. It does not validate the document: see
// internal/speccheck for that. The result is shared; callers must not modify
// it.
func Load() (*openapi3.T, error) { return loadOnce() }

var loadOnce = sync.OnceValues(func() (*openapi3.T, error) {
	return LoadBytes(spec.Prepared, nil)
})

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
