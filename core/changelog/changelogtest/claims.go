package changelogtest

import (
	"context"
	"errors"
	"sync"
	"testing"

	"github.com/google/uuid"
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
