package kv

import (
	"bytes"
	"fmt"
	"hash/maphash"
	"math/bits"
	"slices"
)

// OpKind says what an op of a Batch does.
type OpKind uint8

// The kinds of op a Batch holds.
const (
	OpPut          OpKind = iota + 1 // write the value, replacing any
	OpInsert                         // write the value; fail if the key exists
	OpDelete                         // remove the key; a missing key is fine
	OpExpect                         // the key holds exactly Value
	OpExpectAbsent                   // the key is absent
	OpMerge                          // read the key and write what Merge decides
)

var opKindNames = [...]string{
	OpPut:          "put",
	OpInsert:       "insert",
	OpDelete:       "delete",
	OpExpect:       "expect",
	OpExpectAbsent: "expect-absent",
	OpMerge:        "merge",
}

func (k OpKind) String() string {
	if int(k) < len(opKindNames) && opKindNames[k] != "" {
		return opKindNames[k]
	}
	return fmt.Sprintf("op(%d)", uint8(k))
}

// Op is one operation of a Batch.
type Op struct {
	Kind  OpKind
	Table string
	Key   []byte
	Value []byte
	Merge MergeFunc // OpMerge only
}

// MergeFunc decides a Merge inside the commit: given the stored value of
// the key (found false when absent), it returns the value to store, or
// write false to leave the key as it is. An error fails the whole batch
// with that error. It runs while the commit holds the key (in IndexedDB,
// in a request's event handler inside the transaction), and a store may
// call it more than once (first as if the key were absent, to try a plain
// insert): it must be pure, quick, and never block or do I/O.
type MergeFunc func(old []byte, found bool) (value []byte, write bool, err error)

// Batch is an ordered list of ops that Store.Commit applies all or nothing.
// Building one does no I/O. Ops see the effect of earlier ops of the same
// batch: an Expect after a Put of the same key checks the Put's value.
//
// A Batch keeps the slices it is given, not copies: do not modify them until
// Commit returns. The zero Batch is empty and ready to use.
//
// NB: the methods that add an op are go:noinline. They are called from a few
// hundred places, and an inlined append of an Op there makes the wasm module
// about 7 KB bigger gzipped (bench/size/README.md); a call costs nothing
// next to what a commit does with the op.
type Batch struct {
	ops []Op
}

// Put writes value under key, replacing any value.
//
//go:noinline
func (b *Batch) Put(table string, key, value []byte) {
	b.ops = append(b.ops, Op{Kind: OpPut, Table: table, Key: key, Value: nonNil(value)})
}

// Insert writes value under key; the whole batch fails with
// ErrUniqueViolation if the key already exists.
//
//go:noinline
func (b *Batch) Insert(table string, key, value []byte) {
	b.ops = append(b.ops, Op{Kind: OpInsert, Table: table, Key: key, Value: nonNil(value)})
}

// Delete removes key; deleting a missing key is not an error.
//
//go:noinline
func (b *Batch) Delete(table string, key []byte) {
	b.ops = append(b.ops, Op{Kind: OpDelete, Table: table, Key: key})
}

// Expect fails the whole batch with ErrConflict unless key holds exactly
// value (a zero-length value matches a stored empty value, not an absent key).
//
//go:noinline
func (b *Batch) Expect(table string, key, value []byte) {
	b.ops = append(b.ops, Op{Kind: OpExpect, Table: table, Key: key, Value: nonNil(value)})
}

// ExpectAbsent fails the whole batch with ErrConflict if key exists.
//
//go:noinline
func (b *Batch) ExpectAbsent(table string, key []byte) {
	b.ops = append(b.ops, Op{Kind: OpExpectAbsent, Table: table, Key: key})
}

// Merge reads key and writes what fn decides from its stored value, in the
// same commit: a read-modify-write that no concurrent commit can interleave
// with, with no read before the commit and nothing to Expect. A merged key
// takes no other op in the batch (Validate rejects it), so its write lands
// whatever the order the store runs the batch's ops in.
//
//go:noinline
func (b *Batch) Merge(table string, key []byte, fn MergeFunc) {
	b.ops = append(b.ops, Op{Kind: OpMerge, Table: table, Key: key, Merge: fn})
}

// Ops returns the ops in order. The slice belongs to the batch.
func (b *Batch) Ops() []Op { return b.ops }

// Len returns the number of ops.
func (b *Batch) Len() int { return len(b.ops) }

// Reset empties the batch, keeping its capacity; it lets go of the slices
// and functions of the ops it drops, so a batch kept for reuse holds on to
// nothing.
func (b *Batch) Reset() {
	clear(b.ops)
	b.ops = b.ops[:0]
}

// Grow makes room for n more ops without another allocation, for a caller
// that knows how many it is about to add.
func (b *Batch) Grow(n int) { b.ops = slices.Grow(b.ops, n) }

// Tables returns the distinct tables the batch touches, in first-use order.
func (b *Batch) Tables() []string {
	var names []string
	seen := make(map[string]bool)
	for _, op := range b.ops {
		if !seen[op.Table] {
			seen[op.Table] = true
			names = append(names, op.Table)
		}
	}
	return names
}

// Validate checks every op before anything is written: a known kind, a
// table name, a key that CheckKey accepts, and a merged key that no other
// op touches (ErrInvalidBatch).
func (b *Batch) Validate() error {
	merges := 0
	for i := range b.ops {
		op := &b.ops[i] // NB: a pointer; an Op is too big to copy op by op
		if op.Kind < OpPut || op.Kind > OpMerge {
			return fmt.Errorf("kv: op %d: unknown kind %d", i, op.Kind)
		}
		if op.Table == "" {
			return &OpError{Index: i, Kind: op.Kind, Err: ErrUnknownTable}
		}
		if err := CheckKey(op.Key); err != nil {
			return &OpError{Index: i, Kind: op.Kind, Table: op.Table, Key: truncate(op.Key), Err: err}
		}
		if op.Kind == OpMerge {
			if op.Merge == nil {
				return &OpError{Index: i, Kind: op.Kind, Table: op.Table, Key: truncate(op.Key), Err: fmt.Errorf("%w: merge without a function", ErrInvalidBatch)}
			}
			merges++
		}
	}
	if merges == 0 {
		return nil
	}
	return b.checkMerged(merges)
}

// cellSeed seeds the hashes checkMerged keys its map by.
var cellSeed = maphash.MakeSeed()

// cellHash hashes a table and a key.
func cellHash(table string, key []byte) uint64 {
	return maphash.Bytes(cellSeed, key)*31 + maphash.String(cellSeed, table)
}

func sameCell(a, b Op) bool { return a.Table == b.Table && bytes.Equal(a.Key, b.Key) }

// checkMerged fails the first op that touches a key another op merges. It
// looks for the merged keys by their hashes in a set made for the batch,
// so a batch of many merges costs no allocation per key; only when a hash
// is there twice (a key merged twice or touched by another op, or a
// collision) does merged compare the keys themselves and say which op
// fails.
func (b *Batch) checkMerged(merges int) error {
	set := newHashSet(merges)
	var tables []string // the tables of merges: ops of other tables cannot clash
	for i := range b.ops {
		op := &b.ops[i]
		if op.Kind != OpMerge {
			continue
		}
		if !set.add(cellHash(op.Table, op.Key)) {
			return b.merged()
		}
		if len(tables) == 0 || tables[len(tables)-1] != op.Table {
			tables = appendNew(tables, op.Table)
		}
	}
	for i := range b.ops {
		op := &b.ops[i]
		if op.Kind != OpMerge && contains(tables, op.Table) && set.has(cellHash(op.Table, op.Key)) {
			return b.merged()
		}
	}
	return nil
}

// hashSet is a set of hashes with open addressing: one allocation, at
// most half full. It may take two hashes for one (it keeps them with the
// low bit set, zero marking a free slot): a false "there" only sends
// checkMerged to the exact check.
type hashSet []uint64

func newHashSet(n int) hashSet { return make(hashSet, 1<<bits.Len(uint(2*n))) }

// add adds h, reporting false if it was there already.
func (s hashSet) add(h uint64) bool {
	h |= 1
	for i := h & uint64(len(s)-1); ; i = (i + 1) & uint64(len(s)-1) {
		switch s[i] {
		case 0:
			s[i] = h
			return true
		case h:
			return false
		}
	}
}

// has reports whether h was added.
func (s hashSet) has(h uint64) bool {
	h |= 1
	for i := h & uint64(len(s)-1); ; i = (i + 1) & uint64(len(s)-1) {
		switch s[i] {
		case 0:
			return false
		case h:
			return true
		}
	}
}

// merged is checkMerged keyed by the cells themselves.
func (b *Batch) merged() error {
	merged := make(map[cell]int)
	for i, op := range b.ops {
		if op.Kind == OpMerge {
			merged[cell{op.Table, string(op.Key)}] = i
		}
	}
	for i, op := range b.ops {
		if j, ok := merged[cell{op.Table, string(op.Key)}]; ok && j != i {
			return &OpError{Index: i, Kind: op.Kind, Table: op.Table, Key: truncate(op.Key), Err: fmt.Errorf("%w: op %d merges the same key", ErrInvalidBatch, j)}
		}
	}
	return nil
}

func contains(names []string, name string) bool {
	for _, n := range names {
		if n == name {
			return true
		}
	}
	return false
}

func appendNew(names []string, name string) []string {
	if contains(names, name) {
		return names
	}
	return append(names, name)
}

// cell is a key of a table.
type cell struct{ table, key string }

// CheckKey returns ErrInvalidKey, with the reason, for an empty key or one
// longer than MaxKeySize.
func CheckKey(key []byte) error {
	switch {
	case len(key) == 0:
		return fmt.Errorf("%w: empty key", ErrInvalidKey)
	case len(key) > MaxKeySize:
		return fmt.Errorf("%w: %d bytes, limit %d", ErrInvalidKey, len(key), MaxKeySize)
	}
	return nil
}

// nonNil keeps "empty value" distinct from "no value" in stores that
// distinguish nil (IndexedDB values are never absent once written).
func nonNil(v []byte) []byte {
	if v == nil {
		return []byte{}
	}
	return v
}

// truncate shortens a key for an error message.
func truncate(key []byte) []byte {
	if len(key) > 32 {
		return key[:32]
	}
	return key
}
