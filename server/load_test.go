//go:build !js

package server_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/idbsync/idbsync/core/engine"
	"github.com/idbsync/idbsync/core/oplog"
	"github.com/idbsync/idbsync/core/syncer"
	"github.com/idbsync/idbsync/server/boltkv"
)

// TestLoad: 50 native clients on loopback edit and sync through one server
// on bbolt for a fixed time; it stops by itself, and every client ends with
// the same log and state as the server.
func TestLoad(t *testing.T) {
	const clients = 50
	const duration = 30 * time.Second
	store, err := boltkv.Open(filepath.Join(t.TempDir(), "load.db"), boltkv.Options{})
	require.NoError(t, err)
	t.Cleanup(func() { _ = store.Close() })
	e := newEnv(t, store, nil)
	tok := e.token(t, uuid.New(), "load")
	devices := make([]*engine.Engine, clients)
	for i := range devices {
		devices[i] = device(t)
	}
	ctx, cancel := context.WithTimeout(context.Background(), duration)
	defer cancel()
	var syncs, writes, failures atomic.Int64
	var wg sync.WaitGroup
	for i, d := range devices {
		wg.Go(func() {
			c := e.client(t, "load", tok)
			rng := rand.New(rand.NewPCG(uint64(i), 7))
			for ctx.Err() == nil {
				ops := make([]oplog.Op, 1+rng.IntN(5))
				for k := range ops {
					ops[k] = oplog.Put(fmt.Sprintf("k%03d", rng.IntN(500)), []byte(fmt.Sprint(i, "/", rng.Uint32())))
				}
				if _, err := d.Exec(context.Background(), ops...); err != nil {
					failures.Add(1)
					continue
				}
				writes.Add(int64(len(ops)))
				if _, err := syncer.Sync(ctx, d, c, syncer.Options{PageSize: 200}); err != nil && ctx.Err() == nil {
					failures.Add(1)
				}
				syncs.Add(1)
				time.Sleep(time.Duration(rng.IntN(20)) * time.Millisecond)
			}
		})
	}
	wg.Wait()
	t.Logf("%d clients, %v: %d ops written, %d syncs (%.0f syncs/s), %d failed", clients, duration, writes.Load(), syncs.Load(), float64(syncs.Load())/duration.Seconds(), failures.Load())
	assert.Zero(t, failures.Load(), "no call failed under load")

	// Two quiet rounds: the first brings everything to the server, the
	// second everything to everyone.
	c := e.client(t, "load", tok)
	for range 2 {
		for _, d := range devices {
			_, err := syncer.Sync(context.Background(), d, c, syncer.Options{})
			require.NoError(t, err)
		}
	}
	want, err := c.Cursors(context.Background())
	require.NoError(t, err)
	require.Len(t, want, clients)
	var total uint64
	for _, n := range want {
		total += n
	}
	assert.Equal(t, uint64(writes.Load()), total, "every op once on the server")
	wantState, err := devices[0].Scan(context.Background(), "", "", 0)
	require.NoError(t, err)
	for i, d := range devices {
		got, err := d.Cursors(context.Background())
		require.NoError(t, err)
		assert.Equal(t, want, got, "client %d cursors", i)
		state, err := d.Scan(context.Background(), "", "", 0)
		require.NoError(t, err)
		assert.Equal(t, wantState, state, "client %d state", i)
	}
}
