// Package anam is the root of the Go SDK for the Anam AI API. The code lives
// in its subpackages: api (the client to import), gen (generated from spec),
// and spec (the vendored OpenAPI document).
//
// `go generate ./...` runs the whole pipeline, in order:
//  1. specprep: spec/swagger.json + spec/overlay.yaml -> spec/openapi.gen.json
//     (the overlay applied, inline schemas named by one rule);
//  2. oapi-codegen: spec/openapi.gen.json -> gen/anam.gen.go (models);
//  3. sdkgen: spec/openapi.gen.json + gen/ -> api/operations.gen.go (the
//     typed client surface over api's one request path).
package anam

//go:generate go run ./internal/tools/specprep -spec spec/swagger.json -overlay spec/overlay.yaml -o spec/openapi.gen.json
//go:generate go run github.com/oapi-codegen/oapi-codegen/v2/cmd/oapi-codegen -config oapi-codegen.yaml -o gen/anam.gen.go spec/openapi.gen.json
//go:generate go run ./internal/tools/sdkgen -spec spec/openapi.gen.json -gen gen -api api
//go:generate go run ./internal/tools/cligen -spec spec/openapi.gen.json -o internal/climeta/catalog.gen.go
