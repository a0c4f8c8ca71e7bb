// Package specload loads the embedded Anam OpenAPI document with kin-openapi,
// exactly as the code generator sees it: the prepared document (spec.Prepared,
// the overlay of reviewed upstream fixes applied and inline schemas named).
package specload

import (
	"encoding/json"
	"errors"
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

var loadOnce = sync.OnceValues(func() (*openapi3.T, error) { return loadPrepared(false) })

// LoadLean is Load without the document's prose: every "description" and
// "summary" of the document itself (of an operation, a parameter, a
// schema, a response...) is absent, while everything it says of data
// (examples, defaults, enums, extensions) is there as in Load. It loads
// about a third faster: kin-openapi decodes each level of a document
// again (see loadPrepared), and the prose is over a third of its bytes. It
// is what the fake API (api/anamtest) serves from, which reads no prose.
// The result is shared; callers must not modify it.
func LoadLean() (*openapi3.T, error) { return leanOnce() }

var leanOnce = sync.OnceValues(func() (*openapi3.T, error) { return loadPrepared(true) })

// loadPrepared loads spec.Prepared as LoadBytes(spec.Prepared, nil) does,
// faster, and without its prose if lean (see LoadLean). kin-openapi's types decode every level of a document again to
// gather its extensions (each T, Components, Schema, Operation...
// unmarshals its whole subtree into a map), so:
//
//   - the document is compacted first (compactDoc, much faster than
//     json.Compact): each byte of its indentation would be scanned once
//     per level above it;
//   - its components and its paths, two thirds of it each way, are decoded
//     on their own, concurrently, and the rest of the document without
//     them, so that neither the document nor its components are decoded
//     whole into extension maps once more.
//
// References are then resolved as the loader does. TestLoadPreparedIsTheDocument
// checks that the result is the document LoadBytes loads; BenchmarkLoad
// compares the two.
func loadPrepared(lean bool) (*openapi3.T, error) {
	data := compactDoc(spec.Prepared, lean)
	var top map[string]json.RawMessage
	if err := json.Unmarshal(data, &top); err != nil {
		return nil, fmt.Errorf("load OpenAPI document: %w", err)
	}
	rawComponents, rawPaths := top["components"], top["paths"]
	delete(top, "components")
	delete(top, "paths")
	rest, err := json.Marshal(top)
	if err != nil {
		return nil, fmt.Errorf("load OpenAPI document: %w", err)
	}
	var (
		components        openapi3.Components
		paths             openapi3.Paths
		errComps, errPath error
		wg                sync.WaitGroup
	)
	if rawComponents != nil {
		wg.Go(func() { errComps = json.Unmarshal(rawComponents, &components) })
	}
	if rawPaths != nil {
		wg.Go(func() { errPath = json.Unmarshal(rawPaths, &paths) })
	}
	doc := &openapi3.T{}
	err = json.Unmarshal(rest, doc)
	wg.Wait()
	if err = errors.Join(err, errComps, errPath); err != nil {
		return nil, fmt.Errorf("load OpenAPI document: %w", err)
	}
	if rawComponents != nil {
		doc.Components = &components
	}
	if rawPaths != nil {
		doc.Paths = &paths
	}
	loader := openapi3.NewLoader()
	loader.IsExternalRefsAllowed = false
	if err := loader.ResolveRefsIn(doc, nil); err != nil {
		return nil, fmt.Errorf("load OpenAPI document: %w", err)
	}
	return doc, nil
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
