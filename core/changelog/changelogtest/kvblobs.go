package changelogtest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/idbsync/idbsync/core/changelog"
	"github.com/idbsync/idbsync/core/kv"
	"github.com/idbsync/idbsync/core/kv/kvtest"
)

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
