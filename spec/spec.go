// Package spec embeds the Anam OpenAPI document the SDK is generated from, so
// the SDK, its fake server and its tests read one source of truth at run time.
//
// JSON is spec/swagger.json exactly as Anam publishes it (merged from the
// per-operation seed documents in spec/seeds by internal/tools/specmerge).
// Overlay holds the SDK's reviewed fixes to upstream defects; it is applied
// before code generation and by internal/specload. The package depends on
// nothing but the standard library, so importing it costs a binary only the
// size of the document.
package spec

import _ "embed"

// JSON is the vendored OpenAPI 3.1 document, as published upstream.
//
//go:embed swagger.json
var JSON []byte

// Overlay is the OpenAPI Overlay document with the SDK's fixes to upstream
// defects in JSON.
//
//go:embed overlay.yaml
var Overlay []byte
