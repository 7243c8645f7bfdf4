package oplogtest

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/idbsync/idbsync/core/hlc"
	"github.com/idbsync/idbsync/core/kv/kvtest"
	"github.com/idbsync/idbsync/core/oplog"
)

// remoteStream is [entry, attributed entry, marker, entry] of peer, all
// behind base so no skew check fires, and the entry the marker stands for.
func remoteStream(peer, user uuid.UUID) (stream []oplog.Entry, hidden oplog.Entry) {
	hidden = put(peer, 2, stamp(baseMs-3000, 0), "c", "3")
	e1 := put(peer, 1, stamp(baseMs-4000, 3), "b", "2")
	e1.User = user
	stream = []oplog.Entry{
		put(peer, 0, stamp(baseMs-5000, 0), "a", "1"),
		e1,
		oplog.Marker(peer, 2, hidden.Hash()),
		del(peer, 3, stamp(baseMs-2000, 0), "a"),
	}
	return stream, hidden
}

func testUnseenPeer(t *testing.T, open kvtest.Opener) {
	r := newReplica(t, open, uuid.Nil)
	unseen, other := peerID(1), peerID(2)

	c := cursors(t, r.p)
	assert.Empty(t, c, "a new store knows no peer")
	assert.Equal(t, uint64(0), c.Get(unseen))

	require.True(t, mustApply(t, r.p, put(other, 0, stamp(baseMs-1, 0), "k", "v")))
	c = cursors(t, r.p)
	_, present := c[unseen]
	assert.False(t, present, "an unseen peer is absent from Cursors")
	assert.Equal(t, uint64(0), c.Get(unseen))
	assert.Equal(t, oplog.PeerCursors{other: 1}, c)
	assert.Empty(t, readAll(t, r.p, unseen))
}

func testRemoteStream(t *testing.T, open kvtest.Opener) {
	r := newReplica(t, open, uuid.Nil)
	x, user := peerID(1), peerID(99)
	stream, hidden := remoteStream(x, user)

	for i, e := range stream {
		assert.True(t, mustApply(t, r.p, e), "entry %d is new", i)
		assert.Equal(t, uint64(i+1), cursors(t, r.p).Get(x), "cursor after entry %d", i)
	}
	assert.Equal(t, oplog.PeerCursors{x: 4}, cursors(t, r.p))

	got := readAll(t, r.p, x)
	require.Len(t, got, 4)
	assert.Equal(t, canon(stream), got, "ReadSince returns the stream exactly")
	assert.Equal(t, user, got[1].User, "the attributed user is kept")
	assert.Equal(t, uuid.Nil, got[0].User)
	assert.True(t, got[2].Expunged())
	assert.Equal(t, hidden.Hash(), got[2].ExpungedHash(), "the marker keeps its hash")
	assert.Zero(t, got[2].TS)

	from2, err := r.p.ReadSince(ctx, x, 2, 0)
	require.NoError(t, err)
	assert.Equal(t, canon(stream[2:]), canon(from2))
	limited, err := r.p.ReadSince(ctx, x, 1, 2)
	require.NoError(t, err)
	assert.Equal(t, canon(stream[1:3]), canon(limited), "from 1, limit 2")
	past, err := r.p.ReadSince(ctx, x, 4, 0)
	require.NoError(t, err)
	assert.Empty(t, past)

	_, ok := getValue(t, r.p, "a")
	assert.False(t, ok, "a was deleted by entry 3")
	v, ok := getValue(t, r.p, "b")
	assert.True(t, ok)
	assert.Equal(t, "2", v)
	_, ok = getValue(t, r.p, "c")
	assert.False(t, ok, "a marker is never applied to state")
	assert.GreaterOrEqual(t, r.p.Clock(), stream[3].TS, "the clock observed the stream")
}

func testRedelivery(t *testing.T, open kvtest.Opener) {
	r := newReplica(t, open, uuid.Nil)
	x := peerID(1)
	stream, _ := remoteStream(x, peerID(99))
	mustApplyBatch(t, r.p, stream)
	reads, st, clock := readAll(t, r.p, x), state(t, r.p), r.p.Clock()

	// An entry already here is compared, not assumed: another entry at a
	// stored index is a fork of its peer, and nothing of its batch lands.
	changed := put(x, 1, stamp(baseMs-1000, 0), "b", "changed")
	_, err := r.p.Apply(ctx, changed)
	require.ErrorIs(t, err, oplog.ErrForked)
	var fork *oplog.ForkError
	require.ErrorAs(t, err, &fork)
	assert.Equal(t, oplog.ForkError{Peer: x, Idx: 1}, *fork)
	_, err = r.p.ApplyBatch(ctx, []oplog.Entry{stream[0], changed, put(peerID(5), 0, stamp(baseMs, 0), "z", "z")})
	require.ErrorIs(t, err, oplog.ErrForked, "in a batch too")
	assert.Equal(t, oplog.PeerCursors{x: 4}, cursors(t, r.p), "nothing of the batch is applied")

	// The same entry with another ServerUser is the same entry.
	attested := stream[1]
	attested.User = peerID(98)
	got, err := r.p.Apply(ctx, attested)
	require.NoError(t, err)
	assert.False(t, got.New, "a redelivered entry is not new, whoever vouches for it")

	got, err = r.p.Apply(ctx, stream[0])
	require.NoError(t, err)
	assert.False(t, got.New, "an identical redelivery is not new")
	got, err = r.p.Apply(ctx, stream[2])
	require.NoError(t, err)
	assert.False(t, got.New, "a redelivered marker is not new")

	res := mustApplyBatch(t, r.p, stream)
	assert.Equal(t, oplog.BatchResult{Skipped: 4}, res)

	assert.Equal(t, reads, readAll(t, r.p, x), "the log is unchanged")
	assert.Equal(t, st, state(t, r.p), "the state is unchanged")
	assert.Equal(t, oplog.PeerCursors{x: 4}, cursors(t, r.p))
	assert.Equal(t, clock, r.p.Clock())
}

func testGap(t *testing.T, open kvtest.Opener) {
	r := newReplica(t, open, uuid.Nil)
	x, y := peerID(1), peerID(2)
	require.True(t, mustApply(t, r.p, put(x, 0, stamp(baseMs-100, 0), "a", "1")))
	clock := r.p.Clock()

	tests := []struct {
		name             string
		entry            oplog.Entry
		expected, actual uint64
	}{
		{"PastCursor", put(x, 2, stamp(baseMs-50, 0), "gap", "x"), 1, 2},
		{"FarPastCursor", put(x, 1000, stamp(baseMs-50, 0), "gap", "x"), 1, 1000},
		{"UnseenPeerNotAtZero", put(y, 5, stamp(baseMs-50, 0), "gap", "y"), 0, 5},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := r.p.Apply(ctx, tc.entry)
			require.ErrorIs(t, err, oplog.ErrCursorMismatch)
			var mismatch *oplog.CursorMismatchError
			require.ErrorAs(t, err, &mismatch)
			assert.Equal(t, tc.expected, mismatch.Expected)
			assert.Equal(t, tc.actual, mismatch.Actual)
			assert.False(t, got.New)

			assert.Equal(t, oplog.PeerCursors{x: 1}, cursors(t, r.p), "no cursor moved")
			assert.Len(t, readAll(t, r.p, x), 1)
			assert.Empty(t, readAll(t, r.p, y))
			_, ok := getValue(t, r.p, "gap")
			assert.False(t, ok, "the rejected entry reached no state")
			assert.Equal(t, clock, r.p.Clock(), "the rejected entry moved no clock")
		})
	}
	require.True(t, mustApply(t, r.p, put(x, 1, stamp(baseMs-10, 0), "b", "2")), "the expected index still applies")
}

// testConcurrentApply races goroutines applying the same entry on one
// Processor: exactly one of them ingests it.
func testConcurrentApply(t *testing.T, open kvtest.Opener) {
	r := newReplica(t, open, uuid.Nil)
	x := peerID(1)
	const rounds, racers = 10, 4
	for i := range uint64(rounds) {
		e := put(x, i, stamp(baseMs-1000+i, 0), fmt.Sprintf("k%d", i%3), fmt.Sprint(i))
		news, err := race(racers, func(int) (bool, error) {
			got, err := r.p.Apply(ctx, e)
			return got.New, err
		})
		require.NoError(t, err, "round %d", i)
		assert.Equal(t, 1, news, "round %d: exactly one Apply is new", i)
	}
	assert.Equal(t, oplog.PeerCursors{x: rounds}, cursors(t, r.p))
	assert.Len(t, readAll(t, r.p, x), rounds)
}

func testClockSkew(t *testing.T, open kvtest.Opener) {
	r := newReplica(t, open, uuid.Nil)
	x := peerID(1)
	require.True(t, mustApply(t, r.p, put(x, 0, stamp(baseMs-1, 0), "a", "1")))
	clock := r.p.Clock()
	limit := wallMs(r.clock) + 60_000

	_, err := r.p.Apply(ctx, put(x, 1, stamp(limit+1, 0), "b", "skewed"))
	require.ErrorIs(t, err, hlc.ErrClockSkew)
	assert.Equal(t, clock, r.p.Clock(), "a rejected entry does not move the clock")
	assert.Equal(t, oplog.PeerCursors{x: 1}, cursors(t, r.p), "nor the cursor")
	assert.Len(t, readAll(t, r.p, x), 1)
	_, ok := getValue(t, r.p, "b")
	assert.False(t, ok)

	edge := put(x, 1, stamp(limit, 7), "b", "edge")
	require.True(t, mustApply(t, r.p, edge), "exactly 60 s ahead is accepted")
	assert.Equal(t, edge.TS, r.p.Clock(), "the clock observed the accepted entry")
	assert.Equal(t, uint64(2), cursors(t, r.p).Get(x))

	// The limit follows the wall clock the Processor was given.
	late := put(x, 2, stamp(limit+1000, 0), "c", "late")
	_, err = r.p.Apply(ctx, late)
	require.ErrorIs(t, err, hlc.ErrClockSkew)
	r.clock.Add(time.Second)
	require.True(t, mustApply(t, r.p, late), "accepted once the wall clock caught up")

	// Options.MaxSkew narrows the limit.
	clk := newClock(base)
	p := openProc(t, kvtest.OpenStore(t, open, freshName(t)), oplog.Options{Now: clk.Now, MaxSkew: time.Second})
	_, err = p.Apply(ctx, put(x, 0, stamp(baseMs+1001, 0), "a", "1"))
	require.ErrorIs(t, err, hlc.ErrClockSkew)
	require.True(t, mustApply(t, p, put(x, 0, stamp(baseMs+1000, 0), "a", "1")))
}

// testManyPeers ingests 100 peers x 100 entries in batches of 500 with the
// peers interleaved, then checks the cursors against a recount of the log.
func testManyPeers(t *testing.T, open kvtest.Opener) {
	r := newReplica(t, open, uuid.Nil)
	const peers, perPeer, batchSize = 100, 100, 500
	var all []oplog.Entry
	for i := range uint64(perPeer) {
		for n := range peers {
			peer := peerID(1000 + n)
			ts := stamp(baseMs-200_000+i*1000+uint64(n), 0)
			all = append(all, put(peer, i, ts, fmt.Sprintf("k%02d", (n+int(i))%20), fmt.Sprint(n, "/", i)))
		}
	}
	applied := 0
	for from := 0; from < len(all); from += batchSize {
		res := mustApplyBatch(t, r.p, all[from:from+batchSize])
		require.Equal(t, batchSize, res.Applied, "batch at %d", from)
		require.Zero(t, res.Skipped, "batch at %d", from)
		require.Len(t, res.Keys, 20, "batch at %d: each key it writes, once", from)
		applied += res.Applied
	}
	assert.Equal(t, peers*perPeer, applied)

	c := cursors(t, r.p)
	require.Len(t, c, peers)
	tracker := &oplog.IndexTracker{}
	require.NoError(t, tracker.Init(ctx, r.store, oplog.DefaultPrefix))
	stored, err := tracker.AllCursors(ctx)
	require.NoError(t, err)
	assert.Equal(t, c, stored, "the cache and the heads rows agree")
	for n := range peers {
		peer := peerID(1000 + n)
		es := readAll(t, r.p, peer)
		require.Len(t, es, perPeer, "peer %d", n)
		for i, e := range es {
			require.Equal(t, uint64(i), e.Idx, "peer %d", n)
		}
		assert.Equal(t, uint64(len(es)), c.Get(peer), "peer %d: the cursor is the count of its entries", n)
	}
	assert.Len(t, state(t, r.p), 20)

	res := mustApplyBatch(t, r.p, all[2*batchSize:3*batchSize])
	assert.Equal(t, oplog.BatchResult{Skipped: batchSize}, res, "a redelivered batch is skipped whole")
	assert.Equal(t, c, cursors(t, r.p))
}

func testApplyBatchAllOrNothing(t *testing.T, open kvtest.Opener) {
	r := newReplica(t, open, uuid.Nil)
	x, y, z := peerID(1), peerID(2), peerID(3)
	ts := func(i uint64) hlc.Timestamp { return stamp(baseMs-10_000+i, 0) }
	mustApplyBatch(t, r.p, []oplog.Entry{
		put(x, 0, ts(0), "a", "x0"), put(x, 1, ts(1), "b", "x1"), put(y, 0, ts(2), "a", "y0"),
	})
	before := func() (oplog.PeerCursors, []oplog.Value, hlc.Timestamp) {
		return cursors(t, r.p), state(t, r.p), r.p.Clock()
	}
	wantCursors, wantState, wantClock := before()
	require.Equal(t, oplog.PeerCursors{x: 2, y: 1}, wantCursors)

	// The bad entry is of peer w, so it is equally bad first or last.
	w := peerID(4)
	good := []oplog.Entry{put(x, 2, ts(10), "a", "new"), put(y, 1, ts(11), "c", "new"), put(z, 0, ts(12), "d", "new")}
	tests := []struct {
		name  string
		bad   oplog.Entry
		check func(t *testing.T, err error)
	}{
		{"Skewed", put(w, 0, stamp(wallMs(r.clock)+60_001, 0), "e", "skewed"), func(t *testing.T, err error) {
			assert.ErrorIs(t, err, hlc.ErrClockSkew)
		}},
		{"Gap", put(w, 1, ts(13), "e", "gap"), func(t *testing.T, err error) {
			var mismatch *oplog.CursorMismatchError
			require.ErrorAs(t, err, &mismatch)
			assert.Equal(t, oplog.CursorMismatchError{Expected: 0, Actual: 1}, *mismatch)
		}},
		{"NilPeer", oplog.Entry{Peer: uuid.Nil, Idx: 0, TS: ts(13), Op: oplog.Put("e", nil)}, func(t *testing.T, err error) {
			assert.ErrorIs(t, err, oplog.ErrInvalidEntry)
		}},
		{"MarkerWithTimestamp", oplog.Entry{Peer: w, Idx: 0, TS: ts(13), Op: oplog.Op{Tag: oplog.TagExpunged, Value: make([]byte, 32)}},
			func(t *testing.T, err error) { assert.ErrorIs(t, err, oplog.ErrInvalidEntry) }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			for _, at := range []int{0, len(good)} {
				batch := slices.Concat(good[:at], []oplog.Entry{tc.bad}, good[at:])
				res, err := r.p.ApplyBatch(ctx, batch)
				require.Error(t, err, "bad entry at %d", at)
				tc.check(t, err)
				assert.Zero(t, res.Applied)
				c, s, clock := before()
				assert.Equal(t, wantCursors, c, "no cursor moved (bad entry at %d)", at)
				assert.Equal(t, wantState, s, "no state changed (bad entry at %d)", at)
				assert.Equal(t, wantClock, clock, "the clock did not move (bad entry at %d)", at)
				assert.Len(t, readAll(t, r.p, x), 2)
				assert.Len(t, readAll(t, r.p, y), 1)
				assert.Empty(t, readAll(t, r.p, z))
				assert.Empty(t, readAll(t, r.p, w))
			}
		})
	}
	// A gap behind good entries of the same peer: y/1 is in the batch, y/3 is not next.
	_, err := r.p.ApplyBatch(ctx, append(slices.Clone(good), put(y, 3, ts(14), "e", "gap")))
	var mismatch *oplog.CursorMismatchError
	require.ErrorAs(t, err, &mismatch)
	assert.Equal(t, oplog.CursorMismatchError{Expected: 2, Actual: 3}, *mismatch, "the batch's own entries count")
	assert.Equal(t, wantCursors, cursors(t, r.p))

	// Already-applied entries are skipped, the rest applied.
	res := mustApplyBatch(t, r.p, []oplog.Entry{
		put(x, 0, ts(0), "a", "x0"), put(x, 1, ts(1), "b", "x1"), good[0], good[0], good[1], put(y, 0, ts(2), "a", "y0"), good[2],
	})
	assert.Equal(t, oplog.BatchResult{Applied: 3, Skipped: 4, Keys: []string{"a", "c", "d"}}, res, "keys: those the applied entries write")
	assert.Equal(t, oplog.PeerCursors{x: 3, y: 2, z: 1}, cursors(t, r.p))
	v, _ := getValue(t, r.p, "a")
	assert.Equal(t, "new", v)

	res, err = r.p.ApplyBatch(ctx, nil)
	require.NoError(t, err)
	assert.Zero(t, res, "an empty batch is a no-op")
}
