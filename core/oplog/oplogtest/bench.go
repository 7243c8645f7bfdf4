package oplogtest

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/idbsync/idbsync/core/kv/kvtest"
	"github.com/idbsync/idbsync/core/oplog"
)

// Benchmark measures the op log's hot paths with the same code on every
// store: ingest of remote entries in batches of 500 (20 peers, 100-byte
// values, a new key each), single-op local writes, and catch-up reads: as
// entries, and as the wire batches a sync sends (10,000 entries of one
// peer, in pages of 500).
func Benchmark(b *testing.B, open kvtest.Opener) {
	value := make([]byte, 100)
	now := baseMs // replicas' fake clocks start at base

	b.Run("ApplyBatch500", func(b *testing.B) {
		r := newReplica(b, open, peerID(1))
		const peers, perPeer = 20, 25
		next := make([]uint64, peers)
		batch := make([]oplog.Entry, 0, peers*perPeer)
		for b.Loop() {
			batch = batch[:0]
			for i := range perPeer {
				for p := range peers {
					e := oplog.Entry{
						Peer: peerID(1000 + p), Idx: next[p], TS: stamp(now, uint16(i)),
						Op: oplog.Put(fmt.Sprintf("p%02d/%08d", p, next[p]), value),
					}
					next[p]++
					batch = append(batch, e)
				}
			}
			res, err := r.p.ApplyBatch(ctx, batch)
			require.NoError(b, err)
			require.Equal(b, len(batch), res.Applied)
		}
		b.ReportMetric(float64(peers*perPeer*b.N)/b.Elapsed().Seconds(), "entries/s")
	})

	b.Run("Exec1", func(b *testing.B) {
		r := newReplica(b, open, peerID(2))
		i := 0
		for b.Loop() {
			mustExec(b, r.p, oplog.Put(fmt.Sprintf("k%06d", i), value))
			i++
		}
	})

	b.Run("ReadSince1000", func(b *testing.B) {
		r := newReplica(b, open, peerID(3))
		ops := make([]oplog.Op, 500)
		for range 4 {
			for i := range ops {
				ops[i] = oplog.Put(fmt.Sprintf("k%06d", i), value)
			}
			mustExec(b, r.p, ops...)
		}
		for b.Loop() {
			es, err := r.p.ReadSince(ctx, peerID(3), 500, 1000)
			require.NoError(b, err)
			require.Len(b, es, 1000)
		}
		b.ReportMetric(float64(1000*b.N)/b.Elapsed().Seconds(), "entries/s")
	})

	b.Run("ReadBatch10000", func(b *testing.B) {
		const total, page = 10_000, 500
		r := newReplica(b, open, peerID(4))
		ops := make([]oplog.Op, page)
		for n := 0; n < total; n += page {
			for i := range ops {
				ops[i] = oplog.Put(fmt.Sprintf("k%06d", n+i), value)
			}
			mustExec(b, r.p, ops...)
		}
		size := 0
		for b.Loop() {
			size = 0
			for from := uint64(0); from < total; from += page {
				wire, err := r.p.ReadBatch(ctx, peerID(4), from, page)
				require.NoError(b, err)
				size += len(wire)
			}
		}
		b.ReportMetric(float64(total*b.N)/b.Elapsed().Seconds(), "entries/s")
		b.ReportMetric(float64(size)/total, "B/entry")
	})
}
