# Assent — run `make` for the list of targets.
SHELL := bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

OPENFGA_VERSION := v1.22.1
GOBIN ?= $(firstword $(subst :, ,$(shell go env GOPATH)))/bin
OPENFGA := $(GOBIN)/openfga
# Prometheus's promtool, for the alert rules and the dashboard (versioned dir: a stale one is never reused).
PROMTOOL_VERSION := v0.316.0
PROMTOOL := $(GOBIN)/promtool-$(PROMTOOL_VERSION)/promtool
# The OpenFGA CLI, for the authorization model's tests (versioned dir, as promtool).
FGA_CLI_VERSION := v0.7.4
FGA := $(GOBIN)/fga-$(FGA_CLI_VERSION)/fga
NPM_STAMP := node_modules/.package-lock.json
BUF := npx buf
REPLICAS ?= 1

.PHONY: help
help: ## Show this help
	@awk 'BEGIN {FS = ":.*## "; printf "Usage: make <target>\n\n"} /^[a-zA-Z0-9_-]+:.*## / {printf "  \033[36m%-18s\033[0m %s\n", $$1, $$2}' $(MAKEFILE_LIST)

$(NPM_STAMP): package.json package-lock.json $(wildcard packages/*/package.json services/*/package.json)
	npm ci --no-audit --no-fund
	@touch $(NPM_STAMP)

.PHONY: install
install: $(NPM_STAMP) tools ## Install npm dependencies (lockfile) and pinned tools

$(OPENFGA):
	@echo "installing OpenFGA $(OPENFGA_VERSION) into $(GOBIN) (go install, first run only)"
	GOBIN=$(GOBIN) GOFLAGS=-buildvcs=false go install github.com/openfga/openfga/cmd/openfga@$(OPENFGA_VERSION)

# Built from tools/fga-cli (its go.mod pins the version and go.sum the dependencies).
$(FGA): tools/fga-cli/go.mod tools/fga-cli/go.sum
	@echo "building the OpenFGA CLI $(FGA_CLI_VERSION) into $(dir $(FGA)) (first run only: about a minute)"
	GOFLAGS=-buildvcs=false go build -C tools/fga-cli -o $(FGA) github.com/openfga/cli/cmd/fga

$(PROMTOOL):
	@echo "installing promtool ($(PROMTOOL_VERSION)) into $(dir $(PROMTOOL)) (go install, first run only: a few minutes)"
	GOBIN=$(dir $(PROMTOOL)) GOFLAGS=-buildvcs=false go install github.com/prometheus/prometheus/cmd/promtool@$(PROMTOOL_VERSION)

.PHONY: tools
tools: $(OPENFGA) $(PROMTOOL) $(FGA) ## Install pinned Go tools (OpenFGA, promtool, the fga CLI) into the Go bin dir

.PHONY: monitoring-check
monitoring-check: $(NPM_STAMP) $(PROMTOOL) ## Check and unit-test the Prometheus alert rules; check the Grafana dashboard's queries
	$(PROMTOOL) check rules deploy/monitoring/assent.rules.yaml
	$(PROMTOOL) test rules deploy/monitoring/assent.rules.test.yaml
	PROMTOOL=$(PROMTOOL) npx tsx scripts/check-dashboard.ts deploy/monitoring/grafana-dashboard.json deploy/monitoring/assent.rules.yaml

.PHONY: proto
proto: $(NPM_STAMP) ## Format, lint and regenerate packages/proto from proto/
	$(BUF) format -w
	$(BUF) lint
	rm -rf packages/proto/src/gen
	$(BUF) generate
	$(BUF) build -o packages/proto/descriptor.binpb

.PHONY: proto-check
proto-check: $(NPM_STAMP) ## buf lint, format check, breaking check and generated-code drift check
	$(BUF) lint
	$(BUF) format -d --exit-code
	scripts/buf-breaking.sh
	scripts/proto-drift.sh

.PHONY: lint
lint: $(NPM_STAMP) ## ESLint and the TypeScript type check
	npx eslint .
	npx tsc -p tsconfig.json

.PHONY: test-unit
test-unit: $(NPM_STAMP) ## Unit tests (in-memory twins)
	npx vitest run --project unit

.PHONY: test-integration
test-integration: $(NPM_STAMP) $(OPENFGA) ## Integration tests against real NATS, Redis and OpenFGA
	scripts/require-services.sh
	npx vitest run --project integration

.PHONY: k8s-validate
k8s-validate: ## Build every kustomize overlay and validate it offline against the Kubernetes schemas
	go -C tools/k8s-validate test ./...
	scripts/k8s-validate.sh
	scripts/check-nats-config.sh

.PHONY: build
build: $(NPM_STAMP) ## Bundle each service into dist/<svc>/bin.mjs (what the Docker image runs)
	scripts/build.sh

.PHONY: build-check
build-check: $(NPM_STAMP) ## Bundle every service, check each bundle boots and its SBOM lists its dependencies
	scripts/build.sh --check
	npx tsx scripts/sbom.ts --check

.PHONY: sbom
sbom: $(NPM_STAMP) ## A CycloneDX SBOM per service (dist/<svc>/sbom.cdx.json, shipped in its image)
	npx tsx scripts/sbom.ts

.PHONY: test-model
test-model: $(FGA) ## The OpenFGA model's own tests (services/authz/model/*.fga.yaml), run by the fga CLI
	$(FGA) model test --tests services/authz/model/assent.fga.yaml

.PHONY: test
test: lint proto-check k8s-validate monitoring-check build-check test-model test-unit test-integration ## Everything CI runs: lint, contracts, manifests, bundles, unit and integration tests

.PHONY: up
up: $(NPM_STAMP) $(OPENFGA) ## Run the whole platform locally, REPLICAS=N processes per service (Ctrl-C or `make down` stops it)
	REPLICAS=$(REPLICAS) npx tsx scripts/up.ts

.PHONY: down
down: ## Stop what `make up` started
	npx tsx scripts/down.ts

.PHONY: bench
bench: $(NPM_STAMP) ## Load-test the running platform (make up first): lifecycles, --rate, --mode check, --mode timers; CPU per process
	npx tsx packages/bench/src/main.ts $(BENCH_ARGS)
