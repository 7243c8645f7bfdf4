package oplogtest

import (
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/idbsync/idbsync/core/kv/kvtest"
	"github.com/idbsync/idbsync/core/oplog"
)

func testWatchCursors(t *testing.T, open kvtest.Opener) {
	r := newReplica(t, open, uuid.Nil)
	peer, x, y := r.p.Peer(), peerID(1), peerID(2)
	require.True(t, mustApply(t, r.p, put(x, 0, stamp(baseMs-10, 0), "a", "1")))

	updates, stop := r.p.WatchCursors()
	first := receive(t, updates)
	assert.Equal(t, cursors(t, r.p), first, "the first value is the current snapshot")

	mustExec(t, r.p, oplog.Put("b", []byte("2")), oplog.Put("c", []byte("3")))
	mustApplyBatch(t, r.p, []oplog.Entry{
		put(y, 0, stamp(baseMs-5, 0), "d", "4"), put(x, 1, stamp(baseMs-4, 0), "e", "5"), put(y, 1, stamp(baseMs-3, 0), "f", "6"),
	})
	want := oplog.PeerCursors{peer: 2, x: 2, y: 2}
	require.Equal(t, want, cursors(t, r.p))
	var last oplog.PeerCursors
	for last.Compare(want) != oplog.Equal {
		last = receive(t, updates)
		require.NotEqual(t, oplog.Ahead, last.Compare(want), "no value is ahead of the store")
	}
	last[peer] = 99 // the receiver owns its copy
	assert.Equal(t, want, cursors(t, r.p))

	stop()
	drainUntilClosed(t, updates)
	stop() // idempotent

	a, _ := r.p.WatchCursors()
	b, stopB := r.p.WatchCursors()
	assert.Equal(t, want, receive(t, a))
	require.NoError(t, r.p.Close())
	drainUntilClosed(t, a)
	drainUntilClosed(t, b)
	stopB() // after Close: no panic
	require.NoError(t, r.p.Close(), "Close is idempotent")

	c, _ := r.p.WatchCursors()
	drainUntilClosed(t, c)
	_, err := r.p.Exec(ctx, oplog.Put("z", nil))
	assert.ErrorIs(t, err, oplog.ErrClosed)
	_, err = r.p.ApplyBatch(ctx, []oplog.Entry{put(x, 2, stamp(baseMs-1, 0), "z", "")})
	assert.ErrorIs(t, err, oplog.ErrClosed)
}

// watchWait bounds every wait for a watch: values are offered before the
// call that caused them returns, so it is only reached when one is missing.
const watchWait = 5 * time.Second

func receive(t *testing.T, ch <-chan oplog.PeerCursors) oplog.PeerCursors {
	t.Helper()
	select {
	case c, ok := <-ch:
		require.True(t, ok, "the watch is still open")
		return c
	case <-time.After(watchWait):
		t.Fatal("no cursors delivered")
		return nil
	}
}

func drainUntilClosed(t *testing.T, ch <-chan oplog.PeerCursors) {
	t.Helper()
	timeout := time.After(watchWait)
	for {
		select {
		case _, ok := <-ch:
			if !ok {
				return
			}
		case <-timeout:
			t.Fatal("the watch channel was not closed")
		}
	}
}
