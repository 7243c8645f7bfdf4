package engine

import (
	"bytes"
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/idbsync/idbsync/core/changelog"
	"github.com/idbsync/idbsync/core/hlc/hlctest"
	"github.com/idbsync/idbsync/core/kv/memkv"
)

// openInternal opens an engine over a fresh memkv on a fake clock whose
// timers never fire, closed when the test ends.
func openInternal(t *testing.T, wall *hlctest.Wall) *Engine {
	t.Helper()
	e, err := Open(context.Background(), Options{
		Store: memkv.New(), Now: wall.Now, BlobGrace: time.Minute,
		After: func(time.Duration) <-chan time.Time { return nil },
	})
	require.NoError(t, err)
	t.Cleanup(func() { _ = e.Close() })
	return e
}

// TestLegacyBlob: a blob written before attachments (the object named by
// its key, no entry) still reads, is no attachment, survives sweeps, and
// DeleteBlob deletes it.
func TestLegacyBlob(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name string
		key  string
		data []byte
	}{
		{"Small", "att/old", []byte("written by an old build")},
		{"Large", "att/old-large", bytes.Repeat([]byte("old "), 10_000)},
		// Keys an old build could have given that look like the engine's
		// own objects, but are not one.
		{"PartLike", "part/engine.png", []byte("a catalogue's photo")},
		{"ContentLike", "sha256/notahash", []byte("named by its app")},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			wall := hlctest.NewWall(time.UnixMilli(1_700_000_000_000))
			e := openInternal(t, wall)
			require.NoError(t, e.mgr.Put(ctx, tc.key, tc.data))

			got, found, err := e.GetBlob(ctx, tc.key)
			require.NoError(t, err)
			require.True(t, found)
			assert.True(t, bytes.Equal(tc.data, got))
			all, err := e.Attachments(ctx)
			require.NoError(t, err)
			assert.Empty(t, all, "no entry references it")
			missing, err := e.MissingBlobs(ctx)
			require.NoError(t, err)
			assert.Empty(t, missing)

			for range 3 {
				n, err := e.SweepBlobs(ctx)
				require.NoError(t, err)
				assert.Zero(t, n, "not the sweep's to collect")
				wall.Add(time.Hour)
			}
			_, found, err = e.GetBlob(ctx, tc.key)
			require.NoError(t, err)
			assert.True(t, found, "still there after the sweeps")

			require.NoError(t, e.DeleteBlob(ctx, tc.key))
			has, err := e.mgr.Has(ctx, tc.key)
			require.NoError(t, err)
			assert.False(t, has, "the object is gone")
			_, found, err = e.GetBlob(ctx, tc.key)
			require.NoError(t, err)
			assert.False(t, found)
			require.NoError(t, e.DeleteBlob(ctx, tc.key), "again: nothing to do")
			c, err := e.Cursors(ctx)
			require.NoError(t, err)
			assert.Empty(t, c, "a legacy blob's delete writes no entry")
		})
	}
}

// TestLegacyBlobReplacedByAttachment: PutBlob over a key holding a blob of
// an old build reads the new bytes; DeleteBlob then removes both.
func TestLegacyBlobReplacedByAttachment(t *testing.T) {
	ctx := context.Background()
	wall := hlctest.NewWall(time.UnixMilli(1_700_000_000_000))
	e := openInternal(t, wall)
	require.NoError(t, e.mgr.Put(ctx, "att", []byte("old")))
	ref, err := e.PutBlob(ctx, "att", []byte("new"))
	require.NoError(t, err)
	got, found, err := e.GetBlob(ctx, "att")
	require.NoError(t, err)
	require.True(t, found)
	assert.Equal(t, "new", string(got), "the attachment wins")

	require.NoError(t, e.DeleteBlob(ctx, "att"))
	_, found, err = e.GetBlob(ctx, "att")
	require.NoError(t, err)
	assert.False(t, found, "not the old value either")
	for _, object := range []string{"att", contentObject(ref.Hash)} {
		_, err := e.mgr.Get(ctx, object)
		assert.ErrorIs(t, err, changelog.ErrNotFound, object)
	}
}

// TestDeleteBlobOfContentLikeKey: an app key that spells a content object
// ("sha256/<its hash>") deletes its attachment, never the bytes another
// key still references.
func TestDeleteBlobOfContentLikeKey(t *testing.T) {
	ctx := context.Background()
	wall := hlctest.NewWall(time.UnixMilli(1_700_000_000_000))
	e := openInternal(t, wall)
	data := []byte("content-addressed by the app")
	key := contentPrefix + HashBlob(data)
	require.NoError(t, noErrRef(e.PutBlob(ctx, key, data)))
	require.NoError(t, noErrRef(e.PutBlob(ctx, "other", data)))

	require.NoError(t, e.DeleteBlob(ctx, key))
	got, found, err := e.GetBlob(ctx, "other")
	require.NoError(t, err, "other's bytes are still here")
	require.True(t, found)
	assert.Equal(t, data, got)
	_, found, err = e.GetBlob(ctx, key)
	require.NoError(t, err)
	assert.False(t, found, "deleted, not read through to the content")
}

func noErrRef(_ BlobRef, err error) error { return err }
