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
	"fmt"
	"sort"
	"testing"
	"time"

	"github.com/google/uuid"
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
