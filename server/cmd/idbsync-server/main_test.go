//go:build !js

package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/idbsync/idbsync/core/engine"
	"github.com/idbsync/idbsync/core/kv/memkv"
	"github.com/idbsync/idbsync/core/oplog"
	"github.com/idbsync/idbsync/core/syncer"
	"github.com/idbsync/idbsync/server/client"
)

// The test binary runs the server itself when asked to, so tests can kill
// a real server process.
func TestMain(m *testing.M) {
	if args := os.Getenv("IDBSYNC_SERVER_ARGS"); args != "" {
		if err := run(strings.Split(args, "\n")); err != nil {
			fmt.Fprintln(os.Stderr, "idbsync-server:", err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// proc is a server process.
type proc struct {
	cmd     *exec.Cmd
	url     string
	token   string
	exited  chan struct{} // closed when the process has exited
	waitErr error
}

// wait returns how the process exited, within d.
func (p *proc) wait(t *testing.T, d time.Duration) error {
	t.Helper()
	select {
	case <-p.exited:
		return p.waitErr
	case <-time.After(d):
		t.Fatal("the server did not exit")
		return nil
	}
}

var (
	servingLine = regexp.MustCompile(`"msg":"serving","url":"(http://[^"]+)"`)
	tokenLine   = regexp.MustCompile(`^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$`)
)

// start runs the server with args and waits for its URL (from its log)
// and, in development mode, its token.
func start(t *testing.T, dev bool, args ...string) *proc {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), "IDBSYNC_SERVER_ARGS="+strings.Join(append([]string{"-listen", "127.0.0.1:0"}, args...), "\n"))
	out, err := cmd.StdoutPipe()
	require.NoError(t, err)
	logs, err := cmd.StderrPipe()
	require.NoError(t, err)
	require.NoError(t, cmd.Start())
	p := &proc{cmd: cmd, exited: make(chan struct{})}
	urls, tokens := make(chan string, 1), make(chan string, 1)
	go func() {
		lines := bufio.NewScanner(logs)
		lines.Buffer(make([]byte, 1<<16), 1<<20)
		for lines.Scan() {
			if m := servingLine.FindStringSubmatch(lines.Text()); m != nil {
				urls <- m[1]
				break
			}
		}
		_, _ = io.Copy(io.Discard, logs)
	}()
	go func() {
		lines := bufio.NewScanner(out)
		for lines.Scan() {
			if tokenLine.MatchString(lines.Text()) {
				tokens <- lines.Text()
				break
			}
		}
		_, _ = io.Copy(io.Discard, out)
	}()
	go func() {
		p.waitErr = cmd.Wait()
		close(p.exited)
	}()
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		<-p.exited
	})
	deadline := time.After(30 * time.Second)
	select {
	case p.url = <-urls:
	case <-p.exited:
		t.Fatalf("the server exited: %v", p.waitErr)
	case <-deadline:
		t.Fatal("the server logged no URL")
	}
	if dev {
		select {
		case p.token = <-tokens:
		case <-deadline:
			t.Fatal("the server printed no development token")
		}
	}
	return p
}

func device(t *testing.T) *engine.Engine {
	t.Helper()
	e, err := engine.Open(context.Background(), engine.Options{Store: memkv.New()})
	require.NoError(t, err)
	t.Cleanup(func() { _ = e.Close() })
	return e
}

// TestServeDevelopmentMode: on its defaults the server prints its URL and
// a token, serves two devices, keeps what they pushed across a restart,
// and shuts down cleanly on SIGTERM.
func TestServeDevelopmentMode(t *testing.T) {
	dir := t.TempDir()
	store := "bolt:" + filepath.Join(dir, "idbsync.db")
	ctx := context.Background()
	p := start(t, true, "-store", store)
	c, err := client.New(p.url, "notes", client.Options{Token: p.token})
	require.NoError(t, err)
	a, b := device(t), device(t)
	_, err = a.Exec(ctx, oplog.Put("k", []byte("v")))
	require.NoError(t, err)
	_, err = syncer.Sync(ctx, a, c, syncer.Options{})
	require.NoError(t, err)

	require.NoError(t, p.cmd.Process.Signal(syscall.SIGTERM))
	require.NoError(t, p.wait(t, 20*time.Second), "a graceful shutdown exits 0")

	p2 := start(t, true, "-store", store)
	c2, err := client.New(p2.url, "notes", client.Options{Token: p2.token})
	require.NoError(t, err)
	_, err = syncer.Sync(ctx, b, c2, syncer.Options{})
	require.NoError(t, err)
	v, found, err := b.Get(ctx, "k")
	require.NoError(t, err)
	require.True(t, found, "what was pushed before the restart is served after it")
	assert.Equal(t, "v", string(v))
	_, err = os.Stat(filepath.Join(dir, "dev-jwt-secret"))
	require.NoError(t, err, "the development secret is kept beside the store")
}

// TestKilledMidApply: a server SIGKILLed while clients push is restarted;
// the clients' retries apply everything exactly once.
func TestKilledMidApply(t *testing.T) {
	dir := t.TempDir()
	store := "bolt:" + filepath.Join(dir, "idbsync.db")
	ctx := context.Background()
	p := start(t, true, "-store", store)
	const devices, writes = 4, 200
	ds := make([]*engine.Engine, devices)
	for i := range ds {
		ds[i] = device(t)
		for j := range writes / 10 {
			ops := make([]oplog.Op, 10)
			for k := range ops {
				ops[k] = oplog.Put(fmt.Sprintf("d%d/%d", i, j*10+k), []byte("v"))
			}
			_, err := ds[i].Exec(ctx, ops...)
			require.NoError(t, err)
		}
	}
	pushing := make(chan error, devices)
	for _, d := range ds {
		go func() {
			c, err := client.New(p.url, "s", client.Options{Token: p.token, Timeout: 5 * time.Second})
			if err != nil {
				pushing <- err
				return
			}
			_, err = syncer.Pull(ctx, c, d, syncer.Options{PageSize: 5})
			pushing <- err
		}()
	}
	time.Sleep(150 * time.Millisecond)
	require.NoError(t, p.cmd.Process.Kill())
	_ = p.wait(t, 10*time.Second)
	for range devices {
		<-pushing // some fail: the server is gone
	}

	p2 := start(t, true, "-store", store)
	c2, err := client.New(p2.url, "s", client.Options{Token: p2.token})
	require.NoError(t, err)
	for _, d := range ds {
		_, err := syncer.Pull(ctx, c2, d, syncer.Options{PageSize: 50})
		require.NoError(t, err, "the retry goes through")
	}
	cur, err := c2.Cursors(ctx)
	require.NoError(t, err)
	require.Len(t, cur, devices)
	for _, d := range ds {
		assert.Equal(t, uint64(writes), cur[d.Peer()], "every entry once, none lost")
		b, err := c2.ReadSince(ctx, d.Peer(), 0, 1000)
		require.NoError(t, err)
		es, err := oplog.DecodeBatch(b)
		require.NoError(t, err)
		require.Len(t, es, writes)
		for i, e := range es {
			assert.Equal(t, uint64(i), e.Idx)
		}
	}
}
