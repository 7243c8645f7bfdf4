//go:build !js

package boltkv_test

import (
	"context"
	"fmt"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/idbsync/idbsync/core/changelog"
	"github.com/idbsync/idbsync/core/changelog/changelogtest"
	"github.com/idbsync/idbsync/core/kv"
	"github.com/idbsync/idbsync/core/kv/kvtest"
	"github.com/idbsync/idbsync/core/oplog/oplogtest"
	"github.com/idbsync/idbsync/server/boltkv"
)

var ctx = context.Background()

// opener returns a kvtest.Opener of bbolt files in a temporary directory of
// t, created with tables: each name is one file, so opening a name again,
// after Close or while another handle is open, opens the same file.
func opener(t testing.TB, tables ...string) kvtest.Opener {
	dir := t.TempDir()
	var mu sync.Mutex
	paths := make(map[string]string)
	return func(t testing.TB, name string) kv.Store {
		mu.Lock()
		path, ok := paths[name]
		if !ok {
			// NB: names carry test names with slashes and may be long;
			// files are numbered instead.
			path = filepath.Join(dir, fmt.Sprintf("%d.db", len(paths)))
			paths[name] = path
		}
		mu.Unlock()
		s, err := boltkv.Open(path, boltkv.Options{Tables: tables})
		require.NoError(t, err)
		return s
	}
}

// never is a timer that never fires: no heartbeat runs on its own.
func never(time.Duration) <-chan time.Time { return nil }

func TestConformance(t *testing.T) {
	kvtest.Run(t, opener(t, kvtest.Tables...))
}

func TestOplog(t *testing.T) {
	oplogtest.Run(t, opener(t)) // oplog.Open creates its tables
}

func TestChangelog(t *testing.T) {
	changelogtest.Run(t, opener(t))
}

func TestManager(t *testing.T) {
	changelogtest.RunManager(t, opener(t))
}

// TestLog runs the Log contract's suite on Durable over bbolt.
func TestLog(t *testing.T) {
	open := opener(t)
	changelogtest.RunLog(t, func(t testing.TB, now func() time.Time) changelog.Log {
		s := kvtest.OpenStore(t, open, kvtest.FreshName(t, "log"))
		d, err := changelog.OpenDurable(ctx, s, changelog.DurableOptions{Now: now, After: never})
		require.NoError(t, err)
		t.Cleanup(func() { _ = d.Close() })
		return d
	})
}

// TestBlobStore runs the BlobStore suite on KVBlobs over bbolt.
func TestBlobStore(t *testing.T) {
	open := opener(t)
	changelogtest.RunBlobStore(t, changelogtest.KVBlobsOn(open))
}

func BenchmarkStore(b *testing.B) {
	kvtest.Benchmark(b, opener(b, kvtest.Tables...))
}

func BenchmarkOplog(b *testing.B) {
	oplogtest.Benchmark(b, opener(b))
}
