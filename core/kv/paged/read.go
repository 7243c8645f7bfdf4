package paged

import (
	"container/list"
	"slices"

	"github.com/idbsync/idbsync/core/kv"
)

// reader reads the committed state through the memtables, the cached pages
// and the values fetched so far, noting every page and value it missed.
type reader struct {
	s          *Store
	pages      map[uint64]*page // fetched for this call (the cache may not keep them all)
	values     map[uint64][]byte
	missPages  []uint64
	missValues []uint64
}

// page is the cached page p, or nil after noting it missed.
func (r *reader) page(p pageRef) *page {
	if pg := r.cached(p.ID); pg != nil {
		return pg
	}
	if !containsID(r.missPages, p.ID) {
		r.missPages = append(r.missPages, p.ID)
	}
	return nil
}

// cached is page id if this call fetched it or the cache has it, else nil.
func (r *reader) cached(id uint64) *page {
	if r.pages != nil {
		if pg := r.pages[id]; pg != nil {
			return pg
		}
	}
	return r.s.cache.get(id)
}

// value is the out-of-line value ref, or false after noting it missed.
func (r *reader) value(ref uint64) ([]byte, bool) {
	if v, ok := r.values[ref]; ok { // nil map: none fetched
		return v, true
	}
	if !containsID(r.missValues, ref) {
		r.missValues = append(r.missValues, ref)
	}
	return nil, false
}

func containsID(ids []uint64, id uint64) bool {
	for _, x := range ids {
		if x == id {
			return true
		}
	}
	return false
}

// lookup is the committed state of key: found, its inline value or its ref;
// ok is false when the page it is on was not cached (noted as missed).
func (r *reader) lookup(t *table, key []byte, h uint64) (value []byte, ref uint64, found, ok bool) {
	if e := t.mem.get(key, h); e != nil {
		return e.value, e.ref, !e.del, true
	}
	if t.frozen != nil {
		if e := t.frozen.get(key, h); e != nil {
			return e.value, e.ref, !e.del, true
		}
	}
	i := t.pageOf(key)
	if i < 0 {
		return nil, 0, false, true
	}
	pg := r.page(t.pages[i])
	if pg == nil {
		return nil, 0, false, false
	}
	if j, hit := pg.find(key, h); hit {
		return pg.value(j), pg.ents[j].ref, true, true
	}
	return nil, 0, false, true
}

// get is the value of key, whose keyHash is h (with withValue, out-of-line
// ones fetched too); ok is false when something it needs was missed. The
// value is not a copy but its capacity is capped: a merge function may
// append to it.
func (r *reader) get(t *table, key []byte, h uint64, withValue bool) (v []byte, found, ok bool) {
	v, ref, found, ok := r.lookup(t, key, h)
	if !ok || !found {
		return nil, found, ok
	}
	if ref != 0 && withValue {
		if v, ok = r.value(ref); !ok {
			return nil, true, false
		}
	}
	if v == nil {
		return []byte{}, true, true
	}
	return v[:len(v):len(v)], true, true
}

// row is one row of a scan before its value is resolved.
type row struct {
	key   []byte
	value []byte
	ref   uint64
}

// scanBatch is how many uncached pages a scan asks for at once.
const scanBatch = 16

// scan is the rows of rng; false when it missed pages or values (noted).
// It takes the pages in the scan's direction while they are cached, merges
// them with the memtable up to where the cached ones reach, and asks for
// more pages only when that is not yet limit rows.
func (r *reader) scan(t *table, rng kv.Range) ([]kv.Pair, bool) {
	lo, hi := 0, len(t.pages) // the pages that overlap rng
	if rng.Start != nil {
		lo = max(t.pageOf(rng.Start), 0)
	}
	if rng.End != nil {
		hi = t.pageAtOrAbove(rng.End)
	}
	in := func(k []byte) bool {
		return compareKeys(k, rng.Start) >= 0 && (rng.End == nil || compareKeys(k, rng.End) < 0)
	}
	// The cached run of pages from the scan's start, and the key where the
	// pages not read yet begin (ascending) or end (descending).
	var pages []*page
	var bound []byte
	complete := true
	if !rng.Reverse {
		for i := lo; i < hi; i++ {
			pg := r.cached(t.pages[i].ID)
			if pg == nil {
				complete, bound = false, t.pages[i].First
				for j := i; j < hi && j < i+scanBatch; j++ {
					r.page(t.pages[j])
				}
				break
			}
			pages = append(pages, pg)
		}
	} else {
		for i := hi - 1; i >= lo; i-- {
			pg := r.cached(t.pages[i].ID)
			if pg == nil {
				complete = false
				if i+1 < len(t.pages) {
					bound = t.pages[i+1].First
				}
				for j := i; j >= lo && j > i-scanBatch; j-- {
					r.page(t.pages[j])
				}
				break
			}
			pages = append(pages, pg)
		}
	}
	// covered: is k within the keys the cached pages answer for?
	covered := func(k []byte) bool {
		if complete {
			return true
		}
		if !rng.Reverse {
			return bound != nil && compareKeys(k, bound) < 0
		}
		return bound != nil && compareKeys(k, bound) >= 0
	}
	// An ascending scan with a limit reads about as many rows as it returns
	// (a catch-up read pages through a long log): the page rows and the
	// memtable entries are taken up to a cap, and only keys up to the last
	// one taken from a capped list are answered for; the cap doubles in the
	// rare case deletes leave fewer than limit rows below it.
	capN := 0
	if !rng.Reverse && rng.Limit > 0 {
		capN = 2*rng.Limit + 16
	}
	var out []row
	for {
		var boundary []byte // nil: nothing capped
		lower := func(k []byte) {
			if boundary == nil || compareKeys(k, boundary) < 0 {
				boundary = k
			}
		}
		// Page rows in rng, in key order.
		var fromPages []row
		capped := false
		add := func(pg *page) {
			for i := range pg.ents {
				if capped {
					return
				}
				if k := pg.key(i); in(k) {
					if capN > 0 && len(fromPages) == capN {
						capped = true
						lower(fromPages[len(fromPages)-1].key)
						return
					}
					fromPages = append(fromPages, row{k, pg.value(i), pg.ents[i].ref})
				}
			}
		}
		if !rng.Reverse {
			for _, pg := range pages {
				add(pg)
			}
		} else {
			for k := len(pages) - 1; k >= 0; k-- {
				add(pages[k])
			}
		}
		// Memtable entries in rng, in key order: the frozen ones under the
		// others.
		fromMem, last := memRange(t.mem, rng, capN)
		if last != nil {
			lower(last)
		}
		if t.frozen != nil {
			frozen, last := memRange(t.frozen, rng, capN)
			if last != nil {
				lower(last)
			}
			fromMem = overlay(fromMem, frozen)
		}
		// Merge: the memtable wins over a page row of the same key.
		merged := make([]row, 0, len(fromPages)+len(fromMem))
		i, j := 0, 0
		for i < len(fromPages) || j < len(fromMem) {
			switch {
			case j == len(fromMem) || (i < len(fromPages) && compareKeys(fromPages[i].key, fromMem[j].key) < 0):
				merged = append(merged, fromPages[i])
				i++
			default:
				e := fromMem[j]
				if i < len(fromPages) && compareKeys(fromPages[i].key, e.key) == 0 {
					i++
				}
				if !e.del {
					merged = append(merged, row{e.key, e.value, e.ref})
				}
				j++
			}
		}
		if rng.Reverse {
			slices.Reverse(merged)
		}
		// Keep the rows the cached pages (and the caps) answer for, up to
		// limit.
		out = merged[:0]
		uncovered := false
		for _, w := range merged {
			if rng.Limit > 0 && len(out) == rng.Limit {
				break
			}
			if !covered(w.key) {
				uncovered = true
				break
			}
			if boundary != nil && compareKeys(w.key, boundary) > 0 {
				break
			}
			out = append(out, w)
		}
		if boundary == nil || uncovered || len(out) == rng.Limit {
			break
		}
		capN *= 2 // deletes below the cap: take more
	}
	if !complete && (rng.Limit <= 0 || len(out) < rng.Limit) {
		return nil, false
	}
	pairs := make([]kv.Pair, len(out))
	done := true
	for k, w := range out {
		v := w.value
		if w.ref != 0 {
			var ok bool
			if v, ok = r.value(w.ref); !ok {
				done = false
				continue
			}
		}
		pairs[k] = kv.Pair{Key: append([]byte{}, w.key...), Value: append([]byte{}, v...)}
	}
	return pairs, done
}

// memRange is the entries of m in rng, in key order; with max > 0 at most
// max of them, and last is the key of the last one taken when more were
// left (nil when all were taken).
func memRange(m *memtable, rng kv.Range, max int) (out []*memEntry, last []byte) {
	m.ascend(rng.Start, func(e *memEntry) bool {
		if rng.End != nil && compareKeys(e.key, rng.End) >= 0 {
			return false
		}
		if max > 0 && len(out) == max {
			last = out[len(out)-1].key
			return false
		}
		out = append(out, e)
		return true
	})
	return out, last
}

// overlay is the entries of over and under (each in key order) in key
// order, over's where both have a key.
func overlay(over, under []*memEntry) []*memEntry {
	if len(under) == 0 {
		return over
	}
	out := make([]*memEntry, 0, len(over)+len(under))
	for len(over) > 0 && len(under) > 0 {
		switch c := compareKeys(over[0].key, under[0].key); {
		case c < 0:
			out, over = append(out, over[0]), over[1:]
		case c > 0:
			out, under = append(out, under[0]), under[1:]
		default:
			out, over, under = append(out, over[0]), over[1:], under[1:]
		}
	}
	out = append(out, over...)
	return append(out, under...)
}

// cache keeps decoded pages, the least recently used dropped first once
// their encoded sizes pass limit.
type cache struct {
	limit int
	size  int
	lru   *list.List
	pages map[uint64]*list.Element
}

type cached struct {
	id   uint64
	page *page
	size int
}

func (c *cache) get(id uint64) *page {
	if c.pages == nil {
		return nil
	}
	el := c.pages[id]
	if el == nil {
		return nil
	}
	c.lru.MoveToFront(el)
	return el.Value.(*cached).page
}

func (c *cache) put(id uint64, p *page, size int) {
	if c.pages == nil {
		c.pages, c.lru = map[uint64]*list.Element{}, list.New()
	}
	if el := c.pages[id]; el != nil {
		c.lru.MoveToFront(el)
		return
	}
	size += 32 * p.len() // its entries, and about what its index takes once built
	c.pages[id] = c.lru.PushFront(&cached{id, p, size})
	c.size += size
	for c.size > c.limit && c.lru.Len() > 1 {
		last := c.lru.Back()
		e := last.Value.(*cached)
		c.lru.Remove(last)
		delete(c.pages, e.id)
		c.size -= e.size
	}
}

// drop forgets page id (merged away).
func (c *cache) drop(id uint64) {
	if c.pages == nil {
		return
	}
	if el := c.pages[id]; el != nil {
		c.lru.Remove(el)
		delete(c.pages, id)
		c.size -= el.Value.(*cached).size
	}
}
