// Command serve serves the story-editor demo (the web folder) on
// http://localhost:8080, as `make serve` does after building the module.
//
//	go run ./web/cmd/serve [-addr :8080] [-dir web]
//
// PORT sets the port when -addr is not given. Ctrl-C stops it cleanly.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"

	"example.com/weblock/web"
)

func main() {
	defaultAddr := "localhost:8080"
	if p := os.Getenv("PORT"); p != "" {
		defaultAddr = "localhost:" + p
	}
	addr := flag.String("addr", defaultAddr, "address to listen on")
	dir := flag.String("dir", "web", "folder to serve")
	flag.Parse()
	if err := run(*addr, *dir); err != nil {
		log.Fatal(err)
	}
}

func run(addr, dir string) error {
	if _, err := os.Stat(filepath.Join(dir, "lockmgr.wasm")); err != nil {
		return fmt.Errorf("%s has no lockmgr.wasm: run `make build` first (make serve does)", dir)
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	srv := &http.Server{Handler: web.Handler(dir), ReadHeaderTimeout: 10 * time.Second}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	go func() {
		<-ctx.Done()
		shutdown, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = srv.Shutdown(shutdown)
	}()
	fmt.Printf("serving %s on %s (Ctrl-C stops)\n", dir, pageURL(addr, ln.Addr()))
	if err := srv.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	fmt.Println("stopped")
	return nil
}

// pageURL is the address to open in a browser: the host as given (or
// localhost for a wildcard) and the port actually bound.
func pageURL(addr string, bound net.Addr) string {
	host, _, _ := net.SplitHostPort(addr)
	if host == "" || host == "0.0.0.0" || host == "::" {
		host = "localhost"
	}
	port := bound.(*net.TCPAddr).Port
	return fmt.Sprintf("http://%s/", net.JoinHostPort(host, fmt.Sprint(port)))
}
