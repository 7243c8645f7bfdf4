package memkv

import (
	"bytes"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
)

// TestRowLess: rows order as bytes.Compare orders their keys, whatever the
// lengths (the word-at-a-time loop and the byte tail) and the bytes (ties
// on long prefixes, high bits).
func TestRowLess(t *testing.T) {
	tests := []struct {
		name string
		a, b []byte
	}{
		{"Empty", nil, nil},
		{"EmptyFirst", nil, []byte{0}},
		{"PrefixShorter", []byte("abcdefgh"), []byte("abcdefgh\x00")},
		{"WordHighBit", []byte{0x80, 0, 0, 0, 0, 0, 0, 0}, []byte{0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff}},
		{"SecondWord", []byte("aaaaaaaab"), []byte("aaaaaaaaa")},
		{"Tail", []byte("aaaaaaaaaaaz"), []byte("aaaaaaaaaaza")},
		{"Equal", []byte("same key, 24 bytes long!"), []byte("same key, 24 bytes long!")},
		{"LongerPrefix", []byte("abcdefghijklmnop"), []byte("abcdefghijklmnopq")},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, bytes.Compare(tc.a, tc.b) < 0, rowLess(pivot(tc.a), pivot(tc.b)))
			assert.Equal(t, bytes.Compare(tc.b, tc.a) < 0, rowLess(pivot(tc.b), pivot(tc.a)))
		})
	}
	t.Run("Random", func(t *testing.T) {
		rng := rand.New(rand.NewPCG(7, 7))
		alphabet := []byte{0, 1, 0x7f, 0x80, 0xfe, 0xff}
		key := func() []byte {
			k := make([]byte, rng.IntN(30))
			for i := range k {
				k[i] = alphabet[rng.IntN(len(alphabet))]
			}
			return k
		}
		for range 100000 {
			a, b := key(), key()
			if rng.IntN(3) == 0 { // a shared prefix, then whatever
				n := rng.IntN(len(a) + 1)
				b = append(a[:n:n], b...)
			}
			if got, want := rowLess(pivot(a), pivot(b)), bytes.Compare(a, b) < 0; got != want {
				t.Fatalf("rowLess(%x, %x) = %v, want %v", a, b, got, want)
			}
		}
	})
}
