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
