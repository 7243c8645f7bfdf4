package changelogtest

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/idbsync/idbsync/core/changelog"
	"github.com/idbsync/idbsync/core/kv/kvtest"
)

// Benchmark measures the change log's hot path with the same code on every
// store: the Record and the Remove that bracket every multi-step change.
func Benchmark(b *testing.B, open kvtest.Opener) {
	b.Run("RecordRemove", func(b *testing.B) {
		e := newEnv(b, open)
		d := openLog(b, e.handle(b), e.opts())
		rev, err := changelog.NewRevision()
		require.NoError(b, err)
		c := changelog.Change{Object: "bench/object", New: rev}
		for b.Loop() {
			id, err := changelog.NewID()
			if err != nil {
				b.Fatal(err)
			}
			if err := d.Record(ctx, id, c); err != nil {
				b.Fatal(err)
			}
			if err := d.Remove(ctx, id); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "changes/s")
	})
}

// BenchmarkManager measures large writes through the Manager with the
// default chunk size and inline limit: Put1MiB is a Put of a 1 MiB object
// (a recorded change, four chunks, the manifest, the CAS, the cleanup),
// with the Delete that follows it outside the timer; Get1MiB reads it.
func BenchmarkManager(b *testing.B, open kvtest.Opener) {
	const size = 1 << 20
	setup := func(b *testing.B) *changelog.Manager {
		e := newMEnv(b, open)
		d := openLog(b, e.first, e.opts())
		blobs, err := changelog.NewKVBlobs(ctx, e.first, "", 0)
		require.NoError(b, err)
		m, err := changelog.NewManager(ctx, e.first, d, blobs, changelog.ManagerOptions{})
		require.NoError(b, err)
		return m
	}
	data := value("bench", size)
	b.Run("Put1MiB", func(b *testing.B) {
		m := setup(b)
		b.SetBytes(size)
		b.ResetTimer()
		for range b.N {
			if err := m.Put(ctx, "bench/object", data); err != nil {
				b.Fatal(err)
			}
			b.StopTimer()
			if err := m.Delete(ctx, "bench/object"); err != nil {
				b.Fatal(err)
			}
			b.StartTimer()
		}
		b.ReportMetric(float64(b.Elapsed().Microseconds())/1e3/float64(b.N), "ms/op")
	})
	b.Run("Get1MiB", func(b *testing.B) {
		m := setup(b)
		require.NoError(b, m.Put(ctx, "bench/object", data))
		b.SetBytes(size)
		b.ResetTimer()
		for range b.N {
			if _, err := m.Get(ctx, "bench/object"); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(b.Elapsed().Microseconds())/1e3/float64(b.N), "ms/op")
	})
}
