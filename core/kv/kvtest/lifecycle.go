package kvtest

import (
	"context"
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/idbsync/idbsync/core/kv"
)

func testReopen(t *testing.T, open Opener) {
	s, name := fresh(t, open)
	for i := range uint64(10) {
		require.NoError(t, commit(t, s, func(b *kv.Batch) {
			b.Put("a", k(i), k(i*i))
			b.Put("b", k(i), nil)
			if i > 0 {
				b.Delete("b", k(i-1))
			}
		}))
	}
	require.ErrorIs(t, commit(t, s, func(b *kv.Batch) {
		b.Put("a", k(99), nil)
		b.Insert("a", k(0), nil)
	}), kv.ErrUniqueViolation)
	require.NoError(t, s.Close())

	s2 := open(t, name)
	defer s2.Close()
	rows := scan(t, s2, "a", kv.Range{})
	require.Len(t, rows, 10, "every committed batch, and nothing of the failed one")
	for i, r := range rows {
		assert.Equal(t, k(uint64(i)), r.Key)
		assert.Equal(t, k(uint64(i*i)), r.Value)
	}
	assert.Equal(t, [][]byte{k(9)}, keysOf(scan(t, s2, "b", kv.Range{})))
}

func testCreateTables(t *testing.T, open Opener) {
	s, name := fresh(t, open)
	ctx := context.Background()
	require.NoError(t, commit(t, s, func(b *kv.Batch) { b.Put("a", []byte("k"), []byte("v")) }))
	require.NoError(t, s.CreateTables(ctx, "c/oplog", "c/heads", "a"))
	require.NoError(t, s.CreateTables(ctx, "c/oplog"), "creating an existing table is a no-op")
	require.NoError(t, commit(t, s, func(b *kv.Batch) {
		b.Put("c/oplog", []byte("k"), []byte("log"))
		b.Put("c/heads", []byte("k"), []byte("head"))
	}))
	assert.Equal(t, []byte("v"), mustGet(t, s, "a", []byte("k")), "existing tables keep their rows")
	require.NoError(t, s.Close())

	s2 := open(t, name)
	defer s2.Close()
	assert.Equal(t, []byte("log"), mustGet(t, s2, "c/oplog", []byte("k")), "created tables persist")
	assert.Equal(t, []byte("v"), mustGet(t, s2, "a", []byte("k")))
}

func testClosed(t *testing.T, open Opener) {
	s, _ := fresh(t, open)
	ctx := context.Background()
	require.NoError(t, commit(t, s, func(b *kv.Batch) { b.Put("a", []byte("k"), nil) }))
	require.NoError(t, s.Close())
	require.NoError(t, s.Close(), "Close is idempotent")

	_, err := s.Get(ctx, "a", []byte("k"))
	assert.ErrorIs(t, err, kv.ErrClosed)
	_, err = s.Scan(ctx, "a", kv.Range{})
	assert.ErrorIs(t, err, kv.ErrClosed)
	_, err = s.GetMany(ctx, "a", [][]byte{[]byte("k")})
	assert.ErrorIs(t, err, kv.ErrClosed)
	err = commit(t, s, func(b *kv.Batch) { b.Put("a", []byte("k2"), nil) })
	assert.ErrorIs(t, err, kv.ErrClosed)
	assert.ErrorIs(t, s.CreateTables(ctx, "z"), kv.ErrClosed)
	assert.False(t, errors.Is(err, kv.ErrConflict))
}
