package oplog

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestKeyIndex(t *testing.T) {
	many := make([]string, 0, 3000)
	for i := range 1000 {
		many = append(many, fmt.Sprint("k", i), fmt.Sprint("k", i%7), "")
	}
	tests := []struct {
		name string
		size int // what the index is made for
		keys []string
	}{
		{name: "none", size: 0},
		{name: "distinct", size: 3, keys: []string{"a", "b", "c"}},
		{name: "repeats", size: 6, keys: []string{"a", "b", "a", "c", "b", "a"}},
		{name: "empty key", size: 2, keys: []string{"", "x", ""}},
		{name: "past its size", size: 1, keys: many},
		{name: "made too small", size: 0, keys: []string{"a", "b", "c", "a"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			x := newKeyIndex(tc.size)
			want := make(map[string]int)
			order := []string{}
			for _, k := range tc.keys {
				n, added := x.add(k)
				first, seen := want[k]
				if !seen {
					first = len(order)
					want[k] = first
					order = append(order, k)
				}
				assert.Equal(t, first, n, "the number of %q", k)
				assert.Equal(t, !seen, added, "whether %q is new", k)
			}
			assert.Equal(t, len(order), len(x.keys))
			assert.Equal(t, order, append([]string{}, x.keys...), "keys in order of first appearance")
		})
	}
}
