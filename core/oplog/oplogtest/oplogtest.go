// Package oplogtest is the conformance suite of the op log: the Processor,
// the IndexTracker and the LWW reducer over any kv.Store. The same code runs
// natively on memkv and in headless Chromium on IndexedDB, so it touches no
// file, never sleeps to wait for something, reads wall time only from fake
// clocks (Options.Now), and moves volume through ApplyBatch in big batches.
package oplogtest

import (
	"context"
	"errors"
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
		{"ExpungeTravels", testExpungeTravels},
		{"ExpungePendingAcrossTabs", testExpungePendingAcrossTabs},
		{"ExpungeSalted", testExpungeSalted},
		{"ForkAgainstMarker", testForkAgainstMarker},
		{"OlderBuildEntries", testOlderBuildEntries},
		{"ReadBatch", testReadBatch},
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
