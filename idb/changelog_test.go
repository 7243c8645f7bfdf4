//go:build js && wasm

package idb_test

import (
	"context"
	"testing"

	"github.com/idbsync/idbsync/core/changelog/changelogtest"
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
	changelogtest.RunLog(t, changelogtest.DurableOn(openIDB))
}

// TestBlobStore runs the BlobStore suite on KVBlobs over IndexedDB.
func TestBlobStore(t *testing.T) {
	changelogtest.RunBlobStore(t, changelogtest.KVBlobsOn(openIDB))
}
