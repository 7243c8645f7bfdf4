package changelogtest

import (
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/idbsync/idbsync/core/changelog"
	"github.com/idbsync/idbsync/core/hlc/hlctest"
)

// LogOpener returns a new, empty Log that reads the time from now. The
// suite closes nothing: the opener registers any cleanup with t.
type LogOpener func(t testing.TB, now func() time.Time) changelog.Log

// RunLog runs the suite of the Log contract (Record, Remove, Scan, and
// Pending where the Log is a PendingLister) against the logs open makes.
// Every Log that keeps anything runs it: Memory, and Durable over every
// kv.Store. Noop, which keeps nothing by design, does not.
func RunLog(t *testing.T, open LogOpener) {
	tests := []struct {
		name string
		fn   func(t *testing.T, open LogOpener)
	}{
		{"RecordScan", testLogRecordScan},
		{"RecordTwiceReplaces", testLogRecordTwice},
		{"Remove", testLogRemove},
		{"CleanupAfter", testLogCleanupAfter},
		{"Pending", testLogPending},
		{"Concurrent", testLogConcurrent},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) { tc.fn(t, open) })
	}
}

// logWall is the suite's fake clock, at a whole millisecond (stores may
// keep CleanupAfter to the millisecond).
func logWall() *hlctest.Wall { return hlctest.NewWall(time.UnixMilli(1_700_000_000_000).UTC()) }

func newChange(t testing.TB, object string) changelog.Change {
	t.Helper()
	return changelog.Change{Object: object, New: newRev(t), Old: newRev(t)}
}

// byID indexes entries, failing on a repeated id.
func byID(t testing.TB, entries []changelog.Entry) map[changelog.ID]changelog.Change {
	t.Helper()
	out := make(map[changelog.ID]changelog.Change, len(entries))
	for _, e := range entries {
		_, dup := out[e.ID]
		require.False(t, dup, "entry %s listed twice", e.ID)
		out[e.ID] = e.Change
	}
	return out
}

// sameChange compares changes, times by instant.
func sameChange(t testing.TB, want, got changelog.Change, msg string) {
	t.Helper()
	assert.Equal(t, want.Object, got.Object, msg)
	assert.Equal(t, want.New, got.New, msg)
	assert.Equal(t, want.Old, got.Old, msg)
	assert.True(t, want.CleanupAfter.Equal(got.CleanupAfter), "%s: cleanup after %v, want %v", msg, got.CleanupAfter, want.CleanupAfter)
}

func scanLog(t testing.TB, l changelog.Log) map[changelog.ID]changelog.Change {
	t.Helper()
	got, err := l.Scan(ctx)
	require.NoError(t, err)
	return byID(t, got)
}

func testLogRecordScan(t *testing.T, open LogOpener) {
	wall := logWall()
	l := open(t, wall.Now)
	assert.Empty(t, scanLog(t, l), "a new log is empty")
	want := make(map[changelog.ID]changelog.Change)
	for i, object := range []string{"photo", "ünïcode/объект", "a/b/c", "x"} {
		id, c := newID(t), newChange(t, object)
		if i == 3 {
			c.New = changelog.Revision{} // a delete: no new blob
		}
		require.NoError(t, l.Record(ctx, id, c))
		want[id] = c
	}
	got := scanLog(t, l)
	require.Len(t, got, len(want))
	for id, c := range want {
		require.Contains(t, got, id)
		sameChange(t, c, got[id], id.String())
	}
}

func testLogRecordTwice(t *testing.T, open LogOpener) {
	wall := logWall()
	l := open(t, wall.Now)
	id := newID(t)
	require.NoError(t, l.Record(ctx, id, newChange(t, "first")))
	second := newChange(t, "second")
	require.NoError(t, l.Record(ctx, id, second))
	got := scanLog(t, l)
	require.Len(t, got, 1)
	sameChange(t, second, got[id], "the second record replaces the first")
}

func testLogRemove(t *testing.T, open LogOpener) {
	wall := logWall()
	l := open(t, wall.Now)
	keep, drop := newID(t), newID(t)
	require.NoError(t, l.Record(ctx, keep, newChange(t, "keep")))
	require.NoError(t, l.Record(ctx, drop, newChange(t, "drop")))
	require.NoError(t, l.Remove(ctx, drop))
	require.NoError(t, l.Remove(ctx, drop), "removing twice is fine")
	require.NoError(t, l.Remove(ctx, newID(t)), "removing an id never recorded is fine")
	got := scanLog(t, l)
	assert.Len(t, got, 1)
	assert.Contains(t, got, keep)
	require.NoError(t, l.Remove(ctx, keep))
	assert.Empty(t, scanLog(t, l))
}

func testLogCleanupAfter(t *testing.T, open LogOpener) {
	wall := logWall()
	l := open(t, wall.Now)
	now, later := newID(t), newID(t)
	due := newChange(t, "due")
	due.CleanupAfter = wall.Now().Add(-time.Second)
	wait := newChange(t, "wait")
	wait.CleanupAfter = wall.Now().Add(time.Minute)
	require.NoError(t, l.Record(ctx, now, due))
	require.NoError(t, l.Record(ctx, later, wait))
	got := scanLog(t, l)
	assert.Len(t, got, 1, "an entry not yet due is not scanned")
	require.Contains(t, got, now)
	sameChange(t, due, got[now], "due")

	wall.Add(time.Minute) // exactly due
	got = scanLog(t, l)
	assert.Len(t, got, 2)
	require.Contains(t, got, later)
	sameChange(t, wait, got[later], "due at its time")
}

func testLogPending(t *testing.T, open LogOpener) {
	wall := logWall()
	l := open(t, wall.Now)
	p, ok := l.(changelog.PendingLister)
	if !ok {
		t.Logf("%T is no PendingLister: nothing to check", l)
		return
	}
	wait := newChange(t, "wait")
	wait.CleanupAfter = wall.Now().Add(time.Hour)
	a, b := newID(t), newID(t)
	require.NoError(t, l.Record(ctx, a, newChange(t, "due")))
	require.NoError(t, l.Record(ctx, b, wait))
	all, err := p.Pending(ctx)
	require.NoError(t, err)
	got := byID(t, all)
	assert.Len(t, got, 2, "pending lists entries due or not")
	assert.Contains(t, got, a)
	assert.Contains(t, got, b)
	require.NoError(t, l.Remove(ctx, a))
	all, err = p.Pending(ctx)
	require.NoError(t, err)
	assert.Len(t, all, 1)
}

func testLogConcurrent(t *testing.T, open LogOpener) {
	wall := logWall()
	l := open(t, wall.Now)
	const writers, each = 4, 25
	var mu sync.Mutex
	kept := make(map[changelog.ID]bool)
	var wg sync.WaitGroup
	for w := range writers {
		wg.Go(func() {
			for i := range each {
				id := newID(t)
				if !assert.NoError(t, l.Record(ctx, id, newChange(t, fmt.Sprint(w, "/", i)))) {
					return
				}
				if i%2 == 0 {
					assert.NoError(t, l.Remove(ctx, id))
					continue
				}
				mu.Lock()
				kept[id] = true
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	got := scanLog(t, l)
	assert.Len(t, got, len(kept))
	for id := range kept {
		assert.Contains(t, got, id)
	}
}
