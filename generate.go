// Package anam is the root of the Go SDK for the Anam AI API. The code lives
// in its subpackages: api (the client to import), gen (generated from spec),
// and spec (the vendored OpenAPI document).
package anam

//go:generate go run github.com/oapi-codegen/oapi-codegen/v2/cmd/oapi-codegen -config oapi-codegen.yaml -o gen/anam.gen.go spec/swagger.json
