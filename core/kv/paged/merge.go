package paged

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"runtime"
	"slices"

	"github.com/tinylib/msgp/msgp"

	"github.com/idbsync/idbsync/core/kv"
)

// A merge writes the memtables into the pages. It freezes them first: new
// commits go on into fresh memtables while the frozen ones (still read,
// under the new ones) are merged. Reading the pages they fall in and the
// final write hold the lock, as every call's I/O does; building the new
// pages, the bulk of the work, does not when the merge runs in the
// background, so that commits go on meanwhile (in the browser, in the
// time their requests wait). The write is one Backend.Write of the new
// pages and manifest, a head that says which rows they hold, and the drop
// of those rows and of the values nothing references any more: a merge
// lands whole or not at all, and one that does not land (another handle
// merged first, the store closed, the write failed) leaves the rows for
// the next.

// frozenState is what the frozen memtables account for.
type frozenState struct {
	seq   uint64 // the last write-ahead row they hold
	rows  int
	bytes int
	refs  int
	dead  []uint64
	arena *arena // their entries; nil when nothing is frozen
}

// errGaveUp is a merge's answer when the tables were rebuilt (another
// handle merged) or the store closed while it ran: nothing to write.
var errGaveUp = errors.New("paged: merge given up")

// mergeIfDue starts a merge in the background once the memtables pass half
// the Options' bounds, and merges them in before it returns when the rows
// outside the pages pass the bounds themselves. The caller holds s.mu.
func (s *Store) mergeIfDue(ctx context.Context) {
	over := func(div int) bool {
		return (s.memBytes+s.frozen.bytes)*div > s.opts.MergeBytes || (s.rows+s.frozen.rows)*div > s.opts.MergeRows
	}
	if over(1) {
		s.waitMerge()
		if s.closed || !over(1) {
			return
		}
		s.merging, s.mergeDone = true, make(chan struct{})
		defer s.endMerge()
		if s.frozen.arena != nil {
			// What a failed merge left frozen goes first.
			if err := s.merge(ctx, false); err != nil {
				return
			}
		}
		_ = s.merge(ctx, false)
		return
	}
	if s.merging || !(s.memBytes*2 > s.opts.MergeBytes || s.rows*2 > s.opts.MergeRows) {
		return
	}
	s.merging, s.mergeDone = true, make(chan struct{})
	if s.frozen.arena == nil {
		s.freeze()
	}
	go func() {
		s.mu.Lock()
		defer s.mu.Unlock()
		_ = s.merge(context.WithoutCancel(ctx), true)
		s.endMerge()
	}()
}

// waitMerge waits, without the lock, for a merge in flight to end.
func (s *Store) waitMerge() {
	for s.merging {
		done := s.mergeDone
		s.mu.Unlock()
		<-done
		s.mu.Lock()
	}
}

// endMerge marks the merge in flight ended.
func (s *Store) endMerge() {
	s.merging = false
	close(s.mergeDone)
}

// freeze sets the memtables apart for a merge.
func (s *Store) freeze() {
	for _, t := range s.tables {
		if t.mem.len() > 0 {
			t.frozen, t.mem, t.spare = t.mem, t.spare, nil
			if t.mem == nil {
				t.mem = newMemtable()
			}
		}
	}
	s.frozen = frozenState{seq: s.head.Seq, rows: s.rows, bytes: s.memBytes, refs: s.memRefs, dead: s.dead, arena: s.arena}
	s.rows, s.memBytes, s.memRefs, s.dead = 0, 0, 0, nil
	s.arena = s.spare
	if s.arena == nil {
		s.arena = &arena{}
	}
	s.spare = nil
}

// merge merges the frozen memtables into the pages, freezing the
// memtables first if nothing is frozen. In the background it lets go of
// the lock while it builds the pages. The caller holds s.mu and has set
// s.merging.
func (s *Store) merge(ctx context.Context, background bool) error {
	if s.frozen.arena == nil {
		s.freeze()
	}
	if s.frozen.rows == 0 {
		s.spare, s.frozen = s.frozen.arena, frozenState{}
		return nil
	}
	epoch := s.epoch
	m := &s.merges
	m.tables, m.fresh = m.tables[:0], m.fresh[:0]
	defer func() {
		clear(m.ents)
		clear(m.runs)
		clear(m.groups)
		clear(m.tables)
	}()
	// The frozen entries, a table after another, put in order (no one
	// else reads this copy; scans may order the memtables themselves).
	s.snapshot()
	if background {
		s.mu.Unlock()
	}
	m.sort()
	if background {
		s.mu.Lock()
	}
	// The pages the frozen entries fall in, read and pinned: the cache may
	// let go of them while the lock is not held.
	r := &reader{s: s}
	for attempt := 0; ; attempt++ {
		if s.epoch != epoch || s.closed {
			return errGaveUp
		}
		if attempt == maxAttempts {
			return fmt.Errorf("%w: paged: the head kept moving", kv.ErrAborted)
		}
		r.missPages = r.missPages[:0]
		m.collect()
		for _, g := range m.groups {
			if g.page < 0 {
				continue
			}
			id := g.t.pages[g.page].ID
			if pg := r.page(g.t.pages[g.page]); pg != nil {
				if r.pages == nil {
					r.pages = map[uint64]*page{}
				}
				r.pages[id] = pg
			}
		}
		if len(r.missPages) == 0 {
			break
		}
		if _, err := s.fetch(ctx, r, true); err != nil {
			return err
		}
	}
	// The new pages: from the frozen entries and the pinned pages only,
	// which no one else changes.
	if background {
		s.mu.Unlock()
	}
	w := &Write{}
	var written []*page
	var err error
	for k := 0; k < len(m.groups) && err == nil; {
		t, e := m.groups[k].t, k+1
		for e < len(m.groups) && m.groups[e].t == t {
			e++
		}
		err = s.mergeTable(t, m.groups[k:e], r.pages, w, &written, background)
		k = e
	}
	if background {
		s.mu.Lock()
	}
	if err != nil {
		return err
	}
	dropValues := len(w.DropValues)
	for attempt := 0; ; attempt++ {
		if s.epoch != epoch || s.closed {
			return errGaveUp
		}
		if attempt == maxAttempts {
			return fmt.Errorf("%w: paged: the head kept moving", kv.ErrAborted)
		}
		// The head as it is now: commits may have come meanwhile.
		h := s.head
		for p, f := range m.fresh {
			id := h.Next + uint64(p)
			w.Pages[p].ID = id
			m.tables[f.table].refs[f.ref].ID = id
		}
		h.Next += uint64(len(w.Pages))
		h.Gen++
		h.Merged = s.frozen.seq
		w.DropWAL = s.frozen.seq
		w.DropValues = append(w.DropValues[:dropValues], s.frozen.dead...)
		man := s.manifest()
		for i := range man.Tables {
			for _, tm := range m.tables {
				if tm.t == s.tables[man.Tables[i].Name] {
					man.Tables[i].Pages = tm.refs
				}
			}
		}
		w.Manifest, _ = man.MarshalMsg(nil)
		w.Head, _ = h.MarshalMsg(nil)
		err := s.be.Write(ctx, s.raw, w)
		if errors.Is(err, ErrStale) {
			// Another handle wrote: if it only committed, write again
			// over its rows; if it merged, this merge gives up.
			if err := s.reload(ctx); err != nil {
				return err
			}
			continue
		}
		if err != nil {
			return err
		}
		s.raw, s.head = w.Head, h
		for _, tm := range m.tables {
			tm.t.setPages(tm.refs)
			tm.t.frozen.clear()
			tm.t.frozen, tm.t.spare = nil, tm.t.frozen // its room serves the next freeze
		}
		for _, id := range w.DropPages {
			s.cache.drop(id)
		}
		for i, row := range w.Pages {
			s.cache.put(row.ID, written[i], len(row.Data))
		}
		s.frozen.arena.reset()
		s.spare, s.frozen = s.frozen.arena, frozenState{}
		return nil
	}
}

// mergeState is what a merge works in, kept by the Store.
type mergeState struct {
	ents    []*memEntry // every frozen memtable's entries in key order, a table after another
	runs    []run       // the tables' runs of ents
	groups  []group     // runs of ents that fall in one page
	offs    []int       // where a page being encoded holds its keys and values
	tables  []tableMerge
	fresh   []freshPage // the pages written, in the order of the Write's
	scratch []pageEntry // mergeEntries'
	buf     []*memEntry // sort's
}

// group is a run of memtable entries that fall in one page.
type group struct {
	t        *table
	page     int // the index of the page in t.pages; -1: t has none
	from, to int // the run: ents[from:to]
}

// tableMerge is a table's new page list; the ids of the pages written
// are set once the merge writes.
type tableMerge struct {
	t    *table
	refs []pageRef
}

// freshPage is where a page written is in its table's new page list.
type freshPage struct{ table, ref int }

// run is the entries of one table's frozen memtable in ents.
type run struct {
	t        *table
	from, to int
	sorted   int // ents[from:from+sorted] is in key order
}

// snapshot copies the frozen memtables' entries into s.merges.
func (s *Store) snapshot() {
	m := &s.merges
	m.ents, m.runs = m.ents[:0], m.runs[:0]
	for _, t := range s.tables {
		if t.frozen == nil || t.frozen.len() == 0 {
			continue
		}
		from, sorted := len(m.ents), len(t.frozen.sorted)
		if sorted == 0 {
			sorted = t.frozen.tailSorted
		}
		m.ents = append(m.ents, t.frozen.sorted...)
		m.ents = append(m.ents, t.frozen.tail...)
		m.runs = append(m.runs, run{t: t, from: from, to: len(m.ents), sorted: sorted})
	}
}

// sort puts every run of ents in key order.
func (m *mergeState) sort() {
	for _, r := range m.runs {
		ents := m.ents[r.from:r.to]
		if r.sorted == len(ents) {
			continue
		}
		m.buf = slices.Grow(m.buf[:0], len(ents))[:len(ents)]
		if sorted := sortEntries(ents, m.buf); &sorted[0] != &ents[0] {
			copy(ents, sorted)
		}
	}
	clear(m.buf)
}

// collect groups the entries of ents by the page they fall in. It walks a
// table's run and its page list together, searching the list only when an
// entry is past the current page.
func (m *mergeState) collect() {
	m.groups = m.groups[:0]
	for _, r := range m.runs {
		t := r.t
		page := -2 // none yet
		for i := r.from; i < r.to; i++ {
			e := m.ents[i]
			if page == -2 || (page+1 < len(t.pages) && compareKeys(t.pages[page+1].First, e.key) <= 0) {
				page = t.pageOf(e.key)
				m.groups = append(m.groups, group{t: t, page: page, from: i})
			}
			m.groups[len(m.groups)-1].to = i + 1
		}
	}
}

// mergeTable merges the frozen entries of groups (t's, in page order) into
// the pages they fall in (pinned in pages) and adds t's new page list to
// s.merges.tables; the pages it writes and drops, and the values that die
// with them, go into w, and the pages it writes, decoded, into written.
// In the background, it yields after every page it encodes.
func (s *Store) mergeTable(t *table, groups []group, pages map[uint64]*page, w *Write, written *[]*page, background bool) error {
	m := &s.merges
	ents := m.ents
	m.tables = append(m.tables, tableMerge{t: t})
	tm := len(m.tables) - 1
	emit := func(entries []pageEntry, out []pageRef) []pageRef {
		for len(entries) > 0 {
			pg, size := s.encodePage(entries)
			n := pg.len()
			m.fresh = append(m.fresh, freshPage{tm, len(out)})
			w.Pages = append(w.Pages, Row{Data: pg.data})
			*written = append(*written, pg)
			// NB: a copy, so that the manifest does not keep the page's
			// bytes alive once the cache lets go of it.
			out = append(out, pageRef{First: bytes.Clone(entries[0].Key), Count: uint32(n), Size: uint32(size)})
			clear(entries[:n]) // let go of the memtable's rows and the old pages
			entries = entries[n:]
			if background {
				runtime.Gosched() // in the browser, the only way the commits waiting get to run
			}
		}
		return out
	}
	if groups[0].page < 0 {
		g := groups[0]
		m.tables[tm].refs = emit(m.mergeEntries(nil, ents[g.from:g.to], &w.DropValues), nil)
		return nil
	}
	out := make([]pageRef, 0, len(t.pages)+len(groups))
	for i, ref := range t.pages {
		if len(groups) == 0 || groups[0].page != i {
			out = append(out, ref)
			continue
		}
		g := groups[0]
		groups = groups[1:]
		pg := pages[ref.ID]
		if pg == nil {
			return fmt.Errorf("%w: paged: page %d was not read before its merge", kv.ErrAborted, ref.ID)
		}
		old, mem := pg, ents[g.from:g.to]
		// Keys written past the end of a page at least half full (or, on
		// the first page, before its start) leave it as it is: new pages
		// take them. That is how logs grow, and the page is not written
		// again for every merge that appends to it.
		if full := int(ref.Size) >= s.opts.PageSize/2; full && old.len() > 0 {
			switch {
			case compareKeys(mem[0].key, old.key(old.len()-1)) > 0:
				out = append(out, ref)
				out = emit(m.mergeEntries(nil, mem, &w.DropValues), out)
				continue
			case i == 0 && compareKeys(mem[len(mem)-1].key, old.key(0)) < 0:
				out = emit(m.mergeEntries(nil, mem, &w.DropValues), out)
				out = append(out, ref)
				continue
			}
		}
		w.DropPages = append(w.DropPages, ref.ID)
		merged := m.mergeEntries(old, mem, &w.DropValues)
		if j, ok := gap(old, mem); ok {
			// The keys fall between two of the page's: cut the page there,
			// so that later keys of that run append to the pages before
			// the cut instead of rewriting the page again.
			cut := j
			for _, e := range mem {
				if !e.del {
					cut++
				}
			}
			out = emit(merged[:cut], out)
			merged = merged[cut:]
		}
		out = emit(merged, out)
	}
	m.tables[tm].refs = out
	return nil
}

// gap reports whether every key of mem (sorted) falls strictly between
// the entries j-1 and j of old, for a j inside old.
func gap(old *page, mem []*memEntry) (j int, ok bool) {
	j = old.search(mem[0].key)
	if j == 0 || j == old.len() {
		return 0, false
	}
	return j, compareKeys(mem[len(mem)-1].key, old.key(j)) < 0
}

// encodePage encodes the first entries that fill a page (at least one) as
// a pageRecord, the bytes its generated MarshalMsg writes, and returns the
// page over those bytes and the entries' size.
func (s *Store) encodePage(entries []pageEntry) (p *page, size int) {
	n, enc := 0, 8 // the record and the array's headers
	for n < len(entries) && (n == 0 || size < s.opts.PageSize) {
		l := len(entries[n].Key) + len(entries[n].Value)
		size += l + 16
		enc += l + 26 // at most, besides the key and the value
		n++
	}
	p = &page{ents: make([]pent, n)}
	data := make([]byte, 0, enc)
	data = append(data, 0x81, 0xa1, 'e')
	data = msgp.AppendArrayHeader(data, uint32(n))
	for j := range entries[:n] {
		e, pe := &entries[j], &p.ents[j]
		fields := byte(1)
		if e.Value != nil {
			fields++
		}
		if e.Ref != 0 {
			fields++
		}
		data = append(data, 0x80|fields, 0xa1, 'k')
		data = msgp.AppendBytesHeader(data, uint32(len(e.Key)))
		pe.koff, pe.klen = uint32(len(data)), uint32(len(e.Key))
		data = append(data, e.Key...)
		if e.Value != nil {
			data = append(data, 0xa1, 'v')
			data = msgp.AppendBytesHeader(data, uint32(len(e.Value)))
			pe.voff, pe.vlen, pe.hasValue = uint32(len(data)), uint32(len(e.Value)), true
			data = append(data, e.Value...)
		}
		if e.Ref != 0 {
			data = append(data, 0xa1, 'r')
			data = msgp.AppendUint64(data, e.Ref)
			pe.ref = e.Ref
		}
	}
	p.data = data
	return p, size
}

// mergeEntries is a page's entries with mem (sorted) written over them;
// the out-of-line values of entries replaced or deleted go to dead. The
// slice is m's, for the pages of this group only.
func (m *mergeState) mergeEntries(old *page, mem []*memEntry, dead *[]uint64) []pageEntry {
	n := 0
	if old != nil {
		n = old.len()
	}
	out := slices.Grow(m.scratch[:0], n+len(mem))
	defer func() { m.scratch = out[:0] }()
	i := 0
	for _, e := range mem {
		for i < n && compareKeys(old.key(i), e.key) < 0 {
			out = append(out, old.entry(i))
			i++
		}
		if i < n && compareKeys(old.key(i), e.key) == 0 {
			if ref := old.ents[i].ref; ref != 0 {
				*dead = append(*dead, ref)
			}
			i++
		}
		if !e.del {
			out = append(out, pageEntry{Key: e.key, Value: e.value, Ref: e.ref})
		}
	}
	for ; i < n; i++ {
		out = append(out, old.entry(i))
	}
	return out
}
