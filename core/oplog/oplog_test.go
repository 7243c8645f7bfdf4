package oplog_test

import (
	"testing"

	"github.com/idbsync/idbsync/core/kv"
	"github.com/idbsync/idbsync/core/kv/kvtest"
	"github.com/idbsync/idbsync/core/kv/memkv"
	"github.com/idbsync/idbsync/core/oplog/oplogtest"
)

// TestConformance runs the op log suite on memkv; the browser runs the
// same suite on IndexedDB.
func TestConformance(t *testing.T) {
	oplogtest.Run(t, kvtest.MemOpener()) // oplog.Open creates its tables
}

func BenchmarkOplog(b *testing.B) {
	oplogtest.Benchmark(b, func(testing.TB, string) kv.Store { return memkv.New() })
}
