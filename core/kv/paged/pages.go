package paged

import "encoding/binary"

// The lookups in the page list and in a page. Both are binary searches
// over keys that live apart from what is searched (the pageRefs' First
// keys, the entries' keys in the page's bytes); on a table of thousands of
// pages that are each a cache miss. So a table keeps the first eight bytes
// of every page's First in an array of their own, which settles most
// comparisons, and a cached page, once looked up, an index of its keys by
// hash, which settles a lookup, found or not, in a probe or two.

// prefix is the first eight bytes of key as a big-endian number, zeros
// past its end: a < b when prefix(a) < prefix(b), and equal prefixes say
// nothing.
func prefix(key []byte) uint64 {
	if len(key) >= 8 {
		return binary.BigEndian.Uint64(key)
	}
	var b [8]byte
	copy(b[:], key)
	return binary.BigEndian.Uint64(b[:])
}

// setPages makes pages t's page list.
func (t *table) setPages(pages []pageRef) {
	t.pages = pages
	t.firsts = t.firsts[:0]
	for i := range pages {
		t.firsts = append(t.firsts, prefix(pages[i].First))
	}
}

// pageOf is the index of t's page whose keys include key: the last one
// whose First is not above it, or the first page; -1 when t has none.
func (t *table) pageOf(key []byte) int {
	if len(t.pages) == 0 {
		return -1
	}
	kp := prefix(key)
	// The first page whose First is above key.
	lo, hi := 0, len(t.pages)
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		var above bool
		switch p := t.firsts[m]; {
		case p != kp:
			above = p > kp
		default:
			above = compareKeys(t.pages[m].First, key) > 0
		}
		if above {
			hi = m
		} else {
			lo = m + 1
		}
	}
	return max(lo-1, 0)
}

// pageAtOrAbove is the index of t's first page whose First is not below
// key, or len(t.pages).
func (t *table) pageAtOrAbove(key []byte) int {
	kp := prefix(key)
	lo, hi := 0, len(t.pages)
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		var below bool
		switch p := t.firsts[m]; {
		case p != kp:
			below = p < kp
		default:
			below = compareKeys(t.pages[m].First, key) < 0
		}
		if below {
			lo = m + 1
		} else {
			hi = m
		}
	}
	return lo
}

// entryIndex is the index of the first of entries (sorted) not below key.
func entryIndex(entries []pageEntry, key []byte) int {
	lo, hi := 0, len(entries)
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		if compareKeys(entries[m].Key, key) < 0 {
			lo = m + 1
		} else {
			hi = m
		}
	}
	return lo
}

// A page's index is open addressing over its entries: a slot holds the
// top 16 bits of the key's hash and the entry's index plus one (zero:
// free), and the slots are at most 3/4 full. Pages of more entries than
// 16 bits count are searched instead.
const maxIndexed = 1<<16 - 1

// find is the index of key (h its keyHash) among p's entries, and whether
// it is there.
func (p *pageRecord) find(key []byte, h uint64) (int, bool) {
	if p.index == nil {
		if len(p.Entries) > maxIndexed {
			j := entryIndex(p.Entries, key)
			return j, j < len(p.Entries) && compareKeys(p.Entries[j].Key, key) == 0
		}
		p.buildIndex()
	}
	mask := uint64(len(p.index) - 1)
	tag := uint32(h>>48) << 16
	for i := h & mask; ; i = (i + 1) & mask {
		sl := p.index[i]
		if sl == 0 {
			return 0, false
		}
		if sl&0xffff0000 == tag {
			if j := int(sl&0xffff) - 1; compareKeys(p.Entries[j].Key, key) == 0 {
				return j, true
			}
		}
	}
}

func (p *pageRecord) buildIndex() {
	size := 16
	for 3*size < 4*len(p.Entries) {
		size *= 2
	}
	p.index = make([]uint32, size)
	mask := uint64(size - 1)
	for j := range p.Entries {
		h := keyHash(p.Entries[j].Key)
		i := h & mask
		for p.index[i] != 0 {
			i = (i + 1) & mask
		}
		p.index[i] = uint32(h>>48)<<16 | uint32(j+1)
	}
}
