package paged

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math/bits"
	"slices"

	"github.com/tinylib/msgp/msgp"

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
	ops := b.Ops()
	for i := range ops {
		if i == 0 || ops[i].Table != ops[i-1].Table {
			if _, err := s.tableOf(ops[i].Table); err != nil {
				return err
			}
		}
	}
	if len(ops) == 0 {
		return nil
	}
	defer s.commit.release()
	for range maxAttempts {
		w, err := s.prepare(ctx, ops)
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
		s.raw, s.head = w.Head, s.commit.head
		s.applyCommit()
		// The batch is committed whatever the merge does: a failed merge
		// leaves the rows where they are, for the next one.
		s.mergeIfDue(context.WithoutCancel(ctx))
		s.armIdle()
		return nil
	}
	return fmt.Errorf("%w: paged: the head kept moving", kv.ErrAborted)
}

// commitState is what a commit works in, kept by the Store so that a
// commit allocates little more than the write-ahead row it stores.
type commitState struct {
	// The cells (a table and a key) the batch touches, in order of first
	// appearance, and an open-addressing index over them by hash: cells[i]
	// is a slot's index plus one, zero free.
	slots []slot
	cells []uint32
	dead  []uint64   // out-of-line values the batch's writes leave dead
	buf   []byte     // the write-ahead row, kept for the next commit's
	head  headRecord // the head the write leaves
	w     Write
	r     reader
}

// slot is what the batch has made of one cell so far.
type slot struct {
	t     *table
	key   []byte
	kh    uint64 // keyHash of key
	h     uint64 // the cell's hash
	value []byte // with found: the key's value
	found bool
	known bool // found and value are the key's state: read, or written by the batch
	dirty bool // written by the batch
	// Set by encode: the value row of an out-of-line value, and where the
	// write-ahead row holds the key and an inline value.
	ref        uint64
	koff, voff uint32
}

// reset empties c for an attempt at a batch of n ops.
func (c *commitState) reset(n int) {
	clear(c.slots)
	c.slots = slices.Grow(c.slots[:0], n) // NB: no append moves a slot handed out
	size := 1 << bits.Len(uint(2*n))
	if cap(c.cells) < size {
		c.cells = make([]uint32, size)
	} else {
		c.cells = c.cells[:size]
		clear(c.cells)
	}
}

// release lets go of what the last commit held (the batch's slices, the
// row now in the memtable), keeping the room of small batches.
func (c *commitState) release() {
	clear(c.slots)
	c.slots = c.slots[:0]
	if cap(c.slots) > 1<<16 {
		c.slots, c.cells = nil, nil
	}
	clear(c.w.Values)
	c.w = Write{WAL: c.w.WAL[:0], Values: c.w.Values[:0]}
	if cap(c.buf) > 4<<20 {
		c.buf = nil // a large batch's
	}
	c.r = reader{missPages: c.r.missPages[:0], missValues: c.r.missValues[:0]}
}

// slot is the slot of key in t, added if the batch had not touched it.
func (c *commitState) slot(t *table, key []byte) *slot {
	kh := keyHash(key)
	h := kh + uint64(t.id)*0x9e3779b97f4a7c15
	mask := uint64(len(c.cells) - 1)
	for i := h & mask; ; i = (i + 1) & mask {
		j := c.cells[i]
		if j == 0 {
			c.slots = append(c.slots, slot{t: t, key: key, kh: kh, h: h})
			c.cells[i] = uint32(len(c.slots))
			return &c.slots[len(c.slots)-1]
		}
		if sl := &c.slots[j-1]; sl.h == h && sl.t == t && bytes.Equal(sl.key, key) {
			return sl
		}
	}
}

// prepare decides ops against the current state, fetching what it must
// read, and returns the Write to store (nil when the batch writes
// nothing); s.commit holds the head it leaves and what applyCommit adds
// to the memtables.
func (s *Store) prepare(ctx context.Context, ops []kv.Op) (*Write, error) {
	c := &s.commit
	r := &c.r
	r.s = s
	for range maxAttempts {
		c.reset(len(ops))
		r.missPages, r.missValues = r.missPages[:0], r.missValues[:0]
		// Ops are decided in order while everything they read is there;
		// after a miss, the rest only note what else to fetch, so that no
		// decision is taken on a state that is not all there.
		missed := false
		var t *table
		for i := range ops {
			op := &ops[i] // NB: a pointer; an Op is too big to copy op by op
			if t == nil || t.name != op.Table {
				t = s.tables[op.Table]
			}
			sl := c.slot(t, op.Key)
			switch op.Kind {
			case kv.OpPut:
				sl.value, sl.found, sl.known, sl.dirty = op.Value, true, true, true
				continue
			case kv.OpDelete:
				sl.value, sl.found, sl.known, sl.dirty = nil, false, true, true
				continue
			}
			if !sl.known {
				// An Insert or ExpectAbsent reads no out-of-line value: it
				// fails if the key is there, and a batch that goes on past
				// it knows the key absent.
				v, found, ok := r.get(t, op.Key, sl.kh, op.Kind == kv.OpExpect || op.Kind == kv.OpMerge)
				if !ok {
					missed = true
					continue
				}
				sl.value, sl.found, sl.known = v, found, true
			}
			if missed {
				continue
			}
			if err := decide(i, op, sl); err != nil {
				return nil, err
			}
		}
		if missed {
			// The write checks the head: reading the log now would not
			// make it more current.
			if _, err := s.fetch(ctx, r, true); err != nil {
				return nil, err
			}
			continue
		}
		return s.encode(), nil
	}
	return nil, fmt.Errorf("%w: paged: the head kept moving", kv.ErrAborted)
}

// decide runs op, the i-th of its batch, over the state of its key.
func decide(i int, op *kv.Op, sl *slot) error {
	fail := func(err error) error {
		return &kv.OpError{Index: i, Kind: op.Kind, Table: op.Table, Key: op.Key, Err: err}
	}
	switch op.Kind {
	case kv.OpInsert:
		if sl.found {
			return fail(kv.ErrUniqueViolation)
		}
		sl.value, sl.found, sl.dirty = op.Value, true, true
	case kv.OpExpect:
		if !sl.found || !bytes.Equal(sl.value, op.Value) {
			return fail(kv.ErrConflict)
		}
	case kv.OpExpectAbsent:
		if sl.found {
			return fail(kv.ErrConflict)
		}
	case kv.OpMerge:
		v, write, err := op.Merge(sl.value, sl.found)
		if err != nil {
			return fail(err)
		}
		if write {
			sl.value, sl.found, sl.dirty = v, true, true
		}
	}
	return nil
}

// encode builds the Write of the cells the batch wrote: their write-ahead
// row (a walRecord, encoded here in one pass into one buffer, the bytes
// its generated MarshalMsg writes), the head it leaves, and the
// out-of-line values. nil when the batch writes nothing.
func (s *Store) encode() *Write {
	c := &s.commit
	c.dead = c.dead[:0]
	n, size := 0, 16
	for i := range c.slots {
		sl := &c.slots[i]
		if !sl.dirty {
			continue
		}
		n++
		size += 32 + len(sl.t.enc) + len(sl.key) // op, field names and headers: at most 26
		if sl.found && len(sl.value) <= s.opts.InlineMax {
			size += len(sl.value)
		}
		// An out-of-line value the memtables held for the key is dead now
		// (looked up only while they hold any). One of a frozen memtable
		// goes into the pages first, where the next merge finds it
		// replaced, but the row says so too: if that merge does not
		// happen, the rows are replayed.
		if s.memRefs > 0 || s.frozen.refs > 0 {
			e := sl.t.mem.get(sl.key, sl.kh)
			if e == nil && sl.t.frozen != nil {
				e = sl.t.frozen.get(sl.key, sl.kh)
			}
			if e != nil && e.ref != 0 {
				c.dead = append(c.dead, e.ref)
			}
		}
	}
	if n == 0 {
		return nil
	}
	size += 9 * len(c.dead)
	h := s.head
	h.Seq++
	w := &c.w
	clear(w.Values) // an earlier attempt's
	w.Values = w.Values[:0]
	buf := slices.Grow(c.buf[:0], size) // NB: the backend keeps none of a Write's bytes
	if len(c.dead) == 0 {
		buf = append(buf, 0x81) // a map of one field: "d" is omitted when empty
	} else {
		buf = append(buf, 0x82)
	}
	buf = append(buf, 0xa1, 'o')
	buf = msgp.AppendArrayHeader(buf, uint32(n))
	for i := range c.slots {
		sl := &c.slots[i]
		if !sl.dirty {
			continue
		}
		// Three fields: "t", "k", and one of "v", "r", "x".
		buf = append(buf, 0x83, 0xa1, 't')
		buf = append(buf, sl.t.enc...)
		buf = append(buf, 0xa1, 'k')
		buf = msgp.AppendBytesHeader(buf, uint32(len(sl.key)))
		sl.koff = uint32(len(buf))
		buf = append(buf, sl.key...)
		switch {
		case !sl.found:
			buf = append(buf, 0xa1, 'x')
			buf = msgp.AppendBool(buf, true)
		case len(sl.value) > s.opts.InlineMax:
			sl.ref = h.Next
			h.Next++
			w.Values = append(w.Values, Row{ID: sl.ref, Data: sl.value})
			buf = append(buf, 0xa1, 'r')
			buf = msgp.AppendUint64(buf, sl.ref)
		default:
			buf = append(buf, 0xa1, 'v')
			buf = msgp.AppendBytesHeader(buf, uint32(len(sl.value)))
			sl.voff = uint32(len(buf))
			buf = append(buf, sl.value...)
		}
	}
	if len(c.dead) > 0 {
		buf = append(buf, 0xa1, 'd')
		buf = msgp.AppendArrayHeader(buf, uint32(len(c.dead)))
		for _, id := range c.dead {
			buf = msgp.AppendUint64(buf, id)
		}
	}
	c.buf, c.head = buf, h
	w.WAL = append(w.WAL[:0], Row{ID: h.Seq, Data: buf})
	w.Head, _ = h.MarshalMsg(nil)
	return w
}

// applyCommit adds the writes of the commit just stored to the memtables.
func (s *Store) applyCommit() {
	c := &s.commit
	buf := c.buf
	for i := range c.slots {
		sl := &c.slots[i]
		if !sl.dirty {
			continue
		}
		// The row's buffer serves the next commit: the memtable takes
		// copies of the bytes, into its arena.
		var value []byte
		if sl.found && sl.ref == 0 {
			value = s.arena.copy(buf[sl.voff : sl.voff+uint32(len(sl.value))])
		}
		s.memPut(sl.t, s.arena.copy(buf[sl.koff:sl.koff+uint32(len(sl.key))]), sl.kh, value, sl.ref, !sl.found)
	}
	s.dead = append(s.dead, c.dead...)
	s.rows++
}
