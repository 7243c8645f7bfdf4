package changelogtest

import (
	"context"
	"errors"
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
			require.NoError(t, a.m.Put(ctx, "obj", large("later")), "A registered afresh and goes on")
			e.requireState(t, b.m, map[string][]byte{"obj": large("later")}, "after A's later write")
		})
	}
}
