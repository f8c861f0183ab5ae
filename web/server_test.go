package web

import (
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func testDir(t *testing.T) string {
	dir := t.TempDir()
	for name, body := range map[string]string{
		"index.html":      "<!doctype html>",
		"app.js":          "export {}",
		"lockmgr.wasm":    "raw",
		"lockmgr.wasm.br": "brotli",
		"lockmgr.wasm.gz": "gzip",
		"server.go":       "package web",
		"sub/other.js":    "x",
		"notes.txt":       "not served",
		"typings/x.d.ts":  "declare",
	} {
		p := filepath.Join(dir, name)
		require.NoError(t, os.MkdirAll(filepath.Dir(p), 0o755))
		require.NoError(t, os.WriteFile(p, []byte(body), 0o644))
	}
	return dir
}

func get(t *testing.T, h http.Handler, path, acceptEncoding string) *httptest.ResponseRecorder {
	t.Helper()
	req := httptest.NewRequest(http.MethodGet, path, nil)
	if acceptEncoding != "" {
		req.Header.Set("Accept-Encoding", acceptEncoding)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

func TestHandlerHeaders(t *testing.T) {
	h := Handler(testDir(t))
	for _, tc := range []struct{ path, ctype, body string }{
		{"/", "text/html; charset=utf-8", "<!doctype html>"},
		{"/app.js", "text/javascript; charset=utf-8", "export {}"},
		{"/sub/other.js", "text/javascript; charset=utf-8", "x"},
		{"/lockmgr.wasm", "application/wasm", "raw"},
	} {
		rec := get(t, h, tc.path, "")
		require.Equal(t, http.StatusOK, rec.Code, tc.path)
		assert.Equal(t, tc.ctype, rec.Header().Get("Content-Type"), tc.path)
		assert.Equal(t, tc.body, rec.Body.String(), tc.path)
		assert.Equal(t, CSP, rec.Header().Get("Content-Security-Policy"), tc.path)
		assert.Equal(t, "nosniff", rec.Header().Get("X-Content-Type-Options"), tc.path)
		assert.Equal(t, "no-cache", rec.Header().Get("Cache-Control"), tc.path)
	}
}

func TestHandlerServesPrecompressedWasm(t *testing.T) {
	h := Handler(testDir(t))
	for _, tc := range []struct{ accept, enc, body string }{
		{"gzip, deflate, br, zstd", "br", "brotli"},
		{"gzip", "gzip", "gzip"},
		{"br;q=0, gzip", "gzip", "gzip"},
		{"identity", "", "raw"},
		{"", "", "raw"},
	} {
		rec := get(t, h, "/lockmgr.wasm", tc.accept)
		require.Equal(t, http.StatusOK, rec.Code)
		assert.Equal(t, tc.enc, rec.Header().Get("Content-Encoding"), tc.accept)
		assert.Equal(t, tc.body, rec.Body.String(), tc.accept)
		assert.Equal(t, "application/wasm", rec.Header().Get("Content-Type"))
		assert.Equal(t, "Accept-Encoding", rec.Header().Get("Vary"))
	}
}

func TestHandlerServesOnlyWebFiles(t *testing.T) {
	h := Handler(testDir(t))
	for _, p := range []string{"/server.go", "/notes.txt", "/../outside.html", "/missing.js", "/sub/"} {
		rec := get(t, h, p, "")
		assert.Equal(t, http.StatusNotFound, rec.Code, p)
		assert.Equal(t, CSP, rec.Header().Get("Content-Security-Policy"), p)
	}
	req := httptest.NewRequest(http.MethodPost, "/", nil)
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	assert.Equal(t, http.StatusMethodNotAllowed, rec.Code)
}
