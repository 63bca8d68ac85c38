# reel — see README.md. `make demo` and `make test` install what they need
# first (scripts/deps.sh, idempotent).

GO      ?= go
GOBIN   := $(shell $(GO) env GOPATH)/bin
STATE   ?= $(CURDIR)/.reel/state
DEMO_IN ?= testdata/media/bigbuckbunny.mp4

.PHONY: all deps build demo test test-short vet bench clean

all: build

deps:
	@bash scripts/deps.sh

build: deps
	$(GO) build -o bin/reel ./cmd/reel

# The main job on embedded defaults: embedded Temporal (SQLite state in
# .reel/state), a local output directory, the built-in profile.
demo: build
	REEL_STATE_DIR=$(STATE) ./bin/reel run $(DEMO_IN) --out out/demo

vet: deps
	$(GO) vet ./...
	$(GOBIN)/workflowcheck ./workflows/...

test: vet
	$(GO) test -timeout 25m ./...

test-short: deps
	$(GO) test -short ./...

bench: build
	bash bench/run.sh

clean:
	rm -rf bin out .reel
