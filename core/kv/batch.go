package kv

import "fmt"

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
type Batch struct {
	ops []Op
}

// Put writes value under key, replacing any value.
func (b *Batch) Put(table string, key, value []byte) {
	b.ops = append(b.ops, Op{Kind: OpPut, Table: table, Key: key, Value: nonNil(value)})
}

// Insert writes value under key; the whole batch fails with
// ErrUniqueViolation if the key already exists.
func (b *Batch) Insert(table string, key, value []byte) {
	b.ops = append(b.ops, Op{Kind: OpInsert, Table: table, Key: key, Value: nonNil(value)})
}

// Delete removes key; deleting a missing key is not an error.
func (b *Batch) Delete(table string, key []byte) {
	b.ops = append(b.ops, Op{Kind: OpDelete, Table: table, Key: key})
}

// Expect fails the whole batch with ErrConflict unless key holds exactly
// value (a zero-length value matches a stored empty value, not an absent key).
func (b *Batch) Expect(table string, key, value []byte) {
	b.ops = append(b.ops, Op{Kind: OpExpect, Table: table, Key: key, Value: nonNil(value)})
}

// ExpectAbsent fails the whole batch with ErrConflict if key exists.
func (b *Batch) ExpectAbsent(table string, key []byte) {
	b.ops = append(b.ops, Op{Kind: OpExpectAbsent, Table: table, Key: key})
}

// Merge reads key and writes what fn decides from its stored value, in the
// same commit: a read-modify-write that no concurrent commit can interleave
// with, with no read before the commit and nothing to Expect. A merged key
// takes no other op in the batch (Validate rejects it), so its write lands
// whatever the order the store runs the batch's ops in.
func (b *Batch) Merge(table string, key []byte, fn MergeFunc) {
	b.ops = append(b.ops, Op{Kind: OpMerge, Table: table, Key: key, Merge: fn})
}

// Ops returns the ops in order. The slice belongs to the batch.
func (b *Batch) Ops() []Op { return b.ops }

// Len returns the number of ops.
func (b *Batch) Len() int { return len(b.ops) }

// Reset empties the batch, keeping its capacity.
func (b *Batch) Reset() { b.ops = b.ops[:0] }

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
	var merged map[cell]int
	for i, op := range b.ops {
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
			if merged == nil {
				merged = make(map[cell]int)
			}
			merged[cell{op.Table, string(op.Key)}] = i
		}
	}
	if merged == nil {
		return nil
	}
	for i, op := range b.ops {
		if j, ok := merged[cell{op.Table, string(op.Key)}]; ok && j != i {
			return &OpError{Index: i, Kind: op.Kind, Table: op.Table, Key: truncate(op.Key), Err: fmt.Errorf("%w: op %d merges the same key", ErrInvalidBatch, j)}
		}
	}
	return nil
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
