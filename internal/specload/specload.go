// Package specload loads the embedded Anam OpenAPI document with kin-openapi,
// exactly as the code generator sees it: the prepared document (spec.Prepared,
// the overlay of reviewed upstream fixes applied and inline schemas named).
package specload

import (
	"bytes"
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

var loadOnce = sync.OnceValues(loadPrepared)

// loadPrepared loads spec.Prepared as LoadBytes(spec.Prepared, nil) does,
// faster. kin-openapi's types decode every level of a document again to
// gather its extensions (each T, Components, Schema, Operation...
// unmarshals its whole subtree into a map), so:
//
//   - the document is compacted first: each byte of its indentation would
//     be scanned once per level above it;
//   - its components and its paths, two thirds of it each way, are decoded
//     on their own, concurrently, and the rest of the document without
//     them, so that neither the document nor its components are decoded
//     whole into extension maps once more.
//
// References are then resolved as the loader does. TestLoadPreparedIsTheDocument
// checks that the result is the document LoadBytes loads; BenchmarkLoad
// compares the two.
func loadPrepared() (*openapi3.T, error) {
	var compact bytes.Buffer
	if err := json.Compact(&compact, spec.Prepared); err != nil {
		return nil, fmt.Errorf("the embedded document is not JSON: %w", err)
	}
	var top map[string]json.RawMessage
	if err := json.Unmarshal(compact.Bytes(), &top); err != nil {
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
