// Package e2e drives headless Chromium against the demo and the module:
// one browser per test binary, a tab per test, an httptest server with the
// handler of `make serve`.
package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"

	"example.com/weblock/web"
)

var (
	server     *httptest.Server
	browserCtx context.Context
)

const installHint = "no Chromium found: install it with `apt-get update && apt-get install -y chromium` " +
	"(make test does this when run as root), or set CHROME_PATH"

func TestMain(m *testing.M) {
	os.Exit(run(m))
}

func run(m *testing.M) int {
	browser, err := findBrowser()
	if err != nil {
		fmt.Fprintln(os.Stderr, "e2e:", err)
		return 1
	}
	if err := checkBuilt("../web"); err != nil {
		fmt.Fprintln(os.Stderr, "e2e:", err)
		return 1
	}
	server = httptest.NewServer(fixtures(web.Handler("../web")))
	defer server.Close()

	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(browser),
		chromedp.NoSandbox, // Chromium refuses to run as root without it
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-gpu", true),
		chromedp.Flag("js-flags", "--expose-gc"),
	)
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	defer cancelAlloc()
	var cancelBrowser context.CancelFunc
	browserCtx, cancelBrowser = chromedp.NewContext(allocCtx)
	defer cancelBrowser()
	if err := chromedp.Do(browserCtx); err != nil { // starts the browser
		fmt.Fprintln(os.Stderr, "e2e: starting", browser+":", err)
		return 1
	}
	return m.Run()
}

// findBrowser returns CHROME_PATH or the first usual install path; there
// is no silent skip when none is found.
func findBrowser() (string, error) {
	if p := os.Getenv("CHROME_PATH"); p != "" {
		if _, err := os.Stat(p); err != nil {
			return "", fmt.Errorf("CHROME_PATH=%s: %w", p, err)
		}
		return p, nil
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable", "headless-shell"} {
		if p, err := exec.LookPath(name); err == nil {
			return p, nil
		}
	}
	return "", fmt.Errorf("%s", installHint)
}

// checkBuilt fails unless `make build` has produced a module newer than
// every Go source it is built from.
func checkBuilt(webDir string) error {
	wasm, err := os.Stat(filepath.Join(webDir, "lockmgr.wasm"))
	if err != nil {
		return fmt.Errorf("web/lockmgr.wasm is missing: run `make build` (make test does)")
	}
	for _, pattern := range []string{"../lockmgr/*.go", "../wasm/*.go"} {
		files, _ := filepath.Glob(pattern)
		for _, f := range files {
			if st, err := os.Stat(f); err == nil && st.ModTime().After(wasm.ModTime()) && !strings.HasSuffix(f, "_test.go") {
				return fmt.Errorf("web/lockmgr.wasm is older than %s: run `make build` (make test does)", f)
			}
		}
	}
	return nil
}

// fixtures adds the test pages under /e2e/ to the demo's handler, with the
// same security headers.
func fixtures(site http.Handler) http.Handler {
	mux := http.NewServeMux()
	mux.Handle("/", site)
	serve := func(file, ctype string) http.Handler {
		return web.SecurityHeaders(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", ctype)
			http.ServeFile(w, r, file)
		}))
	}
	mux.Handle("/e2e/blank.html", serve("testdata/blank.html", "text/html; charset=utf-8"))
	mux.Handle("/e2e/blank.js", serve("testdata/blank.js", "text/javascript"))
	mux.Handle("/e2e/contract.js", serve("../wasm/testdata/contract.js", "text/javascript"))
	mux.Handle("/e2e/bench.html", serve("testdata/bench.html", "text/html; charset=utf-8"))
	mux.Handle("/e2e/bench.js", serve("testdata/bench.js", "text/javascript"))
	// The module with its function names, for profiles (make bench-profile).
	mux.Handle("/e2e/named.wasm", serve(filepath.Join(artifacts, "lockmgr-named.wasm"), "application/wasm"))
	return mux
}

// tab is one browser tab of a test, with the problems seen in it.
type tab struct {
	t   testing.TB
	ctx context.Context

	mu       sync.Mutex
	problems []string
	allowed  []string // substrings of problems a test expects
}

// recordViolations runs before any page script: CSP violations become
// entries the test reads back.
const recordViolations = `
globalThis.__cspViolations = [];
addEventListener('securitypolicyviolation', (e) => {
  __cspViolations.push(e.violatedDirective + ' blocked ' + (e.blockedURI || 'inline') + ' at ' + e.sourceFile + ':' + e.lineNumber);
});`

// newTab opens a tab whose uncaught exceptions, console errors, log errors
// and CSP violations fail the test when it ends.
func newTab(t testing.TB) *tab {
	t.Helper()
	tb := &tab{t: t}
	ctx, cancel := chromedp.NewContext(browserCtx, chromedp.WithListener(tb.listen))
	ctx, cancelTimeout := context.WithTimeout(ctx, 3*time.Minute)
	tb.ctx = ctx
	_, err := chromedp.Call(ctx, page.AddScriptToEvaluateOnNewDocument, page.AddScriptToEvaluateOnNewDocumentParams{Source: recordViolations})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if v, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`globalThis.__cspViolations ?? []`)); err == nil {
			for _, s := range v {
				tb.problem("CSP violation: " + s)
			}
		}
		cancelTimeout()
		cancel()
		tb.mu.Lock()
		defer tb.mu.Unlock()
		for _, p := range tb.problems {
			t.Errorf("page problem: %s", p)
		}
	})
	return tb
}

// allow lets a test expect a problem that contains s (a failed load it
// provokes on purpose, say).
func (tb *tab) allow(s string) {
	tb.mu.Lock()
	tb.allowed = append(tb.allowed, s)
	tb.mu.Unlock()
}

func (tb *tab) problem(s string) {
	tb.mu.Lock()
	defer tb.mu.Unlock()
	for _, a := range tb.allowed {
		if strings.Contains(s, a) {
			return
		}
	}
	tb.problems = append(tb.problems, s)
}

func (tb *tab) listen(ev any) {
	switch ev := ev.(type) {
	case *runtime.EventExceptionThrown:
		d := ev.ExceptionDetails
		msg := d.Text
		if d.Exception != nil && d.Exception.Description != "" {
			msg += " " + d.Exception.Description
		}
		tb.problem(fmt.Sprintf("uncaught exception: %s (%s:%d)", msg, d.URL, d.LineNumber))
	case *runtime.EventConsoleAPICalled:
		if ev.Type == runtime.ConsoleAPICalledTypeError {
			var parts []string
			for _, a := range ev.Args {
				if a.Description != "" {
					parts = append(parts, a.Description)
				} else {
					parts = append(parts, string(a.Value))
				}
			}
			tb.problem("console.error: " + strings.Join(parts, " "))
		}
	case *log.EventEntryAdded:
		if ev.Entry.Level == log.EntryLevelError {
			tb.problem(fmt.Sprintf("log error (%s): %s %s", ev.Entry.Source, ev.Entry.Text, ev.Entry.URL))
		}
	}
}

// open navigates to path on the test server and waits until cond holds.
func (tb *tab) open(path, cond string) {
	tb.t.Helper()
	if err := chromedp.Do(tb.ctx, chromedp.Navigate(server.URL+path)); err != nil {
		tb.t.Fatalf("navigate %s: %v", path, err)
	}
	tb.waitFor(cond)
}

// openFixture opens the blank page with the module loaded.
func (tb *tab) openFixture() {
	tb.t.Helper()
	tb.open("/e2e/blank.html", `document.documentElement.dataset.ready === 'true'`)
}

// waitFor waits in the page until the JS expression cond is truthy,
// checking every 10 ms, for at most 30 s. (chromedp.Poll compiles its
// predicate with new Function, which the page's CSP forbids.)
func (tb *tab) waitFor(cond string) {
	tb.t.Helper()
	expr := fmt.Sprintf(`new Promise((resolve, reject) => {
		const start = performance.now();
		(function check() {
			let ok;
			try { ok = (%s); } catch (e) { return reject(e); }
			if (ok) return resolve(true);
			if (performance.now() - start > 30000) return reject(new Error('timed out waiting for: ' + %s));
			setTimeout(check, 10);
		})();
	})`, cond, jsString(cond))
	if _, err := chromedp.Run(tb.ctx, chromedp.Evaluate[bool](expr, chromedp.EvalAwaitPromise)); err != nil {
		tb.t.Fatalf("waiting for %s: %v", cond, err)
	}
}

func jsString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

// eval evaluates expr in the tab, awaiting a promise, and decodes the result.
func eval[T any](tb *tab, expr string) T {
	tb.t.Helper()
	v, err := chromedp.Run(tb.ctx, chromedp.Evaluate[T](expr, chromedp.EvalAwaitPromise))
	if err != nil {
		tb.t.Fatalf("evaluating %s: %v", short(expr), err)
	}
	return v
}

func short(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) > 200 {
		return s[:200] + "…"
	}
	return s
}
