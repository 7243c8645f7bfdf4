//go:build js && wasm

package jsbridge_test

import (
	"context"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/idbsync/idbsync/core/changelog"
	"github.com/idbsync/idbsync/core/hlc/hlctest"
	"github.com/idbsync/idbsync/core/kv/kvtest"
	"github.com/idbsync/idbsync/idb"
	"github.com/idbsync/idbsync/jsbridge"
)

func TestWebLocks(t *testing.T) {
	ctx := context.Background()
	name := "test-" + uuid.NewString()

	held, known := jsbridge.LockHeld(ctx, name)
	require.True(t, known, "Chromium on localhost has Web Locks")
	assert.False(t, held)

	release, err := jsbridge.HoldLock(ctx, name)
	require.NoError(t, err)
	held, _ = jsbridge.LockHeld(ctx, name)
	assert.True(t, held)

	_, err = jsbridge.HoldLock(ctx, name)
	assert.Error(t, err, "an exclusive lock is held once")

	release()
	release() // idempotent
	held, _ = jsbridge.LockHeld(ctx, name)
	assert.False(t, held, "a released lock is free")
}

// TestLockMakesInstanceDeadAtOnce is the browser side of instance liveness:
// an instance whose tab holds its Web Lock is alive whatever its heartbeat;
// once the lock is free (the tab died) it is dead before its heartbeat
// expires, and another instance claims its entries.
func TestLockMakesInstanceDeadAtOnce(t *testing.T) {
	ctx := context.Background()
	store, err := idb.Open(ctx, kvtest.FreshName(t, "locks"), idb.Options{Tables: changelog.Tables("")})
	require.NoError(t, err)
	defer store.Close()
	wall := hlctest.NewWall(time.UnixMilli(1_700_000_000_000))
	opts := changelog.DurableOptions{
		Now: wall.Now,
		LockHeld: func(ctx context.Context, id uuid.UUID) (bool, bool) {
			return jsbridge.LockHeld(ctx, jsbridge.InstanceLockName(id))
		},
	}
	a, err := changelog.OpenDurable(ctx, store, opts)
	require.NoError(t, err)
	release, err := jsbridge.HoldLock(ctx, jsbridge.InstanceLockName(a.Instance()))
	require.NoError(t, err)
	id, err := changelog.NewID()
	require.NoError(t, err)
	require.NoError(t, a.Record(ctx, id, changelog.Change{Object: "photo"}))

	b, err := changelog.OpenDurable(ctx, store, opts)
	require.NoError(t, err)
	defer b.Close()

	wall.Add(time.Hour) // far past the heartbeat expiry
	_, err = b.Claim(ctx, a.Instance())
	require.ErrorIs(t, err, changelog.ErrAlive, "its lock is held: alive, however old its heartbeat")

	wall.Add(-time.Hour) // heartbeat fresh again, but the tab dies
	release()
	n, err := b.Claim(ctx, a.Instance())
	require.NoError(t, err, "a free lock makes the instance dead at once")
	assert.Equal(t, 1, n)
	got, err := b.Scan(ctx)
	require.NoError(t, err)
	require.Len(t, got, 1)
	assert.Equal(t, id, got[0].ID)
	old := a.Instance()
	require.NoError(t, a.Record(ctx, id, changelog.Change{Object: "photo"}), "a, alive, registers afresh and records")
	assert.NotEqual(t, old, a.Instance())
}
