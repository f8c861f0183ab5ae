package e2e

import (
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"example.com/weblock/web"
)

// artifacts is where the suite writes what a person may want to look at
// (git-ignored; the README names it).
const artifacts = "artifacts"

const demoReady = `document.body.dataset.ready === 'true'`

// TestDemoAsAPerson types a story, waits for the autosave, reloads, sees it
// kept, then runs the drill with and without the lock and reads the
// numbers off the page.
func TestDemoAsAPerson(t *testing.T) {
	tb := newTab(t)
	require.NoError(t, chromedp.Do(tb.ctx, chromedp.EmulateViewport(1280, 900)))
	tb.open("/", demoReady)
	rev := eval[int](tb, `Number(document.getElementById('rev').textContent)`)

	require.NoError(t, chromedp.Do(tb.ctx,
		chromedp.SendKeys(chromedp.ID("title"), "The lighthouse"),
		chromedp.SendKeys(chromedp.ID("body"), "It was a dark and stormy night."),
	))
	tb.waitFor(`document.getElementById('save-status').textContent.startsWith('Saved')
		&& Number(document.getElementById('rev').textContent) > ` + strconv.Itoa(rev))

	require.NoError(t, chromedp.Do(tb.ctx, chromedp.Reload()))
	tb.waitFor(demoReady)
	title, err := chromedp.Run(tb.ctx, chromedp.Value(chromedp.ID("title")))
	require.NoError(t, err)
	body, err := chromedp.Run(tb.ctx, chromedp.Value(chromedp.ID("body")))
	require.NoError(t, err)
	assert.Equal(t, "The lighthouse", title, "kept across a reload")
	assert.Equal(t, "It was a dark and stormy night.", body)

	locked := runDrill(t, tb, "drill-locked", "locked")
	assert.Equal(t, locked["expected"], locked["final"], "with the lock every save lands")
	assert.Zero(t, locked["lost"])
	assert.Equal(t, 100, locked["final"]-locked["before"], "the default drill is 100 saves")

	unlocked := runDrill(t, tb, "drill-unlocked", "unlocked")
	assert.Positive(t, unlocked["lost"], "without the lock updates are lost")
	assert.Less(t, unlocked["final"], unlocked["expected"])
	t.Logf("drill: with the lock lost %d; without lost %d of 100", locked["lost"], unlocked["lost"])

	// The live lock panel settles on "No locks held" once idle.
	tb.waitFor(`!document.getElementById('lock-idle').hidden && lockManager.query().held.length === 0`)
	eval[bool](tb, `window.scrollTo(0, 0), true`)
	shot, err := chromedp.Run(tb.ctx, chromedp.FullScreenshot(100)) // PNG
	require.NoError(t, err)
	require.NoError(t, os.MkdirAll(artifacts, 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(artifacts, "demo-after-drill.png"), shot, 0o644))

	// The text survived the drills (they save empty patches).
	assert.Equal(t, "The lighthouse", eval[string](tb, `document.getElementById('title').value`))
}

// runDrill presses a drill button with the keyboard and returns the
// numbers the page shows.
func runDrill(t testing.TB, tb *tab, button, done string) map[string]int {
	t.Helper()
	before := eval[int](tb, `Number(document.getElementById('rev').textContent)`)
	eval[bool](tb, `document.getElementById('drill-n').focus(), true`)
	require.NoError(t, chromedp.Do(tb.ctx, chromedp.KeyEvent(kb.Tab)))
	if button == "drill-unlocked" {
		require.NoError(t, chromedp.Do(tb.ctx, chromedp.KeyEvent(kb.Tab)))
	}
	require.Equal(t, button, eval[string](tb, `document.activeElement.id`), "reached by Tab")
	require.NoError(t, chromedp.Do(tb.ctx, chromedp.KeyEvent(kb.Enter)))
	tb.waitFor(`document.getElementById('drill-result').dataset.done === '` + done + `'`)
	got := eval[map[string]int](tb, `({
		expected: Number(document.getElementById('drill-expected').textContent),
		final: Number(document.getElementById('drill-final').textContent),
		lost: Number(document.getElementById('drill-lost').textContent),
	})`)
	got["before"] = before
	return got
}

func TestDemoFitsNarrowScreens(t *testing.T) {
	for _, width := range []int64{360, 1280} {
		tb := newTab(t)
		require.NoError(t, chromedp.Do(tb.ctx, chromedp.EmulateViewport(width, 800)))
		tb.open("/", demoReady)
		overflow := eval[int](tb, `document.documentElement.scrollWidth - document.documentElement.clientWidth`)
		assert.LessOrEqual(t, overflow, 0, "horizontal scroll at %d px", width)
	}
}

// A deployment that lost the module: the demo says so instead of hanging.
func TestDemoShowsAnErrorWhenTheModuleFailsToLoad(t *testing.T) {
	site := web.Handler("../web")
	broken := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, ".wasm") {
			http.NotFound(w, r)
			return
		}
		site.ServeHTTP(w, r)
	}))
	t.Cleanup(broken.Close) // after the tab's cleanup: late requests still get answers

	tb := newTab(t)
	tb.allow("lockmgr.wasm") // the 404 is logged as a failed load
	require.NoError(t, chromedp.Do(tb.ctx, chromedp.Navigate(broken.URL+"/")))
	tb.waitFor(`document.body.classList.contains('failed')`)
	msg := eval[string](tb, `(() => { const e = document.getElementById('load-error'); return e.hidden ? '' : e.textContent; })()`)
	assert.Contains(t, msg, "lockmgr: could not fetch")
	assert.Contains(t, msg, "HTTP 404")
}
