package paged

import (
	"bytes"
	"hash/maphash"

	"github.com/google/btree"
)

// memDegree is the memtable B-tree's minimum number of children per inner
// node. A memtable holds some thousands of entries (up to MergeBytes);
// measured with BenchmarkOplog/ApplyBatch500, 16 to 32 are alike.
const memDegree = 32

// memEntry is the state a write left a key in. Its slices alias the
// write-ahead row it came from (the store's own encoding for its commits,
// the row read for another handle's), which the memtable keeps alive
// until the merge.
type memEntry struct {
	key   []byte
	value []byte
	ref   uint64 // the value is out of line, in the value row ref
	del   bool
}

func lessEntry(a, b *memEntry) bool { return compareKeys(a.key, b.key) < 0 }

func entrySize(e *memEntry) int { return len(e.key) + len(e.value) + 16 }

// memtable is the state the write-ahead rows not merged yet leave a
// table's keys in: entries in key order (a B-tree, for scans and merges)
// and an index of them by key hash, so that a lookup, and a write over a
// key already there (done in place), never walk the tree.
type memtable struct {
	tree  *btree.BTreeG[*memEntry]
	index []memSlot // open addressing, at most half full; empty until the first entry
	n     int
}

type memSlot struct {
	h uint64 // keyHash of e.key
	e *memEntry
}

func newMemtable() *memtable { return &memtable{tree: btree.NewG(memDegree, lessEntry)} }

// keySeed seeds keyHash.
var keySeed = maphash.MakeSeed()

// keyHash is the hash memtables and commits find keys by.
func keyHash(key []byte) uint64 { return maphash.Bytes(keySeed, key) }

// len is the number of entries.
func (m *memtable) len() int { return m.n }

// get is the entry of key, whose keyHash is h, or nil.
func (m *memtable) get(key []byte, h uint64) *memEntry {
	if m.n == 0 {
		return nil
	}
	mask := uint64(len(m.index) - 1)
	for i := h & mask; ; i = (i + 1) & mask {
		sl := &m.index[i]
		if sl.e == nil {
			return nil
		}
		if sl.h == h && bytes.Equal(sl.e.key, key) {
			return sl.e
		}
	}
}

// entry is the entry of key (h its keyHash) for the caller to fill in: the
// one there, or a new one from a, holding key and already in the tree.
func (m *memtable) entry(key []byte, h uint64, a *arena) (e *memEntry, added bool) {
	if 2*(m.n+1) > len(m.index) {
		m.grow() // NB: half full at most, so that a miss (a new key) probes two or three slots
	}
	mask := uint64(len(m.index) - 1)
	for i := h & mask; ; i = (i + 1) & mask {
		sl := &m.index[i]
		if sl.e == nil {
			e = a.alloc()
			e.key = key
			*sl = memSlot{h: h, e: e}
			m.n++
			m.tree.ReplaceOrInsert(e)
			return e, true
		}
		if sl.h == h && bytes.Equal(sl.e.key, key) {
			return sl.e, false
		}
	}
}

// grow doubles the index.
func (m *memtable) grow() {
	old := m.index
	m.index = make([]memSlot, max(64, 2*len(old)))
	mask := uint64(len(m.index) - 1)
	for _, sl := range old {
		if sl.e == nil {
			continue
		}
		i := sl.h & mask
		for m.index[i].e != nil {
			i = (i + 1) & mask
		}
		m.index[i] = sl
	}
}

// clear empties m, keeping its room.
func (m *memtable) clear() {
	m.tree.Clear(true)
	clear(m.index)
	m.n = 0
}

// arenaChunk is how many entries an arena allocates at once.
const arenaChunk = 1024

// arena hands out the memtables' entries, a chunk at a time: one
// allocation per thousand writes instead of one each. Every entry it gave
// is reclaimed at once by reset, once no memtable holds any (after a
// merge, or when the tables are rebuilt).
type arena struct {
	chunks [][]memEntry
	c, n   int // the chunk in use, and its next free entry
}

func (a *arena) alloc() *memEntry {
	if a.c == len(a.chunks) {
		a.chunks = append(a.chunks, make([]memEntry, arenaChunk))
	}
	e := &a.chunks[a.c][a.n]
	if a.n++; a.n == arenaChunk {
		a.c, a.n = a.c+1, 0
	}
	return e
}

// reset takes every entry back, clearing them so that they keep nothing
// alive.
func (a *arena) reset() {
	for i := 0; i <= a.c && i < len(a.chunks); i++ {
		clear(a.chunks[i])
	}
	a.c, a.n = 0, 0
}

// compareKeys compares keys bytewise. It is bytes.Compare: measured on
// keys of 24 bytes that share 16, it beats comparing eight bytes at a time
// in Go both natively (assembly, 5.4 against 7.3 ns) and in wasm (22
// against 26 ns in node).
func compareKeys(a, b []byte) int { return bytes.Compare(a, b) }
