package kvtest

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/idbsync/idbsync/core/kv"
)

// testAllOrNothing fails the last op of a 1,000-op batch spread over two
// tables and checks that none of the 999 before it landed.
func testAllOrNothing(t *testing.T, open Opener) {
	s, _ := fresh(t, open)
	existing, victim := []byte("existing"), []byte("victim")
	require.NoError(t, commit(t, s, func(b *kv.Batch) {
		b.Put("b", existing, []byte("v0"))
		b.Put("b", victim, []byte("still here"))
	}))

	tests := []struct {
		name string
		last func(b *kv.Batch)
		want error
	}{
		{"InsertExisting", func(b *kv.Batch) { b.Insert("b", existing, []byte("v1")) }, kv.ErrUniqueViolation},
		{"ExpectMismatch", func(b *kv.Batch) { b.Expect("b", existing, []byte("other")) }, kv.ErrConflict},
		{"ExpectPresentOnAbsent", func(b *kv.Batch) { b.Expect("b", []byte("absent"), []byte("v0")) }, kv.ErrConflict},
		{"ExpectEmptyOnAbsent", func(b *kv.Batch) { b.Expect("b", []byte("absent"), []byte{}) }, kv.ErrConflict},
		{"ExpectAbsentOnPresent", func(b *kv.Batch) { b.ExpectAbsent("b", existing) }, kv.ErrConflict},
	}
	for i, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := commit(t, s, func(b *kv.Batch) {
				for j := range 999 {
					table := Tables[j%2]
					b.Put(table, k(uint64(i), uint64(j)), []byte(fmt.Sprint(j)))
				}
				b.Delete("b", victim)
				tc.last(b)
			})
			require.ErrorIs(t, err, tc.want)
			assert.Equal(t, 0, count(t, s, "a"), "no put of the failed batch is visible")
			assert.Equal(t, 2, count(t, s, "b"))
			assert.Equal(t, []byte("still here"), mustGet(t, s, "b", victim), "the delete was rolled back")
			assert.Equal(t, []byte("v0"), mustGet(t, s, "b", existing))
		})
	}

	// The same batch whose last op holds commits whole.
	require.NoError(t, commit(t, s, func(b *kv.Batch) {
		for j := range 999 {
			b.Insert(Tables[j%2], k(9, uint64(j)), []byte(fmt.Sprint(j)))
		}
		b.Expect("b", existing, []byte("v0"))
	}))
	assert.Equal(t, 500, count(t, s, "a"))
	assert.Equal(t, 499+2, count(t, s, "b"))
}

func testExpect(t *testing.T, open Opener) {
	s, _ := fresh(t, open)
	require.NoError(t, commit(t, s, func(b *kv.Batch) {
		b.Put("a", []byte("v"), []byte("value"))
		b.Put("a", []byte("empty"), []byte{})
	}))
	tests := []struct {
		name  string
		build func(b *kv.Batch)
		want  error
	}{
		{"ExactValue", func(b *kv.Batch) { b.Expect("a", []byte("v"), []byte("value")) }, nil},
		{"PrefixOfValue", func(b *kv.Batch) { b.Expect("a", []byte("v"), []byte("val")) }, kv.ErrConflict},
		{"LongerValue", func(b *kv.Batch) { b.Expect("a", []byte("v"), []byte("value!")) }, kv.ErrConflict},
		{"EmptyMatchesEmpty", func(b *kv.Batch) { b.Expect("a", []byte("empty"), nil) }, nil},
		{"EmptyIsNotAbsent", func(b *kv.Batch) { b.ExpectAbsent("a", []byte("empty")) }, kv.ErrConflict},
		{"AbsentOnAbsent", func(b *kv.Batch) { b.ExpectAbsent("a", []byte("nope")) }, nil},
		{"AbsentInOtherTable", func(b *kv.Batch) { b.ExpectAbsent("b", []byte("v")) }, nil},
		{"AbsentOnAbsentThenInsert", func(b *kv.Batch) {
			b.ExpectAbsent("a", []byte("new"))
			b.Insert("a", []byte("new"), []byte("n"))
		}, nil},
		{"InsertTwice", func(b *kv.Batch) {
			b.Insert("a", []byte("twice"), []byte("1"))
			b.Insert("a", []byte("twice"), []byte("2"))
		}, kv.ErrUniqueViolation},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := commit(t, s, tc.build)
			if tc.want == nil {
				require.NoError(t, err)
			} else {
				require.ErrorIs(t, err, tc.want)
			}
		})
	}
	assert.Equal(t, []byte("n"), mustGet(t, s, "a", []byte("new")))
	_, err := get(t, s, "a", []byte("twice"))
	assert.ErrorIs(t, err, kv.ErrNotFound, "a batch failing on its second insert keeps neither")
}

// testOrder checks that ops see the effect of the earlier ops of their batch.
func testOrder(t *testing.T, open Opener) {
	s, _ := fresh(t, open)
	require.NoError(t, commit(t, s, func(b *kv.Batch) {
		b.Put("a", []byte("k"), []byte("1"))
		b.Expect("a", []byte("k"), []byte("1"))
		b.Delete("a", []byte("k"))
		b.ExpectAbsent("a", []byte("k"))
		b.Insert("a", []byte("k"), []byte("2"))
		b.Put("a", []byte("k"), []byte("3"))
	}))
	assert.Equal(t, []byte("3"), mustGet(t, s, "a", []byte("k")))

	err := commit(t, s, func(b *kv.Batch) {
		b.Put("a", []byte("k"), []byte("4"))
		b.Expect("a", []byte("k"), []byte("3"))
	})
	require.ErrorIs(t, err, kv.ErrConflict, "expect sees the put before it, not the stored value")
	assert.Equal(t, []byte("3"), mustGet(t, s, "a", []byte("k")))

	// Repeated writes of one key: only the last counts, but an op that
	// reads the key in between sees the write before it.
	require.NoError(t, commit(t, s, func(b *kv.Batch) {
		b.Put("a", []byte("r"), []byte("1"))
		b.Put("a", []byte("r"), []byte("2"))
		b.Delete("a", []byte("d"))
		b.Put("a", []byte("d"), []byte("x"))
		b.Delete("a", []byte("d"))
	}))
	assert.Equal(t, []byte("2"), mustGet(t, s, "a", []byte("r")))
	_, err = get(t, s, "a", []byte("d"))
	require.ErrorIs(t, err, kv.ErrNotFound, "the last of put and delete wins")
	err = commit(t, s, func(b *kv.Batch) {
		b.Delete("a", []byte("u"))
		b.Put("a", []byte("u"), []byte("1"))
		b.Insert("a", []byte("u"), []byte("2"))
		b.Put("a", []byte("u"), []byte("3"))
	})
	require.ErrorIs(t, err, kv.ErrUniqueViolation, "insert sees the put before it even when a later put follows")
	require.NoError(t, commit(t, s, func(b *kv.Batch) {
		b.Put("a", []byte("e"), []byte("1"))
		b.Expect("a", []byte("e"), []byte("1"))
		b.Put("a", []byte("e"), []byte("2"))
		b.Expect("a", []byte("e"), []byte("2"))
	}))
}

// testConcurrent commits pairs of batches from two goroutines at once. Each
// batch of a pair expects the same counter value and bumps it: exactly one
// lands whole and the other fails with ErrConflict, leaving no trace.
func testConcurrent(t *testing.T, open Opener) {
	s, _ := fresh(t, open)
	ctx := context.Background()
	counter := []byte("counter")
	require.NoError(t, commit(t, s, func(b *kv.Batch) { b.Put("a", counter, k(0)) }))

	const rounds = 20
	wins := make([]int, 2)
	for round := range uint64(rounds) {
		var wg sync.WaitGroup
		errs := make([]error, 2)
		for w := range 2 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				var b kv.Batch
				b.Expect("a", counter, k(round))
				b.Put("a", counter, k(round+1))
				for j := range uint64(50) {
					b.Put("b", k(round, uint64(w), j), []byte{byte(w)})
				}
				errs[w] = s.Commit(ctx, &b)
			}()
		}
		wg.Wait()
		landed := 0
		for w, err := range errs {
			n := len(scan(t, s, "b", kv.Prefix(k(round, uint64(w)))))
			if err == nil {
				landed++
				wins[w]++
				assert.Equal(t, 50, n, "round %d: writer %d landed whole", round, w)
			} else {
				assert.ErrorIs(t, err, kv.ErrConflict, "round %d", round)
				assert.Equal(t, 0, n, "round %d: writer %d left no trace", round, w)
			}
		}
		require.Equal(t, 1, landed, "round %d: exactly one of two racing batches lands", round)
		require.Equal(t, k(round+1), mustGet(t, s, "a", counter))
	}

	// Batches that do not conflict all land.
	var wg sync.WaitGroup
	errs := make([]error, 8)
	for w := range errs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var b kv.Batch
			for j := range uint64(20) {
				b.Insert("a", k(1000+uint64(w), j), nil)
			}
			errs[w] = s.Commit(ctx, &b)
		}()
	}
	wg.Wait()
	for w, err := range errs {
		require.NoError(t, err, "writer %d", w)
	}
	assert.Equal(t, 1+8*20, count(t, s, "a"))
}
