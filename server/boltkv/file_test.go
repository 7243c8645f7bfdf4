//go:build !js

package boltkv_test

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.etcd.io/bbolt"

	"github.com/idbsync/idbsync/core/kv"
	"github.com/idbsync/idbsync/server/boltkv"
)

// holdEnv makes the test binary a child that holds a file (see hold).
const holdEnv = "BOLTKV_TEST_HOLD"

func TestMain(m *testing.M) {
	if path := os.Getenv(holdEnv); path != "" {
		os.Exit(hold(path))
	}
	os.Exit(m.Run())
}

// hold is the child process of TestSecondProcess: it opens path, commits a
// row, says "ready" and keeps the file open until its stdin closes.
func hold(path string) int {
	s, err := boltkv.Open(path, boltkv.Options{Tables: []string{"a"}})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	var b kv.Batch
	b.Put("a", []byte("child"), []byte("was here"))
	if err := s.Commit(context.Background(), &b); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	fmt.Println("ready")
	_, _ = io.Copy(io.Discard, os.Stdin)
	if err := s.Close(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	return 0
}

func put(t *testing.T, s kv.Store, table, key, value string) {
	t.Helper()
	var b kv.Batch
	b.Put(table, []byte(key), []byte(value))
	require.NoError(t, s.Commit(ctx, &b))
}

func mustGet(t *testing.T, s kv.Store, table, key string) string {
	t.Helper()
	v, err := s.Get(ctx, table, []byte(key))
	require.NoError(t, err)
	return string(v)
}

// TestSecondProcess: while a child process holds the file, Open waits its
// Timeout and fails with kv.ErrBlocked, naming the file; once the child
// lets go, Open succeeds and sees what the child wrote.
func TestSecondProcess(t *testing.T) {
	path := filepath.Join(t.TempDir(), "held.db")
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), holdEnv+"="+path)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	stdin, err := cmd.StdinPipe()
	require.NoError(t, err)
	stdout, err := cmd.StdoutPipe()
	require.NoError(t, err)
	require.NoError(t, cmd.Start())
	t.Cleanup(func() { _ = stdin.Close(); _ = cmd.Wait() })
	line, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil {
		_ = cmd.Wait() // NB: stderr is the child's to write until it exits
		t.Fatalf("child: %v: %s", err, stderr.String())
	}
	require.Equal(t, "ready\n", line)

	tests := []struct {
		name    string
		timeout time.Duration
		atLeast time.Duration
	}{
		{"Timeout", 300 * time.Millisecond, 250 * time.Millisecond},
		{"NegativeFailsAtOnce", -1, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			start := time.Now()
			s, err := boltkv.Open(path, boltkv.Options{Timeout: tc.timeout})
			took := time.Since(start)
			require.Error(t, err)
			assert.Nil(t, s)
			assert.ErrorIs(t, err, kv.ErrBlocked)
			assert.Contains(t, err.Error(), path, "the error names the file")
			assert.Contains(t, err.Error(), "another process")
			assert.GreaterOrEqual(t, took, tc.atLeast, "Open waited its timeout")
			assert.Less(t, took, tc.atLeast+2*time.Second)
		})
	}

	require.NoError(t, stdin.Close())
	err = cmd.Wait()
	require.NoError(t, err, "child: %s", stderr.String())
	s, err := boltkv.Open(path, boltkv.Options{Timeout: time.Second})
	require.NoError(t, err, "the file is free once the child closed it")
	defer s.Close()
	assert.Equal(t, "was here", mustGet(t, s, "a", "child"))
}

// TestReopenFile: rows and tables survive closing the last handle, which
// closes the file, and opening it again, with every option.
func TestReopenFile(t *testing.T) {
	tests := []struct {
		name string
		opts boltkv.Options
	}{
		{"Default", boltkv.Options{}},
		{"NoSync", boltkv.Options{NoSync: true}},
		{"Mode", boltkv.Options{Mode: 0o640}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "store.db")
			opts := tc.opts
			opts.Tables = []string{"a"}
			s, err := boltkv.Open(path, opts)
			require.NoError(t, err)
			require.NoError(t, s.CreateTables(ctx, "made/later"))
			put(t, s, "a", "k", "v")
			put(t, s, "made/later", "k", "later")
			require.NoError(t, s.Close())

			// The lock is released: bbolt itself can open the file.
			db, err := bbolt.Open(path, 0, &bbolt.Options{Timeout: 100 * time.Millisecond})
			require.NoError(t, err, "closing the last handle closes the file")
			require.NoError(t, db.Close())
			if tc.opts.Mode != 0 {
				info, err := os.Stat(path)
				require.NoError(t, err)
				assert.Equal(t, tc.opts.Mode, info.Mode().Perm())
			}

			s, err = boltkv.Open(path, boltkv.Options{})
			require.NoError(t, err)
			defer s.Close()
			assert.Equal(t, "v", mustGet(t, s, "a", "k"))
			assert.Equal(t, "later", mustGet(t, s, "made/later", "k"), "tables in the file are known without listing them")
		})
	}
}

// TestSharedHandles: handles on one file in one process, whatever the
// spelling of its path, share one database and close independently.
func TestSharedHandles(t *testing.T) {
	dir := t.TempDir()
	link := filepath.Join(t.TempDir(), "link")
	require.NoError(t, os.Symlink(dir, link))
	path := filepath.Join(dir, "shared.db")

	tests := []struct {
		name  string
		other string
	}{
		{"SamePath", path},
		{"Symlinked", filepath.Join(link, "shared.db")},
		{"Unclean", filepath.Join(dir, ".", "x", "..", "shared.db")},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s1, err := boltkv.Open(path, boltkv.Options{Tables: []string{"a"}, Timeout: 200 * time.Millisecond})
			require.NoError(t, err)
			defer s1.Close()
			s2, err := boltkv.Open(tc.other, boltkv.Options{Tables: []string{"b"}, Timeout: 200 * time.Millisecond})
			require.NoError(t, err, "a second handle does not wait for the file's lock")
			defer s2.Close()
			assert.Equal(t, s1.Path(), s2.Path())

			put(t, s1, "b", "from", "s1")
			assert.Equal(t, "s1", mustGet(t, s2, "b", "from"), "one handle sees the other's commits")
			require.NoError(t, s1.Close())
			_, err = s1.Get(ctx, "b", []byte("from"))
			assert.ErrorIs(t, err, kv.ErrClosed)
			put(t, s2, "a", "after", "close")
			assert.Equal(t, "s1", mustGet(t, s2, "b", "from"), "closing one handle leaves the other open")
		})
	}
}

// TestCloseWaitsForCommit: Close lets a commit already running finish,
// and that commit lands.
func TestCloseWaitsForCommit(t *testing.T) {
	path := filepath.Join(t.TempDir(), "store.db")
	s, err := boltkv.Open(path, boltkv.Options{Tables: []string{"a"}})
	require.NoError(t, err)

	inMerge, release := make(chan struct{}), make(chan struct{})
	var b kv.Batch
	b.Merge("a", []byte("k"), func([]byte, bool) ([]byte, bool, error) {
		close(inMerge)
		<-release // a test may block what a real MergeFunc must not
		return []byte("merged"), true, nil
	})
	committed := make(chan error, 1)
	go func() { committed <- s.Commit(ctx, &b) }()
	<-inMerge
	closed := make(chan error, 1)
	go func() { closed <- s.Close() }()
	select {
	case <-closed:
		t.Fatal("Close returned while a commit was running")
	case <-time.After(50 * time.Millisecond):
	}
	close(release)
	require.NoError(t, <-committed)
	require.NoError(t, <-closed)
	require.NoError(t, s.Close(), "Close is idempotent")

	s, err = boltkv.Open(path, boltkv.Options{})
	require.NoError(t, err)
	defer s.Close()
	assert.Equal(t, "merged", mustGet(t, s, "a", "k"))
}

// TestEndedContext: every call with an ended ctx returns ctx.Err() and
// does nothing.
func TestEndedContext(t *testing.T) {
	s, err := boltkv.Open(filepath.Join(t.TempDir(), "store.db"), boltkv.Options{Tables: []string{"a"}})
	require.NoError(t, err)
	defer s.Close()
	ended, cancel := context.WithCancel(ctx)
	cancel()

	tests := []struct {
		name string
		call func() error
	}{
		{"Commit", func() error {
			var b kv.Batch
			b.Put("a", []byte("k"), nil)
			return s.Commit(ended, &b)
		}},
		{"Get", func() error { _, err := s.Get(ended, "a", []byte("k")); return err }},
		{"GetMany", func() error { _, err := s.GetMany(ended, "a", [][]byte{[]byte("k")}); return err }},
		{"Scan", func() error { _, err := s.Scan(ended, "a", kv.Range{}); return err }},
		{"CreateTables", func() error { return s.CreateTables(ended, "new") }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			assert.ErrorIs(t, tc.call(), context.Canceled)
		})
	}
	rows, err := s.Scan(ctx, "a", kv.Range{})
	require.NoError(t, err)
	assert.Empty(t, rows, "the commit did nothing")
	_, err = s.Get(ctx, "new", []byte("k"))
	assert.ErrorIs(t, err, kv.ErrUnknownTable, "nor did CreateTables")
}

// TestOpenErrors: what Open refuses, with which kv error.
func TestOpenErrors(t *testing.T) {
	dir := t.TempDir()
	garbage := filepath.Join(dir, "garbage.db")
	require.NoError(t, os.WriteFile(garbage, bytes.Repeat([]byte("not a bbolt file "), 1000), 0o600))

	tests := []struct {
		name string
		path string
		opts boltkv.Options
		want error
	}{
		{"EmptyTableName", filepath.Join(dir, "a.db"), boltkv.Options{Tables: []string{"a", ""}}, kv.ErrUnknownTable},
		{"NotBbolt", garbage, boltkv.Options{}, kv.ErrCorrupt},
		{"MissingDirectory", filepath.Join(dir, "no", "such", "dir.db"), boltkv.Options{}, os.ErrNotExist},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s, err := boltkv.Open(tc.path, tc.opts)
			require.Error(t, err)
			assert.Nil(t, s)
			assert.True(t, errors.Is(err, tc.want), "got %v", err)
			assert.Contains(t, err.Error(), tc.path)
		})
	}
}
