//go:build !js

// Package s3test runs a real S3-compatible server for tests: versitygw
// over a temporary folder (its posix backend), on a free loopback port.
// .ci/setup installs versitygw into $(go env GOPATH)/bin; a test that
// cannot find it fails, it never skips.
//
// One server per test (or per top-level test, shared by its subtests) is
// the intended use: it starts in well under a second, and Options hands out
// a fresh bucket each time, so stores opened on it start empty.
package s3test

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"go/build"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/idbsync/idbsync/server/s3blobs"
)

// Env names the variable that, when set, is the path of the versitygw
// binary to run.
const Env = "VERSITYGW"

// Credentials of every server Start runs.
const (
	AccessKey = "idbsync-test"
	SecretKey = "idbsync-test-secret"
)

// startTimeout bounds how long Start waits for the server to answer.
const startTimeout = 20 * time.Second

// Server is a running versitygw.
type Server struct {
	// Endpoint is host:port, plain HTTP.
	Endpoint string
	// Dir is the posix backend's folder: one subfolder per bucket.
	Dir string

	cmd    *exec.Cmd
	out    *syncBuffer
	exited chan struct{}
	once   sync.Once
	n      atomic.Int64
}

// Start runs a versitygw for t and stops it when t ends. It fails t when
// the binary is missing or the server does not answer.
func Start(t testing.TB) *Server {
	t.Helper()
	bin, err := Binary()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	var lastErr error
	for range 3 { // another process may take the free port first
		s, err := start(bin, dir)
		if err == nil {
			t.Cleanup(s.Stop)
			return s
		}
		lastErr = err
	}
	t.Fatal(lastErr)
	return nil
}

// Binary returns the path of versitygw: $VERSITYGW, else
// $(go env GOPATH)/bin/versitygw, else the one on PATH.
func Binary() (string, error) {
	if p := os.Getenv(Env); p != "" {
		if _, err := os.Stat(p); err != nil {
			return "", fmt.Errorf("s3test: versitygw not found at $%s=%s: run `bash .ci/setup` to install it", Env, p)
		}
		return p, nil
	}
	var tried []string
	if gp := filepath.SplitList(build.Default.GOPATH); len(gp) > 0 && gp[0] != "" {
		p := filepath.Join(gp[0], "bin", "versitygw")
		if _, err := os.Stat(p); err == nil {
			return p, nil
		}
		tried = append(tried, p)
	}
	if p, err := exec.LookPath("versitygw"); err == nil {
		return p, nil
	}
	return "", fmt.Errorf("s3test: versitygw not found (tried %v and PATH): run `bash .ci/setup` to install it, or set %s", tried, Env)
}

func start(bin, dir string) (*Server, error) {
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	s := &Server{
		Endpoint: net.JoinHostPort("127.0.0.1", strconv.Itoa(port)),
		Dir:      dir,
		out:      &syncBuffer{},
		exited:   make(chan struct{}),
	}
	s.cmd = exec.Command(bin, "--quiet", "--access", AccessKey, "--secret", SecretKey, "--port", s.Endpoint, "posix", dir)
	s.cmd.Stdout, s.cmd.Stderr = s.out, s.out
	if err := s.cmd.Start(); err != nil {
		return nil, fmt.Errorf("s3test: start %s: %w", bin, err)
	}
	go func() {
		_ = s.cmd.Wait()
		close(s.exited)
	}()
	if err := s.wait(); err != nil {
		s.Stop()
		return nil, err
	}
	return s, nil
}

// freePort is a loopback port nothing listened on a moment ago.
func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("s3test: %w", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// wait polls the server until it answers HTTP (an unsigned request earns
// an S3 error, which is an answer), it exits, or startTimeout passes.
func (s *Server) wait() error {
	client := &http.Client{Timeout: time.Second}
	deadline := time.Now().Add(startTimeout)
	for {
		select {
		case <-s.exited:
			return fmt.Errorf("s3test: versitygw exited at start (%v):\n%s", s.cmd.ProcessState, s.out)
		default:
		}
		resp, err := client.Get("http://" + s.Endpoint + "/")
		if err == nil {
			resp.Body.Close()
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("s3test: versitygw did not answer on %s within %v: %v\n%s", s.Endpoint, startTimeout, err, s.out)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// Stop ends the server (an interrupt, then a kill after 5 s) and waits
// for it. Stopping twice is fine; Start registers it with t.Cleanup.
func (s *Server) Stop() {
	s.once.Do(func() {
		_ = s.cmd.Process.Signal(os.Interrupt)
		select {
		case <-s.exited:
		case <-time.After(5 * time.Second):
			_ = s.cmd.Process.Kill()
			<-s.exited
		}
	})
}

// Output returns what the server has printed so far.
func (s *Server) Output() string { return s.out.String() }

// Options returns the s3blobs options of a fresh bucket on the server
// (s3blobs.Open creates it), with no prefix.
func (s *Server) Options() s3blobs.Options {
	return s3blobs.Options{
		Endpoint:  s.Endpoint,
		AccessKey: AccessKey,
		SecretKey: SecretKey,
		Bucket:    s.Bucket(),
		Region:    "us-east-1",
	}
}

// Bucket returns a bucket name not used before on this server.
func (s *Server) Bucket() string {
	var b [4]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(err) // crypto/rand does not fail on supported platforms
	}
	return fmt.Sprintf("test-%d-%s", s.n.Add(1), hex.EncodeToString(b[:]))
}

// syncBuffer is a bytes.Buffer the server's output goroutines write to
// while a test reads it.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}
