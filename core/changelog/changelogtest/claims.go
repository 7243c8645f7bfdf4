package changelogtest

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/idbsync/idbsync/core/changelog"
	"github.com/idbsync/idbsync/core/kv"
	"github.com/idbsync/idbsync/core/kv/kvtest"
)

// testFailedBlobAfterClaim: A's blob write is slow; A is claimed and its
// entry recovered meanwhile; then A's write fails part-way. A must drop its
// partial blob itself: no entry is left for recovery to find it by.
func testFailedBlobAfterClaim(t *testing.T, open kvtest.Opener) {
	e := newMEnv(t, open)
	gate, resume := make(chan struct{}), make(chan struct{})
	a := e.peer(t, peerOpts{afterChunk: func(_ changelog.Revision, n int) error {
		if n == 0 {
			close(gate)
			<-resume
		}
		if n == 2 {
			return errors.New("quota exceeded")
		}
		return nil
	}})
	errc := make(chan error, 1)
	go func() { errc <- a.m.Put(ctx, "x", large("a")) }()
	<-gate
	b := e.peer(t, peerOpts{})
	e.expire(t, b)
	n, err := b.m.Recover(ctx)
	require.NoError(t, err)
	require.Equal(t, 1, n)
	close(resume)
	require.Error(t, <-errc)
	_, err = b.m.Recover(ctx)
	require.NoError(t, err)
	require.Empty(t, e.revisions(t), "no orphaned partial blob")
}

// failingScan makes the n-th scan of the changes table fail, and runs hook
// right after the first one.
type failingScan struct {
	kv.Store
	mu    sync.Mutex
	n     int
	failN int
	hook  func()
}

func (f *failingScan) Scan(ctx context.Context, table string, r kv.Range) ([]kv.Pair, error) {
	if table == changesTable {
		f.mu.Lock()
		f.n++
		n := f.n
		f.mu.Unlock()
		if n == 1 && f.hook != nil {
			rows, err := f.Store.Scan(ctx, table, r)
			f.hook()
			return rows, err
		}
		if n == f.failN {
			return nil, errors.New("crash")
		}
	}
	return f.Store.Scan(ctx, table, r)
}

// testStrandedClaim: an entry recorded between a claim's scan and its
// commit stays under the claimed instance when the claim's second pass
// fails; a later recovery round must still find it.
func testStrandedClaim(t *testing.T, open kvtest.Opener) {
	e := newMEnv(t, open)
	a := e.peer(t, peerOpts{})
	rev := newRev(t)
	require.NoError(t, a.blobs.Put(ctx, rev, large("a")))
	id := newID(t)
	var fs *failingScan
	b := e.peer(t, peerOpts{store: func(s kv.Store) kv.Store {
		fs = &failingScan{Store: s}
		return fs
	}})
	e.expire(t, b)
	fs.hook = func() { require.NoError(t, a.log.Record(ctx, id, changelog.Change{Object: "x", New: rev})) }
	fs.failN = 2
	_, err := b.log.Claim(ctx, a.log.Instance())
	require.Error(t, err, "the second pass failed")
	_, err = b.m.Recover(ctx)
	require.NoError(t, err)
	require.Empty(t, e.revisions(t), "the stranded entry was swept and cleaned")
	got, err := b.log.Scan(ctx)
	require.NoError(t, err)
	require.Empty(t, got)
}

// testRegisteredWithLock: a tab that takes its lock before it registers
// (DurableOptions.ID) is never claimable, even by a recovery round that
// runs the moment its row appears.
func testRegisteredWithLock(t *testing.T, open kvtest.Opener) {
	e := newMEnv(t, open)
	var mu sync.Mutex
	locked := map[uuid.UUID]bool{}
	opts := e.opts()
	opts.LockHeld = func(_ context.Context, id uuid.UUID) (bool, bool) {
		mu.Lock()
		defer mu.Unlock()
		return locked[id], true
	}
	b, err := changelog.OpenDurable(ctx, e.handle(t), opts)
	require.NoError(t, err)
	mu.Lock()
	locked[b.Instance()] = true
	mu.Unlock()

	id, err := uuid.NewV7()
	require.NoError(t, err)
	mu.Lock()
	locked[id] = true // the tab's lock, taken before it opens
	mu.Unlock()
	opts.ID = id
	a, err := changelog.OpenDurable(ctx, e.handle(t), opts)
	require.NoError(t, err)
	require.Equal(t, id, a.Instance())
	n, err := b.ClaimDead(ctx)
	require.NoError(t, err)
	require.Zero(t, n)
	require.NoError(t, a.Record(ctx, newID(t), changelog.Change{Object: "x"}), "the new tab is not fenced")
}

// testSweep: the orphans only a sweep finds, and the blobs it must spare.
// A is claimed while paused before its blob write; it resumes, writes the
// blob (blob writes are not fenced), and crashes before its fenced CAS
// could fail and drop it: no entry names the blob. Meanwhile C's write is
// in flight between its blob write and its CAS, and D's is complete.
func testSweep(t *testing.T, open kvtest.Opener) {
	e := newMEnv(t, open)
	errCrash := errors.New("crash")
	aPaused, aResume := make(chan struct{}), make(chan struct{})
	a := e.peer(t, peerOpts{hook: func(step changelog.Step, _ string) error {
		switch step {
		case changelog.StepRecorded:
			close(aPaused)
			<-aResume
		case changelog.StepWritten:
			return errCrash // dies with its blob written, before the CAS
		}
		return nil
	}})
	cPaused, cResume := make(chan struct{}), make(chan struct{})
	c := e.peer(t, peerOpts{hook: func(step changelog.Step, _ string) error {
		if step == changelog.StepWritten {
			close(cPaused)
			<-cResume
		}
		return nil
	}})
	d := e.peer(t, peerOpts{})
	require.NoError(t, d.m.Put(ctx, "d", large("d")))

	aErr := make(chan error, 1)
	go func() { aErr <- a.m.Put(ctx, "a", large("a")) }()
	<-aPaused
	e.expire(t, c, d)
	n, err := d.m.Recover(ctx)
	require.NoError(t, err)
	require.Equal(t, 1, n, "D claims A and cleans its entry up (no blob yet)")
	close(aResume)
	require.ErrorIs(t, <-aErr, errCrash)
	require.Len(t, e.revisions(t), 2, "d's blob and A's orphan")
	n, err = d.m.Recover(ctx)
	require.NoError(t, err)
	require.Zero(t, n, "no entry names A's orphan")

	cErr := make(chan error, 1)
	go func() { cErr <- c.m.Put(ctx, "c", large("c")) }()
	<-cPaused
	n, err = d.m.Sweep(ctx)
	require.NoError(t, err)
	assert.Equal(t, 1, n, "the sweep deletes A's orphan only")
	require.Len(t, e.revisions(t), 2, "d's blob, and c's in flight")
	close(cResume)
	require.NoError(t, <-cErr, "c's write completes: its blob was spared")

	n, err = d.m.Sweep(ctx)
	require.NoError(t, err)
	assert.Zero(t, n, "nothing left to sweep")
	e.requireState(t, d.m, map[string][]byte{"a": nil, "c": large("c"), "d": large("d")}, "after the sweeps")
}

// testFencedAfterCAS: A is claimed after its CAS committed, while it
// cleans up. Its write is done whatever its cleanup meets: Put succeeds,
// and the claimer's recovery finishes the cleanup.
func testFencedAfterCAS(t *testing.T, open kvtest.Opener) {
	for _, at := range []changelog.Step{changelog.StepDeleted, changelog.StepBeforeRemove} {
		t.Run(string(at), func(t *testing.T) {
			e := newMEnv(t, open)
			var armed atomic.Bool
			paused, resume := make(chan struct{}), make(chan struct{})
			a := e.peer(t, peerOpts{hook: func(step changelog.Step, _ string) error {
				if step == at && armed.CompareAndSwap(true, false) {
					close(paused)
					<-resume
				}
				return nil
			}})
			b := e.peer(t, peerOpts{})
			require.NoError(t, a.m.Put(ctx, "obj", large("old")))
			armed.Store(true)
			done := make(chan error, 1)
			go func() { done <- a.m.Put(ctx, "obj", large("new")) }()
			<-paused
			e.expire(t, b)
			_, err := b.m.Recover(ctx)
			require.NoError(t, err)
			close(resume)
			require.NoError(t, <-done, "the CAS committed: the write is done")
			_, err = b.m.Recover(ctx)
			require.NoError(t, err)
			e.requireState(t, b.m, map[string][]byte{"obj": large("new")}, "after the claim")
			require.ErrorIs(t, a.m.Put(ctx, "obj", large("later")), changelog.ErrFenced, "later writes are fenced")
		})
	}
}
