package memkv_test

import (
	"sync"
	"testing"

	"github.com/idbsync/idbsync/core/kv"
	"github.com/idbsync/idbsync/core/kv/kvtest"
	"github.com/idbsync/idbsync/core/kv/memkv"
)

func TestConformance(t *testing.T) {
	var mu sync.Mutex
	opened := make(map[string]*memkv.Store)
	kvtest.Run(t, func(t testing.TB, name string) kv.Store {
		mu.Lock()
		defer mu.Unlock()
		if s, ok := opened[name]; ok {
			return s.Reopen()
		}
		s := memkv.New(kvtest.Tables...)
		opened[name] = s
		return s
	})
}

func BenchmarkStore(b *testing.B) {
	kvtest.Benchmark(b, func(testing.TB, string) kv.Store { return memkv.New(kvtest.Tables...) })
}
