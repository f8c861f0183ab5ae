package e2e

import (
	"cmp"
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/chromedp/cdproto/profiler"
	"github.com/chromedp/chromedp"
)

// BenchmarkBrowserProfile records Chromium's CPU profile of one bench.js
// scenario, for finding where its time goes: `make bench-profile`
// (SCENARIO=acquire by default) writes e2e/artifacts/<scenario>.cpuprofile,
// which Chrome DevTools' Performance panel loads. It runs the module that
// make bench-profile builds with its function names, when there is one.
func BenchmarkBrowserProfile(b *testing.B) {
	scenario := os.Getenv("SCENARIO")
	if scenario == "" {
		scenario = "acquire"
	}
	tb := newTab(b)
	for b.Loop() {
		page := "/e2e/bench.html"
		if _, err := os.Stat(filepath.Join(artifacts, "lockmgr-named.wasm")); err == nil {
			page += "?wasm=/e2e/named.wasm"
		}
		tb.open(page, `document.documentElement.dataset.ready === 'true'`)
		run := fmt.Sprintf(`bench.run(%q, "lockmgr", 200000)`, scenario)
		eval[float64](tb, run) // warm up
		call := func(cmd any, err error) {
			if err != nil {
				b.Fatal(err)
			}
		}
		call(chromedp.Call(tb.ctx, profiler.Enable, struct{}{}))
		call(chromedp.Call(tb.ctx, profiler.SetSamplingInterval, profiler.SetSamplingIntervalParams{Interval: 50}))
		call(chromedp.Call(tb.ctx, profiler.Start, struct{}{}))
		ms := eval[float64](tb, run)
		res, err := chromedp.Call(tb.ctx, profiler.Stop, struct{}{})
		if err != nil {
			b.Fatal(err)
		}
		data, err := json.Marshal(res.Profile)
		if err != nil {
			b.Fatal(err)
		}
		path := filepath.Join(artifacts, scenario+".cpuprofile")
		if err := os.MkdirAll(artifacts, 0o755); err != nil {
			b.Fatal(err)
		}
		if err := os.WriteFile(path, data, 0o644); err != nil {
			b.Fatal(err)
		}
		fmt.Printf("%s: %.0f ns/op while profiled; profile in %s\n", scenario, ms*1e6/200000, path)
		printSelfTime(res.Profile, 20)
	}
}

// printSelfTime prints the functions with the most samples of their own.
func printSelfTime(p *profiler.Profile, top int) {
	self := map[string]int64{}
	var total int64
	for _, n := range p.Nodes {
		self[n.CallFrame.FunctionName] += n.HitCount
		total += n.HitCount
	}
	names := slices.SortedFunc(maps.Keys(self), func(a, b string) int { return cmp.Compare(self[b], self[a]) })
	for _, name := range names[:min(top, len(names))] {
		fmt.Printf("%6.1f%%  %s\n", 100*float64(self[name])/float64(total), name)
	}
}
