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

## update-spec: vendor a new upstream document and report what it changes.
## Downloads $(SPEC_URL), or takes SPEC=path/to/swagger.json; checks it with
## spec/overlay.yaml and spec/tolerated.yaml (stops on blocking findings);
## replaces spec/swagger.json; writes the update report;
## runs go generate, build, vet and test; then merges the report into the
## [Unreleased] entry of CHANGELOG.md. A failing step stops with the reason.
## The previous document (spec/swagger.json at $(BASE_REF)) is kept in
## $(UPDATE_DIR)/previous.json for comparison. See MAINTAINING.md.
SPEC       ?=
BASE_REF   ?= HEAD
UPDATE_DIR ?= $(or $(TMPDIR),/tmp)/anam-go-spec-update
CANDIDATE   = $(UPDATE_DIR)/candidate.json
SPECDIFF    = $(GO) run ./internal/tools/specdiff -base '$(UPDATE_DIR)/previous.json' \
  -base-overlay '$(UPDATE_DIR)/previous-overlay.yaml' -base-name 'spec/swagger.json + spec/overlay.yaml before the update' \
  -revision spec/swagger.json -revision-overlay spec/overlay.yaml \
  $$([ -f '$(UPDATE_DIR)/checks.md' ] && echo "-checks $(UPDATE_DIR)/checks.md")

update-spec:
	@mkdir -p '$(UPDATE_DIR)' && rm -f '$(UPDATE_DIR)/checks.md' '$(UPDATE_DIR)/report.md'
	@if [ -n '$(SPEC)' ]; then \
	  [ -f '$(SPEC)' ] || { echo "update-spec: SPEC=$(SPEC) is not a readable file" >&2; exit 1; }; \
	  [ '$(SPEC)' -ef '$(CANDIDATE)' ] || cp '$(SPEC)' '$(CANDIDATE)'; \
	else \
	  echo "update-spec: downloading $(SPEC_URL)"; \
	  curl -fsSL --retry 3 -o '$(CANDIDATE)' '$(SPEC_URL)' || { \
	    echo "update-spec: cannot download $(SPEC_URL); use SPEC=path/to/swagger.json for a local file" >&2; exit 1; }; \
	fi
	@echo "update-spec: checking $(CANDIDATE) with spec/overlay.yaml and spec/tolerated.yaml"
	@$(GO) run ./internal/tools/speccheck -spec '$(CANDIDATE)' -overlay spec/overlay.yaml \
	    -tolerate spec/tolerated.yaml -report-md '$(UPDATE_DIR)/checks.md'; status=$$?; \
	  if [ $$status -eq 1 ]; then \
	    echo "update-spec: blocking spec findings (listed above); spec/swagger.json is unchanged." >&2; \
	    echo "  Resolve each with an overlay action in spec/overlay.yaml (mechanical ones:" >&2; \
	    echo "  go run ./internal/tools/speccheck -spec $(CANDIDATE) -fix) or accept it with a reason" >&2; \
	    echo "  in spec/tolerated.yaml, then re-run: make update-spec SPEC=$(CANDIDATE)" >&2; exit 1; \
	  elif [ $$status -ne 0 ]; then \
	    echo "update-spec: the spec check could not run (see above); spec/swagger.json is unchanged." >&2; exit 1; \
	  fi
	@git show '$(BASE_REF):spec/swagger.json' > '$(UPDATE_DIR)/previous.json' 2>/dev/null \
	  || cp spec/swagger.json '$(UPDATE_DIR)/previous.json'
	@git show '$(BASE_REF):spec/overlay.yaml' > '$(UPDATE_DIR)/previous-overlay.yaml' 2>/dev/null \
	  || cp spec/overlay.yaml '$(UPDATE_DIR)/previous-overlay.yaml' 2>/dev/null \
	  || : > '$(UPDATE_DIR)/previous-overlay.yaml'
	cp '$(CANDIDATE)' spec/swagger.json
	@$(SPECDIFF) -o '$(UPDATE_DIR)/report.md' || { \
	  echo "update-spec: specdiff failed; the previous document is $(UPDATE_DIR)/previous.json" >&2; exit 1; }
	@echo "update-spec: what changes for SDK users: $(UPDATE_DIR)/report.md"
	@for step in "generate ./..." "build ./..." "vet ./..." "test ./..."; do \
	  echo "update-spec: go $$step"; \
	  $(GO) $$step || { \
	    echo "update-spec: 'go $$step' failed with the new spec/swagger.json (see above and $(UPDATE_DIR)/report.md)." >&2; \
	    echo "  The previous document is $(UPDATE_DIR)/previous.json ('git checkout spec/ gen/' restores the tree);" >&2; \
	    echo "  fix the overlay or the SDK, then re-run: make update-spec SPEC=$(CANDIDATE)" >&2; exit 1; }; \
	done
	@$(SPECDIFF) -changelog CHANGELOG.md -o '$(UPDATE_DIR)/report.md' || { \
	  echo "update-spec: specdiff could not write CHANGELOG.md" >&2; exit 1; }
	@echo "update-spec: done. Review $(UPDATE_DIR)/report.md and the CHANGELOG.md [Unreleased] entry,"
	@echo "  record spec decisions in spec/overlay.yaml or spec/tolerated.yaml, then commit (MAINTAINING.md)."

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
