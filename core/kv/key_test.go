package kv_test

import (
	"bytes"
	"cmp"
	"encoding/hex"
	"errors"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/idbsync/idbsync/core/kv"
)

// tail follows every encoded component so a Read that consumes too much or
// too little shows up as a wrong rest.
var tail = []byte("tail")

// roundTrip encodes v between a prefix and tail, checks the encoding (when
// want is given, as hex) and decodes it back.
func roundTrip[T any](t *testing.T, v T, want string,
	appendFn func([]byte, T) []byte, readFn func([]byte) (T, []byte, error),
) {
	t.Helper()
	prefix := []byte("p")
	key := appendFn(bytes.Clone(prefix), v)
	require.True(t, bytes.HasPrefix(key, prefix), "append must keep what is already there")
	enc := key[len(prefix):]
	if want != "" {
		assert.Equal(t, want, hex.EncodeToString(enc))
	}
	got, rest, err := readFn(append(bytes.Clone(enc), tail...))
	require.NoError(t, err)
	assert.Equal(t, v, got)
	assert.Equal(t, tail, rest)
}

var uint64Edges = []uint64{0, 1, 0x7f, 0x80, 0xff, 0x100, 1<<63 - 1, 1 << 63, math.MaxUint64 - 1, math.MaxUint64}

var int64Edges = []int64{math.MinInt64, math.MinInt64 + 1, -256, -1, 0, 1, 0x7f, 0x80, 0xff, math.MaxInt64 - 1, math.MaxInt64}

var stringEdges = []string{"", "\x00", "\x00\x00", "\x00\x01", "\x00\xff", "\x01", "a", "a\x00", "a\x00b", "a\x01", "ab", "\xff", "\xff\xff"}

func TestUint64RoundTrip(t *testing.T) {
	tests := []struct {
		name string
		v    uint64
		want string
	}{
		{name: "zero", v: 0, want: "0000000000000000"},
		{name: "one", v: 1, want: "0000000000000001"},
		{name: "0x7f", v: 0x7f, want: "000000000000007f"},
		{name: "0x80", v: 0x80, want: "0000000000000080"},
		{name: "0xff", v: 0xff, want: "00000000000000ff"},
		{name: "2^63", v: 1 << 63, want: "8000000000000000"},
		{name: "max", v: math.MaxUint64, want: "ffffffffffffffff"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			roundTrip(t, tt.v, tt.want, kv.AppendUint64, kv.ReadUint64)
		})
	}
}

func TestUint32RoundTrip(t *testing.T) {
	tests := []struct {
		name string
		v    uint32
		want string
	}{
		{name: "zero", v: 0, want: "00000000"},
		{name: "one", v: 1, want: "00000001"},
		{name: "0x7f", v: 0x7f, want: "0000007f"},
		{name: "0x80", v: 0x80, want: "00000080"},
		{name: "0xff", v: 0xff, want: "000000ff"},
		{name: "2^31", v: 1 << 31, want: "80000000"},
		{name: "max", v: math.MaxUint32, want: "ffffffff"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			roundTrip(t, tt.v, tt.want, kv.AppendUint32, kv.ReadUint32)
		})
	}
}

func TestInt64RoundTrip(t *testing.T) {
	// The sign bit is flipped so that negatives sort first.
	tests := []struct {
		name string
		v    int64
		want string
	}{
		{name: "min", v: math.MinInt64, want: "0000000000000000"},
		{name: "min+1", v: math.MinInt64 + 1, want: "0000000000000001"},
		{name: "minus 256", v: -256, want: "7fffffffffffff00"},
		{name: "minus one", v: -1, want: "7fffffffffffffff"},
		{name: "zero", v: 0, want: "8000000000000000"},
		{name: "one", v: 1, want: "8000000000000001"},
		{name: "0x7f", v: 0x7f, want: "800000000000007f"},
		{name: "0x80", v: 0x80, want: "8000000000000080"},
		{name: "0xff", v: 0xff, want: "80000000000000ff"},
		{name: "max", v: math.MaxInt64, want: "ffffffffffffffff"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			roundTrip(t, tt.v, tt.want, kv.AppendInt64, kv.ReadInt64)
		})
	}
}

func TestUUIDRoundTrip(t *testing.T) {
	tests := []struct {
		name string
		v    [16]byte
		want string
	}{
		{name: "zero", v: [16]byte{}, want: "00000000000000000000000000000000"},
		{name: "all 0xff", v: [16]byte{0: 0xff, 1: 0xff, 2: 0xff, 3: 0xff, 4: 0xff, 5: 0xff, 6: 0xff, 7: 0xff, 8: 0xff, 9: 0xff, 10: 0xff, 11: 0xff, 12: 0xff, 13: 0xff, 14: 0xff, 15: 0xff}, want: "ffffffffffffffffffffffffffffffff"},
		{name: "mixed", v: [16]byte{0x12, 0x34, 0x56, 0x78, 0x9a, 0xbc, 0xde, 0xf0, 0x00, 0x01, 0x7f, 0x80, 0xff, 0x00, 0x00, 0x01}, want: "123456789abcdef000017f80ff000001"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			roundTrip(t, tt.v, tt.want, kv.AppendUUID, kv.ReadUUID)
		})
	}
}

func TestBytesAndStringRoundTrip(t *testing.T) {
	// The expected encodings pin the on-disk format: 0x00 is escaped as
	// 0x00 0xff and every string ends with 0x00 0x01.
	tests := []struct {
		name string
		v    string
		want string
	}{
		{name: "empty", v: "", want: "0001"},
		{name: "nul", v: "\x00", want: "00ff0001"},
		{name: "two nuls", v: "\x00\x00", want: "00ff00ff0001"},
		{name: "nul in the middle", v: "a\x00b", want: "6100ff620001"},
		{name: "0xff", v: "\xff", want: "ff0001"},
		{name: "nul then 0xff", v: "\x00\xff", want: "00ffff0001"},
		{name: "nul then one", v: "\x00\x01", want: "00ff010001"},
		{name: "plain", v: "hello", want: "68656c6c6f0001"},
		{name: "trailing nul", v: "a\x00", want: "6100ff0001"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Run("string", func(t *testing.T) {
				roundTrip(t, tt.v, tt.want, kv.AppendString, kv.ReadString)
			})
			t.Run("bytes", func(t *testing.T) {
				enc := kv.AppendBytes(nil, []byte(tt.v))
				assert.Equal(t, tt.want, hex.EncodeToString(enc))
				got, rest, err := kv.ReadBytes(append(enc, tail...))
				require.NoError(t, err)
				// bytes.Equal: an empty string may decode as nil.
				assert.True(t, bytes.Equal([]byte(tt.v), got), "got %q", got)
				assert.Equal(t, tail, rest)
			})
		})
	}
}

func TestReadBytesCopies(t *testing.T) {
	// The doc promises a new slice: the caller may keep it after reusing the key.
	key := kv.AppendString(nil, "abc")
	got, _, err := kv.ReadBytes(key)
	require.NoError(t, err)
	got[0] = 'z'
	assert.Equal(t, byte('a'), key[0])
}

func TestTupleDecodesInOrder(t *testing.T) {
	peer := [16]byte{0xde, 0xad, 0xbe, 0xef, 15: 0x01}
	tests := []struct {
		name  string
		name1 string
		n     uint64
		m     uint32
		i     int64
		name2 []byte
	}{
		{name: "plain", name1: "log", n: 7, m: 3, i: -5, name2: []byte("x")},
		{name: "nuls everywhere", name1: "\x00\x00", n: 0, m: 0, i: 0, name2: []byte{0, 1, 0}},
		{name: "extremes", name1: "\xff", n: math.MaxUint64, m: math.MaxUint32, i: math.MinInt64, name2: []byte{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var key []byte
			key = kv.AppendString(key, tt.name1)
			key = kv.AppendUUID(key, peer)
			key = kv.AppendUint64(key, tt.n)
			key = kv.AppendBytes(key, tt.name2)
			key = kv.AppendUint32(key, tt.m)
			key = kv.AppendInt64(key, tt.i)

			name1, rest, err := kv.ReadString(key)
			require.NoError(t, err)
			id, rest, err := kv.ReadUUID(rest)
			require.NoError(t, err)
			n, rest, err := kv.ReadUint64(rest)
			require.NoError(t, err)
			name2, rest, err := kv.ReadBytes(rest)
			require.NoError(t, err)
			m, rest, err := kv.ReadUint32(rest)
			require.NoError(t, err)
			i, rest, err := kv.ReadInt64(rest)
			require.NoError(t, err)

			assert.Equal(t, tt.name1, name1)
			assert.Equal(t, peer, id)
			assert.Equal(t, tt.n, n)
			assert.True(t, bytes.Equal(tt.name2, name2), "got %q", name2)
			assert.Equal(t, tt.m, m)
			assert.Equal(t, tt.i, i)
			assert.Empty(t, rest)
		})
	}
}

// checkOrder asserts that for every pair of tuples, comparing the encodings
// bytewise agrees with comparing the tuples component by component.
func checkOrder[T any](t *testing.T, tuples []T, enc func(T) []byte, compare func(a, b T) int) {
	t.Helper()
	keys := make([][]byte, len(tuples))
	for i, tu := range tuples {
		keys[i] = enc(tu)
	}
	failures := 0
	for i := range tuples {
		for j := range tuples {
			want := compare(tuples[i], tuples[j])
			got := bytes.Compare(keys[i], keys[j])
			if got != want {
				t.Errorf("%#v vs %#v: tuple compare %d, key compare %d (%x vs %x)",
					tuples[i], tuples[j], want, got, keys[i], keys[j])
				if failures++; failures > 10 {
					t.FailNow()
				}
			}
		}
	}
}

// randString draws short strings over the bytes that matter to the escaping
// (0x00, 0x01, 0xff) plus one ordinary byte, so prefixes and ties are common.
func randString(r *rand.Rand) string {
	alphabet := []byte{0x00, 0x01, 'a', 0xff}
	b := make([]byte, r.IntN(5))
	for i := range b {
		b[i] = alphabet[r.IntN(len(alphabet))]
	}
	return string(b)
}

func randUint64(r *rand.Rand) uint64 {
	if r.IntN(2) == 0 {
		return uint64Edges[r.IntN(len(uint64Edges))]
	}
	return r.Uint64()
}

func randInt64(r *rand.Rand) int64 {
	if r.IntN(2) == 0 {
		return int64Edges[r.IntN(len(int64Edges))]
	}
	return int64(r.Uint64())
}

func randUUID(r *rand.Rand) [16]byte {
	var id [16]byte
	// Few distinct leading bytes so that equal and near-equal uuids occur.
	id[0] = []byte{0x00, 0x7f, 0x80, 0xff}[r.IntN(4)]
	for i := 1; i < len(id); i++ {
		if r.IntN(4) == 0 {
			id[i] = byte(r.Uint32())
		}
	}
	return id
}

func TestOrderPreserved(t *testing.T) {
	const n = 300
	// Seeded so that a failure reproduces.
	r := rand.New(rand.NewPCG(1, 2))

	t.Run("string, uint64", func(t *testing.T) {
		type tuple struct {
			s string
			n uint64
		}
		var tuples []tuple
		for _, s := range stringEdges {
			for _, n := range []uint64{0, 1, 0xff, math.MaxUint64} {
				tuples = append(tuples, tuple{s, n})
			}
		}
		for range n {
			tuples = append(tuples, tuple{randString(r), randUint64(r)})
		}
		checkOrder(t, tuples,
			func(tu tuple) []byte { return kv.AppendUint64(kv.AppendString(nil, tu.s), tu.n) },
			func(a, b tuple) int { return cmp.Or(cmp.Compare(a.s, b.s), cmp.Compare(a.n, b.n)) })
	})

	t.Run("uuid, uint64", func(t *testing.T) {
		type tuple struct {
			id [16]byte
			n  uint64
		}
		var tuples []tuple
		for _, n := range uint64Edges {
			tuples = append(tuples, tuple{[16]byte{}, n}, tuple{[16]byte{15: 1}, n})
		}
		for range n {
			tuples = append(tuples, tuple{randUUID(r), randUint64(r)})
		}
		checkOrder(t, tuples,
			func(tu tuple) []byte { return kv.AppendUint64(kv.AppendUUID(nil, tu.id), tu.n) },
			func(a, b tuple) int { return cmp.Or(bytes.Compare(a.id[:], b.id[:]), cmp.Compare(a.n, b.n)) })
	})

	t.Run("int64", func(t *testing.T) {
		tuples := append([]int64(nil), int64Edges...)
		for range n {
			tuples = append(tuples, randInt64(r))
		}
		checkOrder(t, tuples,
			func(v int64) []byte { return kv.AppendInt64(nil, v) },
			cmp.Compare[int64])
	})

	t.Run("uint32, string, int64", func(t *testing.T) {
		// A string in the middle: the components after it must still line up.
		type tuple struct {
			m uint32
			s string
			i int64
		}
		var tuples []tuple
		for range n {
			tuples = append(tuples, tuple{uint32(r.IntN(3)), randString(r), randInt64(r)})
		}
		checkOrder(t, tuples,
			func(tu tuple) []byte {
				return kv.AppendInt64(kv.AppendString(kv.AppendUint32(nil, tu.m), tu.s), tu.i)
			},
			func(a, b tuple) int {
				return cmp.Or(cmp.Compare(a.m, b.m), cmp.Compare(a.s, b.s), cmp.Compare(a.i, b.i))
			})
	})
}

func TestMalformedKey(t *testing.T) {
	readString := func(b []byte) error { _, _, err := kv.ReadString(b); return err }
	readBytes := func(b []byte) error { _, _, err := kv.ReadBytes(b); return err }
	readUint64 := func(b []byte) error { _, _, err := kv.ReadUint64(b); return err }
	readUint32 := func(b []byte) error { _, _, err := kv.ReadUint32(b); return err }
	readInt64 := func(b []byte) error { _, _, err := kv.ReadInt64(b); return err }
	readUUID := func(b []byte) error { _, _, err := kv.ReadUUID(b); return err }

	tests := []struct {
		name string
		read func([]byte) error
		in   []byte
	}{
		{name: "uint64 empty", read: readUint64, in: nil},
		{name: "uint64 truncated", read: readUint64, in: make([]byte, 7)},
		{name: "uint32 empty", read: readUint32, in: []byte{}},
		{name: "uint32 truncated", read: readUint32, in: make([]byte, 3)},
		{name: "int64 truncated", read: readInt64, in: make([]byte, 5)},
		{name: "uuid empty", read: readUUID, in: nil},
		{name: "uuid truncated", read: readUUID, in: make([]byte, 15)},
		{name: "string empty input", read: readString, in: nil},
		{name: "string unterminated", read: readString, in: []byte("abc")},
		{name: "string ends in escape byte", read: readString, in: []byte("abc\x00")},
		{name: "string truncated after escaped nul", read: readString, in: []byte("a\x00\xff")},
		{name: "string bad escape 0x02", read: readString, in: []byte("a\x00\x02b\x00\x01")},
		{name: "bytes bad escape 0x02", read: readBytes, in: []byte{0x00, 0x02, 0x00, 0x01}},
		{name: "bytes bad escape 0x00", read: readBytes, in: []byte{0x00, 0x00, 0x01}},
		{name: "bytes bad escape after escaped nul", read: readBytes, in: []byte{0x00, 0xff, 0x00, 0x7f, 0x00, 0x01}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.read(tt.in)
			require.Error(t, err)
			assert.True(t, errors.Is(err, kv.ErrMalformedKey), "got %v", err)
		})
	}
}

func TestPrefixEnd(t *testing.T) {
	tests := []struct {
		name   string
		prefix []byte
		want   []byte
	}{
		{name: "nil", prefix: nil, want: nil},
		{name: "empty", prefix: []byte{}, want: nil},
		{name: "all 0xff", prefix: []byte{0xff, 0xff}, want: nil},
		{name: "last byte bumped", prefix: []byte{1, 2}, want: []byte{1, 3}},
		{name: "trailing 0xff dropped", prefix: []byte{1, 0xff}, want: []byte{2}},
		{name: "several trailing 0xff dropped", prefix: []byte{1, 0xff, 0xff}, want: []byte{2}},
		{name: "leading 0xff kept", prefix: []byte{0xff, 0x00}, want: []byte{0xff, 0x01}},
		{name: "single zero", prefix: []byte{0x00}, want: []byte{0x01}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			orig := bytes.Clone(tt.prefix)
			got := kv.PrefixEnd(tt.prefix)
			assert.Equal(t, tt.want, got)
			assert.Equal(t, orig, tt.prefix, "PrefixEnd modified its argument")
			if len(got) > 0 {
				// The result must not share memory with the argument either.
				got[0] ^= 0xff
				assert.Equal(t, orig, tt.prefix, "PrefixEnd result aliases its argument")
			}
		})
	}
}

func TestPrefixRange(t *testing.T) {
	// Every key of up to 3 bytes over the bytes at the edges of a carry.
	alphabet := []byte{0x00, 0x01, 0xfe, 0xff}
	keys := [][]byte{{}}
	// Index loop: the slice grows while it is walked.
	for i := 0; i < len(keys); i++ {
		if len(keys[i]) == 3 {
			continue
		}
		for _, c := range alphabet {
			keys = append(keys, append(bytes.Clone(keys[i]), c))
		}
	}
	require.Len(t, keys, 1+4+16+64)

	tests := []struct {
		name   string
		prefix []byte
	}{
		{name: "empty", prefix: []byte{}},
		{name: "0x00", prefix: []byte{0x00}},
		{name: "0xfe", prefix: []byte{0xfe}},
		{name: "0xff", prefix: []byte{0xff}},
		{name: "0x01 0xff", prefix: []byte{0x01, 0xff}},
		{name: "0xff 0xff", prefix: []byte{0xff, 0xff}},
		{name: "0xff 0x00", prefix: []byte{0xff, 0x00}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := kv.Prefix(tt.prefix)
			assert.Equal(t, tt.prefix, r.Start)
			assert.Equal(t, kv.PrefixEnd(tt.prefix), r.End)
			assert.Zero(t, r.Limit)
			assert.False(t, r.Reverse)
			// Start <= key < End (nil End unbounded) must select exactly the
			// keys that have the prefix.
			for _, k := range keys {
				in := bytes.Compare(k, r.Start) >= 0 && (r.End == nil || bytes.Compare(k, r.End) < 0)
				assert.Equal(t, bytes.HasPrefix(k, tt.prefix), in, "key %x", k)
			}
		})
	}
}

func FuzzBytesRoundTrip(f *testing.F) {
	for _, s := range stringEdges {
		f.Add([]byte(s), []byte("a"))
	}
	f.Add([]byte{}, []byte{})
	f.Add([]byte("a"), []byte("a\x00"))
	f.Add([]byte("\x00\x01"), []byte("\x00"))
	f.Add([]byte("\x00\xff"), []byte("\x01"))
	f.Add([]byte("abc\x00\x02"), []byte("abc\x00\x01\x00"))

	f.Fuzz(func(t *testing.T, a, b []byte) {
		encA := kv.AppendBytes(nil, a)
		encB := kv.AppendBytes(nil, b)

		got, rest, err := kv.ReadBytes(encA)
		require.NoError(t, err)
		assert.True(t, bytes.Equal(a, got), "decoded %x, want %x", got, a)
		assert.Empty(t, rest)

		assert.Equal(t, bytes.Compare(a, b), bytes.Compare(encA, encB),
			"order of %x and %x not preserved by %x and %x", a, b, encA, encB)

		// Arbitrary input must not panic, and whatever decodes must be the
		// one encoding of its value, so two keys never name the same string.
		if got, rest, err := kv.ReadBytes(a); err == nil {
			assert.Equal(t, a[:len(a)-len(rest)], kv.AppendBytes(nil, got))
		} else {
			assert.True(t, errors.Is(err, kv.ErrMalformedKey), "got %v", err)
		}
	})
}
