package oplogtest

import (
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/idbsync/idbsync/core/kv/kvtest"
	"github.com/idbsync/idbsync/core/oplog"
)

func testExpunge(t *testing.T, open kvtest.Opener) {
	r := newReplica(t, open, uuid.Nil)
	peer, x := r.p.Peer(), peerID(1)
	mustExec(t, r.p, oplog.Put("a", []byte("1")), oplog.Put("b", []byte{}), oplog.Delete("c"), oplog.Put("d", []byte("4")))
	attributed := put(x, 0, stamp(baseMs-10, 0), "x", "by a user")
	attributed.User = peerID(99)
	require.True(t, mustApply(t, r.p, attributed))
	originals := map[uuid.UUID][]oplog.Entry{peer: readAll(t, r.p, peer), x: readAll(t, r.p, x)}
	wantCursors, wantState := cursors(t, r.p), state(t, r.p)

	tests := []struct {
		name string
		peer uuid.UUID
		idx  uint64
	}{
		{"Put", peer, 0},
		{"PutOfEmptyValue", peer, 1},
		{"Delete", peer, 2},
		{"Attributed", x, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			orig := originals[tc.peer][tc.idx]
			require.False(t, orig.Expunged())
			require.NoError(t, r.p.Expunge(ctx, tc.peer, tc.idx))
			got := readAll(t, r.p, tc.peer)
			require.Len(t, got, len(originals[tc.peer]), "the index stays occupied")
			marker := got[tc.idx]
			require.True(t, marker.Expunged(), "the entry is now a marker")
			assert.Equal(t, orig.Hash(), marker.ExpungedHash())
			assert.Equal(t, canon([]oplog.Entry{oplog.Marker(tc.peer, tc.idx, orig.Hash())}), []oplog.Entry{marker},
				"a marker keeps no timestamp, user or op")
			assert.Equal(t, wantCursors, cursors(t, r.p), "expunging moves no cursor")
			assert.Equal(t, wantState, state(t, r.p), "the op's effect on state stays")

			require.NoError(t, r.p.Expunge(ctx, tc.peer, tc.idx), "expunging a marker is a no-op")
			assert.Equal(t, got, readAll(t, r.p, tc.peer))
		})
	}
	got := readAll(t, r.p, peer)
	assert.Equal(t, originals[peer][3], got[3], "entries after an expunged one are intact")

	for _, tc := range []struct {
		name string
		peer uuid.UUID
		idx  uint64
	}{{"PastCursor", peer, 4}, {"FarPast", peer, 1 << 40}, {"UnseenPeer", peerID(2), 0}} {
		assert.ErrorIs(t, r.p.Expunge(ctx, tc.peer, tc.idx), oplog.ErrNotFound, tc.name)
	}

	// Markers travel: a replica pulling the log gets the same stream.
	r2 := newReplica(t, open, uuid.Nil)
	for _, p := range []uuid.UUID{peer, x} {
		b, err := oplog.DecodeBatch(oplog.EncodeBatch(readAll(t, r.p, p)))
		require.NoError(t, err)
		mustApplyBatch(t, r2.p, b)
		assert.Equal(t, readAll(t, r.p, p), readAll(t, r2.p, p))
	}
	assert.Equal(t, wantCursors, cursors(t, r2.p))
	v, ok := getValue(t, r2.p, "d")
	assert.True(t, ok)
	assert.Equal(t, "4", v)
	_, ok = getValue(t, r2.p, "a")
	assert.False(t, ok, "an expunged op reaches no other replica's state")
}
