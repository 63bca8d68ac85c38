# reel — see README.md. `make demo` and `make test` install what they need
# first (scripts/deps.sh, idempotent).

GO      ?= go
GOBIN   := $(shell $(GO) env GOPATH)/bin
STATE   ?= $(CURDIR)/.reel/state
DEMO_IN ?= testdata/media/bigbuckbunny.mp4

.PHONY: all deps build demo test test-short test-fleet test-upgrade vet bench fuzz clean

all: build

deps:
	@bash scripts/deps.sh

build: deps
	$(GO) build -o bin/reel ./cmd/reel
	CGO_ENABLED=0 $(GO) build -o bin/reel-vmaf ./cmd/reel-vmaf

# The main job on embedded defaults: embedded Temporal (SQLite state in
# .reel/state), a local output directory, the built-in profile.
demo: build
	REEL_STATE_DIR=$(STATE) ./bin/reel run $(DEMO_IN) --out out/demo

vet: deps
	$(GO) vet ./...
	$(GOBIN)/workflowcheck ./workflows/...

# End-to-end tests (internal/cli: embedded Temporal server, real workers,
# subprocesses) run after the rest, on their own, so that heavy unit tests
# in other packages do not starve the in-process server.
E2E := ./internal/cli
# REEL_FLEET=1: the one-box fleet test (docs/fleet.md) is part of it.
test: vet
	$(GO) test -timeout 20m $$($(GO) list ./... | grep -v '/internal/cli$$')
	REEL_FLEET=1 $(GO) test -timeout 25m $(E2E)

# The one-box fleet test alone (docs/fleet.md): reel server on PostgreSQL,
# reel workers per queue, the S3 test server; 3-4 minutes on 2 cores.
test-fleet: deps
	REEL_FLEET=1 $(GO) test -timeout 15m -count=1 -run '^TestFleetOneBox$$' -v $(E2E)

# Rolling upgrade with two builds (internal/cli TestUpgradeWorkers): a title
# started on the previous release's workers (the parent of the last commit
# that changed workflows/*.go, or REEL_UPGRADE_FROM=COMMIT) is finished by
# this build's. About 5 minutes on 2 cores, so not part of `make test`.
test-upgrade: deps
	REEL_UPGRADE=1 $(GO) test -timeout 40m -run TestUpgradeWorkers -v $(E2E)

test-short: deps
	$(GO) test -short ./...

# Every fuzz target for FUZZTIME each (default 30s; `make test` runs only
# their seed corpora): make fuzz FUZZTIME=2m, or scripts/fuzz.sh FuzzRead.
FUZZTIME ?= 30s
fuzz: deps
	FUZZTIME=$(FUZZTIME) GO=$(GO) bash scripts/fuzz.sh

bench: build
	bash bench/run.sh

clean:
	rm -rf bin out .reel
