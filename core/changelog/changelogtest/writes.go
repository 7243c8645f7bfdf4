package changelogtest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/idbsync/idbsync/core/changelog"
	"github.com/idbsync/idbsync/core/kv"
	"github.com/idbsync/idbsync/core/kv/kvtest"
)

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
