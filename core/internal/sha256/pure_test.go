package sha256

import (
	std "crypto/sha256"
	"encoding/hex"
	"hash"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The pure implementation is what the js build runs; these tests run it
// natively, against crypto/sha256.

func TestPureVectors(t *testing.T) {
	// FIPS 180-4's examples (csrc.nist.gov, SHA256.pdf and SHA2_Additional).
	tests := []struct {
		name, in, want string
	}{
		{name: "empty", in: "", want: "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"},
		{name: "abc", in: "abc", want: "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"},
		{
			name: "two blocks",
			in:   "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
			want: "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1",
		},
		{
			name: "896 bits",
			in:   "abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu",
			want: "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1",
		},
		{name: "a million a", in: strings.Repeat("a", 1_000_000), want: "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0"},
		{name: "55 bytes: padding fits the block", in: strings.Repeat("x", 55)},
		{name: "56 bytes: padding takes another block", in: strings.Repeat("x", 56)},
		{name: "64 bytes: one whole block", in: strings.Repeat("x", 64)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			want := std.Sum256([]byte(tc.in))
			if tc.want != "" {
				require.Equal(t, tc.want, hex.EncodeToString(want[:]), "crypto/sha256 agrees with the vector")
			}
			assert.Equal(t, want, sum([]byte(tc.in)))
			d := newDigest()
			d.Write([]byte(tc.in))
			assert.Equal(t, want[:], d.Sum(nil))
		})
	}
}

// TestPureRandom hashes random data of every length up to a few blocks,
// whole and written in random pieces, with Sum taken midway.
func TestPureRandom(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for n := range 600 {
		data := make([]byte, n)
		for i := range data {
			data[i] = byte(r.Uint32())
		}
		want := std.Sum256(data)
		require.Equal(t, want, sum(data), "length %d", n)

		d, s := newDigest(), std.New()
		for rest := data; len(rest) > 0; {
			k := r.IntN(len(rest) + 1)
			d.Write(rest[:k])
			s.Write(rest[:k])
			require.Equal(t, s.Sum(nil), d.Sum(nil), "length %d, after %d bytes", n, n-len(rest)+k)
			rest = rest[k:]
		}
		require.Equal(t, want[:], d.Sum(nil), "length %d in pieces", n)
	}
}

func TestPureHash(t *testing.T) {
	var h hash.Hash = newDigest()
	assert.Equal(t, Size, h.Size())
	assert.Equal(t, BlockSize, h.BlockSize())
	h.Write([]byte("some"))
	h.Reset()
	h.Write([]byte("abc"))
	want := std.Sum256([]byte("abc"))
	assert.Equal(t, append([]byte("prefix"), want[:]...), h.Sum([]byte("prefix")), "Sum appends")
	assert.Equal(t, want[:], h.Sum(nil), "Sum leaves the state alone")
	n, err := h.Write(make([]byte, 100))
	assert.Equal(t, 100, n)
	assert.NoError(t, err)
}

func TestExported(t *testing.T) {
	// Whichever implementation this build uses.
	want := std.Sum256([]byte("idbsync"))
	assert.Equal(t, want, Sum256([]byte("idbsync")))
	h := New()
	h.Write([]byte("idb"))
	h.Write([]byte("sync"))
	assert.Equal(t, want[:], h.Sum(nil))
	assert.Equal(t, Size, std.Size)
	assert.Equal(t, BlockSize, std.BlockSize)
}

func FuzzPure(f *testing.F) {
	f.Add([]byte(""), uint16(0))
	f.Add([]byte("abc"), uint16(1))
	f.Add([]byte(strings.Repeat("x", 130)), uint16(63))
	f.Fuzz(func(t *testing.T, data []byte, split uint16) {
		want := std.Sum256(data)
		if got := sum(data); got != want {
			t.Fatalf("sum(%x) = %x, want %x", data, got, want)
		}
		at := int(split) % (len(data) + 1)
		d := newDigest()
		d.Write(data[:at])
		d.Write(data[at:])
		if got := d.Sum(nil); string(got) != string(want[:]) {
			t.Fatalf("written at %d: %x, want %x", at, got, want)
		}
	})
}

// BenchmarkSum compares the pure implementation with crypto/sha256 on a
// 1 KiB input: natively crypto/sha256 uses SHA-NI or AVX2, in js both are
// plain Go.
func BenchmarkSum(b *testing.B) {
	data := make([]byte, 1024)
	b.Run("pure", func(b *testing.B) {
		b.SetBytes(int64(len(data)))
		for b.Loop() {
			sum(data)
		}
	})
	b.Run("crypto/sha256", func(b *testing.B) {
		b.SetBytes(int64(len(data)))
		for b.Loop() {
			std.Sum256(data)
		}
	})
}
