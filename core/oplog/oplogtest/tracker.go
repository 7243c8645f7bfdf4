package oplogtest

import (
	"fmt"
	"math"
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/idbsync/idbsync/core/hlc"
	"github.com/idbsync/idbsync/core/kv"
	"github.com/idbsync/idbsync/core/kv/kvtest"
	"github.com/idbsync/idbsync/core/oplog"
)

// testRawTrackerDuplicate commits, through the tracker and reducer alone, a
// batch that records a new entry, moves state, and then records an index
// already there: the whole batch must roll back.
func testRawTrackerDuplicate(t *testing.T, open kvtest.Opener) {
	r := newReplica(t, open, uuid.Nil)
	x := peerID(1)
	var entries []oplog.Entry
	for i := range uint64(3) {
		entries = append(entries, put(x, i, stamp(baseMs-100+i, 0), fmt.Sprintf("k%d", i), "v"))
	}
	mustApplyBatch(t, r.p, entries)

	tracker := &oplog.IndexTracker{}
	require.NoError(t, tracker.Init(ctx, r.store, oplog.DefaultPrefix))
	lww := &oplog.LWW{}
	require.NoError(t, lww.Init(ctx, r.store, oplog.DefaultPrefix))
	logTable := tracker.Tables(oplog.DefaultPrefix)[0]
	countRows := func() int {
		rows, err := r.store.Scan(ctx, logTable, kv.Range{})
		require.NoError(t, err)
		return len(rows)
	}
	require.Equal(t, 3, countRows())
	wantState, wantClock := state(t, r.p), r.p.Clock()

	// Timestamps far ahead: if any row of the batch landed, the heads row
	// would drag the clock of a reopened Processor up to them.
	high := stamp(baseMs+3_600_000, 0)
	fresh := put(x, 3, high, "k0", "overwritten")
	dup := put(x, 1, high+1, "k1", "overwritten")
	var b kv.Batch
	require.NoError(t, tracker.TrackOne(fresh, &b))
	require.NoError(t, lww.Reduce(ctx, []oplog.Entry{fresh, dup}, &b))
	require.NoError(t, tracker.TrackOne(dup, &b))
	err := r.store.Commit(ctx, &b)
	require.ErrorIs(t, err, kv.ErrUniqueViolation)

	assert.Equal(t, 3, countRows(), "no oplog row of the failed batch")
	all, err := tracker.AllCursors(ctx)
	require.NoError(t, err)
	assert.Equal(t, oplog.PeerCursors{x: 3}, all, "no heads row of the failed batch")
	assert.Equal(t, wantState, state(t, r.p), "no state of the failed batch")
	assert.Equal(t, canon(entries), readAll(t, r.p, x))

	reopened := openProc(t, kvtest.OpenStore(t, open, r.name), oplog.Options{Now: r.clock.Now})
	assert.Equal(t, wantClock, reopened.Clock(), "the stored clock is unchanged")
	assert.Equal(t, oplog.PeerCursors{x: 3}, cursors(t, reopened))

	// The same batch without the duplicate commits.
	b.Reset()
	require.NoError(t, tracker.TrackOne(fresh, &b))
	require.NoError(t, lww.Reduce(ctx, []oplog.Entry{fresh}, &b))
	require.NoError(t, r.store.Commit(ctx, &b))
	assert.Equal(t, 4, countRows())
	v, ok := getValue(t, r.p, "k0")
	assert.True(t, ok)
	assert.Equal(t, "overwritten", v)
}

// testTrackerPrefixes checks that trackers and processors under two
// prefixes of one store do not see each other.
func testTrackerPrefixes(t *testing.T, open kvtest.Opener) {
	s := kvtest.OpenStore(t, open, freshName(t))
	x := peerID(7)
	trackers := map[string]*oplog.IndexTracker{"left": {}, "right": {}}
	for prefix, tr := range trackers {
		require.NoError(t, tr.Init(ctx, s, prefix))
	}
	var b kv.Batch
	for i := range uint64(3) {
		require.NoError(t, trackers["left"].TrackOne(oplog.Entry{Peer: x, Idx: i, TS: stamp(baseMs, uint16(i)), Op: oplog.Put("k", nil)}, &b))
	}
	require.NoError(t, s.Commit(ctx, &b))
	left, err := trackers["left"].AllCursors(ctx)
	require.NoError(t, err)
	assert.Equal(t, oplog.PeerCursors{x: 3}, left)
	right, err := trackers["right"].AllCursors(ctx)
	require.NoError(t, err)
	assert.Empty(t, right, "the other prefix sees nothing")
	es, err := trackers["right"].ReadEntries(ctx, x, 0, 0)
	require.NoError(t, err)
	assert.Empty(t, es)

	// The same index under the other prefix is no duplicate.
	b = kv.Batch{}
	require.NoError(t, trackers["right"].TrackOne(oplog.Entry{Peer: x, TS: stamp(baseMs, 9), Op: oplog.Delete("k")}, &b))
	require.NoError(t, s.Commit(ctx, &b))

	// Processors under two prefixes: separate peers, logs and state.
	clock := newClock(base)
	p1 := openProc(t, s, oplog.Options{Prefix: "app1", Now: clock.Now})
	p2 := openProc(t, s, oplog.Options{Prefix: "app2", Now: clock.Now})
	assert.NotEqual(t, p1.Peer(), p2.Peer())
	mustExec(t, p1, oplog.Put("shared", []byte("1")))
	assert.Equal(t, oplog.PeerCursors{p1.Peer(): 1}, cursors(t, p1))
	assert.Empty(t, cursors(t, p2))
	_, err = p2.Reducer().(*oplog.LWW).Get(ctx, "shared")
	assert.ErrorIs(t, err, oplog.ErrNotFound)
}

// testTrackerLimits round-trips the largest index that leaves a next one
// and the largest timestamp, and rejects the index that would not.
func testTrackerLimits(t *testing.T, open kvtest.Opener) {
	s := kvtest.OpenStore(t, open, freshName(t))
	tr := &oplog.IndexTracker{}
	require.NoError(t, tr.Init(ctx, s, "limits"))
	x, user := peerID(8), peerID(9)
	const last = math.MaxUint64 - 1
	maxTS := hlc.Timestamp(math.MaxUint64)

	var b kv.Batch
	require.NoError(t, tr.TrackOne(oplog.Entry{Peer: x, Idx: last, TS: maxTS, User: user, Op: oplog.Put("k", []byte{0, 0xff}), Salt: []byte("salt")}, &b))
	require.NoError(t, s.Commit(ctx, &b))
	es, err := tr.ReadEntries(ctx, x, last, 0)
	require.NoError(t, err)
	require.Len(t, es, 1)
	assert.Equal(t, oplog.Entry{Peer: x, Idx: last, TS: maxTS, User: user, Op: oplog.Put("k", []byte{0, 0xff}), Salt: []byte("salt")}, es[0])
	c, err := tr.AllCursors(ctx)
	require.NoError(t, err)
	assert.Equal(t, uint64(math.MaxUint64), c.Get(x))

	b = kv.Batch{}
	err = tr.TrackOne(oplog.Entry{Peer: x, Idx: math.MaxUint64, TS: maxTS, Op: oplog.Put("k", nil)}, &b)
	assert.ErrorIs(t, err, oplog.ErrInvalidEntry, "no next index after 2^64-1")
	assert.Zero(t, b.Len(), "nothing enqueued")
}
