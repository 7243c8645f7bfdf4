package paged

import (
	"encoding/binary"

	"github.com/tinylib/msgp/msgp"
)

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

// page is a page decoded: its bytes, and where each entry's key and value
// are in them. The entries hold offsets, not slices, so that the pages the
// cache keeps (tens of megabytes of them) are two objects each that the
// garbage collector need not look into, rather than two pointers an entry.
type page struct {
	data  []byte
	ents  []pent
	index []uint32 // by key hash, built at the page's first lookup
}

// pent is one entry of a page.
type pent struct {
	koff, klen uint32
	voff, vlen uint32
	ref        uint64
	hasValue   bool // the record holds a value: the entry's value is data[voff:][:vlen], else nil
}

func (p *page) len() int { return len(p.ents) }

// key is the key of entry i; it aliases p.data, capped.
func (p *page) key(i int) []byte {
	e := &p.ents[i]
	return p.data[e.koff : e.koff+e.klen : e.koff+e.klen]
}

// value is the inline value of entry i (nil when the entry holds none);
// it aliases p.data, capped.
func (p *page) value(i int) []byte {
	e := &p.ents[i]
	if !e.hasValue {
		return nil
	}
	return p.data[e.voff : e.voff+e.vlen : e.voff+e.vlen]
}

// entry is entry i as a pageEntry, aliasing p.data.
func (p *page) entry(i int) pageEntry {
	return pageEntry{Key: p.key(i), Value: p.value(i), Ref: p.ents[i].ref}
}

// decodePage decodes a stored page, as pageRecord.UnmarshalMsg would (the
// same fields, unknown ones skipped), into a page over data.
func decodePage(data []byte) (*page, error) {
	p := &page{data: data}
	at := func(v, rest []byte) uint32 { return uint32(len(data) - len(rest) - len(v)) }
	n, bts, err := msgp.ReadMapHeaderBytes(data)
	if err != nil {
		return nil, err
	}
	var field []byte
	for ; n > 0; n-- {
		if field, bts, err = msgp.ReadMapKeyZC(bts); err != nil {
			return nil, err
		}
		if string(field) != "e" {
			if bts, err = msgp.Skip(bts); err != nil {
				return nil, err
			}
			continue
		}
		var count uint32
		if count, bts, err = msgp.ReadArrayHeaderBytes(bts); err != nil {
			return nil, err
		}
		if uint64(count) > uint64(len(bts)) { // an entry takes a byte at least
			return nil, msgp.ErrShortBytes
		}
		p.ents = make([]pent, count)
		for i := range p.ents {
			e := &p.ents[i]
			var fields uint32
			if fields, bts, err = msgp.ReadMapHeaderBytes(bts); err != nil {
				return nil, err
			}
			for ; fields > 0; fields-- {
				if field, bts, err = msgp.ReadMapKeyZC(bts); err != nil {
					return nil, err
				}
				var v []byte
				switch string(field) {
				case "k":
					if v, bts, err = msgp.ReadBytesZC(bts); err != nil {
						return nil, err
					}
					e.koff, e.klen = at(v, bts), uint32(len(v))
				case "v":
					if v, bts, err = msgp.ReadBytesZC(bts); err != nil {
						return nil, err
					}
					e.voff, e.vlen, e.hasValue = at(v, bts), uint32(len(v)), v != nil
				case "r":
					if e.ref, bts, err = msgp.ReadUint64Bytes(bts); err != nil {
						return nil, err
					}
				default:
					if bts, err = msgp.Skip(bts); err != nil {
						return nil, err
					}
				}
			}
		}
	}
	return p, nil
}

// search is the index of the first entry of p not below key.
func (p *page) search(key []byte) int {
	lo, hi := 0, len(p.ents)
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		if compareKeys(p.key(m), key) < 0 {
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
func (p *page) find(key []byte, h uint64) (int, bool) {
	if p.index == nil {
		if len(p.ents) > maxIndexed {
			j := p.search(key)
			return j, j < len(p.ents) && compareKeys(p.key(j), key) == 0
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
			if j := int(sl&0xffff) - 1; compareKeys(p.key(j), key) == 0 {
				return j, true
			}
		}
	}
}

func (p *page) buildIndex() {
	size := 16
	for 3*size < 4*len(p.ents) {
		size *= 2
	}
	p.index = make([]uint32, size)
	mask := uint64(size - 1)
	for j := range p.ents {
		h := keyHash(p.key(j))
		i := h & mask
		for p.index[i] != 0 {
			i = (i + 1) & mask
		}
		p.index[i] = uint32(h>>48)<<16 | uint32(j+1)
	}
}
