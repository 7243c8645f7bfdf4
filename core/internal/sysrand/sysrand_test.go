package sysrand_test

import (
	"bytes"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/idbsync/idbsync/core/internal/sysrand"
)

func TestRead(t *testing.T) {
	tests := []struct {
		name string
		size int
	}{
		{name: "empty", size: 0},
		{name: "a salt", size: 16},
		{name: "one getRandomValues call", size: 64 << 10},
		{name: "several getRandomValues calls", size: 150_000},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			a, b := make([]byte, tc.size), make([]byte, tc.size)
			sysrand.Read(a)
			sysrand.Read(b)
			if tc.size == 0 {
				return
			}
			assert.NotEqual(t, a, b, "two reads differ")
			// Every 16-byte block is filled, to the last: the odds of 16
			// random zero bytes are 2^-128.
			zero := make([]byte, 16)
			for i := 0; i < tc.size; i += 16 {
				assert.False(t, bytes.Equal(a[i:min(i+16, tc.size)], zero[:min(16, tc.size-i)]), "bytes %d.. are zero", i)
			}
		})
	}
}
