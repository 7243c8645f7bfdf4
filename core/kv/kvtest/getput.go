package kvtest

import (
	"bytes"
	"context"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/idbsync/idbsync/core/kv"
)

func testGetPutDelete(t *testing.T, open Opener) {
	s, _ := fresh(t, open)
	_, err := get(t, s, "a", []byte("x"))
	require.ErrorIs(t, err, kv.ErrNotFound)

	require.NoError(t, commit(t, s, func(b *kv.Batch) {
		b.Put("a", []byte("x"), []byte("1"))
		b.Put("b", []byte("x"), []byte("2"))
	}))
	assert.Equal(t, []byte("1"), mustGet(t, s, "a", []byte("x")))
	assert.Equal(t, []byte("2"), mustGet(t, s, "b", []byte("x")), "tables are separate")

	require.NoError(t, commit(t, s, func(b *kv.Batch) { b.Put("a", []byte("x"), []byte("3")) }))
	assert.Equal(t, []byte("3"), mustGet(t, s, "a", []byte("x")), "put replaces")

	require.NoError(t, commit(t, s, func(b *kv.Batch) {
		b.Delete("a", []byte("x"))
		b.Delete("a", []byte("never-written"))
	}), "deleting a missing key is not an error")
	_, err = get(t, s, "a", []byte("x"))
	require.ErrorIs(t, err, kv.ErrNotFound)
	assert.Equal(t, []byte("2"), mustGet(t, s, "b", []byte("x")))

	require.NoError(t, s.Commit(context.Background(), &kv.Batch{}), "an empty batch is a no-op")
}

func testGetMany(t *testing.T, open Opener) {
	s, _ := fresh(t, open)
	ctx := context.Background()
	require.NoError(t, commit(t, s, func(b *kv.Batch) {
		b.Put("a", []byte("x"), []byte("1"))
		b.Put("a", []byte("empty"), nil)
		b.Put("b", []byte("y"), []byte("other table"))
	}))
	got, err := s.GetMany(ctx, "a", [][]byte{[]byte("y"), []byte("x"), []byte("empty"), []byte("x")})
	require.NoError(t, err)
	require.Len(t, got, 4)
	assert.Nil(t, got[0], "absent is nil")
	assert.Equal(t, []byte("1"), got[1])
	assert.NotNil(t, got[2], "present and empty is not nil")
	assert.Empty(t, got[2])
	assert.Equal(t, []byte("1"), got[3], "a repeated key reads twice")

	got, err = s.GetMany(ctx, "a", nil)
	require.NoError(t, err)
	assert.Empty(t, got)
	_, err = s.GetMany(ctx, "a", [][]byte{[]byte("x"), nil})
	assert.ErrorIs(t, err, kv.ErrInvalidKey)
	_, err = s.GetMany(ctx, "nope", [][]byte{[]byte("x")})
	assert.ErrorIs(t, err, kv.ErrUnknownTable)
}

func testValueSizes(t *testing.T, open Opener) {
	s, name := fresh(t, open)
	big := make([]byte, 4<<20)
	_, _ = rand.NewChaCha8([32]byte{3, 4}).Read(big)
	require.NoError(t, commit(t, s, func(b *kv.Batch) {
		b.Put("a", []byte("empty"), []byte{})
		b.Put("a", []byte("nil"), nil)
		b.Put("a", []byte("big"), big)
	}))
	check := func(s kv.Store) {
		v := mustGet(t, s, "a", []byte("empty"))
		assert.NotNil(t, v, "an empty value is present, not absent")
		assert.Empty(t, v)
		assert.Empty(t, mustGet(t, s, "a", []byte("nil")))
		got := mustGet(t, s, "a", []byte("big"))
		require.Len(t, got, len(big))
		assert.True(t, bytes.Equal(big, got), "4 MiB value round-trips")
		require.NoError(t, commit(t, s, func(b *kv.Batch) { b.Expect("a", []byte("big"), big) }), "expect compares big values")
	}
	check(s)
	require.NoError(t, s.Close())
	s2 := open(t, name)
	defer s2.Close()
	check(s2)
}

func testInvalidKeys(t *testing.T, open Opener) {
	s, _ := fresh(t, open)
	tests := []struct {
		name string
		key  []byte
		ok   bool
	}{
		{"Nil", nil, false},
		{"Empty", []byte{}, false},
		{"OneByte", []byte{0}, true},
		{"MaxSize", bytes.Repeat([]byte{0xab}, kv.MaxKeySize), true},
		{"Oversized", bytes.Repeat([]byte{0xab}, kv.MaxKeySize+1), false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := commit(t, s, func(b *kv.Batch) {
				b.Put("a", []byte("before"), []byte("x"))
				b.Put("a", tc.key, []byte("v"))
			})
			_, getErr := get(t, s, "a", tc.key)
			if tc.ok {
				require.NoError(t, err)
				require.NoError(t, getErr)
				require.NoError(t, commit(t, s, func(b *kv.Batch) {
					b.Delete("a", tc.key)
					b.Delete("a", []byte("before"))
				}))
				return
			}
			require.ErrorIs(t, err, kv.ErrInvalidKey)
			assert.Contains(t, err.Error(), "key", "the message names the problem")
			require.ErrorIs(t, getErr, kv.ErrInvalidKey)
			_, err = get(t, s, "a", []byte("before"))
			require.ErrorIs(t, err, kv.ErrNotFound, "nothing of the rejected batch is written")
		})
	}
}

func testUnknownTable(t *testing.T, open Opener) {
	s, _ := fresh(t, open)
	_, err := get(t, s, "nope", []byte("k"))
	assert.ErrorIs(t, err, kv.ErrUnknownTable)
	_, err = s.Scan(context.Background(), "nope", kv.Range{})
	assert.ErrorIs(t, err, kv.ErrUnknownTable)
	err = commit(t, s, func(b *kv.Batch) {
		b.Put("a", []byte("k"), nil)
		b.Put("nope", []byte("k"), nil)
	})
	assert.ErrorIs(t, err, kv.ErrUnknownTable)
	_, err = get(t, s, "a", []byte("k"))
	assert.ErrorIs(t, err, kv.ErrNotFound)
}

func testOwnership(t *testing.T, open Opener) {
	s, _ := fresh(t, open)
	key, value := []byte("key"), []byte("value")
	require.NoError(t, commit(t, s, func(b *kv.Batch) { b.Put("a", key, value) }))
	key[0], value[0] = 'X', 'X'
	got := mustGet(t, s, "a", []byte("key"))
	assert.Equal(t, []byte("value"), got, "the store does not keep the caller's slices")
	got[0] = 'Y'
	assert.Equal(t, []byte("value"), mustGet(t, s, "a", []byte("key")), "Get returns a copy")
	rows := scan(t, s, "a", kv.Range{})
	rows[0].Value[0] = 'Z'
	assert.Equal(t, []byte("value"), mustGet(t, s, "a", []byte("key")), "Scan returns copies")
}
