# Anam Go SDK: maintenance tasks. `make ci` is what CI runs (.ci/run).
# Only Go is needed; staticcheck runs at a pinned version via `go run`.

GO          ?= go
STATICCHECK ?= $(GO) run honnef.co/go/tools/cmd/staticcheck@v0.8.2
SPEC_URL    ?= https://api.anam.ai/swagger.json
FUZZTIME    ?= 5s

.PHONY: all generate merge-spec check-generated validate-spec test test-short lint fuzz bench ci update-spec

all: generate test

## generate: regenerate spec/openapi.gen.json, gen/ and api/*.gen.go from spec/swagger.json + spec/overlay.yaml
generate:
	$(GO) generate ./...

## merge-spec: rebuild the small seed spec (a test fixture) from its two pages
merge-spec:
	$(GO) run ./internal/tools/specmerge -o testdata/seed/swagger.json testdata/seed/pages/*.txt

## check-generated: fail if a generated file differs from what its sources produce
check-generated:
	$(GO) run ./internal/tools/specmerge -check -o testdata/seed/swagger.json testdata/seed/pages/*.txt
	$(GO) generate ./...
	@git diff --exit-code --stat -- gen spec api testdata || { echo "generated files are out of date: run 'make generate' and commit the result" >&2; exit 1; }
	@untracked=$$(git ls-files --others --exclude-standard -- gen spec api); \
	  if [ -n "$$untracked" ]; then echo "untracked generated files: $$untracked (commit them)" >&2; exit 1; fi

## validate-spec: load and validate the spec with kin-openapi, check every example, report tolerated upstream defects
validate-spec:
	$(GO) run ./internal/tools/speccheck -spec spec/swagger.json -overlay spec/overlay.yaml -tolerate spec/tolerated.yaml

## test: the whole test suite with the race detector (needs cgo); `go test ./...` is the same without it
test:
	$(GO) test -race -count=1 ./...

## lint: gofmt, go vet and staticcheck
lint:
	@unformatted=$$(gofmt -l $$(git ls-files '*.go')); \
	  if [ -n "$$unformatted" ]; then echo "gofmt would change: $$unformatted" >&2; exit 1; fi
	$(GO) vet ./...
	$(STATICCHECK) ./...

## fuzz: run each fuzz target for $(FUZZTIME) (the seed corpora also run in every `go test`)
fuzz:
	@for target in $$($(GO) test ./api -list '^Fuzz' | grep '^Fuzz'); do \
	  echo "fuzz $$target"; \
	  $(GO) test ./api -run '^$$' -fuzz "^$$target$$" -fuzztime $(FUZZTIME) || exit 1; \
	done

## bench: the performance benchmarks quoted in README (SDK vs net/http, concurrent paging, memory)
bench:
	$(GO) test ./api -run '^$$' -bench . -benchmem -count 6

## ci: everything CI checks
ci: check-generated validate-spec lint test fuzz

## update-spec: vendor the full upstream document, then regenerate and validate.
## Needs the internet. It replaces the seed-derived document, so it removes
## spec/seeds (the merge check then no longer applies); review the diff, the
## overlay and spec/tolerated.yaml before committing.
update-spec:
	curl -fsSL --retry 3 -o spec/swagger.json.new $(SPEC_URL)
	$(GO) run ./internal/tools/speccheck -spec spec/swagger.json.new -overlay spec/overlay.yaml -tolerate spec/tolerated.yaml
	mv spec/swagger.json.new spec/swagger.json
	rm -rf spec/seeds
	$(MAKE) generate
	$(GO) build ./...
