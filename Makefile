# The suite's entry points. `make test` and `make bench` are the two commands of README.md.
GO ?= go
BIN := bin/bench

.PHONY: build test test-multihost bench bench-quick bench-slow peers fuzz clean

build:
	$(GO) build -buildvcs=auto -o $(BIN) ./cmd/bench

# vet, the macOS cross-build (plot, compare, check and the goroutine and threaded models
# must build off Linux), then every test under the race detector.
test:
	$(GO) vet ./...
	GOOS=darwin $(GO) build ./... && GOOS=darwin $(GO) vet ./...
	$(GO) test -race -count=1 -timeout 15m ./...

# bench run across machines, network namespaces as the machines (Linux, root; skipped
# otherwise): sshd in each (openssh-server installed if missing), a server and two client
# namespaces, checked against the server's own count; bounded to 10 minutes.
test-multihost:
	$(GO) build -buildvcs=auto -o $(BIN) ./cmd/bench
	timeout 600 scripts/multihost-test.sh $(BIN)

# The full suite (suites/default.json, progress on the terminal) into results/<UTC time>/
# and results/latest: scripts/run.sh raises the limits, builds, runs `bench run`, then
# `bench plot`. bench-quick: fewer levels, 1 s windows. Their run times: README, "The two
# commands".
bench:
	scripts/run.sh

bench-quick:
	QUICK=1 scripts/run.sh

# The quick suite on a slower machine, emulated (not part of CI): a busy loop pinned beside
# the server (CPU 0) and another beside the client (CPU 1) leave each side about half its
# CPU, then bench check --strict on the run (scripts/slow-machine.sh).
bench-slow:
	scripts/slow-machine.sh

# The C reference peer (scripts/peers/cthreads.c); scripts/peers/cthreads.sh also builds
# it when it is missing or older than its source.
peers: bin/cthreads

bin/cthreads: scripts/peers/cthreads.c
	@mkdir -p bin
	$(CC) -O2 -pthread -o $@ $<

# The parser's fuzzer, as the issue that introduced it ran it.
fuzz:
	$(GO) test -run '^$$' -fuzz FuzzParse -fuzztime 60s ./internal/http1

clean:
	rm -rf bin
