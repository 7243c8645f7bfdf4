// Package kvtest is the conformance suite of the kv contract. Every store
// runs it: memkv natively, idb in headless Chromium on real IndexedDB.
package kvtest

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/idbsync/idbsync/core/kv"
)

// Tables are the tables every store under test is opened with.
var Tables = []string{"a", "b"}

// Opener opens the store called name with Tables. Opening a name again
// (after Close, or while another handle is open) must see the same data, as
// reopening a database does. The suite closes every store it opens.
type Opener func(t testing.TB, name string) kv.Store

var dbSeq atomic.Int64

// FreshName returns a store name no earlier run used (IndexedDB databases
// outlive a test run), starting with suite.
func FreshName(t testing.TB, suite string) string {
	return fmt.Sprintf("%s-%s-%d-%d", suite, t.Name(), time.Now().UnixNano(), dbSeq.Add(1))
}

// OpenStore opens name with open and closes it when the test ends.
func OpenStore(t testing.TB, open Opener, name string) kv.Store {
	t.Helper()
	s := open(t, name)
	require.NotNil(t, s)
	t.Cleanup(func() { _ = s.Close() })
	return s
}

// fresh opens a store under a fresh name.
func fresh(t testing.TB, open Opener) (kv.Store, string) {
	name := FreshName(t, "kvtest")
	return OpenStore(t, open, name), name
}

// Run runs the whole suite against the stores open makes.
func Run(t *testing.T, open Opener) {
	tests := []struct {
		name string
		fn   func(t *testing.T, open Opener)
	}{
		{"GetPutDelete", testGetPutDelete},
		{"GetMany", testGetMany},
		{"AllOrNothing", testAllOrNothing},
		{"ExpectSemantics", testExpect},
		{"Merge", testMerge},
		{"OpsSeeEarlierOps", testOrder},
		{"ScanOrder", testScanOrder},
		{"ScanBounds", testScanBounds},
		{"ValueSizes", testValueSizes},
		{"InvalidKeys", testInvalidKeys},
		{"UnknownTable", testUnknownTable},
		{"CallerOwnsSlices", testOwnership},
		{"ConcurrentCommits", testConcurrent},
		{"Reopen", testReopen},
		{"CreateTables", testCreateTables},
		{"Closed", testClosed},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) { tc.fn(t, open) })
	}
}

func commit(t testing.TB, s kv.Store, build func(b *kv.Batch)) error {
	if t != nil {
		t.Helper()
	}
	var b kv.Batch
	build(&b)
	return s.Commit(context.Background(), &b)
}

func get(t *testing.T, s kv.Store, table string, key []byte) ([]byte, error) {
	t.Helper()
	return s.Get(context.Background(), table, key)
}

func mustGet(t *testing.T, s kv.Store, table string, key []byte) []byte {
	t.Helper()
	v, err := get(t, s, table, key)
	require.NoError(t, err, "get %s/%x", table, key)
	return v
}

func scan(t *testing.T, s kv.Store, table string, r kv.Range) []kv.Pair {
	t.Helper()
	rows, err := s.Scan(context.Background(), table, r)
	require.NoError(t, err)
	return rows
}

func keysOf(rows []kv.Pair) [][]byte {
	keys := make([][]byte, len(rows))
	for i, r := range rows {
		keys[i] = r.Key
	}
	return keys
}

func count(t *testing.T, s kv.Store, table string) int {
	t.Helper()
	return len(scan(t, s, table, kv.Range{}))
}

func k(parts ...uint64) []byte {
	var b []byte
	for _, p := range parts {
		b = kv.AppendUint64(b, p)
	}
	return b
}

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

// boundaryKeys are binary keys around the bytes where signed and unsigned
// comparisons, and string and byte comparisons, disagree.
func boundaryKeys() [][]byte {
	keys := [][]byte{
		{0x00}, {0x00, 0x00}, {0x00, 0xff}, {0x01},
		{0x7f}, {0x7f, 0x00}, {0x7f, 0xff}, {0x80}, {0x80, 0x00}, {0x80, 0x7f},
		{0xfe, 0xff}, {0xff}, {0xff, 0x00}, {0xff, 0xff}, {0xff, 0xff, 0xff},
	}
	for _, n := range []uint64{0, 1, 0x7f, 0x80, 0xff, 0x100, 0x7fff_ffff, 1 << 63, math.MaxUint64 - 1, math.MaxUint64} {
		keys = append(keys, k(n), k(n, 0), k(n, math.MaxUint64))
	}
	var id [16]byte
	for _, b := range []byte{0x00, 0x7f, 0x80, 0xff} {
		for i := range id {
			id[i] = b
		}
		keys = append(keys, kv.AppendUUID([]byte{0x42}, id), kv.AppendUint64(kv.AppendUUID([]byte{0x42}, id), 7))
	}
	for _, str := range []string{"", "a", "a\x00", "a\x00b", "a\x01", "ab", "b", "\xff"} {
		keys = append(keys, kv.AppendString([]byte{0x43}, str))
	}
	return keys
}

func sortedUnique(keys [][]byte) [][]byte {
	out := slices.Clone(keys)
	slices.SortFunc(out, bytes.Compare)
	return slices.CompactFunc(out, bytes.Equal)
}

func reversed(keys [][]byte) [][]byte {
	out := slices.Clone(keys)
	slices.Reverse(out)
	return out
}

func testScanOrder(t *testing.T, open Opener) {
	s, _ := fresh(t, open)
	keys := boundaryKeys()
	shuffled := slices.Clone(keys)
	rand.New(rand.NewPCG(1, 2)).Shuffle(len(shuffled), func(i, j int) { shuffled[i], shuffled[j] = shuffled[j], shuffled[i] })
	require.NoError(t, commit(t, s, func(b *kv.Batch) {
		for _, key := range shuffled {
			b.Put("a", key, key)
		}
	}))
	want := sortedUnique(keys)

	rows := scan(t, s, "a", kv.Range{})
	assert.Equal(t, want, keysOf(rows), "ascending bytewise")
	for _, r := range rows {
		assert.Equal(t, r.Key, r.Value, "value travels with its key")
	}
	assert.Equal(t, reversed(want), keysOf(scan(t, s, "a", kv.Range{Reverse: true})), "descending bytewise")
	assert.Equal(t, want[:5], keysOf(scan(t, s, "a", kv.Range{Limit: 5})), "limit keeps the first")
	assert.Equal(t, reversed(want)[:5], keysOf(scan(t, s, "a", kv.Range{Limit: 5, Reverse: true})), "reverse limit keeps the last")
	assert.Equal(t, want, keysOf(scan(t, s, "a", kv.Range{Limit: len(want) + 10})))
}

func testScanBounds(t *testing.T, open Opener) {
	s, _ := fresh(t, open)
	// Keys (p, i) for p in 0..3, i in 0..9: a prefix scan on p must see
	// exactly its ten rows, ascending by i.
	require.NoError(t, commit(t, s, func(b *kv.Batch) {
		for p := range uint64(4) {
			for i := range uint64(10) {
				b.Put("a", k(p, i), nil)
			}
		}
		b.Put("a", []byte{0xff, 0xff}, nil)
	}))
	var want [][]byte
	for i := range uint64(10) {
		want = append(want, k(2, i))
	}

	tests := []struct {
		name string
		r    kv.Range
		want [][]byte
	}{
		{"Prefix", kv.Prefix(k(2)), want},
		{"PrefixReverse", kv.Range{Start: k(2), End: kv.PrefixEnd(k(2)), Reverse: true}, reversed(want)},
		{"StartInclusiveEndExclusive", kv.Range{Start: k(2, 3), End: k(2, 6)}, want[3:6]},
		{"ReverseSameRange", kv.Range{Start: k(2, 3), End: k(2, 6), Reverse: true}, reversed(want[3:6])},
		{"ReverseLimit", kv.Range{Start: k(2), End: k(3), Limit: 2, Reverse: true}, reversed(want)[:2]},
		{"StartBetweenKeys", kv.Range{Start: append(k(2, 4), 0), End: k(2, 6)}, want[5:6]},
		{"OnlyStart", kv.Range{Start: k(3, 9)}, [][]byte{k(3, 9), {0xff, 0xff}}},
		{"OnlyEnd", kv.Range{End: k(0, 2)}, [][]byte{k(0, 0), k(0, 1)}},
		{"StartEqualsEnd", kv.Range{Start: k(2, 3), End: k(2, 3)}, nil},
		{"StartAfterEnd", kv.Range{Start: k(2, 6), End: k(2, 3)}, nil},
		{"EmptyEndIsABound", kv.Range{End: []byte{}}, nil},
		{"EmptyPrefixOfAllFF", kv.Prefix([]byte{0xff}), [][]byte{{0xff, 0xff}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := keysOf(scan(t, s, "a", tc.r))
			if tc.want == nil {
				assert.Empty(t, got)
				return
			}
			assert.Equal(t, tc.want, got)
		})
	}
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
