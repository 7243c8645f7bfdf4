//go:build js && wasm

package jsbridge

import (
	"context"
	"runtime"
	"syscall/js"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/idbsync/idbsync/core/engine"
	"github.com/idbsync/idbsync/core/kv"
	"github.com/idbsync/idbsync/core/kv/kvtest"
	"github.com/idbsync/idbsync/core/oplog"
	"github.com/idbsync/idbsync/idb"
)

// TestEngineLiveness: two engines of this page on one database; when one
// loses its Web Lock without closing (its tab died), the other sees it dead
// at once and claims it, with no heartbeat to wait for.
func TestEngineLiveness(t *testing.T) {
	ctx := context.Background()
	name := kvtest.FreshName(t, "jsbridge")
	a, err := OpenEngine(ctx, Options{Name: name})
	require.NoError(t, err)
	defer a.Close()
	b, err := OpenEngine(ctx, Options{Name: name})
	require.NoError(t, err)
	defer b.Close()
	assert.Equal(t, a.Peer(), b.Peer())
	assert.NotEqual(t, a.Instance(), b.Instance())

	s, err := b.Stats(ctx)
	require.NoError(t, err)
	assert.Equal(t, engine.Stats{Instances: 2}, s, "both hold their locks")

	a.release() // the tab of a dies: the browser frees its lock
	s, err = b.Stats(ctx)
	require.NoError(t, err)
	assert.Equal(t, engine.Stats{Instances: 2, Dead: 1}, s)
	_, err = b.Recover(ctx)
	require.NoError(t, err)
	s, err = b.Stats(ctx)
	require.NoError(t, err)
	assert.Equal(t, engine.Stats{Instances: 1}, s, "claimed and gone, at once")
}

// heap is the live heap after a collection.
func heap() uint64 {
	var m runtime.MemStats
	runtime.GC()
	runtime.GC()
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}

// TestOpenCloseFreesEngines: a closed handle keeps no engine alive through
// its JavaScript functions, so opening and closing engines over and over
// leaves memory flat, and a closed handle's methods still answer.
func TestOpenCloseFreesEngines(t *testing.T) {
	ctx := context.Background()
	name := kvtest.FreshName(t, "jsbridge")
	cycle := func() js.Value {
		e, err := OpenEngine(ctx, Options{Name: name})
		require.NoError(t, err)
		// Some state in the engine, so a leaked one is not free.
		_, err = e.Exec(ctx, oplog.Put("k", make([]byte, 4096)))
		require.NoError(t, err)
		obj := newHandle(e)
		_, err = Await(ctx, obj.Call("close"))
		require.NoError(t, err)
		return obj
	}
	for range 20 { // warm up: caches, the module's own tables
		cycle()
	}
	before := heap()
	var last js.Value
	for range 200 {
		last = cycle()
	}
	after := heap()
	t.Logf("live heap before %d, after 200 open/close cycles %d", before, after)
	assert.Less(t, int64(after)-int64(before), int64(200<<10), "200 closed engines leave the heap flat (before the fix it grew 925 KB)")

	_, err := Await(ctx, last.Call("cursors"))
	require.ErrorIs(t, err, kv.ErrClosed, "a closed handle's method rejects with CLOSED")
	_, err = Await(ctx, last.Call("close"))
	require.NoError(t, err, "close again resolves")
}

// TestClaimedWhileAliveTakesANewLock: a page whose instance another page
// claimed (its lock looked free) registers afresh under a new id, holding
// that id's lock, and goes on writing.
func TestClaimedWhileAliveTakesANewLock(t *testing.T) {
	ctx := context.Background()
	name := kvtest.FreshName(t, "jsbridge")
	a, err := OpenEngine(ctx, Options{Name: name})
	require.NoError(t, err)
	defer a.Close()
	b, err := OpenEngine(ctx, Options{Name: name})
	require.NoError(t, err)
	defer b.Close()
	first := a.Instance()
	a.release() // the lock is lost while the page lives on
	_, err = b.Recover(ctx)
	require.NoError(t, err)

	_, err = a.PutBlob(ctx, "att", make([]byte, 100_000))
	require.NoError(t, err, "a goes on")
	require.NotEqual(t, first, a.Instance())
	held, known := LockHeld(ctx, InstanceLockName(a.Instance()))
	require.True(t, known)
	assert.True(t, held, "the new instance holds its lock")
	s, err := b.Stats(ctx)
	require.NoError(t, err)
	assert.Equal(t, engine.Stats{Blobs: 1, Referenced: 1, Instances: 2, Contents: 1}, s, "a's new instance is alive: not claimed again")
}

// TestLostConnectionFreesTheInstance: when a newer tab's upgrade closes the
// database under an engine, the engine ends at once: its Web Lock is free,
// so the other tab can claim what it left without waiting for close().
func TestLostConnectionFreesTheInstance(t *testing.T) {
	ctx := context.Background()
	name := kvtest.FreshName(t, "jsbridge")
	lost := make(chan error, 1)
	a, err := OpenEngine(ctx, Options{Name: name, OnLost: func(err error) { lost <- err }})
	require.NoError(t, err)
	defer a.Close()
	instance := a.Instance()
	held, _ := LockHeld(ctx, InstanceLockName(instance))
	require.True(t, held)

	newer, err := idb.Open(ctx, name, idb.Options{Tables: append(engine.Tables(""), "newer/table")})
	require.NoError(t, err, "the upgrade goes through")
	defer newer.Close()
	select {
	case err := <-lost:
		require.ErrorIs(t, err, kv.ErrClosed)
	case <-time.After(5 * time.Second):
		t.Fatal("OnLost was not called")
	}
	held, known := LockHeld(ctx, InstanceLockName(instance))
	require.True(t, known)
	assert.False(t, held, "the lock is freed when the connection is lost, before any close()")
	_, err = a.Exec(ctx, oplog.Put("k", nil))
	require.ErrorIs(t, err, engine.ErrClosed, "the engine answers CLOSED")
}
