package oplog

import (
	"hash/maphash"
	"math/bits"
)

// keyIndex numbers the distinct keys of a batch in order of first
// appearance: a hash table with open addressing, sized once for the keys
// the batch may hold, which costs about half of what a map of strings does
// for a batch's hundreds of keys.
type keyIndex struct {
	slots []keySlot // a power of two of them, at most half in use
	keys  []string  // by number
}

// keySlot is a key's hash, with the low bit set (zero marks a free slot),
// and its number.
type keySlot struct {
	hash uint64
	n    int
}

var keySeed = maphash.MakeSeed()

// newKeyIndex returns a keyIndex sized for n distinct keys; it grows past them.
func newKeyIndex(n int) *keyIndex {
	return &keyIndex{slots: make([]keySlot, 1<<bits.Len(uint(2*n))), keys: make([]string, 0, n)}
}

// add returns the number of key, and whether it is new.
func (x *keyIndex) add(key string) (n int, added bool) {
	h := maphash.String(keySeed, key) | 1
	mask := uint64(len(x.slots) - 1)
	for i := h & mask; ; i = (i + 1) & mask {
		s := &x.slots[i]
		switch {
		case s.hash == 0:
			n = len(x.keys)
			*s = keySlot{hash: h, n: n}
			x.keys = append(x.keys, key)
			if 2*len(x.keys) > len(x.slots) {
				x.grow()
			}
			return n, true
		case s.hash == h && x.keys[s.n] == key:
			return s.n, false
		}
	}
}

// grow doubles the slots.
func (x *keyIndex) grow() {
	old := x.slots
	x.slots = make([]keySlot, 2*len(old))
	mask := uint64(len(x.slots) - 1)
	for _, s := range old {
		if s.hash == 0 {
			continue
		}
		i := s.hash & mask
		for x.slots[i].hash != 0 {
			i = (i + 1) & mask
		}
		x.slots[i] = s
	}
}
