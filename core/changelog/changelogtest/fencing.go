package changelogtest

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/idbsync/idbsync/core/changelog"
	"github.com/idbsync/idbsync/core/kv"
	"github.com/idbsync/idbsync/core/kv/kvtest"
)

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

func testPaused(t *testing.T, open kvtest.Opener) {
	e := newEnv(t, open)
	sp := e.handle(t)
	opts := e.opts()
	var renewals atomic.Int32
	opts.Renew = func(context.Context) (uuid.UUID, error) {
		renewals.Add(1)
		return uuid.NewV7()
	}
	p := openLog(t, sp, opts)
	r := e.instance(t)
	before := record(t, p, 2)
	old := p.Instance()
	var stale kv.Batch // fenced before the claim, committed after it
	stale.Put(changesTable, []byte("fenced-write"), []byte("v"))
	p.Fence(&stale)

	e.clock.Add(3*interval + time.Millisecond)
	require.NoError(t, r.Heartbeat(ctx))
	assert.True(t, view(t, r, old).Dead)
	assert.False(t, view(t, p, r.Instance()).Dead)
	n, err := r.Claim(ctx, old)
	require.NoError(t, err)
	assert.Equal(t, 2, n)

	// The paused instance wakes up: its write finds it claimed, so it
	// registers afresh and records under its new id.
	require.ErrorIs(t, sp.Commit(ctx, &stale), kv.ErrConflict)
	_, err = sp.Get(ctx, changesTable, []byte("fenced-write"))
	require.ErrorIs(t, err, kv.ErrNotFound, "a fenced batch writes nothing")
	after := newID(t)
	require.NoError(t, p.Record(ctx, after, changelog.Change{Object: "after claim", New: newRev(t)}))
	renewed := p.Instance()
	assert.NotEqual(t, old, renewed, "a new id")
	assert.Equal(t, int32(1), renewals.Load())
	require.NoError(t, p.Heartbeat(ctx))
	require.NoError(t, p.Remove(ctx, before[0].ID), "the claimed entry is not p's any more: nothing to remove")
	require.NoError(t, p.Record(ctx, newID(t), changelog.Change{Object: "later"}))
	assert.Equal(t, int32(1), renewals.Load(), "renewed once")

	requireEntries(t, r, before, "the claimer keeps the entries from before the claim")
	got := scan(t, p)
	assert.Len(t, got, 2, "p's entries are its new ones")
	assert.Zero(t, rawCount(t, sp, old))
	in := view(t, r, old)
	assert.Equal(t, r.Instance(), in.ClaimedBy)
	assert.Equal(t, uint64(2), in.Epoch)
	assert.True(t, in.Heartbeat.Equal(base), "the claim keeps the heartbeat, the fenced instance wrote nothing there")
	fresh := view(t, r, renewed)
	assert.False(t, fresh.Dead, "the new registration is alive")
	assert.Equal(t, uuid.Nil, fresh.ClaimedBy)

	require.NoError(t, p.Close())
	assert.Contains(t, instances(t, r), old, "the claimed row stays for its claimer")
	assert.Contains(t, instances(t, r), renewed, "p's new row stays: it has entries")
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

			// A is alive: it registered afresh under a new id, and its later
			// writes go through (before, every one failed with ErrFenced).
			require.NoError(t, a.m.Put(ctx, "obj", large("later")))
			require.NoError(t, a.m.Put(ctx, "small", small("later")), "a write without a blob too")
			state = map[string][]byte{"obj": large("later"), "small": small("later")}
			e.requireState(t, b.m, state, "after A's later writes")
			n, err = b.m.Recover(ctx)
			require.NoError(t, err)
			assert.Zero(t, n)
		})
	}
}
