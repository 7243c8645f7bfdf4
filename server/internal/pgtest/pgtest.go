//go:build !js

// Package pgtest starts throwaway PostgreSQL clusters for the server's tests:
// initdb into a temporary directory, pg_ctl start on a free loopback port,
// pg_ctl stop -m immediate and the directory removed at the end.
//
// Tests that share one cluster per test binary call Shared from a test and
// Main from TestMain; a test that stops or restarts PostgreSQL under a
// running store takes its own cluster with Start. A machine without
// PostgreSQL fails the test with a message saying what to install: the
// server's stores are tested against a real database, never skipped
// (.ci/setup installs it).
//
// The binaries are looked up in $PGTEST_BIN, then /usr/lib/postgresql/15/bin
// (Debian), then $PATH. initdb refuses to run as root, so as root every
// command runs as the postgres user (runuser).
package pgtest

import (
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
)

// debianBin is where Debian's postgresql-15 package puts the server binaries.
const debianBin = "/usr/lib/postgresql/15/bin"

// Cluster is one running (or stopped) PostgreSQL cluster owned by a test.
// Its methods are safe for concurrent use.
type Cluster struct {
	mu      sync.Mutex
	bin     string // directory of initdb and pg_ctl
	dir     string // temporary root: the socket and the log live here
	data    string // dir/data
	port    int
	running bool
	closed  bool
}

// Start starts a cluster for t and stops and removes it when t ends. It
// fails t (never skips) when PostgreSQL is missing or does not start.
func Start(t testing.TB) *Cluster {
	t.Helper()
	c, err := New()
	if err != nil {
		t.Fatalf("pgtest: %v", err)
	}
	t.Cleanup(func() {
		if err := c.Close(); err != nil {
			t.Errorf("pgtest: %v", err)
		}
	})
	return c
}

var shared struct {
	mu  sync.Mutex
	c   *Cluster
	err error
}

// Shared returns the cluster shared by every test of the binary, starting
// it on first use; Main stops it when the tests are done. It fails t when
// the cluster cannot start.
func Shared(t testing.TB) *Cluster {
	t.Helper()
	shared.mu.Lock()
	defer shared.mu.Unlock()
	if shared.c == nil && shared.err == nil {
		shared.c, shared.err = New()
	}
	if shared.err != nil {
		t.Fatalf("pgtest: %v", shared.err)
	}
	return shared.c
}

// Main runs the tests of m and then stops and removes the shared cluster,
// if one was started: call it from TestMain.
func Main(m *testing.M) {
	code := m.Run()
	shared.mu.Lock()
	if shared.c != nil {
		if err := shared.c.Close(); err != nil {
			fmt.Fprintln(os.Stderr, "pgtest:", err)
		}
	}
	shared.mu.Unlock()
	os.Exit(code)
}

// New initializes and starts a cluster. The caller must Close it.
func New() (*Cluster, error) {
	bin, err := findBin()
	if err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp(tempRoot(), "pgtest-")
	if err != nil {
		return nil, err
	}
	c := &Cluster{bin: bin, dir: dir, data: filepath.Join(dir, "data")}
	if err := c.init(); err != nil {
		_ = os.RemoveAll(dir)
		return nil, err
	}
	// A free port found by listening can be taken before the server binds
	// it: try a few.
	for range 3 {
		if c.port, err = freePort(); err != nil {
			break
		}
		if err = c.Start(); err == nil {
			return c, nil
		}
	}
	_ = os.RemoveAll(dir)
	return nil, err
}

// URL is the connection string of the cluster's postgres database, as the
// superuser postgres, over TCP on 127.0.0.1.
func (c *Cluster) URL() string {
	return fmt.Sprintf("postgres://postgres@127.0.0.1:%d/postgres?sslmode=disable", c.port)
}

// Port is the loopback TCP port the cluster listens on; it stays the same
// across Stop and Start.
func (c *Cluster) Port() int { return c.port }

// Start starts a stopped cluster on its port and waits until it accepts
// connections (after crash recovery, if Stop killed it). Starting a running
// cluster is a no-op.
func (c *Cluster) Start() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		return errors.New("pgtest: cluster closed")
	}
	if c.running {
		return nil
	}
	opts := strings.Join([]string{
		"-k", c.dir, "-p", strconv.Itoa(c.port),
		"-c listen_addresses=127.0.0.1",
		// A throwaway cluster: crash-safe against a killed server (the
		// OS keeps the writes), not against a power cut.
		"-c fsync=off", "-c full_page_writes=off",
		"-c max_connections=200",
		// Tests that cross two batches' locks on purpose should not wait
		// the default second for PostgreSQL to break the deadlock.
		"-c deadlock_timeout=100ms",
	}, " ")
	if err := c.run("pg_ctl", "-D", c.data, "-l", filepath.Join(c.dir, "log"), "-o", opts, "-w", "-t", "60", "start"); err != nil {
		return fmt.Errorf("pg_ctl start on port %d: %w%s", c.port, err, c.logTail())
	}
	c.running = true
	return nil
}

// Stop kills the cluster at once (pg_ctl stop -m immediate): connections
// drop mid-transaction, as in a crash. Stopping a stopped cluster is a no-op.
func (c *Cluster) Stop() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.stop()
}

func (c *Cluster) stop() error {
	if !c.running {
		return nil
	}
	if err := c.run("pg_ctl", "-D", c.data, "-m", "immediate", "-w", "stop"); err != nil {
		return fmt.Errorf("pg_ctl stop: %w", err)
	}
	c.running = false
	return nil
}

// Restart is Stop then Start.
func (c *Cluster) Restart() error {
	if err := c.Stop(); err != nil {
		return err
	}
	return c.Start()
}

// Close stops the cluster and removes its directory. Idempotent.
func (c *Cluster) Close() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		return nil
	}
	c.closed = true
	err := c.stop()
	return errors.Join(err, os.RemoveAll(c.dir))
}

func (c *Cluster) init() error {
	if os.Geteuid() == 0 {
		u, err := user.Lookup("postgres")
		if err != nil {
			return fmt.Errorf("running as root needs a postgres user to run initdb as: %w", err)
		}
		uid, _ := strconv.Atoi(u.Uid)
		gid, _ := strconv.Atoi(u.Gid)
		if err := os.Chown(c.dir, uid, gid); err != nil {
			return err
		}
	}
	if err := c.run("initdb", "-D", c.data, "-A", "trust", "-U", "postgres", "-E", "UTF8", "--locale=C", "--no-sync"); err != nil {
		return fmt.Errorf("initdb: %w", err)
	}
	return nil
}

// run runs one of the cluster's binaries, as postgres when we are root.
func (c *Cluster) run(name string, args ...string) error {
	path := filepath.Join(c.bin, name)
	var cmd *exec.Cmd
	if os.Geteuid() == 0 {
		cmd = exec.Command("runuser", append([]string{"-u", "postgres", "--", path}, args...)...)
	} else {
		cmd = exec.Command(path, args...)
	}
	out, err := cmd.CombinedOutput()
	if err != nil {
		return fmt.Errorf("%w: %s", err, strings.TrimSpace(string(out)))
	}
	return nil
}

func (c *Cluster) logTail() string {
	b, err := os.ReadFile(filepath.Join(c.dir, "log"))
	if err != nil || len(b) == 0 {
		return ""
	}
	if len(b) > 2000 {
		b = b[len(b)-2000:]
	}
	return "\nserver log:\n" + string(b)
}

// findBin returns the directory holding initdb and pg_ctl.
func findBin() (string, error) {
	var dirs []string
	if d := os.Getenv("PGTEST_BIN"); d != "" {
		dirs = append(dirs, d)
	}
	dirs = append(dirs, debianBin)
	if p, err := exec.LookPath("pg_ctl"); err == nil {
		dirs = append(dirs, filepath.Dir(p))
	}
	for _, d := range dirs {
		if isExec(filepath.Join(d, "initdb")) && isExec(filepath.Join(d, "pg_ctl")) {
			return d, nil
		}
	}
	return "", fmt.Errorf("PostgreSQL server binaries (initdb, pg_ctl) not found in $PGTEST_BIN, %s or $PATH: "+
		"install PostgreSQL 15 (apt-get install postgresql-15, as .ci/setup does)", debianBin)
}

func isExec(path string) bool {
	fi, err := os.Stat(path)
	return err == nil && !fi.IsDir() && fi.Mode()&0o111 != 0
}

// tempRoot is a temporary directory the postgres user can reach: $TMPDIR
// may sit under root's home.
func tempRoot() string {
	if os.Geteuid() == 0 {
		return "/tmp"
	}
	return os.TempDir()
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}
