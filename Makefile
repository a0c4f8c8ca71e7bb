# Anam Go SDK: maintenance tasks. `make ci` is what CI runs (.ci/run).
# Only Go is needed; staticcheck runs at a pinned version via `go run`.

GO          ?= go
STATICCHECK ?= $(GO) run honnef.co/go/tools/cmd/staticcheck@v0.8.2
SPEC_URL    ?= https://api.anam.ai/swagger.json
FUZZTIME    ?= 5s

.PHONY: all generate merge-spec check-generated validate-spec test test-short lint fuzz bench bench-smoke ci update-spec prove-update

all: generate test

## generate: regenerate everything generated (spec/openapi.gen.json, gen/, *.gen.go) from spec/swagger.json + spec/overlay.yaml
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

## validate-spec: check the spec and the overlay as committed (speccheck): findings, positional or obsolete overlay actions fail
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
FUZZ_PACKAGES ?= ./api ./internal/engine ./cmd/anam
fuzz:
	@for pkg in $(FUZZ_PACKAGES); do \
	  for target in $$($(GO) test $$pkg -list '^Fuzz' | grep '^Fuzz'); do \
	    echo "fuzz $$pkg $$target"; \
	    $(GO) test $$pkg -run '^$$' -fuzz "^$$target$$" -fuzztime $(FUZZTIME) || exit 1; \
	  done; \
	done

## bench: the performance benchmarks quoted in README, in one run (bench/cmd/benchrun):
## the SDK against hand-written net/http and a plain oapi-codegen client (bench/, a
## module of its own that generates that client), the walk at 5 and 20 ms for 1, 4 and
## 8 pages in flight, decoding strategies, the command line's start-up, and the memory
## a walk holds (api); BENCH_ROUNDS interleaved rounds, benchstat tables with CPU time
## per op. BENCH_FLAGS adds benchrun's flags, e.g. BENCH_FLAGS='-base main' for
## before/after tables of the same run, or '-jsonv2'.
BENCH_ROUNDS ?= 8
BENCH_FLAGS  ?=
bench:
	cd bench && $(GO) generate ./... && $(GO) run ./cmd/benchrun -rounds $(BENCH_ROUNDS) $(BENCH_FLAGS)

## bench-smoke: the benchmarks' module vetted, and each benchmark run once (not
## measured: that they still build and run; CI runs it)
bench-smoke:
	cd bench && $(GO) generate ./... && $(GO) vet ./... && $(GO) test -run '^$$' -bench . -benchtime 1x ./...

## ci: everything CI checks (after the README's commands, which .ci/run runs first)
ci: check-generated validate-spec lint test fuzz bench-smoke prove-update

## update-spec: vendor a new upstream document and report what it changes.
## Downloads $(SPEC_URL), or takes SPEC=path/to/swagger.json, and runs
## internal/tools/updatespec (see MAINTAINING.md): checks it with
## spec/overlay.yaml and spec/tolerated.yaml, removing what no longer applies;
## vendors it; runs go generate, build, vet and test; writes the report of
## what changes in Go (apidiff) and on the wire (oasdiff) to
## $(UPDATE_DIR)/report.md; merges a short entry into CHANGELOG.md.
## The tool's exit status says why it stopped (make shows it as "Error N"):
## 1 findings that need a decision, 2 it could not run, 3 a go step failed.
SPEC              ?=
BASE_REF          ?= HEAD
UPDATE_DIR        ?= $(or $(TMPDIR),/tmp)/anam-go-spec-update
UPDATE_TEST_FLAGS ?=
CANDIDATE          = $(UPDATE_DIR)/candidate.json

update-spec:
	@mkdir -p '$(UPDATE_DIR)/bin'
	@if [ -n '$(SPEC)' ]; then \
	  [ -f '$(SPEC)' ] || { echo "update-spec: SPEC=$(SPEC) is not a readable file" >&2; exit 2; }; \
	  [ '$(SPEC)' -ef '$(CANDIDATE)' ] || cp '$(SPEC)' '$(CANDIDATE)'; \
	else \
	  echo "update-spec: downloading $(SPEC_URL)"; \
	  curl -fsSL --retry 3 -o '$(CANDIDATE)' '$(SPEC_URL)' || { \
	    echo "update-spec: cannot download $(SPEC_URL); use SPEC=path/to/swagger.json for a local file" >&2; exit 2; }; \
	fi
	@$(GO) build -o '$(UPDATE_DIR)/bin/updatespec' ./internal/tools/updatespec || { \
	  echo "update-spec: the update tool does not build (see above); spec/ is unchanged" >&2; exit 2; }
	@'$(UPDATE_DIR)/bin/updatespec' -spec '$(CANDIDATE)' -work '$(UPDATE_DIR)' -base-ref '$(BASE_REF)' -test-flags '$(value UPDATE_TEST_FLAGS)'

## prove-update: the proof that `make update-spec` passes unattended on
## upstream documents the SDK has never seen (internal/regen's fixtures: one
## that fixes what the overlay patches, one reordered, one grown, the older
## seed), each in a throwaway copy of the repository that starts from the
## July fixture (testdata/july), and that its report names the right Go
## consequences. Every test of the repository runs in each update, as
## written: none may pin the vendored document. Slow (whole updates): CI
## runs it. PROVE_FIXTURES limits the fixtures proved.
PROVE_TIMEOUT  ?= 60m
PROVE_FIXTURES ?= fixed reordered grown seed
prove-update:
	PROVE_FIXTURES='$(PROVE_FIXTURES)' \
	  $(GO) test ./internal/regen -run '^TestUpdateSpecOnFixtures$$' -count=1 -timeout $(PROVE_TIMEOUT) -v -prove

## e2e-clients: drive Anam's published clients (npm @anam-ai/js-sdk and
## @livekit/agents-plugin-anam, pinned in e2e/clients/package-lock.json)
## through the session flow against `anam fake serve`, up to where real media
## would start. Needs Node 20+ and the npm registry; kept out of `go test`.
## The clients are installed in $(E2E_CLIENTS_DIR), never in the repository.
## See e2e/clients/README.md.
.PHONY: e2e-clients
E2E_CLIENTS_DIR ?= $(or $(TMPDIR),/tmp)/anam-go-e2e-clients
e2e-clients:
	@command -v node >/dev/null && command -v npm >/dev/null || { echo "e2e-clients: needs node (20 or later) and npm" >&2; exit 2; }
	@mkdir -p '$(E2E_CLIENTS_DIR)'
	cp e2e/clients/package.json e2e/clients/package-lock.json e2e/clients/run.mjs '$(E2E_CLIENTS_DIR)/'
	cd '$(E2E_CLIENTS_DIR)' && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
	$(GO) build -o '$(E2E_CLIENTS_DIR)/anam' ./cmd/anam
	node '$(E2E_CLIENTS_DIR)/run.mjs' --anam '$(E2E_CLIENTS_DIR)/anam'
