//go:build !js

package server_test

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/idbsync/idbsync/core/hlc"
	"github.com/idbsync/idbsync/core/kv"
	"github.com/idbsync/idbsync/core/oplog"
	"github.com/idbsync/idbsync/server/boltkv"
	"github.com/idbsync/idbsync/server/internal/pgtest"
	"github.com/idbsync/idbsync/server/pgkv"
)

// benchStores are the stores the server benchmarks run on.
func benchStores(b *testing.B) map[string]func(b *testing.B) kv.Store {
	return map[string]func(b *testing.B) kv.Store{
		"bolt": func(b *testing.B) kv.Store {
			s, err := boltkv.Open(filepath.Join(b.TempDir(), "bench.db"), boltkv.Options{})
			require.NoError(b, err)
			b.Cleanup(func() { _ = s.Close() })
			return s
		},
		"postgres": func(b *testing.B) kv.Store {
			s, err := pgkv.Open(context.Background(), pgtest.Shared(b).URL(), pgkv.Options{Namespace: "bench-" + uuid.NewString()[:8]})
			require.NoError(b, err)
			b.Cleanup(func() { _ = s.Close() })
			return s
		},
	}
}

// batchOf is n fresh entries of peer from index from, 100-byte values.
func batchOf(peer uuid.UUID, from uint64, n int) []byte {
	es := make([]oplog.Entry, n)
	for i := range es {
		idx := from + uint64(i)
		es[i] = oplog.Entry{Peer: peer, Idx: idx, TS: 1 + hlc.Timestamp(idx), Op: oplog.Put(fmt.Sprintf("k%06d", idx%10_000), make([]byte, 100))}
	}
	return oplog.EncodeBatch(es)
}

// BenchmarkServer measures, on each store, over loopback HTTP: ingest
// (batches of 500 entries pushed), pull (pages of 1,000 read), and the
// latency of one-entry pushes from 50 clients at once.
func BenchmarkServer(b *testing.B) {
	for name, open := range benchStores(b) {
		b.Run(name+"/Ingest500", func(b *testing.B) {
			e := newEnv(b, open(b), nil)
			c := e.client(b, "bench", e.token(b, uuid.New(), "*"))
			peer := uuid.New()
			b.ResetTimer()
			for i := range b.N {
				if _, err := c.Apply(context.Background(), batchOf(peer, uint64(i)*500, 500)); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.N*500)/b.Elapsed().Seconds(), "entries/s")
		})
		b.Run(name+"/Pull1000", func(b *testing.B) {
			e := newEnv(b, open(b), nil)
			c := e.client(b, "bench", e.token(b, uuid.New(), "*"))
			peer := uuid.New()
			const stored = 20_000
			for from := 0; from < stored; from += 500 {
				_, err := c.Apply(context.Background(), batchOf(peer, uint64(from), 500))
				require.NoError(b, err)
			}
			b.ResetTimer()
			for i := range b.N {
				if _, err := c.ReadSince(context.Background(), peer, uint64(i*1000%stored), 1000); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.N*1000)/b.Elapsed().Seconds(), "entries/s")
		})
		b.Run(name+"/Push1x50", func(b *testing.B) {
			e := newEnv(b, open(b), nil)
			tok := e.token(b, uuid.New(), "*")
			const clients = 50
			per := max(1, b.N/clients)
			lat := make([][]time.Duration, clients)
			var wg sync.WaitGroup
			b.ResetTimer()
			for i := range clients {
				wg.Go(func() {
					c := e.client(b, "bench", tok)
					peer := uuid.New()
					for j := range per {
						start := time.Now()
						if _, err := c.Apply(context.Background(), batchOf(peer, uint64(j), 1)); err != nil {
							b.Error(err)
							return
						}
						lat[i] = append(lat[i], time.Since(start))
					}
				})
			}
			wg.Wait()
			all := slices.Concat(lat...)
			slices.Sort(all)
			if len(all) > 0 {
				b.ReportMetric(float64(all[len(all)/2].Microseconds())/1000, "p50-ms")
				b.ReportMetric(float64(all[len(all)*99/100].Microseconds())/1000, "p99-ms")
				b.ReportMetric(float64(len(all))/b.Elapsed().Seconds(), "pushes/s")
			}
		})
	}
}
