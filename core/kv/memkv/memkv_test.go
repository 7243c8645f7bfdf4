package memkv_test

import (
	"testing"

	"github.com/idbsync/idbsync/core/kv"
	"github.com/idbsync/idbsync/core/kv/kvtest"
	"github.com/idbsync/idbsync/core/kv/memkv"
)

func TestConformance(t *testing.T) {
	kvtest.Run(t, kvtest.MemOpener(kvtest.Tables...))
}

func BenchmarkStore(b *testing.B) {
	kvtest.Benchmark(b, func(testing.TB, string) kv.Store { return memkv.New(kvtest.Tables...) })
}
