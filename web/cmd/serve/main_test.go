package main

import (
	"net"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestPageURL(t *testing.T) {
	bound := &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 8080}
	assert.Equal(t, "http://localhost:8080/", pageURL("localhost:8080", bound))
	assert.Equal(t, "http://localhost:8080/", pageURL(":8080", bound))
	assert.Equal(t, "http://localhost:8080/", pageURL("0.0.0.0:8080", bound))
	assert.Equal(t, "http://127.0.0.1:8080/", pageURL("127.0.0.1:0", bound), "the port bound, not 0")
	assert.Equal(t, "http://[::1]:8080/", pageURL("[::1]:8080", bound))
}

func TestRunRefusesAFolderWithoutTheModule(t *testing.T) {
	err := run("127.0.0.1:0", t.TempDir())
	assert.ErrorContains(t, err, "make build")
}
