package paged

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/idbsync/idbsync/core/kv"
)

// Commit applies b all or nothing: its checks are decided against the
// memtables and pages as of the head it read, and its writes are one
// write-ahead row, stored only if the head is still that one. When another
// handle wrote first, the store reads what changed and decides again.
func (s *Store) Commit(ctx context.Context, b *kv.Batch) error {
	if err := b.Validate(); err != nil {
		return err
	}
	if err := s.begin(ctx); err != nil {
		return err
	}
	defer s.mu.Unlock()
	for _, name := range b.Tables() {
		if _, err := s.tableOf(name); err != nil {
			return err
		}
	}
	if b.Len() == 0 {
		return nil
	}
	for range maxAttempts {
		w, rec, h, err := s.prepare(ctx, b)
		if err != nil || w == nil {
			return err
		}
		err = s.be.Write(ctx, s.raw, w)
		if errors.Is(err, ErrStale) {
			if err := s.reload(ctx); err != nil {
				return err
			}
			continue
		}
		if err != nil {
			return err
		}
		s.raw, s.head = w.Head, h
		if err := s.apply(rec); err != nil {
			return err
		}
		if s.memBytes > s.opts.MergeBytes || s.rows > s.opts.MergeRows {
			// The batch is committed whatever the merge does: a failed
			// merge leaves the rows where they are, for the next one.
			_ = s.merge(context.WithoutCancel(ctx))
		}
		s.armIdle()
		return nil
	}
	return fmt.Errorf("%w: paged: the head kept moving", kv.ErrAborted)
}

// cell is one key of one table.
type cell struct{ table, key string }

// state is what a batch has made of a key so far.
type state struct {
	found bool
	value []byte
	dirty bool // written by the batch
}

// prepare decides b against the current state, fetching what it must read:
// the Write to store (nil when b writes nothing), the row it adds and the
// head it leaves.
func (s *Store) prepare(ctx context.Context, b *kv.Batch) (*Write, *walRecord, headRecord, error) {
	ops := b.Ops()
	pages, values := map[uint64]*pageRecord{}, map[uint64][]byte{}
	for range maxAttempts {
		// First every key a check or a merge reads, so that no decision is
		// taken on a state that is not all there.
		r := &reader{s: s, pages: pages, values: values}
		base := map[cell]state{}
		for _, op := range ops {
			c := cell{op.Table, string(op.Key)}
			if _, seen := base[c]; seen || op.Kind == kv.OpPut || op.Kind == kv.OpDelete {
				continue
			}
			withValue := op.Kind == kv.OpExpect || op.Kind == kv.OpMerge
			if v, found, ok := r.get(s.tables[op.Table], op.Key, withValue); ok {
				base[c] = state{found: found, value: v}
			}
		}
		if len(r.missPages) > 0 || len(r.missValues) > 0 {
			// The write checks the head: reading the log now would not
			// make it more current.
			if _, err := s.fetch(ctx, r, true); err != nil {
				return nil, nil, headRecord{}, err
			}
			continue
		}
		return s.decide(ops, base)
	}
	return nil, nil, headRecord{}, fmt.Errorf("%w: paged: the head kept moving", kv.ErrAborted)
}

// decide runs ops over base (the state of every key they read) and builds
// the write-ahead row of what they leave.
func (s *Store) decide(ops []kv.Op, base map[cell]state) (*Write, *walRecord, headRecord, error) {
	cur := base
	for i, op := range ops {
		c := cell{op.Table, string(op.Key)}
		st := cur[c]
		fail := func(err error) error {
			return &kv.OpError{Index: i, Kind: op.Kind, Table: op.Table, Key: op.Key, Err: err}
		}
		switch op.Kind {
		case kv.OpPut:
			cur[c] = state{found: true, value: op.Value, dirty: true}
		case kv.OpDelete:
			cur[c] = state{dirty: true}
		case kv.OpInsert:
			if st.found {
				return nil, nil, headRecord{}, fail(kv.ErrUniqueViolation)
			}
			cur[c] = state{found: true, value: op.Value, dirty: true}
		case kv.OpExpect:
			if !st.found || !bytes.Equal(st.value, op.Value) {
				return nil, nil, headRecord{}, fail(kv.ErrConflict)
			}
		case kv.OpExpectAbsent:
			if st.found {
				return nil, nil, headRecord{}, fail(kv.ErrConflict)
			}
		case kv.OpMerge:
			v, write, err := op.Merge(st.value, st.found)
			if err != nil {
				return nil, nil, headRecord{}, fail(err)
			}
			if write {
				cur[c] = state{found: true, value: v, dirty: true}
			}
		}
	}
	var cells []cell
	for c, st := range cur {
		if st.dirty {
			cells = append(cells, c)
		}
	}
	if len(cells) == 0 {
		return nil, nil, headRecord{}, nil
	}
	h := s.head
	h.Seq++
	w := &Write{}
	rec := &walRecord{Ops: make([]walOp, len(cells))}
	for i, c := range cells {
		st := cur[c]
		op := walOp{Table: c.table, Key: []byte(c.key), Del: !st.found}
		switch {
		case !st.found:
		case len(st.value) > s.opts.InlineMax:
			op.Ref = h.Next
			h.Next++
			w.Values = append(w.Values, Row{ID: op.Ref, Data: st.value})
		default:
			op.Value = bytes.Clone(st.value) // the batch's slices are the caller's
			if op.Value == nil {
				op.Value = []byte{}
			}
		}
		rec.Ops[i] = op
		// An out-of-line value the memtable held for the key is dead now
		// (looked up only while the memtables hold any).
		if s.memRefs > 0 {
			if e, hit := s.tables[c.table].mem.Get(&memEntry{key: c.key}); hit && e.ref != 0 {
				rec.Dead = append(rec.Dead, e.ref)
			}
		}
	}
	data, _ := rec.MarshalMsg(nil)
	w.WAL = []Row{{ID: h.Seq, Data: data}}
	w.Head, _ = h.MarshalMsg(nil)
	return w, rec, h, nil
}

// merge writes the memtables into the pages: the pages they touch are
// rewritten (cut at PageSize), the manifest replaced and the merged
// write-ahead rows and dead values dropped, in one write.
func (s *Store) merge(ctx context.Context) error {
	pages := map[uint64]*pageRecord{}
	for range maxAttempts {
		r := &reader{s: s, pages: pages, values: map[uint64][]byte{}}
		// Every page a memtable entry falls in.
		for _, t := range s.tables {
			t.mem.Ascend(func(e *memEntry) bool {
				if i := pageIndex(t.pages, []byte(e.key)); i >= 0 {
					r.page(t.pages[i])
				}
				return true
			})
		}
		if len(r.missPages) > 0 {
			if _, err := s.fetch(ctx, r, true); err != nil {
				return err
			}
			continue
		}
		h := s.head
		h.Gen++
		h.Merged = h.Seq
		w := &Write{DropWAL: h.Seq, DropValues: slices.Clone(s.dead)}
		newPages := map[string][]pageRef{}
		written := map[uint64]*pageRecord{}
		for name, t := range s.tables {
			if t.mem.Len() == 0 {
				continue
			}
			refs, err := s.mergeTable(t, r, &h, w, written)
			if err != nil {
				return err
			}
			newPages[name] = refs
		}
		m := s.manifest()
		for i := range m.Tables {
			if refs, ok := newPages[m.Tables[i].Name]; ok {
				m.Tables[i].Pages = refs
			}
		}
		w.Manifest, _ = m.MarshalMsg(nil)
		w.Head, _ = h.MarshalMsg(nil)
		err := s.be.Write(ctx, s.raw, w)
		if errors.Is(err, ErrStale) {
			return s.reload(ctx) // another handle wrote: merge another time
		}
		if err != nil {
			return err
		}
		s.raw, s.head = w.Head, h
		for name, refs := range newPages {
			t := s.tables[name]
			t.pages = refs
			t.mem.Clear(false)
		}
		for _, id := range w.DropPages {
			s.cache.drop(id)
		}
		for _, row := range w.Pages {
			s.cache.put(row.ID, written[row.ID], len(row.Data))
		}
		s.memBytes, s.rows, s.dead, s.memRefs = 0, 0, nil, 0
		return nil
	}
	return fmt.Errorf("%w: paged: the head kept moving", kv.ErrAborted)
}

// mergeTable merges t's memtable into the pages it falls in and returns
// t's new page list; the pages it writes and drops, and the values that
// die with them, go into w.
func (s *Store) mergeTable(t *table, r *reader, h *headRecord, w *Write, written map[uint64]*pageRecord) ([]pageRef, error) {
	// The memtable entries, grouped by the page they fall in (-1: t has none).
	groups := map[int][]*memEntry{}
	t.mem.Ascend(func(e *memEntry) bool {
		i := pageIndex(t.pages, []byte(e.key))
		groups[i] = append(groups[i], e)
		return true
	})
	emit := func(entries []pageEntry) []pageRef {
		var out []pageRef
		for len(entries) > 0 {
			n, size := 0, 0
			for n < len(entries) && (n == 0 || size < s.opts.PageSize) {
				size += len(entries[n].Key) + len(entries[n].Value) + 16
				n++
			}
			p := &pageRecord{Entries: entries[:n:n]}
			data, _ := p.MarshalMsg(nil)
			id := h.Next
			h.Next++
			w.Pages = append(w.Pages, Row{ID: id, Data: data})
			written[id] = p
			out = append(out, pageRef{First: entries[0].Key, ID: id, Count: uint32(n), Size: uint32(size)})
			entries = entries[n:]
		}
		return out
	}
	var out []pageRef
	if mem, ok := groups[-1]; ok {
		return emit(mergeEntries(nil, mem, &w.DropValues)), nil
	}
	for i, ref := range t.pages {
		mem, ok := groups[i]
		if !ok {
			out = append(out, ref)
			continue
		}
		pg := r.cached(ref.ID)
		if pg == nil {
			return nil, fmt.Errorf("%w: paged: page %d was not read before its merge", kv.ErrAborted, ref.ID)
		}
		w.DropPages = append(w.DropPages, ref.ID)
		out = append(out, emit(mergeEntries(pg.Entries, mem, &w.DropValues))...)
	}
	return out, nil
}

// mergeEntries is a page's entries with mem (sorted) written over them;
// the out-of-line values of entries replaced or deleted go to dead.
func mergeEntries(old []pageEntry, mem []*memEntry, dead *[]uint64) []pageEntry {
	out := make([]pageEntry, 0, len(old)+len(mem))
	i := 0
	for _, e := range mem {
		for i < len(old) && string(old[i].Key) < e.key {
			out = append(out, old[i])
			i++
		}
		if i < len(old) && string(old[i].Key) == e.key {
			if old[i].Ref != 0 {
				*dead = append(*dead, old[i].Ref)
			}
			i++
		}
		if !e.del {
			out = append(out, pageEntry{Key: []byte(e.key), Value: e.value, Ref: e.ref})
		}
	}
	return append(out, old[i:]...)
}
