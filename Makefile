# The README's two commands are `make serve` and `make test`; both do their
# own set-up on a fresh Debian machine with Go and Node.

GO        ?= go
GOROOT    := $(shell $(GO) env GOROOT)
WASM_EXEC := $(GOROOT)/lib/wasm/go_js_wasm_exec
FUZZTIME  ?= 10s

WASM_SRC  := $(wildcard lockmgr/*.go wasm/*.go) go.mod
WASM_ENV  := GOOS=js GOARCH=wasm

.PHONY: all build serve test test-host test-fuzz test-wasm test-e2e chromium lint bench bench-profile

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

# The demo on http://localhost:8080 (ADDR=host:port or PORT=n to change).
# The binary is built, then exec'd, so that Ctrl-C reaches the server itself.
serve: build
	$(GO) build -o "$${TMPDIR:-/tmp}/weblock-serve" ./web/cmd/serve
	exec "$${TMPDIR:-/tmp}/weblock-serve" -dir web $(if $(ADDR),-addr $(ADDR))

test: test-host test-fuzz test-wasm test-e2e

# Every host package under the race detector; the browser suite has its own
# target, since it needs the module built and a browser.
test-host:
	$(GO) test -race -count=1 $$($(GO) list ./... | grep -v /e2e)

test-fuzz:
	$(GO) test -run '^$$' -fuzz FuzzOperations -fuzztime $(FUZZTIME) ./lockmgr

# The bridge's own tests, under Node: go_js_wasm_exec runs the test binary.
test-wasm:
	NODE_OPTIONS="--require $(CURDIR)/wasm/testdata/node_exports.cjs" \
	  $(WASM_ENV) $(GO) test -count=1 -timeout 120s -exec="$(WASM_EXEC)" ./wasm/...

# The chromedp suite in headless Chromium.
test-e2e: build chromium
	$(GO) test -count=1 -timeout 15m ./e2e/...

# Finds Chromium (CHROME_PATH or the usual paths); installs Debian's when
# running as root, otherwise says how.
chromium:
	@for b in "$$CHROME_PATH" /usr/bin/chromium /usr/bin/chromium-browser /usr/bin/google-chrome /usr/bin/google-chrome-stable; do \
	  if [ -n "$$b" ] && [ -x "$$b" ]; then exit 0; fi; done; \
	if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	  echo "installing Chromium: apt-get update && apt-get install -y chromium"; \
	  apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y chromium; \
	else \
	  echo "no Chromium found: run 'sudo apt-get update && sudo apt-get install -y chromium', or set CHROME_PATH" >&2; exit 1; \
	fi

lint:
	@out=$$(gofmt -l .); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...
	$(WASM_ENV) $(GO) vet ./wasm/...
	$(WASM_ENV) $(GO) vet -tags lockmgr_context ./lockmgr

# Go benchmarks (benchstat-compatible; kept in e2e/artifacts/go-bench.txt),
# then the in-browser run; the table and budgets land in e2e/artifacts/.
bench: build chromium
	@mkdir -p e2e/artifacts
	$(GO) test -run '^$$' -bench . -benchmem -count 5 ./lockmgr | tee e2e/artifacts/go-bench.txt
	$(GO) test -run '^$$' -bench '^BenchmarkBrowser$$' -benchtime 1x -timeout 20m ./e2e

# Chromium's CPU profile of one in-browser scenario (SCENARIO=acquire,
# withLock, burst, manyKeys, bareCall), on the module with its function
# names: e2e/artifacts/$(SCENARIO).cpuprofile, for Chrome DevTools.
SCENARIO ?= acquire
bench-profile: build chromium
	@mkdir -p e2e/artifacts
	$(WASM_ENV) $(GO) build -trimpath -o e2e/artifacts/lockmgr-named.wasm ./wasm
	SCENARIO=$(SCENARIO) $(GO) test -run '^$$' -bench '^BenchmarkBrowserProfile$$' -benchtime 1x -timeout 10m ./e2e
