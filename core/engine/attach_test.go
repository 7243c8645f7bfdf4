package engine_test

import (
	"bytes"
	"errors"
	"strings"
	"testing"
	"time"

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

// grace is the Options.BlobGrace of the sweep tests.
const grace = time.Minute

// openSettled is open with the recovery loop's first round (whose sweep
// of the blob tier would race the test's own sweeps) over before it
// returns; later rounds run only when the test fires the timer, which it
// never does.
func openSettled(t *testing.T, s kv.Store, wall *hlctest.Wall, opts engine.Options) *engine.Engine {
	t.Helper()
	timer := newLoopTimer(changelog.DefaultInterval)
	opts.Store, opts.Now, opts.After = s, wall.Now, timer.After
	e, err := engine.Open(ctx, opts)
	require.NoError(t, err)
	t.Cleanup(func() { _ = e.Close() })
	timer.settle(t, 2) // the heartbeat loop and recovery's first round
	return e
}

// plainReplica hides every optional interface of the replica it wraps: a
// sync through it carries entries, never attachment bytes.
type plainReplica struct{ syncer.Replica }

// blob is n bytes that differ with seed.
func blob(seed byte, n int) []byte {
	out := make([]byte, n)
	for i := range out {
		out[i] = seed + byte(i%251)
	}
	return out
}

func stats(t *testing.T, e *engine.Engine) engine.Stats {
	t.Helper()
	s, err := e.Stats(ctx)
	require.NoError(t, err)
	return s
}

func has(t *testing.T, e *engine.Engine, hash string) bool {
	t.Helper()
	got, err := e.HasBlobs(ctx, []string{hash})
	require.NoError(t, err)
	return got[0]
}

func sweep(t *testing.T, e *engine.Engine) int {
	t.Helper()
	n, err := e.SweepBlobs(ctx)
	require.NoError(t, err)
	return n
}

// TestPutGetBlob: an attachment reads back as written, inline or in the
// blob tier, and is listed with its reference.
func TestPutGetBlob(t *testing.T) {
	tests := []struct {
		name      string
		data      []byte
		wantBlobs int // revisions in the blob tier: none for an inline value
	}{
		{"Empty", []byte{}, 0},
		{"SmallInline", []byte("a small attachment"), 0},
		{"AtInlineMax", blob(1, changelog.DefaultInlineMax), 0},
		{"Large", blob(2, 100<<10), 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			wall := hlctest.NewWall(base)
			e := open(t, memkv.New(), wall, engine.Options{})
			ref, err := e.PutBlob(ctx, "att/1", tc.data)
			require.NoError(t, err)
			assert.Equal(t, engine.BlobRef{Hash: engine.HashBlob(tc.data), Size: int64(len(tc.data))}, ref)
			assert.True(t, engine.ValidHash(ref.Hash))

			got, found, err := e.GetBlob(ctx, "att/1")
			require.NoError(t, err)
			require.True(t, found)
			assert.True(t, bytes.Equal(tc.data, got))
			raw, err := e.ReadBlob(ctx, ref.Hash)
			require.NoError(t, err)
			assert.True(t, bytes.Equal(tc.data, raw), "ReadBlob by hash")
			assert.True(t, has(t, e, ref.Hash))

			all, err := e.Attachments(ctx)
			require.NoError(t, err)
			assert.Equal(t, []engine.Attachment{{Key: "att/1", BlobRef: ref}}, all)
			missing, err := e.MissingBlobs(ctx)
			require.NoError(t, err)
			assert.Empty(t, missing)
			s := stats(t, e)
			assert.Equal(t, 1, s.Contents)
			assert.Equal(t, tc.wantBlobs, s.Blobs)

			_, found, err = e.GetBlob(ctx, "att/none")
			require.NoError(t, err)
			assert.False(t, found)
			_, err = e.ReadBlob(ctx, engine.HashBlob([]byte("never stored")))
			assert.ErrorIs(t, err, changelog.ErrNotFound)
		})
	}
}

// TestBlobContentStoredOnce: two keys with the same bytes share one
// content, kept until the last key referencing it is deleted.
func TestBlobContentStoredOnce(t *testing.T) {
	tests := []struct {
		name string
		data []byte
	}{
		{"Small", []byte("shared")},
		{"Large", blob(3, 64<<10)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			wall := hlctest.NewWall(base)
			e := open(t, memkv.New(), wall, engine.Options{})
			r1, err := e.PutBlob(ctx, "att/1", tc.data)
			require.NoError(t, err)
			r2, err := e.PutBlob(ctx, "att/2", tc.data)
			require.NoError(t, err)
			assert.Equal(t, r1, r2)
			assert.Equal(t, 1, stats(t, e).Contents, "stored once")

			require.NoError(t, e.DeleteBlob(ctx, "att/1"))
			assert.Equal(t, 1, stats(t, e).Contents, "att/2 still references it")
			_, found, err := e.GetBlob(ctx, "att/1")
			require.NoError(t, err)
			assert.False(t, found)
			got, found, err := e.GetBlob(ctx, "att/2")
			require.NoError(t, err)
			require.True(t, found)
			assert.True(t, bytes.Equal(tc.data, got))

			require.NoError(t, e.DeleteBlob(ctx, "att/2"))
			assert.Equal(t, 0, stats(t, e).Contents, "the last reference took it")
			assert.False(t, has(t, e, r1.Hash))
			all, err := e.Attachments(ctx)
			require.NoError(t, err)
			assert.Empty(t, all)
		})
	}
}

// TestOverwriteFreesOldContent: a PutBlob that replaces a key's bytes
// deletes the old content unless another key references it.
func TestOverwriteFreesOldContent(t *testing.T) {
	oldData, newData := blob(4, 40<<10), []byte("new and small")
	tests := []struct {
		name     string
		shared   bool // another key references the old content
		next     []byte
		wantKept bool
		want     int // contents after the overwrite
	}{
		{"Freed", false, newData, false, 1},
		{"SharedKept", true, newData, true, 2},
		{"SameBytes", false, oldData, true, 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			wall := hlctest.NewWall(base)
			e := open(t, memkv.New(), wall, engine.Options{})
			old, err := e.PutBlob(ctx, "att", oldData)
			require.NoError(t, err)
			if tc.shared {
				require.NoError(t, noRef(e.PutBlob(ctx, "other", oldData)))
			}
			ref, err := e.PutBlob(ctx, "att", tc.next)
			require.NoError(t, err)
			assert.Equal(t, engine.HashBlob(tc.next), ref.Hash)
			assert.Equal(t, tc.wantKept, has(t, e, old.Hash))
			assert.Equal(t, tc.want, stats(t, e).Contents)
			got, found, err := e.GetBlob(ctx, "att")
			require.NoError(t, err)
			require.True(t, found)
			assert.True(t, bytes.Equal(tc.next, got))
		})
	}
}

// TestSyncCarriesBlobBytes: a sync of two engines gives each the bytes of
// the attachments it gets, whichever side wrote them.
func TestSyncCarriesBlobBytes(t *testing.T) {
	tests := []struct {
		name     string
		pageSize int
	}{
		{"OnePage", 0},
		{"PageEach", 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			wall := hlctest.NewWall(base)
			a := open(t, memkv.New(), wall, engine.Options{Name: "a"})
			b := open(t, memkv.New(), wall, engine.Options{Name: "b"})
			fromA := map[string][]byte{"att/a1": blob(5, 200<<10), "att/a2": []byte("inline from a")}
			fromB := map[string][]byte{"att/b1": blob(6, 30<<10)}
			for k, v := range fromA {
				require.NoError(t, noRef(a.PutBlob(ctx, k, v)))
			}
			for k, v := range fromB {
				require.NoError(t, noRef(b.PutBlob(ctx, k, v)))
			}

			res, err := syncer.Sync(ctx, a, b, syncer.Options{PageSize: tc.pageSize})
			require.NoError(t, err)
			assert.Equal(t, syncer.Result{ToA: 1, ToB: 2}, res)
			for _, e := range []*engine.Engine{a, b} {
				for _, written := range []map[string][]byte{fromA, fromB} {
					for k, v := range written {
						got, found, err := e.GetBlob(ctx, k)
						require.NoError(t, err, "%s: %s", e.Name(), k)
						require.True(t, found, "%s: %s", e.Name(), k)
						assert.True(t, bytes.Equal(v, got), "%s: %s", e.Name(), k)
					}
				}
				missing, err := e.MissingBlobs(ctx)
				require.NoError(t, err)
				assert.Empty(t, missing, e.Name())
				assert.Equal(t, 3, stats(t, e).Contents, e.Name())
			}
		})
	}
}

// TestSyncWithoutCarrier: a sync through a replica that carries no bytes
// leaves b with the reference only: GetBlob names the bytes to fetch,
// StoreBlob takes them (and refuses any others), and then they read.
func TestSyncWithoutCarrier(t *testing.T) {
	wall := hlctest.NewWall(base)
	a := open(t, memkv.New(), wall, engine.Options{Name: "a"})
	b := open(t, memkv.New(), wall, engine.Options{Name: "b"})
	data := blob(7, 50<<10)
	ref, err := a.PutBlob(ctx, "att/photo", data)
	require.NoError(t, err)

	res, err := syncer.Sync(ctx, plainReplica{a}, plainReplica{b}, syncer.Options{})
	require.NoError(t, err)
	assert.Equal(t, 1, res.ToB)

	_, found, err := b.GetBlob(ctx, "att/photo")
	require.ErrorIs(t, err, engine.ErrBlobMissing)
	assert.False(t, found)
	var missing *engine.MissingBlobError
	require.ErrorAs(t, err, &missing)
	assert.Equal(t, &engine.MissingBlobError{Key: "att/photo", Ref: ref}, missing)
	assert.Equal(t, engine.BlobRef{Hash: engine.HashBlob(data), Size: int64(len(data))}, missing.Ref)
	list, err := b.MissingBlobs(ctx)
	require.NoError(t, err)
	assert.Equal(t, []engine.Attachment{{Key: "att/photo", BlobRef: ref}}, list)

	refused := []struct {
		name string
		hash string
		data []byte
		want error
	}{
		{"WrongBytes", ref.Hash, blob(8, 50<<10), oplog.ErrCorrupt},
		{"Truncated", ref.Hash, data[:len(data)-1], oplog.ErrCorrupt},
		{"Empty", ref.Hash, nil, oplog.ErrCorrupt},
		{"UpperCaseHash", string(bytes.ToUpper([]byte(ref.Hash))), data, oplog.ErrInvalidOp},
		{"ShortHash", ref.Hash[:63], data, oplog.ErrInvalidOp},
	}
	for _, tc := range refused {
		t.Run(tc.name, func(t *testing.T) {
			require.ErrorIs(t, b.StoreBlob(ctx, tc.hash, tc.data), tc.want)
			assert.False(t, has(t, b, ref.Hash), "nothing stored")
			assert.Equal(t, 0, stats(t, b).Contents)
			_, _, err := b.GetBlob(ctx, "att/photo")
			assert.ErrorIs(t, err, engine.ErrBlobMissing)
		})
	}

	fetched, err := a.ReadBlob(ctx, missing.Ref.Hash)
	require.NoError(t, err)
	require.NoError(t, b.StoreBlob(ctx, missing.Ref.Hash, fetched))
	require.NoError(t, b.StoreBlob(ctx, missing.Ref.Hash, fetched), "storing it again is fine")
	got, found, err := b.GetBlob(ctx, "att/photo")
	require.NoError(t, err)
	require.True(t, found)
	assert.True(t, bytes.Equal(data, got))
	list, err = b.MissingBlobs(ctx)
	require.NoError(t, err)
	assert.Empty(t, list)
	assert.Equal(t, 1, stats(t, b).Contents)
}

// TestReservedKeys: apps can neither write, read nor scan the keys that
// hold attachment references; a refused Exec writes nothing.
func TestReservedKeys(t *testing.T) {
	wall := hlctest.NewWall(base)
	e := open(t, memkv.New(), wall, engine.Options{})
	require.NoError(t, noRef(e.PutBlob(ctx, "att", []byte("v"))))
	ref := "\x00blob/att"
	calls := []struct {
		name string
		call func() error
	}{
		{"ExecPut", func() error { _, err := e.Exec(ctx, oplog.Put(ref, []byte("forged"))); return err }},
		{"ExecPutNew", func() error { _, err := e.Exec(ctx, oplog.Put("\x00blob/new", []byte("forged"))); return err }},
		{"ExecDelete", func() error { _, err := e.Exec(ctx, oplog.Delete(ref)); return err }},
		{"ExecOneOfMany", func() error {
			_, err := e.Exec(ctx, oplog.Put("ok", []byte("v")), oplog.Delete(ref))
			return err
		}},
		{"Get", func() error { _, _, err := e.Get(ctx, ref); return err }},
		{"GetMany", func() error { _, err := e.GetMany(ctx, []string{"ok", ref}); return err }},
		{"ScanPrefix", func() error { _, err := e.Scan(ctx, "\x00blob/", "", 0); return err }},
		{"ScanPrefixInside", func() error { _, err := e.Scan(ctx, ref, "", 0); return err }},
		{"PutBlob", func() error { return noRef(e.PutBlob(ctx, ref, []byte("v"))) }},
		{"PutBlobEmptyKey", func() error { return noRef(e.PutBlob(ctx, "", []byte("v"))) }},
		{"GetBlob", func() error { _, _, err := e.GetBlob(ctx, ref); return err }},
		{"DeleteBlob", func() error { return e.DeleteBlob(ctx, ref) }},
	}
	for _, tc := range calls {
		t.Run(tc.name, func(t *testing.T) {
			require.ErrorIs(t, tc.call(), oplog.ErrInvalidOp)
		})
	}
	c, err := e.Cursors(ctx)
	require.NoError(t, err)
	assert.Equal(t, oplog.PeerCursors{e.Peer(): 1}, c, "only PutBlob's entry")
	got, found, err := e.GetBlob(ctx, "att")
	require.NoError(t, err)
	require.True(t, found)
	assert.Equal(t, "v", string(got), "the reference is untouched")
}

// TestScanSkipsAttachments: Scan returns the app's keys, those sorting
// before the references and those after, whatever limit cuts the range.
func TestScanSkipsAttachments(t *testing.T) {
	wall := hlctest.NewWall(base)
	e := open(t, memkv.New(), wall, engine.Options{})
	// Sorted with the references: \x00a \x00blob [\x00blob/1 \x00blob/2
	// \x00blob/3] \x00blob0 a b.
	app := []string{"\x00a", "\x00blob", "\x00blob0", "a", "b"}
	for _, k := range app {
		_, err := e.Exec(ctx, oplog.Put(k, []byte("v")))
		require.NoError(t, err)
	}
	for _, k := range []string{"1", "2", "3"} {
		require.NoError(t, noRef(e.PutBlob(ctx, k, []byte("att "+k))))
	}
	tests := []struct {
		name          string
		prefix, start string
		limit         int
		want          []string
	}{
		{"All", "", "", 0, app},
		{"Limit1", "", "", 1, app[:1]},
		{"Limit2EndsBefore", "", "", 2, app[:2]},
		{"Limit3Across", "", "", 3, app[:3]},
		{"Limit4", "", "", 4, app[:4]},
		{"Limit5", "", "", 5, app},
		{"LimitPast", "", "", 50, app},
		{"StartInside", "", "\x00blob/2", 0, app[2:]},
		{"StartInsideLimit", "", "\x00blob/2", 2, app[2:4]},
		{"StartAtRange", "", "\x00blob/", 1, app[2:3]},
		{"StartBeforeRange", "", "\x00blob\x00", 2, app[2:4]},
		{"StartPast", "", "\x00blob0", 0, app[2:]},
		{"PrefixNul", "\x00", "", 0, app[:3]},
		{"PrefixNulLimit2", "\x00", "", 2, app[:2]},
		{"PrefixNulLimit3", "\x00", "", 3, app[:3]},
		{"PrefixBlo", "\x00blo", "", 0, app[1:3]},
		{"PrefixBlob", "\x00blob", "", 0, app[1:3]},
		{"PrefixBlobLimit1", "\x00blob", "", 1, app[1:2]},
		{"PrefixBlobLimit2", "\x00blob", "", 2, app[1:3]},
		{"PrefixAfter", "a", "", 0, app[3:4]},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rows, err := e.Scan(ctx, tc.prefix, tc.start, tc.limit)
			require.NoError(t, err)
			assert.Equal(t, tc.want, keysOf(rows))
		})
	}
	for _, limit := range []int{1, 2, 3} {
		var seen []string
		start := ""
		for range len(app) + 1 {
			rows, err := e.Scan(ctx, "", start, limit)
			require.NoError(t, err)
			if len(rows) == 0 {
				break
			}
			seen = append(seen, keysOf(rows)...)
			start = rows[len(rows)-1].Key + "\x00"
		}
		assert.Equal(t, app, seen, "paged by %d", limit)
	}
}

// TestWatchHidesAttachments: neither PutBlob, DeleteBlob nor an applied
// reference is delivered to a watch, whatever its prefix. Each step ends
// with an app write: a watch's delivery merges what it missed, so getting
// exactly that write shows nothing else was offered.
func TestWatchHidesAttachments(t *testing.T) {
	wall := hlctest.NewWall(base)
	e := open(t, memkv.New(), wall, engine.Options{})
	other := open(t, memkv.New(), wall, engine.Options{})
	all, stopAll := e.Watch("")
	defer stopAll()
	nul, stopNul := e.Watch("\x00")
	defer stopNul()
	refs, _ := e.Watch("\x00blob/")

	next := func(ch <-chan []string) []string {
		t.Helper()
		select {
		case keys := <-ch:
			return keys
		case <-time.After(5 * time.Second):
			t.Fatal("no delivery")
			return nil
		}
	}
	steps := []struct {
		name   string
		do     func() error
		marker string
	}{
		{"PutBlob", func() error { return noRef(e.PutBlob(ctx, "att", blob(9, 20<<10))) }, "\x00m1"},
		{"Overwrite", func() error { return noRef(e.PutBlob(ctx, "att", []byte("small"))) }, "\x00m2"},
		{"DeleteBlob", func() error { return e.DeleteBlob(ctx, "att") }, "\x00m3"},
		{"Applied", func() error {
			if err := noRef(other.PutBlob(ctx, "theirs", []byte("x"))); err != nil {
				return err
			}
			_, err := syncer.Pull(ctx, e, other, syncer.Options{})
			return err
		}, "\x00m4"},
		{"Expunge", func() error {
			key, err := e.Expunge(ctx, e.Peer(), 0) // the first PutBlob's entry
			assert.False(t, strings.HasPrefix(key, "\x00blob/"), "Expunge answered %q", key)
			return err
		}, "\x00m5"},
	}
	for _, st := range steps {
		t.Run(st.name, func(t *testing.T) {
			require.NoError(t, st.do())
			_, err := e.Exec(ctx, oplog.Put(st.marker, []byte("v")))
			require.NoError(t, err)
			assert.Equal(t, []string{st.marker}, next(all))
			assert.Equal(t, []string{st.marker}, next(nul))
		})
	}
	t.Run("AppliedWithAppKey", func(t *testing.T) {
		_, err := other.Exec(ctx, oplog.Put("\x00n", []byte("v")))
		require.NoError(t, err)
		require.NoError(t, noRef(other.PutBlob(ctx, "theirs2", []byte("y"))))
		_, err = syncer.Pull(ctx, e, other, syncer.Options{})
		require.NoError(t, err)
		assert.Equal(t, []string{"\x00n"}, next(all), "one page: only its app key")
	})

	require.NoError(t, e.Close())
	var got []string
	for keys := range refs {
		got = append(got, keys...)
	}
	assert.Empty(t, got, "a watch of the reserved prefix never hears anything")
}

// TestSweepBlobs: SweepBlobs deletes content nothing references only once
// a sweep at least BlobGrace earlier saw it so; what is referenced stays.
func TestSweepBlobs(t *testing.T) {
	tests := []struct {
		name string
		// setup stores content and returns its hash.
		setup    func(t *testing.T, e *engine.Engine) string
		wantGone bool
	}{
		{"OrphanSmall", func(t *testing.T, e *engine.Engine) string {
			data := []byte("nothing references this")
			require.NoError(t, e.StoreBlob(ctx, engine.HashBlob(data), data))
			return engine.HashBlob(data)
		}, true},
		{"OrphanLarge", func(t *testing.T, e *engine.Engine) string {
			data := blob(10, 100<<10)
			require.NoError(t, e.StoreBlob(ctx, engine.HashBlob(data), data))
			return engine.HashBlob(data)
		}, true},
		{"Referenced", func(t *testing.T, e *engine.Engine) string {
			ref, err := e.PutBlob(ctx, "att", blob(11, 100<<10))
			require.NoError(t, err)
			return ref.Hash
		}, false},
		{"StoredThenReferenced", func(t *testing.T, e *engine.Engine) string {
			data := blob(12, 30<<10)
			require.NoError(t, e.StoreBlob(ctx, engine.HashBlob(data), data))
			require.NoError(t, noRef(e.PutBlob(ctx, "att", data)))
			return engine.HashBlob(data)
		}, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			wall := hlctest.NewWall(base)
			e := openSettled(t, memkv.New(), wall, engine.Options{BlobGrace: grace})
			hash := tc.setup(t, e)

			assert.Equal(t, 0, sweep(t, e), "the first sweep only notes it")
			wall.Add(grace - time.Second)
			assert.Equal(t, 0, sweep(t, e), "within the grace")
			require.True(t, has(t, e, hash))

			wall.Add(time.Second)
			want := 0
			if tc.wantGone {
				want = 1
			}
			assert.Equal(t, want, sweep(t, e), "the first sweep past the grace")
			assert.Equal(t, !tc.wantGone, has(t, e, hash))
			wall.Add(time.Hour)
			assert.Equal(t, 0, sweep(t, e), "nothing more to do")
			assert.Equal(t, !tc.wantGone, has(t, e, hash))
		})
	}
}

// TestSweepRestartsWhenReferencedMeanwhile: content referenced at a sweep
// between two that saw it unreferenced gets a fresh grace.
func TestSweepRestartsWhenReferencedMeanwhile(t *testing.T) {
	wall := hlctest.NewWall(base)
	a := openSettled(t, memkv.New(), wall, engine.Options{BlobGrace: grace})
	b := open(t, memkv.New(), wall, engine.Options{})
	data := blob(13, 20<<10)
	hash := engine.HashBlob(data)
	require.NoError(t, a.StoreBlob(ctx, hash, data))
	assert.Equal(t, 0, sweep(t, a), "seen unreferenced")

	// A reference arrives by sync, and goes again: a drops no bytes on
	// either (only a local DeleteBlob or PutBlob does).
	require.NoError(t, noRef(b.PutBlob(ctx, "att", data)))
	_, err := syncer.Sync(ctx, plainReplica{a}, plainReplica{b}, syncer.Options{})
	require.NoError(t, err)
	wall.Add(grace)
	assert.Equal(t, 0, sweep(t, a), "referenced now")
	require.NoError(t, b.DeleteBlob(ctx, "att"))
	_, err = syncer.Sync(ctx, plainReplica{a}, plainReplica{b}, syncer.Options{})
	require.NoError(t, err)
	assert.Equal(t, 0, sweep(t, a), "unreferenced again: a new grace")
	wall.Add(grace - time.Second)
	assert.Equal(t, 0, sweep(t, a))
	wall.Add(time.Second)
	assert.Equal(t, 1, sweep(t, a))
	assert.False(t, has(t, a, hash))
}

// TestSweepAfterRemoteDelete: an attachment deleted on a reaches b as an
// entry; b's copy of the bytes goes at b's first sweep past the grace.
func TestSweepAfterRemoteDelete(t *testing.T) {
	wall := hlctest.NewWall(base)
	a := openSettled(t, memkv.New(), wall, engine.Options{Name: "a", BlobGrace: grace})
	b := openSettled(t, memkv.New(), wall, engine.Options{Name: "b", BlobGrace: grace})
	ref, err := a.PutBlob(ctx, "att/photo", blob(14, 120<<10))
	require.NoError(t, err)
	_, err = syncer.Sync(ctx, a, b, syncer.Options{})
	require.NoError(t, err)
	require.True(t, has(t, b, ref.Hash), "carried")
	assert.Equal(t, 0, sweep(t, b), "referenced on b")

	require.NoError(t, a.DeleteBlob(ctx, "att/photo"))
	assert.False(t, has(t, a, ref.Hash), "a's own delete drops a's copy at once")
	res, err := syncer.Sync(ctx, a, b, syncer.Options{})
	require.NoError(t, err)
	assert.Equal(t, 1, res.ToB)
	_, found, err := b.GetBlob(ctx, "att/photo")
	require.NoError(t, err)
	assert.False(t, found, "deleted on b")
	assert.True(t, has(t, b, ref.Hash), "b's bytes wait for a sweep")

	assert.Equal(t, 0, sweep(t, b), "first seen unreferenced")
	wall.Add(grace / 2)
	assert.Equal(t, 0, sweep(t, b))
	wall.Add(grace / 2)
	assert.Equal(t, 1, sweep(t, b))
	assert.False(t, has(t, b, ref.Hash))
	assert.Equal(t, 0, stats(t, b).Contents)
}

// parted is a blob of size bytes with its parts of engine.PartSize.
type parted struct {
	data  []byte
	hash  string
	parts [][]byte
}

func newParted(seed byte, size int) parted {
	p := parted{data: blob(seed, size)}
	p.hash = engine.HashBlob(p.data)
	for off := 0; off < size; off += engine.PartSize {
		p.parts = append(p.parts, p.data[off:min(off+engine.PartSize, size)])
	}
	return p
}

func (p parted) size() int64 { return int64(len(p.data)) }

// TestStagePart: parts sent in any order complete at the last one; the
// blob then reads and its parts are gone.
func TestStagePart(t *testing.T) {
	tests := []struct {
		name  string
		size  int
		order []int
	}{
		{"OnePart", 1000, []int{0}},
		{"ExactlyOnePart", engine.PartSize, []int{0}},
		{"TwoExact", 2 * engine.PartSize, []int{1, 0}},
		{"InOrder", 5 * engine.PartSize / 2, []int{0, 1, 2}},
		{"Reversed", 5 * engine.PartSize / 2, []int{2, 1, 0}},
		{"OutOfOrder", 5 * engine.PartSize / 2, []int{2, 0, 1}},
		{"LastByteAlone", 2*engine.PartSize + 1, []int{2, 0, 1}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			wall := hlctest.NewWall(base)
			e := open(t, memkv.New(), wall, engine.Options{})
			p := newParted(byte(len(tc.name)), tc.size)
			require.Len(t, p.parts, len(tc.order))
			var staged []int
			for i, n := range tc.order {
				complete, err := e.StagePart(ctx, p.hash, p.size(), n, p.parts[n])
				require.NoError(t, err)
				last := i == len(tc.order)-1
				assert.Equal(t, last, complete, "part %d", n)
				if last {
					break
				}
				assert.False(t, has(t, e, p.hash))
				staged = append(staged, n)
				got, err := e.Parts(ctx, p.hash)
				require.NoError(t, err)
				assert.ElementsMatch(t, staged, got)
				assert.IsIncreasing(t, got)
				assert.Equal(t, len(staged), stats(t, e).Parts)
			}
			got, err := e.ReadBlob(ctx, p.hash)
			require.NoError(t, err)
			assert.True(t, bytes.Equal(p.data, got))
			parts, err := e.Parts(ctx, p.hash)
			require.NoError(t, err)
			assert.Empty(t, parts, "dropped once assembled")
			s := stats(t, e)
			assert.Equal(t, 0, s.Parts)
			assert.Equal(t, 1, s.Contents)

			complete, err := e.StagePart(ctx, p.hash, p.size(), 0, p.parts[0])
			require.NoError(t, err)
			assert.True(t, complete, "a part of a stored blob: complete at once")
			assert.Equal(t, 0, stats(t, e).Parts, "and not staged")
		})
	}
}

// TestStagePartInvalid: a part that cannot be part n of a blob of that
// size is refused, and nothing is staged.
func TestStagePartInvalid(t *testing.T) {
	p := newParted(20, 5*engine.PartSize/2)
	last := p.parts[2]
	tests := []struct {
		name string
		hash string
		size int64
		n    int
		data []byte
	}{
		{"NotAHash", "nope", p.size(), 0, p.parts[0]},
		{"UpperCaseHash", string(bytes.ToUpper([]byte(p.hash))), p.size(), 0, p.parts[0]},
		{"ZeroSize", p.hash, 0, 0, nil},
		{"NegativeSize", p.hash, -1, 0, p.parts[0]},
		{"NegativeN", p.hash, p.size(), -1, p.parts[0]},
		{"NPastLast", p.hash, p.size(), 3, last},
		{"ShortMiddle", p.hash, p.size(), 1, p.parts[1][:engine.PartSize-1]},
		{"LongMiddle", p.hash, p.size(), 0, append(bytes.Clone(p.parts[0]), 0)},
		{"LastTooShort", p.hash, p.size(), 2, last[:len(last)-1]},
		{"LastTooLong", p.hash, p.size(), 2, append(bytes.Clone(last), 0)},
		{"LastAsFull", p.hash, p.size(), 2, p.parts[0]},
		{"EmptyPart", p.hash, p.size(), 0, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			wall := hlctest.NewWall(base)
			e := open(t, memkv.New(), wall, engine.Options{})
			complete, err := e.StagePart(ctx, tc.hash, tc.size, tc.n, tc.data)
			require.ErrorIs(t, err, oplog.ErrInvalidOp)
			assert.False(t, complete)
			assert.Equal(t, 0, stats(t, e).Parts, "nothing staged")
		})
	}
	wall := hlctest.NewWall(base)
	e := open(t, memkv.New(), wall, engine.Options{})
	_, err := e.Parts(ctx, "nope")
	assert.ErrorIs(t, err, oplog.ErrInvalidOp)
}

// TestStagePartCorrupt: parts whose assembly is not the blob they claim
// to be are dropped with ErrCorrupt; nothing is stored, and a correct
// upload afterwards succeeds.
func TestStagePartCorrupt(t *testing.T) {
	p := newParted(30, 5*engine.PartSize/2)
	forged := newParted(31, 5*engine.PartSize/2)
	wall := hlctest.NewWall(base)
	e := open(t, memkv.New(), wall, engine.Options{})
	for _, n := range []int{1, 2} {
		complete, err := e.StagePart(ctx, p.hash, p.size(), n, forged.parts[n])
		require.NoError(t, err)
		assert.False(t, complete)
	}
	complete, err := e.StagePart(ctx, p.hash, p.size(), 0, p.parts[0])
	require.ErrorIs(t, err, oplog.ErrCorrupt)
	assert.False(t, complete)
	parts, err := e.Parts(ctx, p.hash)
	require.NoError(t, err)
	assert.Empty(t, parts, "dropped: start again")
	assert.False(t, has(t, e, p.hash))
	assert.Equal(t, engine.Stats{Instances: 1}, stats(t, e), "nothing held")

	for i, part := range p.parts {
		complete, err := e.StagePart(ctx, p.hash, p.size(), i, part)
		require.NoError(t, err)
		assert.Equal(t, i == len(p.parts)-1, complete)
	}
	got, err := e.ReadBlob(ctx, p.hash)
	require.NoError(t, err)
	assert.True(t, bytes.Equal(p.data, got))
}

// TestSweepParts: parts of an upload nobody completes go at the first
// sweep past the grace; parts of a blob stored since go at once.
func TestSweepParts(t *testing.T) {
	tests := []struct {
		name string
		// storeWhole stores the blob by StoreBlob after its part is staged
		// (it came whole another way).
		storeWhole bool
	}{
		{"Stale", false},
		{"BlobStoredSince", true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			wall := hlctest.NewWall(base)
			e := openSettled(t, memkv.New(), wall, engine.Options{BlobGrace: grace})
			p := newParted(40, 2*engine.PartSize+100)
			_, err := e.StagePart(ctx, p.hash, p.size(), 1, p.parts[1])
			require.NoError(t, err)
			if tc.storeWhole {
				require.NoError(t, e.StoreBlob(ctx, p.hash, p.data))
				assert.Equal(t, 1, sweep(t, e), "the part goes at once")
				parts, err := e.Parts(ctx, p.hash)
				require.NoError(t, err)
				assert.Empty(t, parts)
				assert.True(t, has(t, e, p.hash), "unreferenced content has its own grace")
				return
			}
			assert.Equal(t, 0, sweep(t, e))
			wall.Add(grace / 2)
			_, err = e.StagePart(ctx, p.hash, p.size(), 0, p.parts[0])
			require.NoError(t, err)
			assert.Equal(t, 0, sweep(t, e), "part 1 within the grace, part 0 first seen")
			wall.Add(grace / 2)
			assert.Equal(t, 1, sweep(t, e), "part 1 is stale")
			parts, err := e.Parts(ctx, p.hash)
			require.NoError(t, err)
			assert.Equal(t, []int{0}, parts)
			wall.Add(grace / 2)
			assert.Equal(t, 1, sweep(t, e), "then part 0")
			assert.Equal(t, 0, stats(t, e).Parts)

			// The upload resumes from what Parts shows: nothing, so all.
			for i, part := range p.parts {
				complete, err := e.StagePart(ctx, p.hash, p.size(), i, part)
				require.NoError(t, err)
				assert.Equal(t, i == len(p.parts)-1, complete)
			}
			assert.True(t, has(t, e, p.hash))
		})
	}
}

// TestBlobCallsClosed: every attachment call of a closed engine is
// ErrClosed.
func TestBlobCallsClosed(t *testing.T) {
	wall := hlctest.NewWall(base)
	e := open(t, memkv.New(), wall, engine.Options{})
	require.NoError(t, e.Close())
	h := engine.HashBlob(nil)
	calls := []struct {
		name string
		call func() error
	}{
		{"StoreBlob", func() error { return e.StoreBlob(ctx, h, nil) }},
		{"HasBlobs", func() error { _, err := e.HasBlobs(ctx, []string{h}); return err }},
		{"ReadBlob", func() error { _, err := e.ReadBlob(ctx, h); return err }},
		{"Attachments", func() error { _, err := e.Attachments(ctx); return err }},
		{"MissingBlobs", func() error { _, err := e.MissingBlobs(ctx); return err }},
		{"SweepBlobs", func() error { _, err := e.SweepBlobs(ctx); return err }},
		{"StagePart", func() error { _, err := e.StagePart(ctx, h, 1, 0, []byte{0}); return err }},
		{"Parts", func() error { _, err := e.Parts(ctx, h); return err }},
	}
	for _, tc := range calls {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.call()
			assert.True(t, errors.Is(err, engine.ErrClosed), "%v", err)
		})
	}
}

// TestHashedCalls: PutBlobHashed and StoreBlobHashed take the caller's
// hash (the browser's WebCrypto one) and check only its form.
func TestHashedCalls(t *testing.T) {
	wall := hlctest.NewWall(time.Unix(1_800_000_000, 0))
	a := openSettled(t, memkv.New(), wall, engine.Options{})
	data := blob(7, 40<<10)
	hash := engine.HashBlob(data)

	ref, err := a.PutBlobHashed(ctx, "att/1", data, hash)
	require.NoError(t, err)
	assert.Equal(t, engine.BlobRef{Hash: hash, Size: int64(len(data))}, ref)
	got, found, err := a.GetBlob(ctx, "att/1")
	require.NoError(t, err)
	require.True(t, found)
	assert.Equal(t, data, got)

	for _, bad := range []string{"", "ABC", hash[:63], strings.ToUpper(hash)} {
		_, err := a.PutBlobHashed(ctx, "att/2", data, bad)
		require.ErrorIs(t, err, oplog.ErrInvalidOp, "hash %q", bad)
		require.ErrorIs(t, a.StoreBlobHashed(ctx, bad, data), oplog.ErrInvalidOp, "hash %q", bad)
	}
	_, found, err = a.GetBlob(ctx, "att/2")
	require.NoError(t, err)
	assert.False(t, found, "nothing written under a bad hash")

	other := blob(8, 1000)
	require.NoError(t, a.StoreBlobHashed(ctx, engine.HashBlob(other), other))
	has, err := a.HasBlobs(ctx, []string{engine.HashBlob(other)})
	require.NoError(t, err)
	assert.Equal(t, []bool{true}, has)
}
