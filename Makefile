# The suite's entry points. `make test` and `make bench` are the two commands of README.md.
GO ?= go
BIN := bin/bench

.PHONY: build test bench bench-quick peers fuzz clean

build:
	$(GO) build -o $(BIN) ./cmd/bench

# vet, then every test under the race detector.
test:
	$(GO) vet ./...
	$(GO) test -race -count=1 -timeout 15m ./...

# The full suite; until the orchestrator lands (bench run) it is the wrk comparison of the
# models against nginx and the C thread server.
bench: build
	scripts/run.sh

bench-quick: build
	QUICK=1 scripts/run.sh

# The parser's fuzzer, as the issue that introduced it ran it.
fuzz:
	$(GO) test -run '^$$' -fuzz FuzzParse -fuzztime 60s ./internal/http1

clean:
	rm -rf bin
