package changelogtest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/idbsync/idbsync/core/changelog"
	"github.com/idbsync/idbsync/core/kv"
	"github.com/idbsync/idbsync/core/kv/kvtest"
)

// RunManager runs the suite of changelog.Manager and changelog.KVBlobs
// against the stores open makes, with the same rules as Run: a name opened
// again is the same database, no sleeping, a fake clock, and few enough
// store calls per subtest for IndexedDB. Values are small (1 KiB chunks,
// large values of a few KiB), so that chunked blob writes happen without
// much data.
func RunManager(t *testing.T, open kvtest.Opener) {
	tests := []struct {
		name string
		fn   func(t *testing.T, open kvtest.Opener)
	}{
		{"KVBlobs", testKVBlobs},
		{"Basics", testManagerBasics},
		{"LostAnswer", testLostAnswer},
		{"Crash", testCrash},
		{"Fenced", testManagerFenced},
		{"RecoverSkipsLive", testRecoverSkipsLive},
		{"ConcurrentWriters", testConcurrentWriters},
		{"ReadDuringOverwrite", testReadDuringOverwrite},
		{"Model", testModel},
		{"FailedBlobAfterClaim", testFailedBlobAfterClaim},
		{"StrandedClaim", testStrandedClaim},
		{"RegisteredWithLock", testRegisteredWithLock},
		{"Sweep", testSweep},
		{"FencedAfterCAS", testFencedAfterCAS},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) { tc.fn(t, open) })
	}
}

// The shapes of the Manager tests: 1 KiB blob chunks, values above 512
// bytes go to the blob tier.
const (
	chunkSize = 1 << 10
	inlineMax = 512
)

// refsTable and blobsTable are the Manager's tables of the default prefix.
const (
	refsTable  = changelog.DefaultPrefix + "/refs"
	blobsTable = changelog.DefaultPrefix + "/blobs"
)

// menv is an env whose database has every table of the change log, the
// reference tier and the blob tier, created on its first handle before
// any other handle opens (in IndexedDB, creating a table is an upgrade).
type menv struct {
	*env
	first kv.Store
}

func newMEnv(t testing.TB, open kvtest.Opener) *menv {
	t.Helper()
	e := newEnv(t, open)
	s := e.handle(t)
	require.NoError(t, s.CreateTables(ctx, instancesTable, changesTable, refsTable, blobsTable))
	return &menv{env: e, first: s}
}

// peerOpts shape a peer: its Manager's hook, its KVBlobs' AfterChunk, and
// a wrapper around the blob store its Manager uses.
type peerOpts struct {
	hook       func(changelog.Step, string) error
	afterChunk func(changelog.Revision, int) error
	wrap       func(changelog.BlobStore) changelog.BlobStore
	store      func(kv.Store) kv.Store // wraps the peer's handle
}

// peer is one instance (a tab): a handle, its log, its blob store and its
// Manager.
type peer struct {
	s     kv.Store
	log   *changelog.Durable
	blobs *changelog.KVBlobs
	m     *changelog.Manager
}

// peer opens an instance with a Manager on a handle of its own. Its log is
// closed when the test ends, not before: a crashed peer is abandoned.
func (e *menv) peer(t testing.TB, o peerOpts) *peer {
	t.Helper()
	s := e.handle(t)
	if o.store != nil {
		s = o.store(s)
	}
	d := openLog(t, s, e.opts())
	blobs, err := changelog.NewKVBlobs(ctx, s, "", chunkSize)
	require.NoError(t, err)
	blobs.AfterChunk = o.afterChunk
	var bs changelog.BlobStore = blobs
	if o.wrap != nil {
		bs = o.wrap(bs)
	}
	m, err := changelog.NewManager(ctx, s, d, bs, changelog.ManagerOptions{InlineMax: inlineMax, Hook: o.hook})
	require.NoError(t, err)
	return &peer{s: s, log: d, blobs: blobs, m: m}
}

// expire lets every instance that does not beat now die: the clock passes
// the expiry and the live ones beat.
func (e *menv) expire(t testing.TB, live ...*peer) {
	t.Helper()
	e.clock.Add(expiry + time.Millisecond)
	for _, p := range live {
		require.NoError(t, p.log.Heartbeat(ctx))
	}
}

// value is n bytes that differ from every other tag's.
func value(tag string, n int) []byte {
	out := make([]byte, 0, n+len(tag))
	for len(out) < n {
		out = append(out, tag...)
		out = append(out, '|')
	}
	return out[:n]
}

// large and small are values of tag on either side of inlineMax: a large
// one spans several chunks.
func large(tag string) []byte { return value(tag, 4*chunkSize+chunkSize/3) }
func small(tag string) []byte { return value(tag, 100) }

func sortRevs(rs []changelog.Revision) []changelog.Revision {
	slices.SortFunc(rs, func(a, b changelog.Revision) int { return bytes.Compare(a[:], b[:]) })
	return rs
}

// revisions lists the revisions of the blob tier of e, complete or not.
func (e *menv) revisions(t testing.TB) []changelog.Revision {
	t.Helper()
	blobs, err := changelog.NewKVBlobs(ctx, e.first, "", chunkSize)
	require.NoError(t, err)
	rs, err := blobs.Revisions(ctx)
	require.NoError(t, err)
	return sortRevs(rs)
}

// requireNoLog checks that no instance has an outstanding entry: the whole
// changes table is empty.
func (e *menv) requireNoLog(t testing.TB, msgAndArgs ...any) {
	t.Helper()
	rows, err := e.first.Scan(ctx, changesTable, kv.Range{})
	require.NoError(t, err)
	require.Empty(t, rows, msgAndArgs...)
}

// requireGet checks that m reads want for object (nil: ErrNotFound).
func requireGet(t testing.TB, m *changelog.Manager, object string, want []byte, msgAndArgs ...any) {
	t.Helper()
	got, err := m.Get(ctx, object)
	if want == nil {
		require.ErrorIs(t, err, changelog.ErrNotFound, msgAndArgs...)
		return
	}
	require.NoError(t, err, msgAndArgs...)
	require.True(t, bytes.Equal(want, got), "%s: got %d bytes %.24q, want %d bytes %.24q",
		fmt.Sprint(msgAndArgs...), len(got), got, len(want), want)
}

// requireState checks the end state of every test: each object reads its
// value (nil: absent), the blob tier holds exactly one revision per large
// value (every large object reads, so no revision is unreferenced), and no
// entry is outstanding.
func (e *menv) requireState(t testing.TB, m *changelog.Manager, want map[string][]byte, msg string) {
	t.Helper()
	nlarge := 0
	for object, v := range want {
		requireGet(t, m, object, v, msg, " ", object)
		if len(v) > inlineMax {
			nlarge++
		}
	}
	require.Len(t, e.revisions(t), nlarge, "%s: one blob per large object, none unreferenced", msg)
	e.requireNoLog(t, msg)
}

// blobRevisions lists the revisions of a KVBlobs or a MemoryBlobs.
func blobRevisions(t testing.TB, b changelog.BlobStore) []changelog.Revision {
	t.Helper()
	var rs []changelog.Revision
	var err error
	switch b := b.(type) {
	case *changelog.KVBlobs:
		rs, err = b.Revisions(ctx)
	case *changelog.MemoryBlobs:
		rs, err = b.Revisions(ctx)
	default:
		t.Fatalf("blob store %T lists no revisions", b)
	}
	require.NoError(t, err)
	return sortRevs(rs)
}

func testKVBlobs(t *testing.T, open kvtest.Opener) {
	e := newMEnv(t, open)
	blobs, err := changelog.NewKVBlobs(ctx, e.first, "", chunkSize)
	require.NoError(t, err)
	rows := func(rev changelog.Revision) int {
		t.Helper()
		rs, err := e.first.Scan(ctx, blobsTable, kv.Prefix(rev[:]))
		require.NoError(t, err)
		return len(rs)
	}

	missing := newRev(t)
	_, err = blobs.Get(ctx, missing)
	require.ErrorIs(t, err, changelog.ErrNotFound, "a blob never written")
	require.NoError(t, blobs.Delete(ctx, missing), "deleting a missing blob is fine")

	for _, size := range []int{0, 1, chunkSize - 1, chunkSize, chunkSize + 1, 3*chunkSize + chunkSize/2} {
		rev := newRev(t)
		data := value(fmt.Sprint("size-", size), size)
		require.NoError(t, blobs.Put(ctx, rev, data), "size %d", size)
		got, err := blobs.Get(ctx, rev)
		require.NoError(t, err, "size %d", size)
		require.NotNil(t, got, "size %d", size)
		require.True(t, bytes.Equal(data, got), "size %d: got %d bytes", size, len(got))
		chunks := max(1, (size+chunkSize-1)/chunkSize)
		assert.Equal(t, chunks+1, rows(rev), "size %d: %d chunks and a manifest", size, chunks)
		assert.Equal(t, []changelog.Revision{rev}, blobRevisions(t, blobs), "size %d", size)
		require.NoError(t, blobs.Delete(ctx, rev), "size %d", size)
		_, err = blobs.Get(ctx, rev)
		require.ErrorIs(t, err, changelog.ErrNotFound, "size %d: deleted", size)
		assert.Zero(t, rows(rev), "size %d: every chunk is deleted", size)
		require.NoError(t, blobs.Delete(ctx, rev), "size %d: Delete is idempotent", size)
	}
	assert.Empty(t, blobRevisions(t, blobs))

	// A write that stops after its second chunk leaves a partial blob.
	errStop := errors.New("stop")
	blobs.AfterChunk = func(_ changelog.Revision, n int) error {
		if n == 1 {
			return errStop
		}
		return nil
	}
	rev := newRev(t)
	require.ErrorIs(t, blobs.Put(ctx, rev, value("partial", 3*chunkSize+chunkSize/2)), errStop)
	blobs.AfterChunk = nil
	assert.Equal(t, 2, rows(rev), "two chunks, no manifest")
	_, err = blobs.Get(ctx, rev)
	require.ErrorIs(t, err, changelog.ErrNotFound, "a partial blob reads as absent")
	assert.Equal(t, []changelog.Revision{rev}, blobRevisions(t, blobs), "a partial blob is listed")
	require.NoError(t, blobs.Delete(ctx, rev))
	assert.Zero(t, rows(rev), "Delete removes a partial blob's chunks")
	require.NoError(t, blobs.Delete(ctx, rev))
	assert.Empty(t, blobRevisions(t, blobs))

	// A Delete interrupted after its first commit leaves a blob that
	// reads as absent, never one that reads as complete; Delete again
	// finishes it.
	rev = newRev(t)
	require.NoError(t, blobs.Put(ctx, rev, value("interrupted", 2*chunkSize+1)))
	fs := &failStore{Store: e.first, fail: 2}
	broken, err := changelog.NewKVBlobs(ctx, fs, "", chunkSize)
	require.NoError(t, err)
	require.ErrorIs(t, broken.Delete(ctx, rev), errCommit)
	_, err = blobs.Get(ctx, rev)
	require.ErrorIs(t, err, changelog.ErrNotFound, "a half-deleted blob reads as absent")
	assert.Equal(t, []changelog.Revision{rev}, blobRevisions(t, blobs), "a half-deleted blob is listed")
	require.NoError(t, blobs.Delete(ctx, rev))
	assert.Zero(t, rows(rev))

	// The memory blob store, for the same round trip.
	mem := changelog.NewMemoryBlobs()
	require.NoError(t, mem.Put(ctx, rev, []byte("x")))
	got, err := mem.Get(ctx, rev)
	require.NoError(t, err)
	assert.Equal(t, []byte("x"), got)
	assert.Equal(t, []changelog.Revision{rev}, blobRevisions(t, mem))
	require.NoError(t, mem.Delete(ctx, rev))
	require.NoError(t, mem.Delete(ctx, rev))
	_, err = mem.Get(ctx, rev)
	require.ErrorIs(t, err, changelog.ErrNotFound)
}

// errCommit is the error of failStore's failing Commit.
var errCommit = errors.New("commit fails")

// failStore fails its fail-th Commit (counting from 1) with errCommit.
type failStore struct {
	kv.Store
	mu   sync.Mutex
	n    int
	fail int
}

func (f *failStore) Commit(ctx context.Context, b *kv.Batch) error {
	f.mu.Lock()
	f.n++
	n := f.n
	f.mu.Unlock()
	if n == f.fail {
		return errCommit
	}
	return f.Store.Commit(ctx, b)
}

func testManagerBasics(t *testing.T, open kvtest.Opener) {
	for _, kind := range []string{"KVBlobs", "MemoryBlobs"} {
		t.Run(kind, func(t *testing.T) {
			e := newMEnv(t, open)
			d := openLog(t, e.first, e.opts())
			var blobs changelog.BlobStore = changelog.NewMemoryBlobs()
			if kind == "KVBlobs" {
				kb, err := changelog.NewKVBlobs(ctx, e.first, "", chunkSize)
				require.NoError(t, err)
				blobs = kb
			}
			m, err := changelog.NewManager(ctx, e.first, d, blobs, changelog.ManagerOptions{InlineMax: inlineMax})
			require.NoError(t, err)

			var prev []changelog.Revision
			// after checks the blob tier after a call: nblobs revisions,
			// none of those of the previous check when fresh, and no
			// outstanding entry.
			after := func(what string, nblobs int, fresh bool) {
				t.Helper()
				revs := blobRevisions(t, blobs)
				require.Len(t, revs, nblobs, what)
				if fresh {
					for _, r := range prev {
						require.NotContains(t, revs, r, "%s: the previous blob is gone", what)
					}
				}
				prev = revs
				require.Empty(t, scan(t, d), "%s: the log is empty", what)
				refd, err := m.Referenced(ctx)
				require.NoError(t, err, what)
				assert.ElementsMatch(t, revs, refd, "%s: every blob is referenced, every reference has its blob", what)
			}

			_, err = m.Get(ctx, "absent")
			require.ErrorIs(t, err, changelog.ErrNotFound)
			require.NoError(t, m.Delete(ctx, "absent"), "deleting a missing object is fine")
			after("delete absent", 0, false)

			require.NoError(t, m.Put(ctx, "s", small("s1")))
			requireGet(t, m, "s", small("s1"))
			after("put small", 0, false)
			require.NoError(t, m.Put(ctx, "s", small("s2")))
			requireGet(t, m, "s", small("s2"))
			require.NoError(t, m.Delete(ctx, "s"))
			requireGet(t, m, "s", nil)
			after("delete small", 0, false)

			require.NoError(t, m.Put(ctx, "empty", []byte{}))
			got, err := m.Get(ctx, "empty")
			require.NoError(t, err)
			assert.NotNil(t, got, "an empty value is not an absent one")
			assert.Empty(t, got)
			require.NoError(t, m.Put(ctx, "edge", value("edge", inlineMax)))
			requireGet(t, m, "edge", value("edge", inlineMax))
			after("put InlineMax", 0, false)
			require.NoError(t, m.Put(ctx, "edge", value("edge", inlineMax+1)))
			requireGet(t, m, "edge", value("edge", inlineMax+1))
			after("put InlineMax+1", 1, false)
			require.NoError(t, m.Delete(ctx, "edge"))
			after("delete edge", 0, true)

			require.NoError(t, m.Put(ctx, "l", large("l1")))
			requireGet(t, m, "l", large("l1"))
			after("put large", 1, true)
			require.NoError(t, m.Put(ctx, "l", large("l2")))
			requireGet(t, m, "l", large("l2"))
			after("large over large", 1, true)
			require.NoError(t, m.Put(ctx, "l", small("l3")))
			requireGet(t, m, "l", small("l3"))
			after("small over large", 0, true)
			require.NoError(t, m.Put(ctx, "l", large("l4")))
			requireGet(t, m, "l", large("l4"))
			after("large over small", 1, true)
			require.NoError(t, m.Put(ctx, "l2", large("other")))
			after("a second large object", 2, false)
			require.NoError(t, m.Delete(ctx, "l"))
			requireGet(t, m, "l", nil)
			requireGet(t, m, "l2", large("other"))
			after("delete large", 1, false)

			// A blob deleted behind the Manager's back reads as absent; an
			// overwrite of the dangling reference works.
			revs := blobRevisions(t, blobs)
			require.Len(t, revs, 1)
			require.NoError(t, blobs.Delete(ctx, revs[0]))
			requireGet(t, m, "l2", nil)
			require.NoError(t, m.Put(ctx, "l2", large("again")))
			requireGet(t, m, "l2", large("again"))
			after("overwrite a dangling reference", 1, true)

			// Object names are keys: empty or too long is rejected.
			for _, name := range []string{"", string(make([]byte, kv.MaxKeySize+1))} {
				require.ErrorIs(t, m.Put(ctx, name, small("x")), kv.ErrInvalidKey, "Put of a %d-byte name", len(name))
				require.ErrorIs(t, m.Put(ctx, name, large("x")), kv.ErrInvalidKey, "Put of a %d-byte name", len(name))
				require.ErrorIs(t, m.Delete(ctx, name), kv.ErrInvalidKey, "Delete of a %d-byte name", len(name))
				_, err := m.Get(ctx, name)
				require.ErrorIs(t, err, kv.ErrInvalidKey, "Get of a %d-byte name", len(name))
			}
			after("invalid names", 1, false)

			n, err := m.Recover(ctx)
			require.NoError(t, err)
			assert.Zero(t, n, "nothing to recover")
		})
	}
}

// testLostAnswer: an error after the CAS committed (its answer lost, as a
// broken connection would) is returned, but the write cleans up first,
// whichever way the CAS went.
func testLostAnswer(t *testing.T, open kvtest.Opener) {
	e := newMEnv(t, open)
	errLost := errors.New("answer lost")
	var lose atomic.Bool
	p := e.peer(t, peerOpts{hook: func(step changelog.Step, _ string) error {
		if step == changelog.StepCASCommitted && lose.CompareAndSwap(true, false) {
			return errLost
		}
		return nil
	}})
	require.NoError(t, p.m.Put(ctx, "o", large("old")))
	for i, v := range [][]byte{large("new"), small("small"), large("large again"), nil} {
		lose.Store(true)
		var err error
		if v == nil {
			err = p.m.Delete(ctx, "o")
		} else {
			err = p.m.Put(ctx, "o", v)
		}
		require.ErrorIs(t, err, errLost, "write %d", i)
		e.requireState(t, p.m, map[string][]byte{"o": v}, fmt.Sprint("write ", i))
	}
}

// errCrash is the error of a crashed instance's every call.
var errCrash = errors.New("crashed")

// stepChunk is the crash point inside a chunked blob write: after its
// second chunk (KVBlobs.AfterChunk).
const stepChunk changelog.Step = "chunk"

// crash makes an instance die at the nth occurrence of a step: from then
// on every hook of its Manager and every call of its blob store fails, as
// if the process were gone. It also records whether the reference CAS of
// the current write committed.
type crash struct {
	mu        sync.Mutex
	step      changelog.Step // "": never
	nth       int
	seen      int
	fired     bool
	committed bool
	// before runs at every step before the crash logic (a rival write).
	before func(changelog.Step) error
}

// arm makes the next write crash at the nth occurrence of step.
func (c *crash) arm(step changelog.Step, nth int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.step, c.nth, c.seen, c.committed = step, nth, 0, false
}

func (c *crash) state() (fired, committed bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.fired, c.committed
}

func (c *crash) at(step changelog.Step) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.fired {
		return errCrash
	}
	if step == changelog.StepCASCommitted {
		c.committed = true
	}
	if step == c.step {
		c.seen++
		if c.seen == c.nth {
			c.fired = true
			return errCrash
		}
	}
	return nil
}

func (c *crash) hook(step changelog.Step, _ string) error {
	if c.before != nil {
		if err := c.before(step); err != nil {
			return err
		}
	}
	return c.at(step)
}

func (c *crash) afterChunk(_ changelog.Revision, n int) error {
	if n == 1 {
		return c.at(stepChunk)
	}
	return c.dead()
}

func (c *crash) dead() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.fired {
		return errCrash
	}
	return nil
}

func (c *crash) opts() peerOpts {
	return peerOpts{hook: c.hook, afterChunk: c.afterChunk, wrap: func(b changelog.BlobStore) changelog.BlobStore {
		return crashBlobs{BlobStore: b, c: c}
	}}
}

// crashBlobs is the blob store of an instance that may crash.
type crashBlobs struct {
	changelog.BlobStore
	c *crash
}

func (b crashBlobs) Revisions(ctx context.Context) ([]changelog.Revision, error) {
	if err := b.c.dead(); err != nil {
		return nil, err
	}
	return b.BlobStore.(changelog.RevisionLister).Revisions(ctx)
}

func (b crashBlobs) Put(ctx context.Context, rev changelog.Revision, data []byte) error {
	if err := b.c.dead(); err != nil {
		return err
	}
	return b.BlobStore.Put(ctx, rev, data)
}

func (b crashBlobs) Get(ctx context.Context, rev changelog.Revision) ([]byte, error) {
	if err := b.c.dead(); err != nil {
		return nil, err
	}
	return b.BlobStore.Get(ctx, rev)
}

func (b crashBlobs) Delete(ctx context.Context, rev changelog.Revision) error {
	if err := b.c.dead(); err != nil {
		return err
	}
	return b.BlobStore.Delete(ctx, rev)
}

// testCrash is the table of crash points: for each step of a large write
// and each kind of write, instance A crashes there and is abandoned; B
// opens on the same database once A expired and recovers. Every object
// then reads its last committed value, no blob is unreferenced, no entry
// is left, and a second recovery does nothing.
func testCrash(t *testing.T, open kvtest.Opener) {
	steps := []struct {
		name string
		step changelog.Step
		nth  int
	}{
		{"Recorded", changelog.StepRecorded, 1},
		{"MidBlob", stepChunk, 1},
		{"Written", changelog.StepWritten, 1},
		{"CASCommitted", changelog.StepCASCommitted, 1},
		{"Deleted1", changelog.StepDeleted, 1},
		{"Deleted2", changelog.StepDeleted, 2},
		{"BeforeRemove", changelog.StepBeforeRemove, 1},
	}
	// committedAt are the steps a write passes only after its CAS
	// committed.
	committedAt := map[changelog.Step]bool{
		changelog.StepCASCommitted: true, changelog.StepDeleted: true, changelog.StepBeforeRemove: true,
	}
	kinds := []struct {
		name          string
		before, after []byte // nil: absent, a delete
		// rival, when set, is written by another instance while A's write
		// is recorded: A's CAS loses, and its cleanup deletes both blobs.
		rival []byte
		// reaches are the crash points the write passes (the others are
		// never reached: the write completes).
		reaches []string
	}{
		{"LargeOverLarge", large("before"), large("after"), nil,
			[]string{"Recorded", "MidBlob", "Written", "CASCommitted", "Deleted1", "BeforeRemove"}},
		{"LargeOverNothing", nil, large("after"), nil,
			[]string{"Recorded", "MidBlob", "Written", "CASCommitted", "BeforeRemove"}},
		{"SmallOverLarge", large("before"), small("after"), nil,
			[]string{"Recorded", "CASCommitted", "Deleted1", "BeforeRemove"}},
		{"DeleteLarge", large("before"), nil, nil,
			[]string{"Recorded", "CASCommitted", "Deleted1", "BeforeRemove"}},
		{"LargeLosingToLarge", large("before"), large("after"), large("rival"),
			[]string{"Recorded", "MidBlob", "Written", "Deleted1", "Deleted2", "BeforeRemove"}},
	}
	for _, kind := range kinds {
		for _, st := range steps {
			t.Run(kind.name+"/"+st.name, func(t *testing.T) {
				e := newMEnv(t, open)
				const obj, bystander = "obj", "bystander"
				c := &crash{}
				a := e.peer(t, c.opts())
				if kind.before != nil {
					require.NoError(t, a.m.Put(ctx, obj, kind.before))
				}
				require.NoError(t, a.m.Put(ctx, bystander, large("bystander")))
				if kind.rival != nil {
					w := e.peer(t, peerOpts{})
					var once sync.Once
					c.before = func(step changelog.Step) (err error) {
						if step == changelog.StepRecorded {
							once.Do(func() { err = w.m.Put(ctx, obj, kind.rival) })
						}
						return err
					}
				}

				c.arm(st.step, st.nth)
				var err error
				if kind.after == nil {
					err = a.m.Delete(ctx, obj)
				} else {
					err = a.m.Put(ctx, obj, kind.after)
				}
				fired, committed := c.state()
				require.Equal(t, slices.Contains(kind.reaches, st.name), fired, "the write reaches the crash point")
				if fired {
					require.ErrorIs(t, err, errCrash)
				} else {
					require.NoError(t, err)
				}
				if kind.rival == nil {
					require.Equal(t, !fired || committedAt[st.step], committed, "the CAS committed")
				} else {
					require.False(t, committed, "the CAS lost to the rival")
				}
				want := kind.before
				switch {
				case kind.rival != nil:
					want = kind.rival
				case committed:
					want = kind.after
				}
				// A is abandoned, not closed. B opens on the database once A
				// has expired and recovers.
				b := e.peer(t, peerOpts{})
				e.expire(t, b)
				n, err := b.m.Recover(ctx)
				require.NoError(t, err)
				if fired {
					assert.Equal(t, 1, n, "B cleans A's entry")
				} else {
					assert.Zero(t, n, "A left nothing to clean")
				}
				assert.Empty(t, scan(t, b.log), "B's log is empty")
				assert.Zero(t, rawCount(t, e.first, a.log.Instance()), "A's range is empty")
				state := map[string][]byte{obj: want, bystander: large("bystander")}
				e.requireState(t, b.m, state, "after recovery")
				revs := e.revisions(t)

				n, err = b.m.Recover(ctx)
				require.NoError(t, err)
				assert.Zero(t, n, "a second recovery finds nothing")
				e.requireState(t, b.m, state, "after a second recovery")
				assert.Equal(t, revs, e.revisions(t), "a second recovery deletes nothing")
			})
		}
	}
}

// testManagerFenced: A pauses in the middle of a large write, its
// heartbeat lapses, and B claims it and recovers. A's write then fails
// with ErrFenced without changing the reference, and no blob of it is left
// behind, wherever it paused; A's later writes fail too.
func testManagerFenced(t *testing.T, open kvtest.Opener) {
	for _, at := range []changelog.Step{changelog.StepRecorded, stepChunk, changelog.StepWritten} {
		t.Run(string(at), func(t *testing.T) {
			e := newMEnv(t, open)
			var armed atomic.Bool
			paused, resume := make(chan struct{}), make(chan struct{})
			pause := func(step changelog.Step) error {
				if step == at && armed.CompareAndSwap(true, false) {
					close(paused)
					<-resume
				}
				return nil
			}
			a := e.peer(t, peerOpts{
				hook: func(step changelog.Step, _ string) error { return pause(step) },
				afterChunk: func(_ changelog.Revision, n int) error {
					if n == 1 {
						return pause(stepChunk)
					}
					return nil
				},
			})
			b := e.peer(t, peerOpts{})
			require.NoError(t, a.m.Put(ctx, "obj", large("old")))
			state := map[string][]byte{"obj": large("old"), "small": nil}

			armed.Store(true)
			done := make(chan error, 1)
			go func() { done <- a.m.Put(ctx, "obj", large("new")) }()
			<-paused
			e.expire(t, b)
			n, err := b.m.Recover(ctx)
			require.NoError(t, err)
			assert.Equal(t, 1, n, "B claims A's entry and cleans it")
			requireGet(t, b.m, "obj", large("old"))
			close(resume)
			require.ErrorIs(t, <-done, changelog.ErrFenced)
			e.requireState(t, b.m, state, "after the fenced write")

			require.ErrorIs(t, a.m.Put(ctx, "obj", large("later")), changelog.ErrFenced)
			require.ErrorIs(t, a.m.Put(ctx, "obj", small("later")), changelog.ErrFenced)
			require.ErrorIs(t, a.m.Delete(ctx, "obj"), changelog.ErrFenced)
			require.ErrorIs(t, a.m.Put(ctx, "small", small("later")), changelog.ErrFenced, "a write without a blob is fenced too")
			e.requireState(t, b.m, state, "after A's later writes")
			n, err = b.m.Recover(ctx)
			require.NoError(t, err)
			assert.Zero(t, n)
		})
	}
}

// testRecoverSkipsLive: Recover runs while a write of its own Manager is
// between its blob write and its CAS; it cleans a stale entry of the same
// instance but leaves the live write alone.
func testRecoverSkipsLive(t *testing.T, open kvtest.Opener) {
	e := newMEnv(t, open)
	var fail, block atomic.Bool
	reached, release := make(chan struct{}), make(chan struct{})
	errStale := errors.New("stale write stops")
	p := e.peer(t, peerOpts{hook: func(step changelog.Step, _ string) error {
		if step != changelog.StepWritten {
			return nil
		}
		if fail.CompareAndSwap(true, false) {
			return errStale
		}
		if block.CompareAndSwap(true, false) {
			close(reached)
			<-release
		}
		return nil
	}})
	require.NoError(t, p.m.Put(ctx, "live", large("old")))
	fail.Store(true)
	require.ErrorIs(t, p.m.Put(ctx, "stale", large("stale")), errStale)
	require.Len(t, e.revisions(t), 2, "the stale write left its blob")

	block.Store(true)
	done := make(chan error, 1)
	go func() { done <- p.m.Put(ctx, "live", large("new")) }()
	<-reached
	n, err := p.m.Recover(ctx)
	require.NoError(t, err)
	assert.Equal(t, 1, n, "the stale entry is cleaned, the live one skipped")
	require.Len(t, e.revisions(t), 2, "the live write's blob and the old value's remain")
	require.Len(t, scan(t, p.log), 1, "the live write's entry remains")
	close(release)
	require.NoError(t, <-done)
	e.requireState(t, p.m, map[string][]byte{"live": large("new"), "stale": nil}, "after the live write")
}

// testConcurrentWriters: two instances write one object at once, round
// after round, while a third reads it. Lost races are not errors; the
// object ends with one of the last values written; a reader never sees it
// missing; no blob and no entry is left over.
func testConcurrentWriters(t *testing.T, open kvtest.Opener) {
	e := newMEnv(t, open)
	writers := []*peer{e.peer(t, peerOpts{}), e.peer(t, peerOpts{})}
	reader := e.peer(t, peerOpts{})
	const obj, rounds = "obj", 4
	require.NoError(t, writers[0].m.Put(ctx, obj, large("init")))
	vals := func(w, r int) []byte {
		tag := fmt.Sprintf("w%d-r%d", w, r)
		if (w+r)%2 == 0 {
			return large(tag)
		}
		return small(tag)
	}
	written := [][]byte{large("init")}
	for w := range writers {
		for r := range rounds {
			written = append(written, vals(w, r))
		}
	}
	var (
		wg      sync.WaitGroup
		writing atomic.Int32
		errs    = make(chan error, 2*rounds+1)
		readsOK atomic.Int32
		isOneOf = func(v []byte, of [][]byte) bool {
			return slices.ContainsFunc(of, func(w []byte) bool { return bytes.Equal(v, w) })
		}
		start    = make(chan struct{})
		anyError = func(err error) {
			select {
			case errs <- err:
			default:
			}
		}
	)
	writing.Store(int32(len(writers)))
	for w, p := range writers {
		wg.Go(func() {
			defer writing.Add(-1)
			<-start
			for r := range rounds {
				if err := p.m.Put(ctx, obj, vals(w, r)); err != nil {
					anyError(fmt.Errorf("writer %d, round %d: %w", w, r, err))
				}
			}
		})
	}
	wg.Go(func() {
		<-start
		for writing.Load() > 0 {
			v, err := reader.m.Get(ctx, obj)
			if err != nil {
				anyError(fmt.Errorf("read while writing: %w", err))
				return
			}
			if !isOneOf(v, written) {
				anyError(fmt.Errorf("read a value never written: %.24q", v))
				return
			}
			readsOK.Add(1)
		}
	})
	close(start)
	wg.Wait()
	close(errs)
	for err := range errs {
		require.NoError(t, err)
	}
	t.Logf("%d reads while writing", readsOK.Load())
	got, err := reader.m.Get(ctx, obj)
	require.NoError(t, err)
	require.True(t, isOneOf(got, [][]byte{vals(0, rounds-1), vals(1, rounds-1)}), "ends with a last value: %.24q", got)
	e.requireState(t, reader.m, map[string][]byte{obj: got}, "after the writers")
	for _, p := range writers {
		assert.Empty(t, scan(t, p.log))
	}
}

// getHook runs after a Get of a table, once, a function the test sets.
type getHook struct {
	kv.Store
	mu    sync.Mutex
	table string
	after func()
}

func (h *getHook) Get(ctx context.Context, table string, key []byte) ([]byte, error) {
	v, err := h.Store.Get(ctx, table, key)
	h.mu.Lock()
	var fn func()
	if table == h.table {
		fn, h.after = h.after, nil
	}
	h.mu.Unlock()
	if fn != nil {
		fn()
	}
	return v, err
}

// testReadDuringOverwrite: a Get that an overwrite (with its cleanup)
// overtakes between its reads — of the reference and of the blob's
// manifest, or of the manifest and of the chunks — reads a value the
// object held, never ErrNotFound or ErrCorrupt for an object that always
// had one.
func testReadDuringOverwrite(t *testing.T, open kvtest.Opener) {
	for _, tc := range []struct{ name, table string }{
		{"AfterReference", refsTable},
		{"AfterManifest", blobsTable},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newMEnv(t, open)
			w := e.peer(t, peerOpts{})
			h := &getHook{}
			r := e.peer(t, peerOpts{store: func(s kv.Store) kv.Store { h.Store = s; return h }})
			require.NoError(t, w.m.Put(ctx, "obj", large("old")))
			h.mu.Lock()
			h.table = tc.table
			h.after = func() { assert.NoError(t, w.m.Put(ctx, "obj", large("new"))) }
			h.mu.Unlock()
			got, err := r.m.Get(ctx, "obj")
			require.NoError(t, err, "an object overwritten during a read is not missing")
			require.True(t, bytes.Equal(large("new"), got) || bytes.Equal(large("old"), got), "read %.24q", got)
			e.requireState(t, r.m, map[string][]byte{"obj": large("new")}, "after the overwrite")
		})
	}
}

// testModel runs random writes of random sizes on a few objects from 2-3
// instances, one or two at once, with crashes at random steps and
// recoveries at random times, against a model of the values each object
// may hold.
func testModel(t *testing.T, open kvtest.Opener) {
	for _, seed := range []uint64{1, 2, 3} {
		t.Run(fmt.Sprint("Seed", seed), func(t *testing.T) { runModel(t, open, seed) })
	}
}

type modelPeer struct {
	*peer
	c *crash
}

func runModel(t *testing.T, open kvtest.Opener, seed uint64) {
	const ops = 25
	rng := rand.New(rand.NewPCG(seed, 0x5eed))
	e := newMEnv(t, open)
	objects := []string{"m0", "m1", "m2"}
	// may holds, for each object, the values it may hold (nil: absent).
	may := make(map[string][][]byte)
	for _, o := range objects {
		may[o] = [][]byte{nil}
	}
	newPeer := func() *modelPeer {
		c := &crash{}
		return &modelPeer{peer: e.peer(t, c.opts()), c: c}
	}
	live := []*modelPeer{newPeer(), newPeer()}
	crashSteps := []struct {
		step changelog.Step
		nth  int
	}{
		{changelog.StepRecorded, 1}, {stepChunk, 1}, {changelog.StepWritten, 1},
		{changelog.StepCASCommitted, 1}, {changelog.StepDeleted, 1}, {changelog.StepDeleted, 2},
		{changelog.StepBeforeRemove, 1},
	}
	type op struct {
		p      *modelPeer
		object string
		value  []byte // nil: delete
		err    error
	}
	seq, crashes := 0, 0
	recoverNow := func(round int) {
		t.Helper()
		e.clock.Add(expiry + time.Millisecond)
		for _, p := range live {
			require.NoError(t, p.log.Heartbeat(ctx)) // a live instance is not claimed
		}
		r := live[rng.IntN(len(live))]
		_, err := r.m.Recover(ctx)
		require.NoError(t, err, "round %d", round)
		e.requireNoLog(t, "round %d: every entry is cleaned", round)
		nlarge := 0
		for _, o := range objects {
			got, err := r.m.Get(ctx, o)
			if errors.Is(err, changelog.ErrNotFound) {
				require.True(t, slices.ContainsFunc(may[o], func(v []byte) bool { return v == nil }),
					"round %d: %s is absent, but a write of it committed last", round, o)
				may[o] = [][]byte{nil}
				continue
			}
			require.NoError(t, err, "round %d: %s", round, o)
			require.True(t, slices.ContainsFunc(may[o], func(v []byte) bool { return v != nil && bytes.Equal(v, got) }),
				"round %d: %s holds %d bytes %.24q, which no write that may have committed last wrote", round, o, len(got), got)
			may[o] = [][]byte{got}
			if len(got) > inlineMax {
				nlarge++
			}
		}
		require.Len(t, e.revisions(t), nlarge, "round %d: one blob per large object, none unreferenced", round)
		n, err := r.m.Recover(ctx)
		require.NoError(t, err)
		require.Zero(t, n, "round %d: a second recovery finds nothing", round)
	}
	round := 0
	for done := 0; done < ops; round++ {
		k := min(1+rng.IntN(2), len(live), ops-done)
		batch := make([]*op, k)
		for i, pi := range rng.Perm(len(live))[:k] {
			o := &op{p: live[pi], object: objects[rng.IntN(len(objects))]}
			seq++
			tag := fmt.Sprintf("s%d-v%d", seed, seq)
			switch r := rng.IntN(10); {
			case r < 5:
				o.value = value(tag, inlineMax+1+rng.IntN(3*chunkSize))
			case r < 8:
				o.value = value(tag, 1+rng.IntN(inlineMax))
			}
			o.p.c.arm("", 0)
			if rng.IntN(4) == 0 {
				cs := crashSteps[rng.IntN(len(crashSteps))]
				o.p.c.arm(cs.step, cs.nth)
			}
			batch[i] = o
		}
		var wg sync.WaitGroup
		for _, o := range batch {
			wg.Go(func() {
				if o.value == nil {
					o.err = o.p.m.Delete(ctx, o.object)
				} else {
					o.err = o.p.m.Put(ctx, o.object, o.value)
				}
			})
		}
		wg.Wait()
		done += k
		committed := make(map[string][][]byte)
		for _, o := range batch {
			fired, ok := o.p.c.state()
			if fired {
				require.ErrorIs(t, o.err, errCrash, "round %d", round)
				crashes++
				live = slices.DeleteFunc(live, func(p *modelPeer) bool { return p == o.p }) // abandoned
			} else {
				require.NoError(t, o.err, "round %d: a lost race is not an error", round)
				o.p.c.arm("", 0)
			}
			if ok {
				committed[o.object] = append(committed[o.object], o.value)
			}
		}
		// An object some write committed holds the value of one of them;
		// one no write committed keeps what it may have held.
		for o, vs := range committed {
			may[o] = vs
		}
		for len(live) < 2 || (len(live) < 3 && rng.IntN(4) == 0) {
			live = append(live, newPeer())
		}
		if rng.IntN(4) == 0 || done == ops {
			recoverNow(round)
		}
	}
	t.Logf("seed %d: %d rounds, %d crashes", seed, round, crashes)
}
