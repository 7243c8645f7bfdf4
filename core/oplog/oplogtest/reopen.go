package oplogtest

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/idbsync/idbsync/core/kv/kvtest"
	"github.com/idbsync/idbsync/core/oplog"
)

func testReopen(t *testing.T, open kvtest.Opener) {
	name := freshName(t)
	clk := newClock(base)
	peer, x := peerID(7), peerID(1)

	s := kvtest.OpenStore(t, open, name)
	p, err := oplog.Open(ctx, s, oplog.Options{Peer: peer, Now: clk.Now})
	require.NoError(t, err)
	assert.Equal(t, peer, p.Peer(), "Options.Peer names the local peer of a new store")
	w := mustExec(t, p, oplog.Put("a", []byte("1")), oplog.Put("b", []byte("2")), oplog.Delete("a"))
	assert.Equal(t, oplog.Written{Peer: peer, From: 0, To: 3}, w)
	// A remote entry 20 s ahead raises the clock past anything the wall
	// gives; the marker after it leaves x's heads row without a timestamp,
	// so only the persisted clock remembers it.
	ahead := put(x, 0, stamp(baseMs+20_000, 5), "c", "3")
	mustApplyBatch(t, p, []oplog.Entry{ahead, oplog.Marker(x, 1, ahead.Hash())})
	require.GreaterOrEqual(t, p.Clock(), ahead.TS)

	wantCursors, wantClock, wantState := cursors(t, p), p.Clock(), state(t, p)
	wantMine, wantX := readAll(t, p, peer), readAll(t, p, x)
	for _, e := range wantMine {
		assert.Equal(t, peer, e.Peer)
	}
	require.NoError(t, p.Close())
	require.NoError(t, s.Close())

	s2 := kvtest.OpenStore(t, open, name)
	_, err = oplog.Open(ctx, s2, oplog.Options{Peer: peerID(8), Now: clk.Now})
	require.ErrorIs(t, err, oplog.ErrPeerMismatch, "a store keeps its peer")

	p2 := openProc(t, s2, oplog.Options{Now: clk.Now})
	assert.Equal(t, peer, p2.Peer(), "the peer is read back")
	assert.Equal(t, wantCursors, cursors(t, p2))
	assert.GreaterOrEqual(t, p2.Clock(), wantClock, "the clock survives a reopen")
	assert.Equal(t, wantState, state(t, p2))
	assert.Equal(t, wantMine, readAll(t, p2, peer))
	assert.Equal(t, wantX, readAll(t, p2, x))

	w = mustExec(t, p2, oplog.Put("d", []byte("4")))
	assert.Equal(t, oplog.Written{Peer: peer, From: 3, To: 4}, w, "the log continues where it was")
	last := readAll(t, p2, peer)[3]
	assert.Greater(t, last.TS, wantClock, "a new write orders after everything seen before the reopen")

	p3 := openProc(t, s2, oplog.Options{Peer: peer, Now: clk.Now})
	assert.Equal(t, peer, p3.Peer(), "opening with the store's own peer is fine")
}
