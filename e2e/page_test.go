package e2e

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"example.com/weblock/web"
)

// The suite's own alarm works: an exception, a console error and a CSP
// violation in a tab are each seen. (Cleared at the end, so this test
// passes only because all three were caught.)
func TestPageProblemsAreCaught(t *testing.T) {
	tb := newTab(t)
	tb.openFixture()
	eval[bool](tb, `(() => {
		setTimeout(() => { throw new Error('planted exception'); });
		console.error('planted console error');
		const s = document.createElement('script');
		s.textContent = 'void 0'; // inline: the CSP blocks it
		document.head.append(s);
		return true;
	})()`)
	tb.waitFor(`globalThis.__cspViolations.length > 0`)
	deadline := time.Now().Add(10 * time.Second)
	for {
		tb.mu.Lock()
		got := strings.Join(tb.problems, "\n")
		tb.mu.Unlock()
		if strings.Contains(got, "planted exception") && strings.Contains(got, "planted console error") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("planted problems not seen; got:\n%s", got)
		}
		time.Sleep(20 * time.Millisecond) // waiting on events from the browser, not on the page
	}
	violations := eval[[]string](tb, `__cspViolations.splice(0)`)
	require.NotEmpty(t, violations)
	assert.Contains(t, violations[0], "script-src")
	tb.mu.Lock()
	tb.problems = nil
	tb.mu.Unlock()
}

func TestHeadersInTheBrowser(t *testing.T) {
	tb := newTab(t)
	resp, err := chromedp.Run(tb.ctx, chromedp.NavigateResponse(server.URL+"/"))
	require.NoError(t, err)
	assert.Equal(t, web.CSP, resp.Headers["Content-Security-Policy"], "CSP on the page")
	tb.waitFor(`document.body.dataset.ready === 'true'`)

	wasm := eval[map[string]string](tb, `fetch('/lockmgr.wasm').then((r) => ({
		type: r.headers.get('Content-Type'), encoding: r.headers.get('Content-Encoding') ?? '',
		csp: r.headers.get('Content-Security-Policy'), cache: r.headers.get('Cache-Control') }))`)
	assert.Equal(t, "application/wasm", wasm["type"])
	assert.Equal(t, "br", wasm["encoding"], "Chromium accepts brotli")
	assert.Equal(t, web.CSP, wasm["csp"])
	assert.Equal(t, "no-cache", wasm["cache"])

	tb.allow("server.go") // the 404 below is logged as a failed load
	status := eval[int](tb, `fetch('/server.go').then((r) => r.status)`)
	assert.Equal(t, http.StatusNotFound, status, "Go sources are not served")
}
