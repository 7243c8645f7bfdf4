// Package oplogtest is the conformance suite of the op log: the Processor,
// the IndexTracker and the LWW reducer over any kv.Store. The same code runs
// natively on memkv and in headless Chromium on IndexedDB, so it touches no
// file, never sleeps to wait for something, reads wall time only from fake
// clocks (Options.Now), and moves volume through ApplyBatch in big batches.
package oplogtest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/idbsync/idbsync/core/hlc"
	"github.com/idbsync/idbsync/core/hlc/hlctest"
	"github.com/idbsync/idbsync/core/kv"
	"github.com/idbsync/idbsync/core/kv/kvtest"
	"github.com/idbsync/idbsync/core/oplog"
)

// Run runs the whole suite against the stores open makes. open must return
// a store holding the same data when it is given a name again (a reopen, or
// a second tab while the first handle is still open); the suite creates the
// tables it needs through oplog.Open.
func Run(t *testing.T, open kvtest.Opener) {
	tests := []struct {
		name string
		fn   func(t *testing.T, open kvtest.Opener)
	}{
		{"UnseenPeer", testUnseenPeer},
		{"RemoteStream", testRemoteStream},
		{"Redelivery", testRedelivery},
		{"Gap", testGap},
		{"ConcurrentApply", testConcurrentApply},
		{"TwoTabsApply", testTwoTabsApply},
		{"TwoTabsExec", testTwoTabsExec},
		{"TwoTabsCausality", testTwoTabsCausality},
		{"Reopen", testReopen},
		{"RawTrackerDuplicate", testRawTrackerDuplicate},
		{"ClockSkew", testClockSkew},
		{"LWWTies", testLWWTies},
		{"LWWGetScan", testLWWGetScan},
		{"ManyPeers", testManyPeers},
		{"ApplyBatchAllOrNothing", testApplyBatchAllOrNothing},
		{"Exec", testExec},
		{"Expunge", testExpunge},
		{"WatchCursors", testWatchCursors},
		{"Convergence", testConvergence},
		{"TrackerPrefixes", testTrackerPrefixes},
		{"TrackerLimits", testTrackerLimits},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) { tc.fn(t, open) })
	}
}

var ctx = context.Background()

// base is the fake wall time every test starts from, far enough from zero
// that clocks can step backwards.
var base = time.UnixMilli(1_700_000_000_000)

// baseMs is base in Unix milliseconds.
var baseMs = uint64(base.UnixMilli())

// fakeClock is the settable wall clock of every test.
type fakeClock = hlctest.Wall

func newClock(now time.Time) *fakeClock { return hlctest.NewWall(now) }

// wallMs is the clock's time in Unix milliseconds.
func wallMs(c *fakeClock) uint64 { return uint64(c.Now().UnixMilli()) }

// freshName is a store name no earlier run used.
func freshName(t testing.TB) string { return kvtest.FreshName(t, "oplogtest") }

// openProc opens a Processor on s and closes it when the test ends.
func openProc(t testing.TB, s kv.Store, opts oplog.Options) *oplog.Processor {
	t.Helper()
	p, err := oplog.Open(ctx, s, opts)
	require.NoError(t, err)
	t.Cleanup(func() { _ = p.Close() })
	return p
}

// replica is a Processor on a store of its own, with its own wall clock.
type replica struct {
	name  string
	store kv.Store
	p     *oplog.Processor
	clock *fakeClock
}

func newReplica(t testing.TB, open kvtest.Opener, peer uuid.UUID) *replica {
	t.Helper()
	r := &replica{name: freshName(t), clock: newClock(base)}
	r.store = kvtest.OpenStore(t, open, r.name)
	r.p = openProc(t, r.store, oplog.Options{Peer: peer, Now: r.clock.Now})
	return r
}

// peerID is a fixed, non-nil peer id for n.
func peerID(n int) uuid.UUID {
	return uuid.UUID{0xa0, byte(n >> 16), byte(n >> 8), byte(n), 0, 0, 0x40, 0, 0x80, 0, 0, 0, 0, 0, 0, 1}
}

// stamp is the timestamp of wall ms and counter.
func stamp(wall uint64, counter uint16) hlc.Timestamp {
	ts, err := hlc.New(wall, counter)
	if err != nil {
		panic(err)
	}
	return ts
}

func put(peer uuid.UUID, idx uint64, ts hlc.Timestamp, key, value string) oplog.Entry {
	return oplog.Entry{Peer: peer, Idx: idx, TS: ts, Op: oplog.Put(key, []byte(value))}
}

func del(peer uuid.UUID, idx uint64, ts hlc.Timestamp, key string) oplog.Entry {
	return oplog.Entry{Peer: peer, Idx: idx, TS: ts, Op: oplog.Delete(key)}
}

// canon makes entries comparable: a stored or decoded empty value may come
// back nil.
func canon(es []oplog.Entry) []oplog.Entry {
	out := make([]oplog.Entry, len(es))
	for i, e := range es {
		if len(e.Op.Value) == 0 {
			e.Op.Value = nil
		}
		out[i] = e
	}
	return out
}

func mustApply(t testing.TB, p *oplog.Processor, e oplog.Entry) bool {
	t.Helper()
	got, err := p.Apply(ctx, e)
	require.NoError(t, err, "apply %s/%d", e.Peer, e.Idx)
	return got.New
}

func mustApplyBatch(t testing.TB, p *oplog.Processor, es []oplog.Entry) oplog.BatchResult {
	t.Helper()
	got, err := p.ApplyBatch(ctx, es)
	require.NoError(t, err)
	require.Equal(t, len(es), got.Applied+got.Skipped, "every entry is either applied or skipped")
	return got
}

func mustExec(t testing.TB, p *oplog.Processor, ops ...oplog.Op) oplog.Written {
	t.Helper()
	w, err := p.Exec(ctx, ops...)
	require.NoError(t, err)
	return w
}

func cursors(t testing.TB, p *oplog.Processor) oplog.PeerCursors {
	t.Helper()
	c, err := p.Cursors(ctx)
	require.NoError(t, err)
	return c
}

func readAll(t testing.TB, p *oplog.Processor, peer uuid.UUID) []oplog.Entry {
	t.Helper()
	es, err := p.ReadSince(ctx, peer, 0, 0)
	require.NoError(t, err)
	return canon(es)
}

func lwwOf(t testing.TB, p *oplog.Processor) *oplog.LWW {
	t.Helper()
	l, ok := p.Reducer().(*oplog.LWW)
	require.True(t, ok, "the default reducer is *oplog.LWW")
	return l
}

// state is the whole live LWW state, values normalized to non-nil.
func state(t testing.TB, p *oplog.Processor) []oplog.Value {
	t.Helper()
	vs, err := lwwOf(t, p).Scan(ctx, "", 0)
	require.NoError(t, err)
	for i := range vs {
		if vs[i].Value == nil {
			vs[i].Value = []byte{}
		}
	}
	return vs
}

// getValue returns the live value of key, or ok=false when it is absent or deleted.
func getValue(t testing.TB, p *oplog.Processor, key string) (string, bool) {
	t.Helper()
	v, err := lwwOf(t, p).Get(ctx, key)
	if errors.Is(err, oplog.ErrNotFound) {
		return "", false
	}
	require.NoError(t, err)
	assert.Equal(t, key, v.Key)
	return string(v.Value), true
}

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

	changed := put(x, 1, stamp(baseMs-1000, 0), "b", "changed")
	changed.User = peerID(98)
	got, err := r.p.Apply(ctx, changed)
	require.NoError(t, err)
	assert.False(t, got.New, "a redelivered index is not new, whatever it holds")

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

// race runs fn from n goroutines released together and counts the calls
// that returned true; it returns the first error any call returned.
func race(n int, fn func(i int) (bool, error)) (int, error) {
	var wg sync.WaitGroup
	start := make(chan struct{})
	oks := make([]bool, n)
	errs := make([]error, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			oks[i], errs[i] = fn(i)
		}()
	}
	close(start)
	wg.Wait()
	count := 0
	for i := range n {
		if oks[i] {
			count++
		}
	}
	return count, errors.Join(errs...)
}

// tabs opens name twice, a Processor on each handle, like two tabs on one
// database. The second handle is opened after the first Processor created
// the tables, so it needs no schema upgrade.
func tabs(t *testing.T, open kvtest.Opener, optsA, optsB oplog.Options) (a, b *oplog.Processor, name string) {
	t.Helper()
	name = freshName(t)
	a = openProc(t, kvtest.OpenStore(t, open, name), optsA)
	b = openProc(t, kvtest.OpenStore(t, open, name), optsB)
	return a, b, name
}

func testTwoTabsApply(t *testing.T, open kvtest.Opener) {
	clk := newClock(base)
	a, b, _ := tabs(t, open, oplog.Options{Now: clk.Now}, oplog.Options{Now: clk.Now})
	require.Equal(t, a.Peer(), b.Peer(), "both tabs write as the database's peer")
	x := peerID(1)

	const rounds = 10
	for i := range uint64(rounds) {
		e := put(x, i, stamp(baseMs-1000+i, 0), fmt.Sprintf("k%d", i%3), fmt.Sprint(i))
		news, err := race(2, func(w int) (bool, error) {
			got, err := []*oplog.Processor{a, b}[w].Apply(ctx, e)
			return got.New, err
		})
		require.NoError(t, err, "round %d", i)
		assert.Equal(t, 1, news, "round %d: exactly one tab ingests the entry", i)
	}

	// Overlapping batches from both tabs: each entry is ingested once.
	var batch []oplog.Entry
	for i := uint64(rounds); i < rounds+20; i++ {
		batch = append(batch, put(x, i, stamp(baseMs-500+i, 0), fmt.Sprintf("k%d", i%3), fmt.Sprint(i)))
	}
	results := make([]oplog.BatchResult, 2)
	errs := make([]error, 2)
	var wg sync.WaitGroup
	for w, p := range []*oplog.Processor{a, b} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			results[w], errs[w] = p.ApplyBatch(ctx, batch)
		}()
	}
	wg.Wait()
	for w := range 2 {
		require.NoError(t, errs[w], "tab %d", w)
		assert.Equal(t, len(batch), results[w].Applied+results[w].Skipped, "tab %d", w)
	}
	assert.Equal(t, len(batch), results[0].Applied+results[1].Applied, "each entry of the batch is ingested once")

	ca, cb := cursors(t, a), cursors(t, b)
	assert.Equal(t, oplog.PeerCursors{x: rounds + 20}, ca)
	assert.Equal(t, ca, cb, "both tabs end at the same cursors")
	got := readAll(t, a, x)
	require.Len(t, got, rounds+20)
	for i, e := range got {
		assert.Equal(t, uint64(i), e.Idx)
	}
	assert.Equal(t, got, readAll(t, b, x))
	assert.Equal(t, state(t, a), state(t, b))
}

func testTwoTabsExec(t *testing.T, open kvtest.Opener) {
	// Tab b's wall clock is 10 s behind tab a's: the peer's timestamps must
	// still increase with the index, whichever tab wrote.
	clkA, clkB := newClock(base), newClock(base.Add(-10*time.Second))
	a, b, _ := tabs(t, open, oplog.Options{Now: clkA.Now}, oplog.Options{Now: clkB.Now})
	peer := a.Peer()
	require.NotEqual(t, uuid.Nil, peer)
	require.Equal(t, peer, b.Peer(), "both tabs see the same peer id")

	const execs = 20 // per tab; every other Exec writes two ops
	written := make([][]oplog.Written, 2)
	errs := make([]error, 2)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for w, p := range []*oplog.Processor{a, b} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			for i := range execs {
				ops := []oplog.Op{oplog.Put(fmt.Sprintf("tab%d/%02d", w, i), []byte{byte(w), byte(i)})}
				if i%2 == 1 {
					ops = append(ops, oplog.Put(fmt.Sprintf("tab%d/%02d+", w, i), nil))
				}
				wr, err := p.Exec(ctx, ops...)
				if err != nil {
					errs[w] = fmt.Errorf("exec %d: %w", i, err)
					return
				}
				written[w] = append(written[w], wr)
			}
		}()
	}
	close(start)
	wg.Wait()
	require.NoError(t, errs[0])
	require.NoError(t, errs[1])

	const total = 2 * (execs + execs/2)
	var all []oplog.Written
	for w := range 2 {
		all = append(all, written[w]...)
	}
	sort.Slice(all, func(i, j int) bool { return all[i].From < all[j].From })
	next := uint64(0)
	for _, wr := range all {
		assert.Equal(t, peer, wr.Peer)
		require.Equal(t, next, wr.From, "the Execs of both tabs tile the log: no index taken twice, none skipped")
		require.Greater(t, wr.To, wr.From)
		next = wr.To
	}
	assert.Equal(t, uint64(total), next)

	for _, p := range []*oplog.Processor{a, b} {
		assert.Equal(t, uint64(total), cursors(t, p).Get(peer), "the local cursor counts every op")
	}
	got := readAll(t, a, peer)
	require.Len(t, got, total)
	keys := make(map[string]bool)
	for i, e := range got {
		assert.Equal(t, uint64(i), e.Idx)
		assert.Equal(t, peer, e.Peer)
		if i > 0 {
			assert.Greater(t, e.TS, got[i-1].TS, "timestamps increase with the index (index %d)", i)
		}
		keys[e.Op.Key] = true
	}
	assert.Len(t, keys, total, "every op is readable")
	assert.Equal(t, got, readAll(t, b, peer))
	assert.Len(t, state(t, b), total)
}

// testTwoTabsCausality checks that the clock belongs to the database, not
// to a tab: a write in one tab orders after a remote entry another tab
// already ingested, and the persisted clock never goes back when a tab with
// an older clock writes last, even when another tab commits between its
// read of the clock and its commit.
func testTwoTabsCausality(t *testing.T, open kvtest.Opener) {
	clk := newClock(base)
	name := freshName(t)
	a := openProc(t, kvtest.OpenStore(t, open, name), oplog.Options{Now: clk.Now})
	hooked := &hookStore{Store: kvtest.OpenStore(t, open, name)}
	b := openProc(t, hooked, oplog.Options{Now: clk.Now})
	x := peerID(1)
	// reopenedClock is the clock a new Processor on the database starts from.
	reopenedClock := func() hlc.Timestamp {
		return openProc(t, kvtest.OpenStore(t, open, name), oplog.Options{Now: clk.Now}).Clock()
	}

	// A remote peer whose clock runs ahead writes k; tab a ingests it.
	remote := put(x, 0, stamp(baseMs+30_000, 0), "k", "remote")
	require.True(t, mustApply(t, a, remote))
	v, ok := getValue(t, b, "k")
	require.True(t, ok)
	require.Equal(t, "remote", v, "tab b sees the remote value")

	// Tab b overwrites the value it sees: its write must win.
	mustExec(t, b, oplog.Put("k", []byte("local")))
	mine := readAll(t, b, b.Peer())
	require.Len(t, mine, 1)
	assert.Greater(t, mine[0].TS, remote.TS, "a write orders after what the database had seen")
	v, ok = getValue(t, a, "k")
	assert.True(t, ok)
	assert.Equal(t, "local", v, "the later write wins")

	// Tab a ingests a later remote entry; tab b, whose clock is older, ends
	// x's log with a marker (its heads row then holds no timestamp) and so
	// writes the stored clock last.
	later := put(x, 1, stamp(baseMs+50_000, 0), "k", "later")
	require.True(t, mustApply(t, a, later))
	require.True(t, mustApply(t, b, oplog.Marker(x, 2, later.Hash())))
	assert.GreaterOrEqual(t, reopenedClock(), later.TS, "the persisted clock keeps what any tab observed")

	// Tab a commits between tab b's read of the clock and tab b's commit.
	latest := put(x, 3, stamp(baseMs+55_000, 0), "j", "latest")
	hooked.before(func() {
		mustApplyBatch(t, a, []oplog.Entry{latest, oplog.Marker(x, 4, latest.Hash())})
	})
	w := mustExec(t, b, oplog.Put("k2", nil))
	require.True(t, hooked.fired())
	assert.Equal(t, oplog.Written{Peer: b.Peer(), From: 1, To: 2}, w)
	assert.GreaterOrEqual(t, reopenedClock(), latest.TS, "a racing tab cannot write the clock back")
	again := readAll(t, a, a.Peer())
	require.Len(t, again, 2)
	assert.Greater(t, again[1].TS, latest.TS, "the write that lost the race is restamped after the winner")
}

// hookStore runs a function once, just before the next Commit reaches the
// store: a deterministic way to put another writer's commit between a
// Processor's reads and its commit.
type hookStore struct {
	kv.Store
	mu   sync.Mutex
	hook func()
	done bool
}

func (h *hookStore) before(f func()) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.hook, h.done = f, false
}

func (h *hookStore) fired() bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.done
}

func (h *hookStore) Commit(ctx context.Context, b *kv.Batch) error {
	h.mu.Lock()
	f := h.hook
	h.hook = nil
	if f != nil {
		h.done = true
	}
	h.mu.Unlock()
	if f != nil {
		f()
	}
	return h.Store.Commit(ctx, b)
}

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
	require.NoError(t, tracker.TrackOne(fresh.Peer, fresh.Idx, fresh.TS, uuid.Nil, fresh.Op, &b))
	require.NoError(t, lww.Reduce(ctx, []oplog.Entry{fresh, dup}, &b))
	require.NoError(t, tracker.TrackOne(dup.Peer, dup.Idx, dup.TS, uuid.Nil, dup.Op, &b))
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
	require.NoError(t, tracker.TrackOne(fresh.Peer, fresh.Idx, fresh.TS, uuid.Nil, fresh.Op, &b))
	require.NoError(t, lww.Reduce(ctx, []oplog.Entry{fresh}, &b))
	require.NoError(t, r.store.Commit(ctx, &b))
	assert.Equal(t, 4, countRows())
	v, ok := getValue(t, r.p, "k0")
	assert.True(t, ok)
	assert.Equal(t, "overwritten", v)
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

func testLWWTies(t *testing.T, open kvtest.Opener) {
	x, y := peerID(1), peerID(2)
	ts := stamp(baseMs-1000, 4)
	tests := []struct {
		name    string
		fromX   oplog.Entry
		fromY   oplog.Entry
		want    string
		deleted bool
	}{
		{"SameTSDeleteBeatsWrite", put(x, 0, ts, "k", "zzz"), del(y, 0, ts, "k"), "", true},
		{"SameTSGreaterValueWins", put(x, 0, ts, "k", "b"), put(y, 0, ts, "k", "ab"), "b", false},
		{"SameTSValueIsPrefix", put(x, 0, ts, "k", "a"), put(y, 0, ts, "k", "a\x00"), "a\x00", false},
		{"SameTSEmptyValueLoses", put(x, 0, ts, "k", ""), put(y, 0, ts, "k", "\x00"), "\x00", false},
		{"GreaterTSWinsOverGreaterValue", put(x, 0, ts, "k", "zzz"), put(y, 0, ts+1, "k", "a"), "a", false},
		{"GreaterTSWriteBeatsDelete", del(x, 0, ts, "k"), put(y, 0, ts+1, "k", "a"), "a", false},
		{"GreaterTSDeleteBeatsWrite", put(x, 0, ts+1<<16, "k", "z"), del(y, 0, ts+1<<16+1, "k"), "", true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			orders := map[string]func(p *oplog.Processor){
				"XThenY": func(p *oplog.Processor) { mustApply(t, p, tc.fromX); mustApply(t, p, tc.fromY) },
				"YThenX": func(p *oplog.Processor) { mustApply(t, p, tc.fromY); mustApply(t, p, tc.fromX) },
				"OneBatchXY": func(p *oplog.Processor) {
					mustApplyBatch(t, p, []oplog.Entry{tc.fromX, tc.fromY})
				},
				"OneBatchYX": func(p *oplog.Processor) {
					mustApplyBatch(t, p, []oplog.Entry{tc.fromY, tc.fromX})
				},
			}
			var states [][]oplog.Value
			for name, apply := range orders {
				r := newReplica(t, open, uuid.Nil)
				apply(r.p)
				v, ok := getValue(t, r.p, "k")
				assert.Equal(t, !tc.deleted, ok, "%s: live", name)
				assert.Equal(t, tc.want, v, "%s: value", name)
				states = append(states, state(t, r.p))
			}
			for _, s := range states[1:] {
				assert.Equal(t, states[0], s, "every order reaches the same state")
			}
		})
	}
}

func testLWWGetScan(t *testing.T, open kvtest.Opener) {
	r := newReplica(t, open, uuid.Nil)
	l := lwwOf(t, r.p)

	var ops []oplog.Op
	for i := range 40 {
		ops = append(ops, oplog.Put(fmt.Sprintf("p/t%02d", i), []byte("gone")))
	}
	ops = append(ops,
		oplog.Put("p/a", []byte("1")), oplog.Put("p/b", []byte("2")), oplog.Put("p/c", []byte{}),
		oplog.Put("q/a", []byte("3")), oplog.Put("p", []byte("4")), oplog.Put("p/b", []byte("2b")))
	for i := range 40 {
		ops = append(ops, oplog.Delete(fmt.Sprintf("p/t%02d", i)))
	}
	ops = append(ops, oplog.Put("p/z", []byte("5")), oplog.Delete("never/written"))
	w := mustExec(t, r.p, ops...)
	require.Equal(t, uint64(len(ops)), w.To)

	got, err := l.Get(ctx, "p/b")
	require.NoError(t, err)
	assert.Equal(t, "p/b", got.Key)
	assert.Equal(t, []byte("2b"), got.Value, "the later op of one Exec wins")
	assert.NotZero(t, got.TS)
	got, err = l.Get(ctx, "p/c")
	require.NoError(t, err)
	assert.NotNil(t, got.Value, "an empty value is present")
	assert.Empty(t, got.Value)
	for _, key := range []string{"p/t00", "p/t39", "never/written", "nope"} {
		_, err = l.Get(ctx, key)
		assert.ErrorIs(t, err, oplog.ErrNotFound, key)
	}
	many, err := l.GetMany(ctx, []string{"p/b", "p/t00", "nope", "p/c", "p/b"})
	require.NoError(t, err)
	require.Len(t, many, 5)
	assert.Nil(t, many[1], "a deleted key is nil")
	assert.Nil(t, many[2], "a key never written is nil")
	for _, i := range []int{0, 3, 4} {
		require.NotNil(t, many[i], "present key %d", i)
	}
	assert.Equal(t, []byte("2b"), many[0].Value)
	assert.Equal(t, "p/c", many[3].Key)
	assert.Equal(t, []byte{}, many[3].Value, "an empty value is present")
	assert.Equal(t, *many[0], *many[4], "a key asked twice reads twice")
	none, err := l.GetMany(ctx, nil)
	require.NoError(t, err)
	assert.Empty(t, none)

	keys := func(vs []oplog.Value) []string {
		out := make([]string, len(vs))
		for i, v := range vs {
			out[i] = v.Key
		}
		return out
	}
	tests := []struct {
		name   string
		prefix string
		limit  int
		want   []string
	}{
		{"All", "", 0, []string{"p", "p/a", "p/b", "p/c", "p/z", "q/a"}},
		{"Prefix", "p/", 0, []string{"p/a", "p/b", "p/c", "p/z"}},
		{"PrefixLimit", "p/", 2, []string{"p/a", "p/b"}},
		{"LimitPastTombstones", "p/t", 1, nil},
		{"LimitAcrossTombstones", "p/", 4, []string{"p/a", "p/b", "p/c", "p/z"}},
		{"LimitAboveCount", "", 100, []string{"p", "p/a", "p/b", "p/c", "p/z", "q/a"}},
		{"AllLimit1", "", 1, []string{"p"}},
		{"NoMatch", "r", 0, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			vs, err := l.Scan(ctx, tc.prefix, tc.limit)
			require.NoError(t, err)
			if tc.want == nil {
				assert.Empty(t, vs)
				return
			}
			assert.Equal(t, tc.want, keys(vs))
		})
	}

	// A scan with a limit that must walk past more tombstones than its
	// page: 40 deleted keys sort before p/z here.
	vs, err := l.Scan(ctx, "p/t", 0)
	require.NoError(t, err)
	assert.Empty(t, vs, "deleted keys are skipped")
	mustExec(t, r.p, oplog.Put("p/u", []byte("after")))
	vs, err = l.Scan(ctx, "p/", 5)
	require.NoError(t, err)
	assert.Equal(t, []string{"p/a", "p/b", "p/c", "p/u", "p/z"}, keys(vs))
	vs, err = l.Scan(ctx, "p/t", 1)
	require.NoError(t, err)
	assert.Empty(t, vs)

	ranges := []struct {
		name, prefix, start string
		limit               int
		want                []string
	}{
		{"StartInsidePrefix", "p/", "p/b", 0, []string{"p/b", "p/c", "p/u", "p/z"}},
		{"StartAfterLastSeen", "p/", "p/b\x00", 2, []string{"p/c", "p/u"}},
		{"StartBeforePrefix", "p/", "a", 1, []string{"p/a"}},
		{"StartPastPrefix", "p/", "q", 0, nil},
		{"NoPrefix", "", "p/z", 0, []string{"p/z", "q/a"}},
	}
	for _, tc := range ranges {
		t.Run("Range"+tc.name, func(t *testing.T) {
			vs, err := l.Range(ctx, tc.prefix, tc.start, tc.limit)
			require.NoError(t, err)
			if tc.want == nil {
				assert.Empty(t, vs)
				return
			}
			assert.Equal(t, tc.want, keys(vs))
		})
	}
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

// testConvergence runs replicas that write random ops with wandering
// clocks and exchange entries in random pairs, orders and batch sizes,
// with redeliveries; after a full sync all of them hold the same log and
// the state the LWW rules give for it.
func testConvergence(t *testing.T, open kvtest.Opener) {
	for seed := uint64(1); seed <= 3; seed++ {
		t.Run(fmt.Sprint("Seed", seed), func(t *testing.T) { converge(t, open, seed) })
	}
}

func converge(t *testing.T, open kvtest.Opener, seed uint64) {
	const replicas, rounds = 4, 30
	rng := rand.New(rand.NewPCG(seed, 0x5eed))
	rs := make([]*replica, replicas)
	for i := range rs {
		rs[i] = newReplica(t, open, peerID(100+i))
	}
	keys := []string{"k0", "k1", "k2", "k3", "k4", "k5"}
	values := []string{"", "a", "b", "ab", "\x00"}
	steps := []time.Duration{0, 0, time.Millisecond, 3 * time.Millisecond, -2 * time.Millisecond, 250 * time.Millisecond, -time.Second}

	for round := range rounds {
		for _, r := range rs {
			r.clock.Add(steps[rng.IntN(len(steps))])
			if rng.IntN(4) == 0 {
				continue
			}
			ops := make([]oplog.Op, 1+rng.IntN(3))
			for i := range ops {
				key := keys[rng.IntN(len(keys))]
				if rng.IntN(4) == 0 {
					ops[i] = oplog.Delete(key)
				} else {
					ops[i] = oplog.Put(key, []byte(values[rng.IntN(len(values))]))
				}
			}
			mustExec(t, r.p, ops...)
		}
		for range 1 + rng.IntN(3) {
			src, dst := rs[rng.IntN(replicas)], rs[rng.IntN(replicas)]
			if src != dst {
				pull(t, rng, src, dst, round)
			}
		}
	}

	// Full sync: every replica pulls everything from every other until
	// nothing moves.
	for pass := 0; ; pass++ {
		require.Less(t, pass, 4, "a full sync settles")
		moved := false
		for _, dst := range rs {
			for _, src := range rs {
				if src != dst && pullAll(t, src, dst) {
					moved = true
				}
			}
		}
		if !moved {
			break
		}
	}

	want := cursors(t, rs[0].p)
	require.Len(t, want, replicas)
	var log []oplog.Entry
	for i := range replicas {
		log = append(log, readAll(t, rs[0].p, peerID(100+i))...)
	}
	wantState := lwwModel(log)
	for i, r := range rs {
		assert.Equal(t, want, cursors(t, r.p), "replica %d: cursors", i)
		assert.Equal(t, wantState, state(t, r.p), "replica %d: state is what the LWW rules give", i)
		for j := range replicas {
			peer := peerID(100 + j)
			es := readAll(t, r.p, peer)
			assert.Equal(t, readAll(t, rs[0].p, peer), es, "replica %d: log of peer %d", i, j)
			for k := 1; k < len(es); k++ {
				assert.Greater(t, es[k].TS, es[k-1].TS, "replica %d: peer %d's timestamps increase", i, j)
			}
		}
	}
}

// pull moves some of what dst lacks from src: ranges read with random
// limits, sometimes starting before dst's cursor (redelivery), interleaved
// across peers at random, cut into random batches, each through the wire
// encoding; a batch is sometimes delivered twice.
func pull(t *testing.T, rng *rand.Rand, src, dst *replica, round int) {
	t.Helper()
	before := cursors(t, dst.p)
	var streams [][]oplog.Entry
	for _, m := range before.Missing(cursors(t, src.p)) {
		from := m.From
		if rng.IntN(3) == 0 {
			from -= min(from, uint64(rng.IntN(4)))
		}
		es, err := src.p.ReadSince(ctx, m.Peer, from, 1+rng.IntN(12))
		require.NoError(t, err)
		require.NotEmpty(t, es)
		require.Equal(t, from, es[0].Idx)
		streams = append(streams, es)
	}
	var merged []oplog.Entry
	for len(streams) > 0 {
		i := rng.IntN(len(streams))
		merged = append(merged, streams[i][0])
		if streams[i] = streams[i][1:]; len(streams[i]) == 0 {
			streams = slices.Delete(streams, i, i+1)
		}
	}
	for len(merged) > 0 {
		n := min(len(merged), 1+rng.IntN(8))
		wire := oplog.EncodeBatch(merged[:n])
		batch, err := oplog.DecodeBatch(wire)
		require.NoError(t, err)
		require.Equal(t, canon(merged[:n]), canon(batch), "the wire keeps entries intact")
		mustApplyBatch(t, dst.p, batch)
		if rng.IntN(5) == 0 {
			res := mustApplyBatch(t, dst.p, batch)
			assert.Equal(t, oplog.BatchResult{Skipped: n}, res, "round %d: a redelivered batch is skipped", round)
		}
		merged = merged[n:]
	}
	after := cursors(t, dst.p)
	require.NotEqual(t, oplog.Behind, after.Compare(before), "round %d: cursors never go back", round)
}

// pullAll moves everything dst lacks from src and reports whether it moved anything.
func pullAll(t *testing.T, src, dst *replica) bool {
	t.Helper()
	missing := cursors(t, dst.p).Missing(cursors(t, src.p))
	for _, m := range missing {
		es, err := src.p.ReadSince(ctx, m.Peer, m.From, 0)
		require.NoError(t, err)
		require.Len(t, es, int(m.Len()))
		batch, err := oplog.DecodeBatch(oplog.EncodeBatch(es))
		require.NoError(t, err)
		res := mustApplyBatch(t, dst.p, batch)
		require.Equal(t, len(es), res.Applied)
	}
	return len(missing) > 0
}

// lwwModel is the state the LWW rules give for a log: per key the greatest
// timestamp, a delete on a tie, then the greatest value.
func lwwModel(log []oplog.Entry) []oplog.Value {
	type win struct {
		ts      hlc.Timestamp
		deleted bool
		value   []byte
	}
	beats := func(a, b win) bool {
		switch {
		case a.ts != b.ts:
			return a.ts > b.ts
		case a.deleted != b.deleted:
			return a.deleted
		}
		return bytes.Compare(a.value, b.value) > 0
	}
	winners := make(map[string]win)
	for _, e := range log {
		if e.Expunged() {
			continue
		}
		w := win{ts: e.TS, deleted: e.Op.Tag == oplog.TagDelete, value: e.Op.Value}
		if cur, ok := winners[e.Op.Key]; !ok || beats(w, cur) {
			winners[e.Op.Key] = w
		}
	}
	var out []oplog.Value
	for key, w := range winners {
		if !w.deleted {
			out = append(out, oplog.Value{Key: key, Value: append([]byte{}, w.value...), TS: w.ts})
		}
	}
	slices.SortFunc(out, func(a, b oplog.Value) int { return bytes.Compare([]byte(a.Key), []byte(b.Key)) })
	return out
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
		require.NoError(t, trackers["left"].TrackOne(x, i, stamp(baseMs, uint16(i)), uuid.Nil, oplog.Put("k", nil), &b))
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
	require.NoError(t, trackers["right"].TrackOne(x, 0, stamp(baseMs, 9), uuid.Nil, oplog.Delete("k"), &b))
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
	require.NoError(t, tr.TrackOne(x, last, maxTS, user, oplog.Put("k", []byte{0, 0xff}), &b))
	require.NoError(t, s.Commit(ctx, &b))
	es, err := tr.ReadEntries(ctx, x, last, 0)
	require.NoError(t, err)
	require.Len(t, es, 1)
	assert.Equal(t, oplog.Entry{Peer: x, Idx: last, TS: maxTS, User: user, Op: oplog.Put("k", []byte{0, 0xff})}, es[0])
	c, err := tr.AllCursors(ctx)
	require.NoError(t, err)
	assert.Equal(t, uint64(math.MaxUint64), c.Get(x))

	b = kv.Batch{}
	err = tr.TrackOne(x, math.MaxUint64, maxTS, uuid.Nil, oplog.Put("k", nil), &b)
	assert.ErrorIs(t, err, oplog.ErrInvalidEntry, "no next index after 2^64-1")
	assert.Zero(t, b.Len(), "nothing enqueued")
}
