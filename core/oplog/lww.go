package oplog

import (
	"bytes"
	"context"
	"errors"
	"fmt"

	"github.com/idbsync/idbsync/core/hlc"
	"github.com/idbsync/idbsync/core/kv"
)

// Reducer folds ops into application state inside the batch that records
// them, so state and log never disagree. Apps may implement their own.
type Reducer interface {
	// Init binds the reducer to store, its tables named under prefix, and
	// creates them if needed.
	Init(ctx context.Context, store kv.Store, prefix string) error

	// Reduce enqueues into b the effect of entries (in log order per peer,
	// markers excluded). A write that depends on a stored value is best a
	// kv.Batch.Merge, decided inside the commit; whatever it read before
	// the commit instead, it must Expect (or Insert, for a key it found
	// absent) in b, so that a concurrent writer makes the batch fail with
	// kv.ErrConflict or kv.ErrUniqueViolation instead of being overwritten.
	Reduce(ctx context.Context, entries []Entry, b *kv.Batch) error
}

// LWW is the built-in Reducer: a last-writer-wins register per key. The
// greater timestamp wins; on equal timestamps a delete beats a write, then
// the greater value bytes win, so every replica picks the same winner
// whatever order the ops arrive in.
type LWW struct {
	store kv.Store
	table string
}

var _ Expunger = (*LWW)(nil)

// Init implements Reducer; the state lives in <prefix>/state.
func (l *LWW) Init(ctx context.Context, store kv.Store, prefix string) error {
	table := prefix + "/state"
	if err := store.CreateTables(ctx, table); err != nil {
		return err
	}
	l.store, l.table = store, table
	return nil
}

// stateKey is the state row key of an op key.
func stateKey(key string) []byte { return appendStateKey(nil, key) }

// appendStateKey appends the state row key of an op key to b: the key's
// bytes, as many as len(key).
func appendStateKey(b []byte, key string) []byte { return append(b, key...) }

// beats reports whether a wins over b.
func (a stateRecord) beats(b stateRecord) bool {
	switch {
	case a.TS != b.TS:
		return a.TS > b.TS
	case a.Deleted != b.Deleted:
		return a.Deleted
	}
	return bytes.Compare(a.Value, b.Value) > 0
}

// Reduce implements Reducer: per key it finds the batch's winner and
// enqueues a merge that writes it only if it beats the stored one.
func (l *LWW) Reduce(ctx context.Context, entries []Entry, b *kv.Batch) error {
	return l.reduce(entries, nil, b)
}

// ReduceExpunging implements Expunger. A key whose stored winner is an
// expunged entry gets the best of its surviving entries (found by walking
// the log: expunges are rare, and only one that removes a key's current
// winner pays for it), or a tombstone below every timestamp when none is
// left, so the key reads as absent and any write beats it. Every other key
// keeps its state. Each merge checks that the stored winner is still the
// one read here, so a concurrent writer makes the batch fail with
// kv.ErrConflict and the caller plans it again.
func (l *LWW) ReduceExpunging(ctx context.Context, entries, expunged []Entry, each func(context.Context, func(Entry) error) error, b *kv.Batch) error {
	if l.store == nil {
		return errors.New("oplog: LWW used before Init")
	}
	gone := make(map[[2]any]bool, len(expunged))
	keys := make([][]byte, 0, len(expunged))
	for _, e := range expunged {
		gone[[2]any{e.Peer, e.Idx}] = true
		if e.Op.Tag == TagPut || e.Op.Tag == TagDelete {
			keys = append(keys, stateKey(e.Op.Key))
		}
	}
	raw, err := l.store.GetMany(ctx, l.table, keys)
	if err != nil {
		return err
	}
	undo := make(map[string]*undone)
	i := 0
	for _, e := range expunged {
		if e.Op.Tag != TagPut && e.Op.Tag != TagDelete {
			continue
		}
		if v := raw[i]; v != nil && sameState(v, e) {
			undo[e.Op.Key] = &undone{read: v, best: stateRecord{Deleted: true}}
		}
		i++
	}
	if len(undo) > 0 {
		err := each(ctx, func(e Entry) error {
			u := undo[e.Op.Key]
			if u == nil || e.Expunged() || gone[[2]any{e.Peer, e.Idx}] || (e.Op.Tag != TagPut && e.Op.Tag != TagDelete) {
				return nil
			}
			if rec := recordOf(&e); !u.found || rec.beats(u.best) {
				u.best, u.found = rec, true
			}
			return nil
		})
		if err != nil {
			return err
		}
	}
	return l.reduce(entries, undo, b)
}

// undone is a key whose winner is expunged: the state row as read, and
// what its surviving entries decide (a tombstone at timestamp 0 when none).
type undone struct {
	read  []byte
	best  stateRecord
	found bool
}

// recordOf is the state an entry writes.
func recordOf(e *Entry) stateRecord {
	rec := stateRecord{TS: uint64(e.TS), Deleted: e.Op.Tag == TagDelete, Value: e.Op.Value}
	if rec.Deleted {
		rec.Value = nil
	}
	return rec
}

// reduce enqueues one merge per key entries write or undo names.
func (l *LWW) reduce(entries []Entry, undo map[string]*undone, b *kv.Batch) error {
	if l.store == nil {
		return errors.New("oplog: LWW used before Init")
	}
	// The batch's winner of each key, in order of first appearance: ms[i]
	// is the merge of the key numbered i.
	keys := newKeyIndex(len(entries) + len(undo))
	ms := make([]lwwMerge, 0, len(entries)+len(undo))
	for i := range entries {
		e := &entries[i]
		if e.Expunged() || (e.Op.Tag != TagPut && e.Op.Tag != TagDelete) {
			continue
		}
		rec := recordOf(e)
		if n, added := keys.add(e.Op.Key); !added {
			if rec.beats(ms[n].rec) {
				ms[n].rec = rec
			}
			continue
		}
		ms = append(ms, lwwMerge{key: e.Op.Key, rec: rec, write: true})
	}
	for key, u := range undo {
		if n, added := keys.add(key); !added {
			ms[n].undo = u
			continue
		}
		ms = append(ms, lwwMerge{key: key, undo: u})
	}
	// The state keys and the winners' records are cut from two buffers
	// allocated once for the batch.
	keySize, valueSize := 0, 0
	for i := range ms {
		keySize += len(ms[i].key) // what appendStateKey appends
		if ms[i].write {
			valueSize += ms[i].rec.Msgsize()
		}
	}
	stateKeys := make([]byte, 0, keySize)
	values := make([]byte, 0, valueSize)
	// One merge a key: the stored winner is read and replaced inside the
	// commit, so no read comes before it and a concurrent writer cannot
	// come between (nothing to Expect, no race to lose).
	b.Grow(len(ms))
	for i := range ms {
		m := &ms[i]
		if m.write {
			v := len(values)
			var err error
			if values, err = m.rec.MarshalMsg(values); err != nil {
				return err
			}
			m.v = values[v:len(values):len(values)]
		}
		k := len(stateKeys)
		stateKeys = appendStateKey(stateKeys, m.key)
		b.Merge(l.table, stateKeys[k:len(stateKeys):len(stateKeys)], m.merge)
	}
	return nil
}

// lwwMerge is the merge of one key: the batch's winner for it, and what an
// expunge undoes of it.
type lwwMerge struct {
	key   string
	rec   stateRecord // the batch's winner, when write
	write bool
	v     []byte  // rec encoded
	undo  *undone // nil unless the key's stored winner is expunged
}

// merge is the kv.MergeFunc of m's key.
func (m *lwwMerge) merge(old []byte, found bool) ([]byte, bool, error) {
	if u := m.undo; u != nil {
		if !found || !bytes.Equal(old, u.read) {
			return nil, false, fmt.Errorf("%w: key %q changed while its winner was expunged", kv.ErrConflict, m.key)
		}
		if m.write && m.rec.beats(u.best) {
			return m.v, true, nil
		}
		base, err := u.best.MarshalMsg(nil)
		return base, true, err
	}
	if !found {
		return m.v, true, nil
	}
	cur, err := decodeState(old)
	if err != nil {
		return nil, false, fmt.Errorf("key %q: %w", m.key, err)
	}
	return m.v, m.rec.beats(cur), nil
}

// Value is a live key of the LWW state.
type Value struct {
	Key   string
	Value []byte
	TS    hlc.Timestamp
}

// Get returns the value of key, or ErrNotFound when it was never written or
// its winner is a delete.
func (l *LWW) Get(ctx context.Context, key string) (Value, error) {
	vs, err := l.GetMany(ctx, []string{key})
	if err != nil {
		return Value{}, err
	}
	if vs[0] == nil {
		return Value{}, ErrNotFound
	}
	return *vs[0], nil
}

// GetMany returns the values of keys in one read, in order; nil for a key
// never written or whose winner is a delete.
func (l *LWW) GetMany(ctx context.Context, keys []string) ([]*Value, error) {
	sk := make([][]byte, len(keys))
	for i, k := range keys {
		sk[i] = stateKey(k)
	}
	raw, err := l.store.GetMany(ctx, l.table, sk)
	if err != nil {
		return nil, err
	}
	out := make([]*Value, len(keys))
	for i, v := range raw {
		if v == nil {
			continue
		}
		rec, err := decodeState(v)
		if err != nil {
			return nil, fmt.Errorf("key %q: %w", keys[i], err)
		}
		if !rec.Deleted {
			out[i] = &Value{Key: keys[i], Value: nonNil(rec.Value), TS: hlc.Timestamp(rec.TS)}
		}
	}
	return out, nil
}

// Scan returns up to limit live keys starting with prefix, ascending by key
// (limit <= 0: no limit). Deleted keys are skipped.
func (l *LWW) Scan(ctx context.Context, prefix string, limit int) ([]Value, error) {
	return l.Range(ctx, prefix, "", limit)
}

// Range is Scan from the first key at or after start (for paging: pass the
// last key seen with "\x00" appended).
func (l *LWW) Range(ctx context.Context, prefix, start string, limit int) ([]Value, error) {
	var out []Value
	r := kv.Range{Start: stateKey(prefix), End: kv.PrefixEnd(stateKey(prefix))}
	if start > prefix {
		r.Start = stateKey(start)
		if r.End != nil && bytes.Compare(r.Start, r.End) >= 0 {
			return nil, nil // start is past every key with prefix
		}
	}
	for {
		if limit > 0 {
			r.Limit = limit - len(out) + 16 // room for tombstones
		}
		rows, err := l.store.Scan(ctx, l.table, r)
		if err != nil {
			return nil, err
		}
		for _, row := range rows {
			rec, err := decodeState(row.Value)
			if err != nil {
				return nil, err
			}
			if rec.Deleted {
				continue
			}
			out = append(out, Value{Key: string(row.Key), Value: nonNil(rec.Value), TS: hlc.Timestamp(rec.TS)})
			if limit > 0 && len(out) == limit {
				return out, nil
			}
		}
		if r.Limit <= 0 || len(rows) < r.Limit {
			return out, nil
		}
		r.Start = append(rows[len(rows)-1].Key, 0) // the next key after the last
	}
}

func decodeState(b []byte) (stateRecord, error) {
	var rec stateRecord
	if _, err := rec.UnmarshalMsg(b); err != nil {
		return rec, fmt.Errorf("%w: state row: %v", ErrCorrupt, err)
	}
	return rec, nil
}

func nonNil(b []byte) []byte {
	if b == nil {
		return []byte{}
	}
	return b
}
