package e2e

import (
	"fmt"
	"testing"
)

// TestContract runs, in Chromium, the JS contract cases that the wasm
// package's Node tests run too (wasm/testdata/contract.js).
func TestContract(t *testing.T) {
	tb := newTab(t)
	tb.openFixture()
	names := eval[[]string](tb, `lockmgrContract.map((c) => c.name)`)
	if len(names) < 20 {
		t.Fatalf("only %d contract cases", len(names))
	}
	for i, name := range names {
		t.Run(name, func(t *testing.T) {
			got := eval[string](tb, fmt.Sprintf(`lockmgrContract[%d].run(lockManager).then(() => 'ok', (e) => String(e && e.stack || e))`, i))
			if got != "ok" {
				t.Fatal(got)
			}
		})
	}
	idle := eval[bool](tb, `(() => { const q = lockManager.query(); const s = lockManager.stats();
		return q.held.length === 0 && q.pending.length === 0 && s.keys === 0 && s.waiters === 0; })()`)
	if !idle {
		t.Fatal("the manager is not idle after the contract cases")
	}
}
