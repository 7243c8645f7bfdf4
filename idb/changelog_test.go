//go:build js && wasm

package idb_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/idbsync/idbsync/core/changelog"
	"github.com/idbsync/idbsync/core/changelog/changelogtest"
	"github.com/idbsync/idbsync/core/kv/kvtest"
)

var ctx = context.Background()

// TestChangelog runs the change log's conformance suite on IndexedDB, the
// same one core/changelog runs on memkv.
func TestChangelog(t *testing.T) {
	changelogtest.Run(t, openIDB)
}

func BenchmarkChangelog(b *testing.B) {
	changelogtest.Benchmark(b, openIDB)
}

// TestManager runs the suite of the change log's Manager and blob store on
// IndexedDB, the same one core/changelog runs on memkv.
func TestManager(t *testing.T) {
	changelogtest.RunManager(t, openIDB)
}

func BenchmarkManager(b *testing.B) {
	changelogtest.BenchmarkManager(b, openIDB)
}

// TestLog runs the Log contract's suite on Durable over IndexedDB.
func TestLog(t *testing.T) {
	changelogtest.RunLog(t, func(t testing.TB, now func() time.Time) changelog.Log {
		s := kvtest.OpenStore(t, openIDB, kvtest.FreshName(t, "log"))
		d, err := changelog.OpenDurable(ctx, s, changelog.DurableOptions{Now: now, After: func(time.Duration) <-chan time.Time { return nil }})
		require.NoError(t, err)
		t.Cleanup(func() { _ = d.Close() })
		return d
	})
}

// TestBlobStore runs the BlobStore suite on KVBlobs over IndexedDB.
func TestBlobStore(t *testing.T) {
	changelogtest.RunBlobStore(t, func(t testing.TB) changelog.BlobStore {
		s := kvtest.OpenStore(t, openIDB, kvtest.FreshName(t, "blobs"))
		b, err := changelog.NewKVBlobs(ctx, s, "", 0)
		require.NoError(t, err)
		return b
	})
}
