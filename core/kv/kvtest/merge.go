package kvtest

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/idbsync/idbsync/core/kv"
)

// testMerge: a Merge reads and writes one key inside the commit; its error,
// or any other op's failure, rolls the whole batch back; concurrent merges
// of one key never lose an update.
func testMerge(t *testing.T, open Opener) {
	s, _ := fresh(t, open)
	ctx := context.Background()
	errMerge := errors.New("merge refuses")
	add := func(n uint64) kv.MergeFunc {
		return func(old []byte, found bool) ([]byte, bool, error) {
			var cur uint64
			if found {
				if len(old) != 8 {
					return nil, false, fmt.Errorf("counter of %d bytes", len(old))
				}
				cur = binary.BigEndian.Uint64(old)
			}
			return k(cur + n), true, nil
		}
	}
	keep := func(old []byte, found bool) ([]byte, bool, error) { return nil, false, nil }
	fails := func([]byte, bool) ([]byte, bool, error) { return nil, false, errMerge }

	type seen struct {
		old   []byte
		found bool
	}
	var got seen
	record := func(value []byte) kv.MergeFunc {
		return func(old []byte, found bool) ([]byte, bool, error) {
			got = seen{old, found}
			return value, true, nil
		}
	}
	require.NoError(t, commit(t, s, func(b *kv.Batch) { b.Merge("a", []byte("m"), record([]byte("first"))) }))
	assert.Equal(t, seen{nil, false}, got, "an absent key merges from nothing")
	require.NoError(t, commit(t, s, func(b *kv.Batch) { b.Merge("a", []byte("m"), record(nil)) }))
	assert.Equal(t, seen{[]byte("first"), true}, got, "a present key merges from its value")
	assert.Equal(t, []byte{}, mustGet(t, s, "a", []byte("m")), "a nil result is an empty value")
	require.NoError(t, commit(t, s, func(b *kv.Batch) { b.Merge("a", []byte("m"), record([]byte("x"))) }))
	assert.Equal(t, seen{[]byte{}, true}, got, "an empty value is found")

	require.NoError(t, commit(t, s, func(b *kv.Batch) {
		b.Merge("a", []byte("kept"), keep)
		b.Merge("a", []byte("c"), add(5))
	}))
	_, err := get(t, s, "a", []byte("kept"))
	require.ErrorIs(t, err, kv.ErrNotFound, "write=false leaves an absent key absent")
	assert.Equal(t, k(5), mustGet(t, s, "a", []byte("c")))

	tests := []struct {
		name string
		last func(b *kv.Batch)
		want error
	}{
		{"MergeError", func(b *kv.Batch) { b.Merge("b", []byte("other"), fails) }, errMerge},
		{"InsertOfMergedKey", func(b *kv.Batch) { b.Insert("a", []byte("c"), nil) }, kv.ErrInvalidBatch},
		{"TwoMergesOfOneKey", func(b *kv.Batch) { b.Merge("a", []byte("c"), add(1)) }, kv.ErrInvalidBatch},
		{"ExpectOfMergedKey", func(b *kv.Batch) { b.ExpectAbsent("a", []byte("c")) }, kv.ErrInvalidBatch},
		{"UnrelatedExpectFails", func(b *kv.Batch) { b.Expect("b", []byte("nope"), []byte("v")) }, kv.ErrConflict},
		{"UnrelatedInsertFails", func(b *kv.Batch) { b.Insert("a", []byte("c2"), nil); b.Insert("a", []byte("c2"), nil) }, kv.ErrUniqueViolation},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := commit(t, s, func(b *kv.Batch) {
				b.Merge("a", []byte("c"), add(100))
				b.Put("b", []byte("p"), []byte("v"))
				tc.last(b)
			})
			require.ErrorIs(t, err, tc.want)
			assert.Equal(t, k(5), mustGet(t, s, "a", []byte("c")), "the merge was rolled back")
			_, err = get(t, s, "b", []byte("p"))
			require.ErrorIs(t, err, kv.ErrNotFound, "so was the put")
		})
	}

	// Racing merges of one counter: each is one read-modify-write that no
	// other commit interleaves with, so none is lost.
	const writers, each = 4, 10
	var wg sync.WaitGroup
	errs := make([]error, writers)
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range each {
				var b kv.Batch
				b.Merge("a", []byte("c"), add(1))
				if err := s.Commit(ctx, &b); err != nil {
					errs[w] = err
					return
				}
			}
		}()
	}
	wg.Wait()
	for w, err := range errs {
		require.NoError(t, err, "writer %d", w)
	}
	assert.Equal(t, k(5+writers*each), mustGet(t, s, "a", []byte("c")))
}
