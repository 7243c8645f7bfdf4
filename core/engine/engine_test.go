package engine_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/idbsync/idbsync/core/changelog"
	"github.com/idbsync/idbsync/core/engine"
	"github.com/idbsync/idbsync/core/hlc/hlctest"
	"github.com/idbsync/idbsync/core/kv"
	"github.com/idbsync/idbsync/core/kv/memkv"
	"github.com/idbsync/idbsync/core/oplog"
	"github.com/idbsync/idbsync/core/syncer"
)

var ctx = context.Background()

// base is the fake wall time every test starts from.
var base = time.UnixMilli(1_700_000_000_000)

// never is a timer that never fires: heartbeats and recovery rounds run
// only when a test calls them.
func never(time.Duration) <-chan time.Time { return nil }

// open opens an engine over s on the fake clock wall, closed when the test
// ends.
func open(t *testing.T, s kv.Store, wall *hlctest.Wall, opts engine.Options) *engine.Engine {
	t.Helper()
	opts.Store, opts.Now, opts.After = s, wall.Now, never
	e, err := engine.Open(ctx, opts)
	require.NoError(t, err)
	t.Cleanup(func() { _ = e.Close() })
	return e
}

func value(t *testing.T, e *engine.Engine, key string) (string, bool) {
	t.Helper()
	v, found, err := e.Get(ctx, key)
	require.NoError(t, err)
	return string(v), found
}

func keysOf(vs []oplog.Value) []string {
	out := make([]string, len(vs))
	for i, v := range vs {
		out[i] = v.Key
	}
	return out
}

func TestExecAndRead(t *testing.T) {
	wall := hlctest.NewWall(base)
	e := open(t, memkv.New(), wall, engine.Options{Name: "notes"})
	w, err := e.Exec(ctx, oplog.Put("note/1", []byte("one")), oplog.Put("note/2", []byte("two")), oplog.Put("todo/1", []byte("x")))
	require.NoError(t, err)
	assert.Equal(t, oplog.Written{Peer: e.Peer(), From: 0, To: 3}, w)
	w, err = e.Exec(ctx, oplog.Delete("note/2"))
	require.NoError(t, err)
	assert.Equal(t, oplog.Written{Peer: e.Peer(), From: 3, To: 4}, w)

	got, found := value(t, e, "note/1")
	assert.True(t, found)
	assert.Equal(t, "one", got)
	_, found = value(t, e, "note/2")
	assert.False(t, found, "deleted")

	vs, err := e.GetMany(ctx, []string{"todo/1", "note/2", "none"})
	require.NoError(t, err)
	require.Len(t, vs, 3)
	require.NotNil(t, vs[0])
	assert.Equal(t, "x", string(vs[0].Value))
	assert.Nil(t, vs[1])
	assert.Nil(t, vs[2])

	rows, err := e.Scan(ctx, "note/", "", 0)
	require.NoError(t, err)
	assert.Equal(t, []string{"note/1"}, keysOf(rows))
	rows, err = e.Scan(ctx, "", "note/5", 10)
	require.NoError(t, err)
	assert.Equal(t, []string{"todo/1"}, keysOf(rows), "from start on")

	c, err := e.Cursors(ctx)
	require.NoError(t, err)
	assert.Equal(t, oplog.PeerCursors{e.Peer(): 4}, c)

	_, err = e.Exec(ctx)
	require.ErrorIs(t, err, oplog.ErrInvalidOp, "no ops")
	_, err = e.Exec(ctx, oplog.Put("", []byte("v")))
	require.ErrorIs(t, err, oplog.ErrInvalidOp, "empty key")
	c, err = e.Cursors(ctx)
	require.NoError(t, err)
	assert.Equal(t, oplog.PeerCursors{e.Peer(): 4}, c, "nothing written by a refused exec")
}

func TestPeerBelongsToTheDatabase(t *testing.T) {
	wall := hlctest.NewWall(base)
	s := memkv.New()
	peer := uuid.New()
	e := open(t, s, wall, engine.Options{Peer: peer})
	assert.Equal(t, peer, e.Peer())
	require.NoError(t, e.Close())

	again := open(t, s.Reopen(), wall, engine.Options{})
	assert.Equal(t, peer, again.Peer(), "kept from the first open")
	require.NoError(t, again.Close())

	_, err := engine.Open(ctx, engine.Options{Store: s.Reopen(), Peer: uuid.New(), Now: wall.Now, After: never})
	require.ErrorIs(t, err, oplog.ErrPeerMismatch)

	_, err = engine.Open(ctx, engine.Options{})
	require.Error(t, err, "a store is required")
}

func TestSyncTwoEngines(t *testing.T) {
	wall := hlctest.NewWall(base)
	laptop := open(t, memkv.New(), wall, engine.Options{Name: "laptop"})
	phone := open(t, memkv.New(), wall, engine.Options{Name: "phone"})
	changes, stop := phone.Watch("note/")
	defer stop()

	for i := range 25 {
		_, err := laptop.Exec(ctx, oplog.Put(fmt.Sprintf("note/%02d", i), []byte(fmt.Sprint("laptop ", i))))
		require.NoError(t, err)
		wall.Add(time.Millisecond)
	}
	_, err := phone.Exec(ctx, oplog.Put("note/00", []byte("phone wins")), oplog.Put("todo/1", []byte("milk")))
	require.NoError(t, err)

	res, err := syncer.Sync(ctx, laptop, phone, syncer.Options{PageSize: 10})
	require.NoError(t, err)
	assert.Equal(t, syncer.Result{ToA: 2, ToB: 25}, res)

	for _, e := range []*engine.Engine{laptop, phone} {
		rows, err := e.Scan(ctx, "", "", 0)
		require.NoError(t, err)
		require.Len(t, rows, 26, e.Name())
		v, _ := value(t, e, "note/00")
		assert.Equal(t, "phone wins", v, "%s: the later write wins", e.Name())
	}
	lc, err := laptop.Cursors(ctx)
	require.NoError(t, err)
	pc, err := phone.Cursors(ctx)
	require.NoError(t, err)
	assert.Equal(t, lc, pc)

	// The phone's watch saw its own exec and the 25 keys the sync brought,
	// merged while nobody read, and nothing outside its prefix.
	var seen []string
	for len(seen) < 25 {
		select {
		case keys := <-changes:
			assert.True(t, slices.IsSorted(keys))
			seen = append(seen, keys...)
		case <-time.After(5 * time.Second):
			t.Fatalf("watch saw %d keys", len(seen))
		}
	}
	slices.Sort(seen)
	assert.Len(t, slices.Compact(seen), 25)
	assert.NotContains(t, seen, "todo/1")

	res, err = syncer.Sync(ctx, laptop, phone, syncer.Options{})
	require.NoError(t, err)
	assert.Equal(t, syncer.Result{}, res, "nothing left to send")
}

func TestWatch(t *testing.T) {
	wall := hlctest.NewWall(base)
	e := open(t, memkv.New(), wall, engine.Options{})
	a, stopA := e.Watch("a/")
	all, stopAll := e.Watch("")
	defer stopAll()

	_, err := e.Exec(ctx, oplog.Put("a/2", []byte("v")), oplog.Put("b/1", []byte("v")))
	require.NoError(t, err)
	_, err = e.Exec(ctx, oplog.Put("a/1", []byte("v")), oplog.Delete("a/2"))
	require.NoError(t, err)
	assert.Equal(t, []string{"a/1", "a/2"}, <-a, "two execs merged, once each, sorted")
	assert.Equal(t, []string{"a/1", "a/2", "b/1"}, <-all)

	stopA()
	stopA() // idempotent
	_, ok := <-a
	assert.False(t, ok, "stop closes the channel")

	_, err = e.Exec(ctx, oplog.Put("b/2", []byte("v")))
	require.NoError(t, err)
	assert.Equal(t, []string{"b/2"}, <-all)

	require.NoError(t, e.Close())
	_, ok = <-all
	assert.False(t, ok, "Close ends every watch")
	late, _ := e.Watch("")
	_, ok = <-late
	assert.False(t, ok, "a watch of a closed engine is closed")
}

// TestExpunge: the expunged write's key falls back to the surviving
// write, and a watch hears of it.
func TestExpunge(t *testing.T) {
	wall := hlctest.NewWall(base)
	e := open(t, memkv.New(), wall, engine.Options{})
	_, err := e.Exec(ctx, oplog.Put("k", []byte("kept")), oplog.Put("k", []byte("secret")))
	require.NoError(t, err)
	changes, stop := e.Watch("")
	defer stop()
	key, err := e.Expunge(ctx, e.Peer(), 1)
	require.NoError(t, err)
	assert.Equal(t, "k", key)
	v, _ := value(t, e, "k")
	assert.Equal(t, "kept", v)
	assert.Equal(t, []string{"k"}, <-changes)
	key, err = e.Expunge(ctx, e.Peer(), 1)
	require.NoError(t, err)
	assert.Empty(t, key, "a marker again: nothing changes")
	_, err = e.Expunge(ctx, e.Peer(), 99)
	require.ErrorIs(t, err, oplog.ErrNotFound)
}

func TestBlobs(t *testing.T) {
	wall := hlctest.NewWall(base)
	e := open(t, memkv.New(), wall, engine.Options{})
	large := bytes.Repeat([]byte("0123456789abcdef"), 40_000) // 640 KiB: in the blob tier
	require.NoError(t, noRef(e.PutBlob(ctx, "att/1", large)))
	require.NoError(t, noRef(e.PutBlob(ctx, "att/2", []byte("small: inline"))))

	got, found, err := e.GetBlob(ctx, "att/1")
	require.NoError(t, err)
	require.True(t, found)
	assert.True(t, bytes.Equal(large, got))
	got, found, err = e.GetBlob(ctx, "att/2")
	require.NoError(t, err)
	require.True(t, found)
	assert.Equal(t, "small: inline", string(got))
	_, found, err = e.GetBlob(ctx, "att/none")
	require.NoError(t, err)
	assert.False(t, found)

	s, err := e.Stats(ctx)
	require.NoError(t, err)
	assert.Equal(t, engine.Stats{Blobs: 1, Referenced: 1, Instances: 1, Contents: 2}, s)

	require.NoError(t, noRef(e.PutBlob(ctx, "att/1", []byte("now small"))))
	s, err = e.Stats(ctx)
	require.NoError(t, err)
	assert.Equal(t, engine.Stats{Instances: 1, Contents: 2}, s, "the replaced blob is gone")
	require.NoError(t, e.DeleteBlob(ctx, "att/1"))
	require.NoError(t, e.DeleteBlob(ctx, "att/1"), "a missing one is fine")
	_, found, err = e.GetBlob(ctx, "att/1")
	require.NoError(t, err)
	assert.False(t, found)
}

// crashingStore is the store of a process that dies: once the first
// commit touching table trip is attempted, that commit and every later one
// fail, as if the process had stopped right before it.
type crashingStore struct {
	kv.Store
	trip    string
	crashed atomic.Bool
}

var errCrashed = errors.New("process crashed")

func (c *crashingStore) Commit(ctx context.Context, b *kv.Batch) error {
	if c.crashed.Load() || slices.Contains(b.Tables(), c.trip) {
		c.crashed.Store(true)
		return errCrashed
	}
	return c.Store.Commit(ctx, b)
}

// TestRecoveryAfterDeadInstance: an engine dies in the middle of putBlob,
// after its blob is written and before the reference points at it. Another
// engine over the same data finds it dead, by its lock or by its lapsed
// heartbeat, and collects the orphan; the old value stays readable.
func TestRecoveryAfterDeadInstance(t *testing.T) {
	tests := []struct {
		name string
		// alive is the liveness check of the survivor (nil: none), given
		// the dead engine's instance id.
		alive func(dead uuid.UUID) func(context.Context, uuid.UUID) (bool, bool)
		// wait is how long the fake clock moves before recovery.
		wait time.Duration
	}{
		{
			name: "LockFree",
			alive: func(dead uuid.UUID) func(context.Context, uuid.UUID) (bool, bool) {
				return func(_ context.Context, id uuid.UUID) (bool, bool) { return id != dead, true }
			},
		},
		{name: "HeartbeatLapsed", wait: 3*changelog.DefaultInterval + time.Second},
		{
			name: "LockUnknownHeartbeatLapsed",
			alive: func(uuid.UUID) func(context.Context, uuid.UUID) (bool, bool) {
				return func(context.Context, uuid.UUID) (bool, bool) { return false, false }
			},
			wait: 3*changelog.DefaultInterval + time.Second,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			wall := hlctest.NewWall(base)
			data := memkv.New()
			old := bytes.Repeat([]byte("old "), 10_000)
			first := open(t, data, wall, engine.Options{})
			require.NoError(t, noRef(first.PutBlob(ctx, "att", old)))
			require.NoError(t, first.Close())

			dying := &crashingStore{Store: data.Reopen(), trip: changelog.DefaultPrefix + "/refs"}
			deadID := uuid.New()
			dead := open(t, dying, wall, engine.Options{Instance: deadID})
			_, err := dead.PutBlob(ctx, "att", bytes.Repeat([]byte("new "), 10_000))
			require.ErrorIs(t, err, errCrashed)

			// Until the test looks, every instance passes for alive: the
			// survivor's first recovery round, run at open, must not beat
			// the check below to the orphan.
			var looked atomic.Bool
			var alive func(context.Context, uuid.UUID) (bool, bool)
			if tc.alive != nil {
				check := tc.alive(deadID)
				alive = func(ctx context.Context, id uuid.UUID) (bool, bool) {
					if !looked.Load() {
						return true, true
					}
					return check(ctx, id)
				}
			}
			survivor := open(t, data.Reopen(), wall, engine.Options{Alive: alive})
			s, err := survivor.Stats(ctx)
			require.NoError(t, err)
			require.Equal(t, 2, s.Blobs, "the old blob and the dead write's orphan")
			require.Equal(t, 1, s.Changes, "the dead write's change is outstanding")
			looked.Store(true)

			wall.Add(tc.wait)
			_, err = survivor.Recover(ctx)
			require.NoError(t, err)
			s, err = survivor.Stats(ctx)
			require.NoError(t, err)
			assert.Equal(t, engine.Stats{Blobs: 1, Referenced: 1, Instances: 1, Contents: 1}, s, "orphan collected, dead instance claimed")
			got, found, err := survivor.GetBlob(ctx, "att")
			require.NoError(t, err)
			require.True(t, found)
			assert.True(t, bytes.Equal(old, got), "the committed value is untouched")
		})
	}
}

// TestAliveInstanceIsNotRecovered: a live engine's write in flight is not
// another engine's to collect, however long its heartbeat is stale, while
// its lock is held.
func TestAliveInstanceIsNotRecovered(t *testing.T) {
	wall := hlctest.NewWall(base)
	data := memkv.New()
	held := func(context.Context, uuid.UUID) (bool, bool) { return true, true }
	a := open(t, data, wall, engine.Options{Alive: held})
	b := open(t, data.Reopen(), wall, engine.Options{Alive: held})
	wall.Add(time.Hour)
	_, err := b.Recover(ctx)
	require.NoError(t, err)
	s, err := b.Stats(ctx)
	require.NoError(t, err)
	assert.Equal(t, engine.Stats{Instances: 2}, s, "a is alive: nothing claimed")
	require.NoError(t, noRef(a.PutBlob(ctx, "att", bytes.Repeat([]byte("a"), 100_000))), "a is not fenced")
}

func TestClosed(t *testing.T) {
	wall := hlctest.NewWall(base)
	s := memkv.New()
	e := open(t, s, wall, engine.Options{Name: "notes"})
	cursors, _ := e.WatchCursors()
	<-cursors // the current cursors
	require.NoError(t, e.Close())
	require.NoError(t, e.Close(), "idempotent")
	_, ok := <-cursors
	assert.False(t, ok, "Close ends cursor watches")

	calls := []struct {
		name string
		call func() error
	}{
		{"Exec", func() error { _, err := e.Exec(ctx, oplog.Put("k", nil)); return err }},
		{"Get", func() error { _, _, err := e.Get(ctx, "k"); return err }},
		{"Scan", func() error { _, err := e.Scan(ctx, "", "", 0); return err }},
		{"Cursors", func() error { _, err := e.Cursors(ctx); return err }},
		{"ReadSince", func() error { _, err := e.ReadSince(ctx, e.Peer(), 0, 1); return err }},
		{"Apply", func() error { _, err := e.Apply(ctx, oplog.EncodeBatch(nil)); return err }},
		{"Expunge", func() error { _, err := e.Expunge(ctx, e.Peer(), 0); return err }},
		{"PutBlob", func() error { return noRef(e.PutBlob(ctx, "b", []byte("v"))) }},
		{"GetBlob", func() error { _, _, err := e.GetBlob(ctx, "b"); return err }},
		{"DeleteBlob", func() error { return e.DeleteBlob(ctx, "b") }},
		{"Recover", func() error { _, err := e.Recover(ctx); return err }},
		{"Stats", func() error { _, err := e.Stats(ctx); return err }},
	}
	for _, tc := range calls {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.call()
			require.ErrorIs(t, err, engine.ErrClosed)
			assert.Contains(t, err.Error(), `"notes"`)
		})
	}
	// The store is the caller's: it is still open, and another engine
	// opens over it with the instance deregistered.
	again := open(t, s, wall, engine.Options{})
	st, err := again.Stats(ctx)
	require.NoError(t, err)
	assert.Equal(t, engine.Stats{Instances: 1}, st, "a clean close leaves no instance row")
}

// TestConcurrentEnginesOneStore: two engines over one store (two tabs)
// writing at once take distinct indexes, each exactly once.
func TestConcurrentEnginesOneStore(t *testing.T) {
	wall := hlctest.NewWall(base)
	data := memkv.New()
	a := open(t, data, wall, engine.Options{})
	b := open(t, data.Reopen(), wall, engine.Options{})
	require.Equal(t, a.Peer(), b.Peer(), "one database, one peer")
	const n = 50
	var wg sync.WaitGroup
	for i, e := range []*engine.Engine{a, b} {
		wg.Go(func() {
			for j := range n {
				_, err := e.Exec(ctx, oplog.Put(fmt.Sprintf("k/%d/%d", i, j), []byte("v")))
				assert.NoError(t, err)
			}
		})
	}
	wg.Wait()
	c, err := a.Cursors(ctx)
	require.NoError(t, err)
	assert.Equal(t, oplog.PeerCursors{a.Peer(): 2 * n}, c)
	batch, err := b.ReadSince(ctx, a.Peer(), 0, 0)
	require.NoError(t, err)
	entries, err := oplog.DecodeBatch(batch)
	require.NoError(t, err)
	keys := make(map[string]bool)
	for i, en := range entries {
		assert.Equal(t, uint64(i), en.Idx)
		keys[en.Op.Key] = true
	}
	assert.Len(t, keys, 2*n, "every write once")
}

// TestClaimedWhileAliveGoesOn: an engine taken for dead while alive (its
// lock looked free) is claimed; it registers afresh and its writes go on,
// where before every later write failed.
func TestClaimedWhileAliveGoesOn(t *testing.T) {
	wall := hlctest.NewWall(base)
	data := memkv.New()
	var renewed atomic.Int32
	a := open(t, data, wall, engine.Options{Renew: func(context.Context) (uuid.UUID, error) {
		renewed.Add(1)
		return uuid.New(), nil
	}})
	first := a.Instance()
	stolen := func(_ context.Context, id uuid.UUID) (bool, bool) { return id != first, true }
	b := open(t, data.Reopen(), wall, engine.Options{Alive: stolen})
	require.NoError(t, noRef(a.PutBlob(ctx, "att", bytes.Repeat([]byte("a"), 100_000))))
	_, err := b.Recover(ctx)
	require.NoError(t, err)

	require.NoError(t, noRef(a.PutBlob(ctx, "att", bytes.Repeat([]byte("b"), 100_000))), "a goes on")
	assert.NotEqual(t, first, a.Instance(), "under a new instance")
	assert.Equal(t, int32(1), renewed.Load())
	_, err = a.Exec(ctx, oplog.Put("k", []byte("v")))
	require.NoError(t, err)
	got, found, err := b.GetBlob(ctx, "att")
	require.NoError(t, err)
	require.True(t, found)
	assert.Equal(t, byte('b'), got[0])
	s, err := b.Stats(ctx)
	require.NoError(t, err)
	assert.Equal(t, engine.Stats{Blobs: 1, Referenced: 1, Instances: 2, Contents: 1}, s, "b and a's new instance; the claimed one is b's")
}

// failingScans fails every scan of table while on is set.
type failingScans struct {
	kv.Store
	table string
	on    atomic.Bool
}

var errDisk = errors.New("disk on fire")

func (f *failingScans) Scan(ctx context.Context, table string, r kv.Range) ([]kv.Pair, error) {
	if f.on.Load() && table == f.table {
		return nil, errDisk
	}
	return f.Store.Scan(ctx, table, r)
}

// loopTimer fires at once the waits between a failed recovery's tries,
// and hands the test the interval timers, noting each call: when both the
// heartbeat and the recovery loop wait on one, the round is over.
type loopTimer struct {
	interval time.Duration
	mu       sync.Mutex
	waiting  []chan time.Time
	calls    chan struct{}
}

func newLoopTimer(interval time.Duration) *loopTimer {
	return &loopTimer{interval: interval, calls: make(chan struct{}, 100)}
}

func (l *loopTimer) After(d time.Duration) <-chan time.Time {
	c := make(chan time.Time, 1)
	if d != l.interval {
		c <- time.Time{}
		return c
	}
	l.mu.Lock()
	l.waiting = append(l.waiting, c)
	l.mu.Unlock()
	l.calls <- struct{}{}
	return c
}

// settle waits until n more interval waits have begun.
func (l *loopTimer) settle(t *testing.T, n int) {
	t.Helper()
	for range n {
		select {
		case <-l.calls:
		case <-time.After(5 * time.Second):
			t.Fatal("the loops did not come back to their interval wait")
		}
	}
}

// fire ends every interval wait.
func (l *loopTimer) fire() {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, c := range l.waiting {
		c <- time.Time{}
	}
	l.waiting = nil
}

// TestStatsShowsRecoveryErrors: recovery runs in the background; a round
// that fails (after its retries) is reported by Stats until one succeeds.
func TestStatsShowsRecoveryErrors(t *testing.T) {
	wall := hlctest.NewWall(base)
	s := &failingScans{Store: memkv.New(), table: changelog.DefaultPrefix + "/instances"}
	s.on.Store(true)
	timer := newLoopTimer(changelog.DefaultInterval)
	e, err := engine.Open(ctx, engine.Options{Store: s, Now: wall.Now, After: timer.After})
	require.NoError(t, err)
	t.Cleanup(func() { _ = e.Close() })
	timer.settle(t, 2) // the heartbeat loop and recovery's first round
	s.on.Store(false)
	st, err := e.Stats(ctx)
	require.NoError(t, err)
	assert.ErrorIs(t, st.RecoveryError, errDisk, "the failed round is reported")

	timer.fire()
	timer.settle(t, 2)
	st, err = e.Stats(ctx)
	require.NoError(t, err)
	assert.NoError(t, st.RecoveryError, "a round that succeeds clears it")
}

// attesting is a replica that vouches for its entries' users, as the sync
// server does.
type attesting struct{ syncer.Replica }

func (attesting) Attests() bool { return true }

// TestServerUserOnlyFromTheServer: entries claiming an author keep that
// ServerUser only when they come from a source that attests; from any other
// sender it is dropped.
func TestServerUserOnlyFromTheServer(t *testing.T) {
	wall := hlctest.NewWall(base)
	user := uuid.New()
	forger := uuid.New()
	claimed := oplog.EncodeBatch([]oplog.Entry{{Peer: forger, TS: 1, User: user, Op: oplog.Put("k", []byte("v"))}})
	tests := []struct {
		name     string
		attested bool
		want     uuid.UUID
	}{
		{"FromAPeer", false, uuid.Nil},
		{"FromTheServer", true, user},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			src := open(t, memkv.New(), wall, engine.Options{})
			_, err := src.ApplyAttested(ctx, claimed) // the server's own copy
			require.NoError(t, err)
			dst := open(t, memkv.New(), wall, engine.Options{})
			var from syncer.Replica = src
			if tc.attested {
				from = attesting{src}
			}
			_, err = syncer.Pull(ctx, dst, from, syncer.Options{})
			require.NoError(t, err)
			got, err := dst.ReadSince(ctx, forger, 0, 0)
			require.NoError(t, err)
			es, err := oplog.DecodeBatch(got)
			require.NoError(t, err)
			require.Len(t, es, 1)
			assert.Equal(t, tc.want, es[0].User)
		})
	}
	e := open(t, memkv.New(), wall, engine.Options{})
	_, err := e.Apply(ctx, claimed)
	require.NoError(t, err)
	got, err := e.ReadSince(ctx, forger, 0, 0)
	require.NoError(t, err)
	es, err := oplog.DecodeBatch(got)
	require.NoError(t, err)
	assert.Equal(t, uuid.Nil, es[0].User, "a plain Apply drops it")
}

// noRef drops PutBlob's reference, for require.NoError.
func noRef(_ engine.BlobRef, err error) error { return err }
