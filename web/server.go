// Package web serves the demo page and the lockmgr module: the handler
// behind `make serve`, shared with the e2e suite.
package web

import (
	"net/http"
	"os"
	"path"
	"path/filepath"
	"strings"
)

// CSP is the Content-Security-Policy of every response: scripts only from
// this origin, plus WebAssembly compilation; nothing inline.
const CSP = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'"

// contentTypes lists what is served; anything else in the folder (Go
// sources, typings) is not found.
var contentTypes = map[string]string{
	".html": "text/html; charset=utf-8",
	".js":   "text/javascript; charset=utf-8",
	".css":  "text/css; charset=utf-8",
	".wasm": "application/wasm",
	".svg":  "image/svg+xml",
	".ts":   "text/plain; charset=utf-8", // lockmgr.d.ts, for reading
}

// encodings are the precompressed copies `make build` writes next to a
// file, in order of preference.
var encodings = []struct{ name, suffix string }{{"br", ".br"}, {"gzip", ".gz"}}

// Handler serves the files of dir with the headers a page needs: the CSP,
// exact content types, no MIME sniffing, revalidation on every load (the
// file names carry no hash), and a precompressed copy of the wasm module
// when the browser accepts one.
func Handler(dir string) http.Handler {
	return SecurityHeaders(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			w.Header().Set("Allow", "GET, HEAD")
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
			return
		}
		name := path.Clean("/" + r.URL.Path)
		if strings.HasSuffix(name, "/") {
			name += "index.html"
		}
		ctype, ok := contentTypes[path.Ext(name)]
		if !ok {
			http.NotFound(w, r)
			return
		}
		file := filepath.Join(dir, filepath.FromSlash(name))
		w.Header().Set("Content-Type", ctype)
		w.Header().Set("Cache-Control", "no-cache")
		if path.Ext(name) == ".wasm" {
			w.Header().Add("Vary", "Accept-Encoding")
			if enc, compressed := precompressed(file, r.Header.Get("Accept-Encoding")); enc != "" {
				w.Header().Set("Content-Encoding", enc)
				file = compressed
			}
		}
		serveFile(w, r, file)
	}))
}

// SecurityHeaders adds the CSP and nosniff to every response of h.
func SecurityHeaders(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Security-Policy", CSP)
		w.Header().Set("X-Content-Type-Options", "nosniff")
		h.ServeHTTP(w, r)
	})
}

// precompressed returns the encoding and path of the best copy of file
// that the Accept-Encoding header allows, or "" when none applies.
func precompressed(file, accept string) (string, string) {
	for _, e := range encodings {
		if accepts(accept, e.name) {
			if st, err := os.Stat(file + e.suffix); err == nil && st.Mode().IsRegular() {
				return e.name, file + e.suffix
			}
		}
	}
	return "", ""
}

// accepts reports whether an Accept-Encoding header allows coding (q=0
// forbids it).
func accepts(header, coding string) bool {
	for part := range strings.SplitSeq(header, ",") {
		name, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		if !strings.EqualFold(strings.TrimSpace(name), coding) {
			continue
		}
		q := strings.ReplaceAll(params, " ", "")
		return q != "q=0" && q != "q=0.0" && q != "q=0.00" && q != "q=0.000"
	}
	return false
}

func serveFile(w http.ResponseWriter, r *http.Request, file string) {
	f, err := os.Open(file)
	if err != nil {
		http.NotFound(w, r)
		return
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil || !st.Mode().IsRegular() {
		http.NotFound(w, r)
		return
	}
	http.ServeContent(w, r, "", st.ModTime(), f)
}
