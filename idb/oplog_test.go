//go:build js && wasm

package idb_test

import (
	"testing"

	"github.com/idbsync/idbsync/core/oplog/oplogtest"
)

// TestOplog runs the op log's conformance suite on IndexedDB, the same one
// core/oplog runs on memkv.
func TestOplog(t *testing.T) {
	oplogtest.Run(t, openIDB)
}

func BenchmarkOplog(b *testing.B) {
	oplogtest.Benchmark(b, openIDB)
}
