package oplog_test

import (
	"sync"
	"testing"

	"github.com/idbsync/idbsync/core/kv"
	"github.com/idbsync/idbsync/core/kv/memkv"
	"github.com/idbsync/idbsync/core/oplog/oplogtest"
)

// TestConformance runs the op log suite on memkv; the browser runs the
// same suite on IndexedDB.
func TestConformance(t *testing.T) {
	var mu sync.Mutex
	opened := make(map[string]*memkv.Store)
	oplogtest.Run(t, func(t testing.TB, name string) kv.Store {
		mu.Lock()
		defer mu.Unlock()
		if s, ok := opened[name]; ok {
			return s.Reopen()
		}
		s := memkv.New() // oplog.Open creates its tables
		opened[name] = s
		return s
	})
}

func BenchmarkOplog(b *testing.B) {
	oplogtest.Benchmark(b, func(testing.TB, string) kv.Store { return memkv.New() })
}
