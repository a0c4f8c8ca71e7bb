// Command sdkgen writes the client of package gen (gen/client.gen.go),
// the model accessors (gen/accessors.gen.go) and the names package api
// re-exports (api/models.gen.go) from the prepared OpenAPI document and
// the models oapi-codegen generated (see package internal/sdkgen). It is
// the last step of `go generate ./...`.
//
// Usage:
//
//	go run ./internal/tools/sdkgen [-spec spec/openapi.gen.json] [-gen gen] [-api api]
//
// Exit status 1 means the surface could not be generated (an operation
// without an operationId, two operations that would make one method, a
// body the SDK cannot send); the message names the operation.
package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/anam-ai/anam-go/internal/sdkgen"
)

func main() { os.Exit(run(os.Args[1:], os.Stdout, os.Stderr)) }

func run(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("sdkgen", flag.ContinueOnError)
	fs.SetOutput(stderr)
	specPath := fs.String("spec", "spec/openapi.gen.json", "the prepared OpenAPI document")
	genDir := fs.String("gen", "gen", "the directory of package gen")
	apiDir := fs.String("api", "api", "the directory of package api")
	module := fs.String("module", "github.com/anam-ai/anam-go", "the module path")
	verbose := fs.Bool("v", false, "print a summary of the surface")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	spec, err := os.ReadFile(*specPath)
	if err != nil {
		fmt.Fprintln(stderr, "sdkgen:", err)
		return 1
	}
	out, err := sdkgen.Generate(sdkgen.Config{
		Spec: spec, GenDir: *genDir, APIDir: *apiDir, ModulePath: *module,
		Generate: "internal/tools/sdkgen from " + filepath.ToSlash(*specPath) + " (go generate ./...)",
	})
	if err != nil {
		fmt.Fprintln(stderr, "sdkgen:", err)
		return 1
	}
	for path, data := range map[string][]byte{
		filepath.Join(*genDir, sdkgen.ClientFile):    out.Client,
		filepath.Join(*genDir, sdkgen.AccessorsFile): out.Accessors,
		filepath.Join(*apiDir, sdkgen.APIModelsFile): out.APIModels,
	} {
		if err := os.WriteFile(path, data, 0o644); err != nil {
			fmt.Fprintln(stderr, "sdkgen:", err)
			return 1
		}
	}
	if *verbose {
		fmt.Fprintf(stdout, "sdkgen: %d operations, %d methods, %d paginated lists, %d request unions\n", out.Report.Operations, len(out.Report.Methods), len(out.Report.Paginated), len(out.Report.Unions))
	}
	return 0
}
