// Package bench holds the SDK's comparative benchmarks, in a module of
// their own so that nothing of them ships in the SDK: the SDK against
// hand-written net/http and against a plain oapi-codegen client, which
// `go generate` writes into oapigen/ from the same prepared document
// (not committed: `make bench` generates it).
package bench

//go:generate go tool oapi-codegen -config oapigen.yaml -o oapigen/oapigen.gen.go ../spec/openapi.gen.json
