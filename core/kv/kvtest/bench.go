package kvtest

import (
	"context"
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/idbsync/idbsync/core/kv"
)

// Benchmark measures the operations the engine leans on, with the same code
// on every store: batches the size of an ingest page (a log row and a state
// row per entry, 100-byte values), single-op durable writes, point reads and
// range scans. rows/s counts rows written or read.
func Benchmark(b *testing.B, open Opener) {
	value := make([]byte, 100)
	ctx := context.Background()

	for _, entries := range []int{1, 500} {
		b.Run(fmt.Sprintf("CommitEntries=%d", entries), func(b *testing.B) {
			s, _ := fresh(b, open)
			var batch kv.Batch
			next := uint64(0)
			b.ResetTimer()
			for b.Loop() {
				batch.Reset()
				for range entries {
					batch.Insert("a", k(next), value)
					batch.Put("b", k(next%1000), value)
					next++
				}
				require.NoError(b, s.Commit(ctx, &batch))
			}
			b.ReportMetric(float64(2*entries*b.N)/b.Elapsed().Seconds(), "rows/s")
		})
	}

	b.Run("CommitExpectThenPut", func(b *testing.B) {
		s, _ := fresh(b, open)
		head := []byte("head")
		require.NoError(b, commit(nil, s, func(batch *kv.Batch) { batch.Put("b", head, k(0)) }))
		n := uint64(0)
		for b.Loop() {
			var batch kv.Batch
			batch.Expect("b", head, k(n))
			batch.Put("b", head, k(n+1))
			batch.Insert("a", k(n), value)
			require.NoError(b, s.Commit(ctx, &batch))
			n++
		}
	})

	b.Run("Get", func(b *testing.B) {
		s, _ := fresh(b, open)
		require.NoError(b, commit(nil, s, func(batch *kv.Batch) {
			for i := range uint64(1000) {
				batch.Put("a", k(i), value)
			}
		}))
		i := uint64(0)
		for b.Loop() {
			_, err := s.Get(ctx, "a", k(i%1000))
			require.NoError(b, err)
			i++
		}
	})

	for _, reverse := range []bool{false, true} {
		b.Run(fmt.Sprintf("Scan1000/reverse=%v", reverse), func(b *testing.B) {
			s, _ := fresh(b, open)
			require.NoError(b, commit(nil, s, func(batch *kv.Batch) {
				for i := range uint64(2000) {
					batch.Put("a", k(i), value)
				}
			}))
			for b.Loop() {
				rows, err := s.Scan(ctx, "a", kv.Range{Start: k(500), End: k(1500), Reverse: reverse})
				require.NoError(b, err)
				require.Len(b, rows, 1000)
			}
			b.ReportMetric(float64(1000*b.N)/b.Elapsed().Seconds(), "rows/s")
		})
	}
}
