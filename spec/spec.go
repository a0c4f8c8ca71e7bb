// Package spec embeds the Anam OpenAPI document the SDK is generated from, so
// the SDK's fake server, its command line and its tests read one source of
// truth at run time. It depends on nothing but the standard library.
//
//   - JSON is spec/swagger.json, Anam's published document, byte for byte.
//   - Overlay is spec/overlay.yaml: the SDK's reviewed fixes to upstream
//     defects, each with its reason.
//   - Prepared is spec/openapi.gen.json, written by `go generate ./...`
//     (internal/tools/specprep): JSON with Overlay applied and every inline
//     request and response schema named by one rule. Code generation, the
//     fake API and the command line all read this one.
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

// Prepared is the document the SDK is generated from: JSON with Overlay
// applied and its inline schemas named (see internal/specprep).
//
//go:embed openapi.gen.json
var Prepared []byte
