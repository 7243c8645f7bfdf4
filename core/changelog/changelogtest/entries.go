package changelogtest

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/idbsync/idbsync/core/changelog"
	"github.com/idbsync/idbsync/core/kv"
	"github.com/idbsync/idbsync/core/kv/kvtest"
)

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
