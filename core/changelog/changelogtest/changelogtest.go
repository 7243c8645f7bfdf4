// Package changelogtest is the conformance suite of the durable change log
// (changelog.Durable) over any kv.Store. The same code runs natively on
// memkv and in headless Chromium on IndexedDB, so it touches no file, never
// sleeps to wait for something, reads wall time only from a fake clock
// (DurableOptions.Now), drives the heartbeat loop only through a timer it
// controls (DurableOptions.After), and keeps the number of store calls
// moderate. Every subtest works on databases no earlier run used.
package changelogtest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"sort"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/idbsync/idbsync/core/changelog"
	"github.com/idbsync/idbsync/core/hlc/hlctest"
	"github.com/idbsync/idbsync/core/kv"
	"github.com/idbsync/idbsync/core/kv/kvtest"
)

// Run runs the whole suite against the stores open makes. open must return
// a store holding the same data when it is given a name again (a reopen, or
// a second tab while the first handle is still open); the suite creates the
// tables it needs through changelog.OpenDurable.
func Run(t *testing.T, open kvtest.Opener) {
	tests := []struct {
		name string
		fn   func(t *testing.T, open kvtest.Opener)
	}{
		{"RecordScanRemove", testRecordScanRemove},
		{"CleanupAfter", testCleanupAfter},
		{"Fence", testFence},
		{"Prefix", testPrefix},
		{"Reopen", testReopen},
		{"TwoLive", testTwoLive},
		{"Paused", testPaused},
		{"RacingClaim", testRacingClaim},
		{"RacingClaimDead", testRacingClaimDead},
		{"ClaimInterleavings", testClaimInterleavings},
		{"ConcurrentWritesAndBeats", testConcurrentWritesAndBeats},
		{"LockHeld", testLockHeld},
		{"Close", testClose},
		{"Start", testStart},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) { tc.fn(t, open) })
	}
}

var ctx = context.Background()

// base is the fake wall time every test starts from.
var base = time.UnixMilli(1_700_000_000_000).UTC()

// interval is the heartbeat interval of every log under test; expiry is
// the default, three intervals.
const (
	interval = 10 * time.Second
	expiry   = 3 * interval
)

// changesTable and instancesTable are the tables of the default prefix.
const (
	changesTable   = changelog.DefaultPrefix + "/changes"
	instancesTable = changelog.DefaultPrefix + "/instances"
)

// fakeClock is the settable wall clock of every test.
type fakeClock = hlctest.Wall

func newClock(now time.Time) *fakeClock { return hlctest.NewWall(now) }

// freshName is a store name no earlier run used.
func freshName(t testing.TB) string { return kvtest.FreshName(t, "changelogtest") }

// neverAfter is a heartbeat timer that never fires, for logs whose loop a
// test starts by mistake.
func neverAfter(time.Duration) <-chan time.Time { return nil }

// env is one database under test, shared by every instance a test opens,
// with one fake wall clock.
type env struct {
	open  kvtest.Opener
	name  string
	clock *fakeClock
}

func newEnv(t testing.TB, open kvtest.Opener) *env {
	return &env{open: open, name: freshName(t), clock: newClock(base)}
}

// handle opens another handle on the database (another tab).
func (e *env) handle(t testing.TB) kv.Store { return kvtest.OpenStore(t, e.open, e.name) }

// opts are the options of a log on the env's clock.
func (e *env) opts() changelog.DurableOptions {
	return changelog.DurableOptions{Now: e.clock.Now, Interval: interval, After: neverAfter}
}

// openLog opens a new instance on s, closed when the test ends.
func openLog(t testing.TB, s kv.Store, opts changelog.DurableOptions) *changelog.Durable {
	t.Helper()
	d, err := changelog.OpenDurable(ctx, s, opts)
	require.NoError(t, err)
	t.Cleanup(func() { _ = d.Close() })
	return d
}

// instance opens a new instance on a handle of its own.
func (e *env) instance(t testing.TB) *changelog.Durable {
	t.Helper()
	return openLog(t, e.handle(t), e.opts())
}

func newID(t testing.TB) changelog.ID {
	t.Helper()
	id, err := changelog.NewID()
	require.NoError(t, err)
	return id
}

func newRev(t testing.TB) changelog.Revision {
	t.Helper()
	r, err := changelog.NewRevision()
	require.NoError(t, err)
	return r
}

// record records n changes due at once and returns their entries.
func record(t testing.TB, d *changelog.Durable, n int) []changelog.Entry {
	t.Helper()
	out := make([]changelog.Entry, n)
	for i := range out {
		e := changelog.Entry{ID: newID(t), Change: changelog.Change{
			Object: fmt.Sprintf("obj-%d", i), New: newRev(t), Old: newRev(t),
		}}
		require.NoError(t, d.Record(ctx, e.ID, e.Change))
		out[i] = e
	}
	return out
}

// norm makes entries comparable with ==: times to the millisecond, in UTC.
func norm(es []changelog.Entry) []changelog.Entry {
	out := make([]changelog.Entry, len(es))
	for i, e := range es {
		if !e.Change.CleanupAfter.IsZero() {
			e.Change.CleanupAfter = time.UnixMilli(e.Change.CleanupAfter.UnixMilli()).UTC()
		}
		out[i] = e
	}
	sort.Slice(out, func(i, j int) bool { return bytes.Compare(out[i].ID[:], out[j].ID[:]) < 0 })
	return out
}

func scan(t testing.TB, d *changelog.Durable) []changelog.Entry {
	t.Helper()
	es, err := d.Scan(ctx)
	require.NoError(t, err)
	return norm(es)
}

// requireEntries checks that d's Scan holds exactly want.
func requireEntries(t testing.TB, d *changelog.Durable, want []changelog.Entry, msgAndArgs ...any) {
	t.Helper()
	require.Equal(t, norm(want), scan(t, d), msgAndArgs...)
}

// rawCount is the number of change rows keyed under instance, whatever
// their CleanupAfter.
func rawCount(t testing.TB, s kv.Store, instance uuid.UUID) int {
	t.Helper()
	rows, err := s.Scan(ctx, changesTable, kv.Prefix(instance[:]))
	require.NoError(t, err)
	return len(rows)
}

func instances(t testing.TB, d *changelog.Durable) map[uuid.UUID]changelog.Instance {
	t.Helper()
	ins, err := d.Instances(ctx)
	require.NoError(t, err)
	out := make(map[uuid.UUID]changelog.Instance, len(ins))
	for _, in := range ins {
		_, dup := out[in.ID]
		require.False(t, dup, "instance %s listed twice", in.ID)
		out[in.ID] = in
	}
	require.NotContains(t, out, d.Instance(), "Instances lists the caller")
	return out
}

func view(t testing.TB, d *changelog.Durable, of uuid.UUID) changelog.Instance {
	t.Helper()
	in, ok := instances(t, d)[of]
	require.True(t, ok, "instance %s not listed", of)
	return in
}

func testRecordScanRemove(t *testing.T, open kvtest.Opener) {
	e := newEnv(t, open)
	d := e.instance(t)
	assert.Empty(t, scan(t, d), "a new instance has no entries")

	now := e.clock.Now()
	cases := []struct {
		name string
		c    changelog.Change
	}{
		{"NewAndOld", changelog.Change{Object: "a", New: newRev(t), Old: newRev(t)}},
		{"NewOnly", changelog.Change{Object: "b/with/slashes", New: newRev(t)}},
		{"OldOnly", changelog.Change{Object: "c", Old: newRev(t)}},
		{"Neither", changelog.Change{Object: ""}},
		{"CleanupPassed", changelog.Change{Object: "d", New: newRev(t), CleanupAfter: now.Add(-time.Hour - 1234567)}},
		{"CleanupNow", changelog.Change{Object: "e", New: newRev(t), CleanupAfter: now}},
		{"Unicode", changelog.Change{Object: "ünï\x00cødé", New: newRev(t), Old: newRev(t)}},
	}
	var want []changelog.Entry
	for _, tc := range cases {
		id := newID(t)
		require.NoError(t, d.Record(ctx, id, tc.c), tc.name)
		want = append(want, changelog.Entry{ID: id, Change: tc.c})
	}
	got := scan(t, d)
	require.Len(t, got, len(cases))
	byID := make(map[changelog.ID]changelog.Change)
	for _, g := range got {
		byID[g.ID] = g.Change
	}
	for i, tc := range cases {
		g, ok := byID[want[i].ID]
		require.True(t, ok, tc.name)
		assert.Equal(t, tc.c.Object, g.Object, tc.name)
		assert.Equal(t, tc.c.New, g.New, tc.name)
		assert.Equal(t, tc.c.Old, g.Old, tc.name)
		assert.Equal(t, tc.c.New.IsZero(), g.New.IsZero(), tc.name)
		assert.Equal(t, tc.c.Old.IsZero(), g.Old.IsZero(), tc.name)
		if tc.c.CleanupAfter.IsZero() {
			assert.True(t, g.CleanupAfter.IsZero(), "%s: zero CleanupAfter stays zero", tc.name)
		} else {
			assert.Equal(t, tc.c.CleanupAfter.UnixMilli(), g.CleanupAfter.UnixMilli(), "%s: to the millisecond", tc.name)
		}
	}

	// Recording an id twice replaces the change.
	replaced := changelog.Change{Object: "replaced", Old: newRev(t)}
	require.NoError(t, d.Record(ctx, want[0].ID, replaced))
	want[0].Change = replaced
	requireEntries(t, d, want, "a second Record of an id replaces it")

	// Remove, including of ids that are not there.
	require.NoError(t, d.Remove(ctx, want[1].ID))
	require.NoError(t, d.Remove(ctx, want[1].ID), "removing twice is not an error")
	require.NoError(t, d.Remove(ctx, newID(t)), "removing a missing id is not an error")
	want = append(want[:1], want[2:]...)
	requireEntries(t, d, want)
	for _, w := range want {
		require.NoError(t, d.Remove(ctx, w.ID))
	}
	assert.Empty(t, scan(t, d))
	assert.Zero(t, rawCount(t, e.handle(t), d.Instance()))
}

func testCleanupAfter(t *testing.T, open kvtest.Opener) {
	e := newEnv(t, open)
	d := e.instance(t)
	due := changelog.Entry{ID: newID(t), Change: changelog.Change{Object: "due", New: newRev(t)}}
	// Sub-millisecond digits are dropped: it is due from base+5007ms on.
	later := changelog.Entry{ID: newID(t), Change: changelog.Change{
		Object: "later", New: newRev(t), Old: newRev(t),
		CleanupAfter: base.Add(5*time.Second + 7*time.Millisecond + 123456),
	}}
	for _, en := range []changelog.Entry{due, later} {
		require.NoError(t, d.Record(ctx, en.ID, en.Change))
	}
	steps := []struct {
		advance time.Duration
		want    []changelog.Entry
	}{
		{0, []changelog.Entry{due}},
		{5 * time.Second, []changelog.Entry{due}},
		{6 * time.Millisecond, []changelog.Entry{due}},
		{time.Millisecond, []changelog.Entry{due, later}}, // CleanupAfter == now is due
		{time.Hour, []changelog.Entry{due, later}},
	}
	for i, st := range steps {
		e.clock.Add(st.advance)
		requireEntries(t, d, st.want, "step %d, now %v", i, e.clock.Now())
	}
	got := scan(t, d)
	for _, g := range got {
		if g.ID == later.ID {
			assert.True(t, g.Change.CleanupAfter.Equal(base.Add(5007*time.Millisecond)), "got %v", g.Change.CleanupAfter)
		}
	}
	// Back before its time, the entry is stored but not scanned.
	e.clock.Add(-2 * time.Hour)
	requireEntries(t, d, []changelog.Entry{due})
	require.NoError(t, d.Remove(ctx, due.ID))
	assert.Empty(t, scan(t, d))
	assert.Equal(t, 1, rawCount(t, e.handle(t), d.Instance()), "a future entry is stored, not scanned")
}

func testFence(t *testing.T, open kvtest.Opener) {
	e := newEnv(t, open)
	s := e.handle(t)
	d := openLog(t, s, e.opts())
	var b kv.Batch
	b.Put(changesTable, []byte("fenced-live"), []byte("v"))
	d.Fence(&b)
	require.NoError(t, s.Commit(ctx, &b), "the fence of a live instance holds")
	v, err := s.Get(ctx, changesTable, []byte("fenced-live"))
	require.NoError(t, err)
	assert.Equal(t, []byte("v"), v)

	require.NoError(t, d.Heartbeat(ctx))
	b = kv.Batch{}
	b.Put(changesTable, []byte("fenced-after-beat"), []byte("v"))
	d.Fence(&b)
	require.NoError(t, s.Commit(ctx, &b), "a fence taken after a heartbeat holds")
}

func testPrefix(t *testing.T, open kvtest.Opener) {
	e := newEnv(t, open)
	s := e.handle(t)
	optsA, optsB := e.opts(), e.opts()
	optsA.Prefix, optsB.Prefix = "pa", "pb"
	a, b := openLog(t, s, optsA), openLog(t, s, optsB)
	a2 := openLog(t, s, optsA)
	ea := record(t, a, 1)
	requireEntries(t, a, ea)
	assert.Empty(t, scan(t, b), "another prefix is another log")
	assert.Empty(t, instances(t, b), "instances of another prefix are not listed")
	assert.Contains(t, instances(t, a2), a.Instance())
	rows, err := s.Scan(ctx, "pa/changes", kv.Range{})
	require.NoError(t, err)
	assert.Len(t, rows, 1)
}

func testReopen(t *testing.T, open kvtest.Opener) {
	for _, closeFirst := range []bool{false, true} {
		name := "Crash"
		if closeFirst {
			name = "CloseWithEntries"
		}
		t.Run(name, func(t *testing.T) {
			e := newEnv(t, open)
			s1 := e.open(t, e.name)
			old, err := changelog.OpenDurable(ctx, s1, e.opts())
			require.NoError(t, err)
			want := record(t, old, 3)
			gone := record(t, old, 1)
			require.NoError(t, old.Remove(ctx, gone[0].ID))
			if closeFirst {
				require.NoError(t, old.Close(), "Close with entries keeps the row")
			}
			require.NoError(t, s1.Close())

			s2 := e.handle(t)
			d := openLog(t, s2, e.opts())
			assert.Empty(t, scan(t, d), "another instance's entries are not scanned")
			assert.Equal(t, 3, rawCount(t, s2, old.Instance()), "entries survive the reopen")
			in := view(t, d, old.Instance())
			assert.False(t, in.Dead, "not dead before expiry")
			assert.Equal(t, uint64(1), in.Epoch)
			assert.True(t, in.Heartbeat.Equal(base), "heartbeat %v", in.Heartbeat)
			assert.Equal(t, uuid.Nil, in.ClaimedBy)
			_, err = d.Claim(ctx, old.Instance())
			require.ErrorIs(t, err, changelog.ErrAlive)
			n, err := d.ClaimDead(ctx)
			require.NoError(t, err)
			assert.Zero(t, n)

			e.clock.Add(expiry) // exactly the expiry: still alive
			assert.False(t, view(t, d, old.Instance()).Dead)
			e.clock.Add(time.Millisecond)
			require.NoError(t, d.Heartbeat(ctx))
			assert.True(t, view(t, d, old.Instance()).Dead)
			n, err = d.ClaimDead(ctx)
			require.NoError(t, err)
			assert.Equal(t, 3, n)
			requireEntries(t, d, want)
			assert.Zero(t, rawCount(t, s2, old.Instance()), "the old range is empty")
			in = view(t, d, old.Instance())
			assert.Equal(t, d.Instance(), in.ClaimedBy)
			assert.Equal(t, uint64(2), in.Epoch)

			n, err = d.ClaimDead(ctx)
			require.NoError(t, err)
			assert.Zero(t, n, "a claimed instance is not claimed again")
			_, err = d.Claim(ctx, old.Instance())
			require.ErrorIs(t, err, kv.ErrConflict)
			requireEntries(t, d, want)

			// The claimed entries are the claimer's own now.
			for _, w := range want {
				require.NoError(t, d.Remove(ctx, w.ID))
			}
			assert.Empty(t, scan(t, d))
		})
	}
}

func testTwoLive(t *testing.T, open kvtest.Opener) {
	e := newEnv(t, open)
	a, b := e.instance(t), e.instance(t)
	ea, eb := record(t, a, 2), record(t, b, 1)
	requireEntries(t, a, ea, "each instance scans its own entries")
	requireEntries(t, b, eb)

	for i := range 3 {
		e.clock.Add(interval)
		require.NoError(t, a.Heartbeat(ctx))
		require.NoError(t, b.Heartbeat(ctx))
		ib := view(t, a, b.Instance())
		assert.False(t, ib.Dead, "beat %d", i)
		assert.True(t, ib.Heartbeat.Equal(e.clock.Now()), "beat %d: %v", i, ib.Heartbeat)
		assert.Equal(t, uint64(1), ib.Epoch)
		assert.Equal(t, uuid.Nil, ib.ClaimedBy)
		assert.False(t, view(t, b, a.Instance()).Dead)
	}
	e.clock.Add(expiry - time.Millisecond)
	_, err := a.Claim(ctx, b.Instance())
	require.ErrorIs(t, err, changelog.ErrAlive)
	n, err := a.ClaimDead(ctx)
	require.NoError(t, err)
	assert.Zero(t, n)
	n, err = b.ClaimDead(ctx)
	require.NoError(t, err)
	assert.Zero(t, n)
	_, err = a.Claim(ctx, uuid.New())
	require.Error(t, err, "claiming an unknown instance fails")
	_, err = a.Claim(ctx, a.Instance())
	require.Error(t, err, "an instance does not claim itself")

	requireEntries(t, a, ea)
	requireEntries(t, b, eb)
	require.NoError(t, b.Record(ctx, newID(t), changelog.Change{Object: "still writes"}))
	require.NoError(t, a.Heartbeat(ctx))
}

func testPaused(t *testing.T, open kvtest.Opener) {
	e := newEnv(t, open)
	sp := e.handle(t)
	p := openLog(t, sp, e.opts())
	r := e.instance(t)
	before := record(t, p, 2)

	e.clock.Add(3*interval + time.Millisecond)
	require.NoError(t, r.Heartbeat(ctx))
	assert.True(t, view(t, r, p.Instance()).Dead)
	assert.False(t, view(t, p, r.Instance()).Dead)
	n, err := r.Claim(ctx, p.Instance())
	require.NoError(t, err)
	assert.Equal(t, 2, n)

	// The paused instance wakes up.
	err = p.Record(ctx, newID(t), changelog.Change{Object: "after claim", New: newRev(t)})
	require.ErrorIs(t, err, changelog.ErrFenced)
	require.ErrorIs(t, p.Remove(ctx, before[0].ID), changelog.ErrFenced)
	require.ErrorIs(t, p.Heartbeat(ctx), changelog.ErrFenced)
	require.ErrorIs(t, p.Record(ctx, before[1].ID, changelog.Change{Object: "overwrite"}), changelog.ErrFenced)

	var b kv.Batch
	b.Put(changesTable, []byte("fenced-write"), []byte("v"))
	p.Fence(&b)
	require.ErrorIs(t, sp.Commit(ctx, &b), kv.ErrConflict)
	_, err = sp.Get(ctx, changesTable, []byte("fenced-write"))
	require.ErrorIs(t, err, kv.ErrNotFound, "a fenced batch writes nothing")

	requireEntries(t, r, before, "only the entries from before the claim")
	assert.Empty(t, scan(t, p))
	assert.Zero(t, rawCount(t, sp, p.Instance()))
	in := view(t, r, p.Instance())
	assert.Equal(t, r.Instance(), in.ClaimedBy)
	assert.Equal(t, uint64(2), in.Epoch)
	assert.True(t, in.Heartbeat.Equal(base), "the claim keeps the heartbeat, the fenced beat wrote nothing")

	// Closing the fenced instance neither fails nor removes the claimed row.
	require.NoError(t, p.Close())
	assert.Contains(t, instances(t, r), p.Instance())
}

// deadWithEntries opens an instance, records n entries and lets it expire;
// the returned recoverers beat after the expiry, so they are alive.
func deadWithEntries(t *testing.T, e *env, n, recoverers int) (*changelog.Durable, []changelog.Entry, []*changelog.Durable) {
	t.Helper()
	x := e.instance(t)
	es := record(t, x, n)
	rs := make([]*changelog.Durable, recoverers)
	for i := range rs {
		rs[i] = e.instance(t)
	}
	e.clock.Add(expiry + time.Second)
	for _, r := range rs {
		require.NoError(t, r.Heartbeat(ctx))
	}
	return x, es, rs
}

// requireSplit checks that the entries of rs together are want, each once.
func requireSplit(t *testing.T, want []changelog.Entry, rs ...*changelog.Durable) {
	t.Helper()
	var all []changelog.Entry
	for _, r := range rs {
		all = append(all, scan(t, r)...)
	}
	require.Equal(t, norm(want), norm(all), "no entry lost or duplicated")
}

func testRacingClaim(t *testing.T, open kvtest.Opener) {
	const rounds, entries = 3, 8
	for round := range rounds {
		e := newEnv(t, open)
		x, want, rs := deadWithEntries(t, e, entries, 2)
		var (
			wg   sync.WaitGroup
			ns   [2]int
			errs [2]error
		)
		start := make(chan struct{})
		for i, r := range rs {
			wg.Go(func() {
				<-start
				ns[i], errs[i] = r.Claim(ctx, x.Instance())
			})
		}
		close(start)
		wg.Wait()
		winner := -1
		for i := range rs {
			if errs[i] == nil {
				require.Equal(t, -1, winner, "round %d: both claims succeeded (%d and %d entries)", round, ns[0], ns[1])
				winner = i
				assert.Equal(t, entries, ns[i], "round %d: the winner takes every entry", round)
			} else {
				require.ErrorIs(t, errs[i], kv.ErrConflict, "round %d", round)
			}
		}
		require.NotEqual(t, -1, winner, "round %d: no claim succeeded: %v", round, errs)
		requireEntries(t, rs[winner], want)
		assert.Empty(t, scan(t, rs[1-winner]))
		requireSplit(t, want, rs...)
		assert.Equal(t, rs[winner].Instance(), view(t, rs[1-winner], x.Instance()).ClaimedBy)
		assert.Zero(t, rawCount(t, e.handle(t), x.Instance()))
	}
}

func testRacingClaimDead(t *testing.T, open kvtest.Opener) {
	e := newEnv(t, open)
	const dead, per = 3, 3
	var want []changelog.Entry
	for range dead {
		x := e.instance(t)
		want = append(want, record(t, x, per)...)
	}
	a, b := e.instance(t), e.instance(t)
	own := record(t, a, 1) // a live recoverer's own entries stay its own
	e.clock.Add(expiry + time.Second)
	require.NoError(t, a.Heartbeat(ctx))
	require.NoError(t, b.Heartbeat(ctx))

	var (
		wg   sync.WaitGroup
		ns   [2]int
		errs [2]error
	)
	start := make(chan struct{})
	for i, r := range []*changelog.Durable{a, b} {
		wg.Go(func() {
			<-start
			ns[i], errs[i] = r.ClaimDead(ctx)
		})
	}
	close(start)
	wg.Wait()
	require.NoError(t, errs[0])
	require.NoError(t, errs[1])
	assert.Equal(t, dead*per, ns[0]+ns[1], "took %d and %d", ns[0], ns[1])
	requireSplit(t, append(want, own...), a, b)
	assert.Len(t, scan(t, a), ns[0]+len(own))
	assert.Len(t, scan(t, b), ns[1])
	for id, in := range instances(t, a) {
		if id != b.Instance() {
			assert.Contains(t, []uuid.UUID{a.Instance(), b.Instance()}, in.ClaimedBy, "instance %s", id)
		}
	}
}

// hookStore runs one-shot hooks around calls of the store it wraps, to
// force an interleaving of two instances: beforeGet before the first Get
// of an instance row, afterScan after the first Scan of the changes.
type hookStore struct {
	kv.Store
	mu        sync.Mutex
	beforeGet func()
	afterScan func()
}

func (h *hookStore) take(f *func()) func() {
	h.mu.Lock()
	defer h.mu.Unlock()
	fn := *f
	*f = nil
	return fn
}

func (h *hookStore) Get(ctx context.Context, table string, key []byte) ([]byte, error) {
	if table == instancesTable {
		if fn := h.take(&h.beforeGet); fn != nil {
			fn()
		}
	}
	return h.Store.Get(ctx, table, key)
}

func (h *hookStore) Scan(ctx context.Context, table string, r kv.Range) ([]kv.Pair, error) {
	rows, err := h.Store.Scan(ctx, table, r)
	if table == changesTable {
		if fn := h.take(&h.afterScan); fn != nil {
			fn()
		}
	}
	return rows, err
}

// testClaimInterleavings forces what another instance does between the
// reads of a Claim and its commit.
func testClaimInterleavings(t *testing.T, open kvtest.Opener) {
	type world struct {
		e    *env
		x, b *changelog.Durable // the dead instance, another recoverer
		want []changelog.Entry
	}
	cases := []struct {
		name string
		// hook installs what happens in between on h, the claimer's store.
		hook func(t *testing.T, w *world, h *hookStore)
		// check checks the claim's outcome.
		check func(t *testing.T, w *world, a *changelog.Durable, n int, err error)
	}{
		{
			name: "ClaimedBeforeRead",
			hook: func(t *testing.T, w *world, h *hookStore) {
				h.beforeGet = func() {
					n, err := w.b.Claim(ctx, w.x.Instance())
					assert.NoError(t, err)
					assert.Equal(t, len(w.want), n)
				}
			},
			check: func(t *testing.T, w *world, a *changelog.Durable, n int, err error) {
				require.ErrorIs(t, err, kv.ErrConflict, "took %d", n)
				requireEntries(t, w.b, w.want)
				assert.Empty(t, scan(t, a))
				assert.Equal(t, w.b.Instance(), view(t, a, w.x.Instance()).ClaimedBy)
			},
		},
		{
			name: "ClaimedBeforeCommit",
			hook: func(t *testing.T, w *world, h *hookStore) {
				h.afterScan = func() {
					n, err := w.b.Claim(ctx, w.x.Instance())
					assert.NoError(t, err)
					assert.Equal(t, len(w.want), n)
				}
			},
			check: func(t *testing.T, w *world, a *changelog.Durable, n int, err error) {
				require.ErrorIs(t, err, kv.ErrConflict, "took %d", n)
				requireEntries(t, w.b, w.want)
				assert.Empty(t, scan(t, a))
			},
		},
		{
			name: "BeatBeforeRead",
			hook: func(t *testing.T, w *world, h *hookStore) {
				h.beforeGet = func() { assert.NoError(t, w.x.Heartbeat(ctx)) }
			},
			check: func(t *testing.T, w *world, a *changelog.Durable, n int, err error) {
				require.Error(t, err, "a live instance was claimed (%d entries)", n)
				require.True(t, errors.Is(err, changelog.ErrAlive) || errors.Is(err, kv.ErrConflict), "%v", err)
				requireEntries(t, w.x, w.want)
				require.NoError(t, w.x.Record(ctx, newID(t), changelog.Change{Object: "alive"}))
			},
		},
		{
			name: "BeatBeforeCommit",
			hook: func(t *testing.T, w *world, h *hookStore) {
				h.afterScan = func() { assert.NoError(t, w.x.Heartbeat(ctx)) }
			},
			check: func(t *testing.T, w *world, a *changelog.Durable, n int, err error) {
				require.ErrorIs(t, err, kv.ErrConflict, "took %d", n)
				requireEntries(t, w.x, w.want)
				require.NoError(t, w.x.Record(ctx, newID(t), changelog.Change{Object: "alive"}))
			},
		},
		{
			// The paused instance replaces an entry after the claimer read
			// it: the claim must not move (and so revive) the stale value.
			name: "ReplaceBeforeCommit",
			hook: func(t *testing.T, w *world, h *hookStore) {
				h.afterScan = func() {
					w.want[0].Change = changelog.Change{Object: "replaced", Old: newRev(t)}
					assert.NoError(t, w.x.Record(ctx, w.want[0].ID, w.want[0].Change))
				}
			},
			check: func(t *testing.T, w *world, a *changelog.Durable, n int, err error) {
				require.ErrorIs(t, err, kv.ErrConflict, "took %d", n)
				assert.Empty(t, scan(t, a))
				n, err = a.Claim(ctx, w.x.Instance()) // the retry takes the new value
				require.NoError(t, err)
				assert.Equal(t, len(w.want), n)
				requireEntries(t, a, w.want)
			},
		},
		{
			// The dead instance was only paused: it records once more
			// after the claimer read its entries. That entry must not be
			// left behind under a fenced instance, where nothing scans.
			name: "RecordBeforeCommit",
			hook: func(t *testing.T, w *world, h *hookStore) {
				h.afterScan = func() {
					late := changelog.Entry{ID: newID(t), Change: changelog.Change{Object: "late", New: newRev(t)}}
					assert.NoError(t, w.x.Record(ctx, late.ID, late.Change))
					w.want = append(w.want, late)
				}
			},
			check: func(t *testing.T, w *world, a *changelog.Durable, n int, err error) {
				require.NoError(t, err)
				assert.Equal(t, len(w.want), n)
				requireEntries(t, a, w.want)
				assert.Zero(t, rawCount(t, w.e.handle(t), w.x.Instance()), "nothing left under the claimed instance")
			},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t, open)
			x, want, rs := deadWithEntries(t, e, 2, 1)
			w := &world{e: e, x: x, b: rs[0], want: want}
			h := &hookStore{Store: e.handle(t)}
			a := openLog(t, h, e.opts())
			tc.hook(t, w, h)
			n, err := a.Claim(ctx, x.Instance())
			tc.check(t, w, a, n, err)
		})
	}
}

// testConcurrentWritesAndBeats: an instance's own heartbeats (the loop,
// or a caller) never make its writes or each other fail.
func testConcurrentWritesAndBeats(t *testing.T, open kvtest.Opener) {
	e := newEnv(t, open)
	d, obs := e.instance(t), e.instance(t)
	const n = 15
	var wg sync.WaitGroup
	errs := make(chan error, 4*n)
	wg.Go(func() {
		for i := range n {
			id, err := changelog.NewID()
			if err != nil {
				errs <- err
				return
			}
			if err := d.Record(ctx, id, changelog.Change{Object: fmt.Sprint(i)}); err != nil {
				errs <- fmt.Errorf("record %d: %w", i, err)
			}
			if err := d.Remove(ctx, id); err != nil {
				errs <- fmt.Errorf("remove %d: %w", i, err)
			}
		}
	})
	for g := range 2 {
		wg.Go(func() {
			for i := range n {
				e.clock.Add(time.Millisecond)
				if err := d.Heartbeat(ctx); err != nil {
					errs <- fmt.Errorf("beater %d, beat %d: %w", g, i, err)
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		assert.NoError(t, err)
	}
	assert.Empty(t, scan(t, d))
	e.clock.Add(time.Millisecond)
	require.NoError(t, d.Heartbeat(ctx))
	in := view(t, obs, d.Instance())
	assert.True(t, in.Heartbeat.Equal(e.clock.Now()), "last beat %v", in.Heartbeat)
	assert.False(t, in.Dead)
	require.NoError(t, d.Record(ctx, newID(t), changelog.Change{Object: "after"}))
}

func testLockHeld(t *testing.T, open kvtest.Opener) {
	cases := []struct {
		name         string
		held, known  bool
		advance      time.Duration
		wantDead     bool
		unclaimedErr error
	}{
		{"FreeBeforeExpiry", false, true, 0, true, nil},
		{"HeldAfterExpiry", true, true, 10 * expiry, false, changelog.ErrAlive},
		{"UnknownBeforeExpiry", false, false, expiry - time.Millisecond, false, changelog.ErrAlive},
		{"UnknownAfterExpiry", true, false, expiry + time.Millisecond, true, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t, open)
			x := e.instance(t)
			want := record(t, x, 1)
			opts := e.opts()
			var asked atomic.Int64
			opts.LockHeld = func(_ context.Context, id uuid.UUID) (bool, bool) {
				if id != x.Instance() {
					return false, false
				}
				asked.Add(1)
				return tc.held, tc.known
			}
			r := openLog(t, e.handle(t), opts)
			e.clock.Add(tc.advance)
			require.NoError(t, r.Heartbeat(ctx))
			assert.Equal(t, tc.wantDead, view(t, r, x.Instance()).Dead)
			assert.NotZero(t, asked.Load(), "LockHeld was asked")
			n, err := r.ClaimDead(ctx)
			require.NoError(t, err)
			if tc.wantDead {
				assert.Equal(t, 1, n)
				requireEntries(t, r, want)
				require.ErrorIs(t, x.Heartbeat(ctx), changelog.ErrFenced)
			} else {
				assert.Zero(t, n)
				_, err = r.Claim(ctx, x.Instance())
				require.ErrorIs(t, err, tc.unclaimedErr)
				require.NoError(t, x.Heartbeat(ctx))
				requireEntries(t, x, want)
			}
		})
	}
}

func testClose(t *testing.T, open kvtest.Opener) {
	e := newEnv(t, open)
	obs := e.instance(t)
	empty := e.instance(t)
	busy := e.instance(t)
	emptied := e.instance(t)
	want := record(t, busy, 2)
	tmp := record(t, emptied, 1)
	require.NoError(t, emptied.Remove(ctx, tmp[0].ID))

	for _, d := range []*changelog.Durable{empty, busy, emptied} {
		require.NoError(t, d.Close())
		require.NoError(t, d.Close(), "Close is idempotent")
	}
	ins := instances(t, obs)
	assert.NotContains(t, ins, empty.Instance(), "an instance without entries removes its row")
	assert.NotContains(t, ins, emptied.Instance(), "an instance whose entries were removed removes its row")
	assert.Contains(t, ins, busy.Instance(), "an instance with entries keeps its row")
	assert.False(t, ins[busy.Instance()].Dead)

	for _, d := range []*changelog.Durable{empty, busy} {
		calls := map[string]error{
			"Record":    d.Record(ctx, newID(t), changelog.Change{Object: "x"}),
			"Remove":    d.Remove(ctx, newID(t)),
			"Heartbeat": d.Heartbeat(ctx),
		}
		_, calls["Scan"] = d.Scan(ctx)
		_, calls["Instances"] = d.Instances(ctx)
		_, calls["Claim"] = d.Claim(ctx, obs.Instance())
		_, calls["ClaimDead"] = d.ClaimDead(ctx)
		for name, err := range calls {
			assert.ErrorIs(t, err, changelog.ErrClosed, "%s after Close", name)
		}
		d.Start() // a no-op after Close
		require.NoError(t, d.Close())
	}
	assert.Equal(t, 2, rawCount(t, e.handle(t), busy.Instance()), "Close keeps the entries")

	// The closed instance's entries go to whoever claims it once it expires.
	e.clock.Add(expiry + time.Millisecond)
	require.NoError(t, obs.Heartbeat(ctx))
	n, err := obs.ClaimDead(ctx)
	require.NoError(t, err)
	assert.Equal(t, 2, n)
	requireEntries(t, obs, want)
}

// manualTimer is a DurableOptions.After the test fires by hand. calls
// receives the interval of every call, that is every time the loop is
// about to wait: the beat before it is done.
type manualTimer struct {
	tick  chan time.Time
	calls chan time.Duration
}

func newManualTimer() *manualTimer {
	return &manualTimer{tick: make(chan time.Time), calls: make(chan time.Duration, 64)}
}

func (m *manualTimer) After(d time.Duration) <-chan time.Time {
	m.calls <- d
	return m.tick
}

func testStart(t *testing.T, open kvtest.Opener) {
	e := newEnv(t, open)
	obs := e.instance(t)
	timer := newManualTimer()
	opts := e.opts()
	opts.After = timer.After
	d := openLog(t, e.handle(t), opts)
	d.Start()
	d.Start() // idempotent: still one loop
	assert.Equal(t, interval, <-timer.calls, "the loop waits one interval")

	for i := 1; i <= 3; i++ {
		e.clock.Add(interval)
		timer.tick <- e.clock.Now()
		assert.Equal(t, interval, <-timer.calls) // the beat is done
		in := view(t, obs, d.Instance())
		assert.True(t, in.Heartbeat.Equal(base.Add(time.Duration(i)*interval)), "beat %d: %v", i, in.Heartbeat)
		assert.False(t, in.Dead)
	}
	assert.Empty(t, timer.calls, "one loop, one timer")

	// Past the expiry, one beat brings the instance back to life.
	e.clock.Add(expiry + time.Millisecond)
	assert.True(t, view(t, obs, d.Instance()).Dead)
	timer.tick <- e.clock.Now()
	<-timer.calls
	assert.False(t, view(t, obs, d.Instance()).Dead)
	require.NoError(t, d.Record(ctx, newID(t), changelog.Change{Object: "x"}), "a beat does not fence the instance")

	closed := make(chan error, 1)
	go func() { closed <- d.Close() }()
	require.NoError(t, <-closed, "Close stops the loop and returns")
	select {
	case timer.tick <- e.clock.Now():
		t.Fatal("the loop still runs after Close")
	default:
	}

	// A loop whose instance was claimed stops by itself.
	e2 := newEnv(t, open)
	timer2 := newManualTimer()
	opts2 := e2.opts()
	opts2.After = timer2.After
	f := openLog(t, e2.handle(t), opts2)
	f.Start()
	<-timer2.calls
	r := e2.instance(t)
	e2.clock.Add(expiry + time.Millisecond)
	require.NoError(t, r.Heartbeat(ctx))
	_, err := r.Claim(ctx, f.Instance())
	require.NoError(t, err)
	timer2.tick <- e2.clock.Now() // the beat is fenced, the loop ends
	require.NoError(t, f.Close())
	assert.Empty(t, timer2.calls, "a fenced loop waits no more")
	assert.True(t, view(t, r, f.Instance()).Heartbeat.Equal(base), "the fenced beat wrote nothing")
}
