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

func testExec(t *testing.T, open kvtest.Opener) {
	r := newReplica(t, open, uuid.Nil)
	peer := r.p.Peer()

	rejects := []struct {
		name string
		ops  []oplog.Op
	}{
		{"NoOps", nil},
		{"ReservedTag", []oplog.Op{{Tag: oplog.TagExpunged, Key: "k", Value: make([]byte, 32)}}},
		{"UnknownTag", []oplog.Op{{Tag: 0, Key: "k"}}},
		{"EmptyKey", []oplog.Op{oplog.Put("", []byte("v"))}},
		{"DeleteWithValue", []oplog.Op{{Tag: oplog.TagDelete, Key: "k", Value: []byte("v")}}},
		{"ValidThenInvalid", []oplog.Op{oplog.Put("ok", []byte("v")), oplog.Put("", nil)}},
	}
	for _, tc := range rejects {
		t.Run(tc.name, func(t *testing.T) {
			w, err := r.p.Exec(ctx, tc.ops...)
			require.ErrorIs(t, err, oplog.ErrInvalidOp)
			assert.Zero(t, w)
			assert.Zero(t, cursors(t, r.p).Get(peer), "nothing written")
			_, ok := getValue(t, r.p, "ok")
			assert.False(t, ok)
		})
	}

	w := mustExec(t, r.p, oplog.Put("a", []byte("1")), oplog.Delete("b"), oplog.Put("c", nil))
	assert.Equal(t, oplog.Written{Peer: peer, From: 0, To: 3}, w)
	got := readAll(t, r.p, peer)
	require.Len(t, got, 3)
	assert.Equal(t, []oplog.Op{oplog.Put("a", []byte("1")), oplog.Delete("b"), oplog.Put("c", nil)},
		[]oplog.Op{got[0].Op, got[1].Op, got[2].Op})
	for i := 1; i < 3; i++ {
		assert.Greater(t, got[i].TS, got[i-1].TS, "one Exec stamps strictly increasing timestamps")
	}
	for _, e := range got {
		assert.Equal(t, uuid.Nil, e.User, "local entries are not attributed")
		assert.Equal(t, wallMs(r.clock), e.TS.Wall(), "the timestamps follow the wall clock")
	}
	assert.Equal(t, got[2].TS, r.p.Clock())

	// The wall clock steps back an hour: timestamps still increase.
	r.clock.Add(-time.Hour)
	w = mustExec(t, r.p, oplog.Put("d", []byte("4")), oplog.Put("e", []byte("5")))
	assert.Equal(t, oplog.Written{Peer: peer, From: 3, To: 5}, w)
	got = readAll(t, r.p, peer)
	require.Len(t, got, 5)
	assert.Greater(t, got[3].TS, got[2].TS, "after a step backwards")
	assert.Greater(t, got[4].TS, got[3].TS)

	// It steps forward past the old time: timestamps follow the wall again.
	r.clock.Add(2 * time.Hour)
	mustExec(t, r.p, oplog.Put("f", nil))
	got = readAll(t, r.p, peer)
	assert.Equal(t, stamp(wallMs(r.clock), 0), got[5].TS)
	assert.Equal(t, uint64(6), cursors(t, r.p).Get(peer))
}
