package paged

import (
	"bytes"
	"hash/maphash"
	"slices"
)

// memEntry is the state a write left a key in. Its slices are in its
// arena (a commit's) or alias the write-ahead row it came from (another
// handle's, read back), which the memtable keeps alive until the merge.
type memEntry struct {
	key   []byte
	value []byte
	ref   uint64 // the value is out of line, in the value row ref
	del   bool
}

func cmpEntry(a, b *memEntry) int { return compareKeys(a.key, b.key) }

func entrySize(e *memEntry) int { return len(e.key) + len(e.value) + 16 }

// memtable is the state the write-ahead rows not merged yet leave a
// table's keys in: an index of the entries by key hash, for lookups and
// for writes over a key already there (done in place), and the entries in
// key order, for scans and merges, put in order only when one needs it.
//
// New entries are appended, in no order, and sorted when a merge or a scan
// comes: all at once, a sort is a fraction of what keeping a tree costs
// (where each of a write's comparisons reaches for a key far from the
// last, on a memtable of tens of thousands of entries: a fifth of a
// commit). A scan after a few writes sorts only them: they stay a run of
// their own, beside the sorted entries, until they are a quarter as many.
type memtable struct {
	index  []memSlot // open addressing, at most half full; empty until the first entry
	n      int
	sorted []*memEntry // in key order
	tail   []*memEntry // after sorted: tail[:tailSorted] in key order, the rest in none
	// tailSorted is how much of tail is in order.
	tailSorted int
}

type memSlot struct {
	h uint64 // keyHash of e.key
	e *memEntry
}

func newMemtable() *memtable { return &memtable{} }

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
// one there, or a new one from a that holds key.
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
			m.tail = append(m.tail, e)
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

// order sorts what tail holds out of order into its run; with all, or
// once the run is a quarter of sorted, it merges the run into sorted.
func (m *memtable) order(all bool) {
	if m.tailSorted < len(m.tail) {
		fresh := m.tail[m.tailSorted:]
		if sorted := sortEntries(fresh, make([]*memEntry, len(fresh))); len(fresh) > 1 && &sorted[0] != &fresh[0] {
			copy(fresh, sorted)
		}
		if m.tailSorted > 0 {
			run := mergeRuns(make([]*memEntry, 0, len(m.tail)), m.tail[:m.tailSorted], fresh)
			copy(m.tail, run)
		}
		m.tailSorted = len(m.tail)
	}
	if len(m.tail) > 0 && (all || 4*len(m.tail) > len(m.sorted)) {
		if len(m.sorted) == 0 {
			m.sorted, m.tail = m.tail, m.sorted[:0]
		} else {
			m.sorted = mergeRuns(make([]*memEntry, 0, len(m.sorted)+len(m.tail)), m.sorted, m.tail)
			clear(m.tail)
			m.tail = m.tail[:0]
		}
		m.tailSorted = 0
	}
}

// mergeRuns appends to out the entries of a and b (disjoint, each in key
// order) in key order.
func mergeRuns(out, a, b []*memEntry) []*memEntry {
	for len(a) > 0 && len(b) > 0 {
		if compareKeys(a[0].key, b[0].key) < 0 {
			out, a = append(out, a[0]), a[1:]
		} else {
			out, b = append(out, b[0]), b[1:]
		}
	}
	out = append(out, a...)
	return append(out, b...)
}

// all is every entry in key order.
func (m *memtable) all() []*memEntry {
	m.order(true)
	return m.sorted
}

// ascend calls fn with the entries from key start on, in key order, until
// it returns false.
func (m *memtable) ascend(start []byte, fn func(e *memEntry) bool) {
	m.order(false)
	from := func(run []*memEntry) []*memEntry {
		i, _ := slices.BinarySearchFunc(run, start, func(e *memEntry, k []byte) int { return compareKeys(e.key, k) })
		return run[i:]
	}
	a, b := from(m.sorted), from(m.tail)
	for len(a) > 0 || len(b) > 0 {
		var e *memEntry
		if len(b) == 0 || (len(a) > 0 && compareKeys(a[0].key, b[0].key) < 0) {
			e, a = a[0], a[1:]
		} else {
			e, b = b[0], b[1:]
		}
		if !fn(e) {
			return
		}
	}
}

// clear empties m, keeping its room.
func (m *memtable) clear() {
	clear(m.index)
	clear(m.sorted)
	clear(m.tail)
	m.n, m.sorted, m.tail, m.tailSorted = 0, m.sorted[:0], m.tail[:0], 0
}

// arenaChunk is how many entries an arena allocates at once, and
// arenaBytes how many bytes.
const (
	arenaChunk = 1024
	arenaBytes = 256 << 10
)

// arena hands out the memtables' entries and the bytes of their keys and
// values, a chunk at a time: one allocation per thousand writes instead of
// one each, and none once the chunks are there. Everything it gave is
// reclaimed at once by reset, once no memtable holds any (after a merge,
// or when the tables are rebuilt).
type arena struct {
	chunks [][]memEntry
	c, n   int // the chunk in use, and its next free entry
	bytes  [][]byte
	b      int // the byte chunk in use: bytes[b][len:] is free
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

// copy is a copy of b in the arena, its capacity capped.
func (a *arena) copy(b []byte) []byte {
	if len(b) > arenaBytes/4 {
		return bytes.Clone(b) // a value of its own
	}
	for a.b < len(a.bytes) && cap(a.bytes[a.b])-len(a.bytes[a.b]) < len(b) {
		a.b++
	}
	if a.b == len(a.bytes) {
		a.bytes = append(a.bytes, make([]byte, 0, arenaBytes))
	}
	c := a.bytes[a.b]
	n := len(c)
	c = append(c, b...)
	a.bytes[a.b] = c
	return c[n:len(c):len(c)]
}

// reset takes every entry back, clearing them so that they keep nothing
// alive, and every byte.
func (a *arena) reset() {
	for i := 0; i <= a.c && i < len(a.chunks); i++ {
		clear(a.chunks[i])
	}
	a.c, a.n = 0, 0
	if len(a.bytes) > keepBytes {
		clear(a.bytes[keepBytes:])
		a.bytes = a.bytes[:keepBytes]
	}
	for i := range a.bytes {
		a.bytes[i] = a.bytes[i][:0]
	}
	a.b = 0
}

// keepBytes is how many byte chunks an arena keeps once reset (4 MiB).
const keepBytes = 16

// compareKeys compares keys bytewise. It is bytes.Compare: measured on
// keys of 24 bytes that share 16, it beats comparing eight bytes at a time
// in Go both natively (assembly, 5.4 against 7.3 ns) and in wasm (22
// against 26 ns in node).
func compareKeys(a, b []byte) int { return bytes.Compare(a, b) }

// sortEntries sorts ents by key, with buf as room for as many: a merge sort
// of the runs already in order, which is how keys often arrive (a log per
// peer, interleaved; a key space written in order): n comparisons to find
// them, n for each of the log2(runs) rounds of merges, which read and
// write in order. Keys in no order at all take about what a quicksort
// does. It returns the sorted entries: ents or buf.
func sortEntries(ents, buf []*memEntry) []*memEntry {
	if len(ents) < 2 {
		return ents
	}
	// The runs, as the index where each ends.
	var ends []int
	for i := 1; i < len(ents); i++ {
		if compareKeys(ents[i-1].key, ents[i].key) > 0 {
			ends = append(ends, i)
		}
	}
	ends = append(ends, len(ents))
	src, dst := ents, buf[:len(ents)]
	for len(ends) > 1 {
		from, next := 0, ends[:0]
		for k := 0; k < len(ends); k += 2 {
			if k+1 == len(ends) {
				copy(dst[from:ends[k]], src[from:ends[k]])
				next = append(next, ends[k])
				break
			}
			mid, end := ends[k], ends[k+1]
			mergeRuns(dst[from:from], src[from:mid], src[mid:end])
			next = append(next, end)
			from = end
		}
		ends = next
		src, dst = dst, src
	}
	return src
}
