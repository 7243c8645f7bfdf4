package changelogtest

import (
	"bytes"
	"fmt"
	"slices"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/idbsync/idbsync/core/changelog"
)

// BlobOpener returns a new, empty BlobStore; the opener registers any
// cleanup with t.
type BlobOpener func(t testing.TB) changelog.BlobStore

// RunBlobStore runs the suite of the BlobStore contract (and of
// RevisionLister, which a Manager requires) against the stores open makes:
// MemoryBlobs, KVBlobs over every kv.Store, and any blob tier a server
// brings.
func RunBlobStore(t *testing.T, open BlobOpener) {
	tests := []struct {
		name string
		fn   func(t *testing.T, open BlobOpener)
	}{
		{"PutGet", testBlobPutGet},
		{"Missing", testBlobMissing},
		{"Delete", testBlobDelete},
		{"PutIdempotent", testBlobPutIdempotent},
		{"Ownership", testBlobOwnership},
		{"Revisions", testBlobRevisions},
		{"Concurrent", testBlobConcurrent},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) { tc.fn(t, open) })
	}
}

// blobSizes straddle KVBlobs' default chunk size and the small chunk
// sizes a suite may open it with.
var blobSizes = []int{0, 1, 999, 1000, 1001, 4096, changelog.DefaultChunkSize - 1, changelog.DefaultChunkSize, changelog.DefaultChunkSize + 1, 1<<20 + 3}

// pattern is n bytes that differ by tag and position.
func pattern(tag string, n int) []byte {
	out := make([]byte, n)
	var seed byte
	for _, c := range []byte(tag) {
		seed = seed*31 + c
	}
	for i := range out {
		out[i] = byte(i*31) ^ seed ^ byte(i>>8)
	}
	return out
}

func mustGetBlob(t testing.TB, s changelog.BlobStore, rev changelog.Revision) []byte {
	t.Helper()
	b, err := s.Get(ctx, rev)
	require.NoError(t, err)
	return b
}

func testBlobPutGet(t *testing.T, open BlobOpener) {
	s := open(t)
	revs := make([]changelog.Revision, len(blobSizes))
	for i, n := range blobSizes {
		revs[i] = newRev(t)
		require.NoError(t, s.Put(ctx, revs[i], pattern(fmt.Sprint(i), n)), "size %d", n)
	}
	for i, n := range blobSizes {
		got := mustGetBlob(t, s, revs[i])
		assert.Len(t, got, n)
		assert.True(t, bytes.Equal(pattern(fmt.Sprint(i), n), got), "size %d reads back byte for byte", n)
		assert.NotNil(t, got, "an empty blob is present: a non-nil empty slice")
	}
}

func testBlobMissing(t *testing.T, open BlobOpener) {
	s := open(t)
	require.NoError(t, s.Put(ctx, newRev(t), []byte("other")))
	_, err := s.Get(ctx, newRev(t))
	require.ErrorIs(t, err, changelog.ErrNotFound)
}

func testBlobDelete(t *testing.T, open BlobOpener) {
	s := open(t)
	gone, kept := newRev(t), newRev(t)
	require.NoError(t, s.Put(ctx, gone, pattern("gone", changelog.DefaultChunkSize+10)))
	require.NoError(t, s.Put(ctx, kept, []byte("kept")))
	require.NoError(t, s.Delete(ctx, gone))
	_, err := s.Get(ctx, gone)
	require.ErrorIs(t, err, changelog.ErrNotFound)
	require.NoError(t, s.Delete(ctx, gone), "deleting twice is fine")
	require.NoError(t, s.Delete(ctx, newRev(t)), "deleting a revision never written is fine")
	assert.Equal(t, []byte("kept"), mustGetBlob(t, s, kept), "other revisions are untouched")
}

func testBlobPutIdempotent(t *testing.T, open BlobOpener) {
	s := open(t)
	rev := newRev(t)
	data := pattern("again", 5000)
	require.NoError(t, s.Put(ctx, rev, data))
	require.NoError(t, s.Put(ctx, rev, data), "a retried put of the same revision")
	assert.True(t, bytes.Equal(data, mustGetBlob(t, s, rev)))
}

func testBlobOwnership(t *testing.T, open BlobOpener) {
	s := open(t)
	rev := newRev(t)
	data := []byte("original")
	require.NoError(t, s.Put(ctx, rev, data))
	data[0] = 'X' // the caller reuses its buffer
	got := mustGetBlob(t, s, rev)
	assert.Equal(t, []byte("original"), got, "Put keeps no reference to the caller's slice")
	got[0] = 'Y' // the caller scribbles on what it read
	assert.Equal(t, []byte("original"), mustGetBlob(t, s, rev), "Get hands out a copy")
}

func testBlobRevisions(t *testing.T, open BlobOpener) {
	s := open(t)
	l, ok := s.(changelog.RevisionLister)
	require.True(t, ok, "%T is no RevisionLister: a Manager refuses it", s)
	list := func() []changelog.Revision {
		t.Helper()
		revs, err := l.Revisions(ctx)
		require.NoError(t, err)
		return sortRevs(revs)
	}
	assert.Empty(t, list())
	var want []changelog.Revision
	for i := range 5 {
		rev := newRev(t)
		require.NoError(t, s.Put(ctx, rev, pattern(fmt.Sprint(i), i*3000)))
		want = append(want, rev)
	}
	assert.Equal(t, sortRevs(slices.Clone(want)), list(), "every revision once, empty ones too")
	require.NoError(t, s.Delete(ctx, want[2]))
	assert.Equal(t, sortRevs(slices.Delete(slices.Clone(want), 2, 3)), list(), "a deleted revision is gone from the list")
}

func testBlobConcurrent(t *testing.T, open BlobOpener) {
	s := open(t)
	const n = 8
	revs := make([]changelog.Revision, n)
	for i := range revs {
		revs[i] = newRev(t)
	}
	var wg sync.WaitGroup
	for i, rev := range revs {
		wg.Go(func() {
			assert.NoError(t, s.Put(ctx, rev, pattern(fmt.Sprint(i), 20_000+i)))
		})
	}
	wg.Wait()
	for i, rev := range revs {
		assert.True(t, bytes.Equal(pattern(fmt.Sprint(i), 20_000+i), mustGetBlob(t, s, rev)), "blob %d", i)
	}
}
