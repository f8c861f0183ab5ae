# The README's two commands are `make serve` and `make test`; both do their
# own set-up on a fresh Debian machine with Go and Node.

GO        ?= go
GOROOT    := $(shell $(GO) env GOROOT)
WASM_EXEC := $(GOROOT)/lib/wasm/go_js_wasm_exec
FUZZTIME  ?= 10s

WASM_SRC  := $(wildcard lockmgr/*.go wasm/*.go) go.mod
WASM_ENV  := GOOS=js GOARCH=wasm

.PHONY: all build test test-host test-fuzz test-wasm lint bench

all: test

# The module, the Go runtime's JS glue, and precompressed copies to serve.
build: web/lockmgr.wasm web/wasm_exec.js web/lockmgr.wasm.br web/lockmgr.wasm.gz

web/lockmgr.wasm: $(WASM_SRC)
	$(WASM_ENV) $(GO) build -trimpath -ldflags='-s -w' -o $@ ./wasm

web/wasm_exec.js: $(GOROOT)/lib/wasm/wasm_exec.js
	cp "$<" $@

web/lockmgr.wasm.br web/lockmgr.wasm.gz: web/lockmgr.wasm
	node -e "$$COMPRESS" $<

# Node's zlib has brotli; Go's standard library does not.
define COMPRESS
const z = require("zlib"), fs = require("fs"), f = process.argv[1], b = fs.readFileSync(f);
fs.writeFileSync(f + ".br", z.brotliCompressSync(b, {params: {[z.constants.BROTLI_PARAM_QUALITY]: 11}}));
fs.writeFileSync(f + ".gz", z.gzipSync(b, {level: 9}));
endef
export COMPRESS

test: test-host test-fuzz test-wasm

test-host:
	$(GO) test -race -count=1 ./...

test-fuzz:
	$(GO) test -run '^$$' -fuzz FuzzOperations -fuzztime $(FUZZTIME) ./lockmgr

# The bridge's own tests, under Node: go_js_wasm_exec runs the test binary.
test-wasm:
	$(WASM_ENV) $(GO) test -count=1 -timeout 120s -exec="$(WASM_EXEC)" ./wasm/...

lint:
	@out=$$(gofmt -l .); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...
	$(WASM_ENV) $(GO) vet ./wasm/...

bench:
	$(GO) test -run '^$$' -bench . -benchmem -count 1 ./lockmgr
