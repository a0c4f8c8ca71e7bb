// Package anam is the root of the Go SDK for the Anam AI API. The code lives
// in its subpackages: api (the client to import), gen (generated from spec:
// the models and the client's methods), and spec (the vendored OpenAPI
// document).
//
// `go generate ./...` runs the whole pipeline, in order:
//  1. specprep: spec/swagger.json + spec/overlay.yaml -> spec/openapi.gen.json
//     (the overlay applied, inline schemas and oneOf branches named by one
//     rule);
//  2. oapi-codegen: spec/openapi.gen.json -> gen/models.gen.go (the models
//     only: client: false in oapi-codegen.yaml);
//  3. sdkgen: spec/openapi.gen.json + gen/models.gen.go -> gen/client.gen.go
//     (type Client, one method per operation over internal/engine, the list
//     iterators, the request unions' constructors), gen/accessors.gen.go
//     (getters, String) and api/models.gen.go (the names api re-exports).
package anam

//go:generate go run ./internal/tools/specprep -spec spec/swagger.json -overlay spec/overlay.yaml -o spec/openapi.gen.json
//go:generate go tool oapi-codegen -config oapi-codegen.yaml -o gen/models.gen.go spec/openapi.gen.json
//go:generate go run ./internal/tools/sdkgen -spec spec/openapi.gen.json -gen gen -api api
//go:generate go run ./internal/tools/cligen -spec spec/openapi.gen.json -o internal/climeta/catalog.gen.go
