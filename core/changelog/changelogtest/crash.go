package changelogtest

import (
	"context"
	"errors"
	"slices"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/idbsync/idbsync/core/changelog"
	"github.com/idbsync/idbsync/core/kv/kvtest"
)

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
