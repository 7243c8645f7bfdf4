package kvtest

import (
	"bytes"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/idbsync/idbsync/core/kv"
)

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
