# The README's two commands are `make serve` and `make test`; both do their
# own set-up on a fresh Debian machine with Go and Node.

GO        ?= go
GOROOT    := $(shell $(GO) env GOROOT)
WASM_EXEC := $(GOROOT)/lib/wasm/go_js_wasm_exec
FUZZTIME  ?= 10s

.PHONY: all test test-host test-fuzz lint bench

all: test

test: test-host test-fuzz

test-host:
	$(GO) test -race -count=1 ./...

test-fuzz:
	$(GO) test -run '^$$' -fuzz FuzzOperations -fuzztime $(FUZZTIME) ./lockmgr

lint:
	@out=$$(gofmt -l .); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...

bench:
	$(GO) test -run '^$$' -bench . -benchmem -count 1 ./lockmgr
