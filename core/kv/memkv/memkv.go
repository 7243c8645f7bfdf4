// Package memkv is an in-memory kv.Store with the full semantics of the
// contract: all-or-nothing batches, ordered scans, typed errors. It is the
// store of native builds and of the tests that do not need a browser.
//
// Each table is a B-tree (github.com/google/btree) of rows ordered by key,
// so a write costs O(log n) whatever the table's size. Reads share a lock
// that a commit holds alone: a read sees every batch whole or not at all. A
// commit writes the trees in place, noting what each op replaced, and puts
// it all back if an op fails.
package memkv

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"sync"
	"sync/atomic"

	"github.com/google/btree"

	"github.com/idbsync/idbsync/core/kv"
)

// degree is the B-tree's minimum number of children per inner node (nodes
// hold up to 2*degree-1 rows). Measured with the op log's ingest benchmark
// (BenchmarkOplog/ApplyBatch500, a million rows a table): 64 and 128 are
// alike, 32 about 6 % slower, 8 and 16 slower still.
const degree = 64

// Store is an in-memory kv.Store. Several Stores made by Reopen share one
// set of tables, like several connections to one database.
type Store struct {
	db     *database
	closed atomic.Bool
}

// database is the data every handle over it shares.
type database struct {
	mu     sync.RWMutex // readers share it; a commit holds it alone
	tables map[string]*tree
	undo   []change // Commit's, reused: commits hold mu alone
}

// tree is a table's rows, ordered by key.
type tree = btree.BTreeG[row]

// row is one key and its value in one allocation, data[:klen] the key and
// data[klen:] the value: one object and one pointer a row, for the
// allocator and the garbage collector. The store owns data: it copies what
// callers hand it and what it hands out.
type row struct {
	data []byte
	klen int
}

func newRow(key, value []byte) row {
	data := make([]byte, len(key)+len(value))
	copy(data, key)
	copy(data[len(key):], value)
	return row{data: data, klen: len(key)}
}

// pivot is the row to look key up with; it aliases key.
func pivot(key []byte) row { return row{data: key, klen: len(key)} }

func (r row) key() []byte   { return r.data[:r.klen:r.klen] }
func (r row) value() []byte { return r.data[r.klen:] }

// rowLess orders rows by key, bytewise. It compares 8 bytes at a time:
// keys are short (tuples of ids and integers), and the general
// bytes.Compare spends more on setting up than on comparing them.
func rowLess(x, y row) bool {
	a, b := x.key(), y.key()
	for len(a) >= 8 && len(b) >= 8 {
		if u, v := binary.BigEndian.Uint64(a), binary.BigEndian.Uint64(b); u != v {
			return u < v
		}
		a, b = a[8:], b[8:]
	}
	for i := range min(len(a), len(b)) {
		if a[i] != b[i] {
			return a[i] < b[i]
		}
	}
	return len(a) < len(b)
}

func newTree() *tree { return btree.NewG(degree, rowLess) }

var _ kv.Store = (*Store)(nil)

// New returns an empty store with the named tables.
func New(tables ...string) *Store {
	db := &database{tables: make(map[string]*tree, len(tables))}
	for _, name := range tables {
		db.tables[name] = newTree()
	}
	return &Store{db: db}
}

// Reopen returns a new, open Store over the same data, as opening the same
// database again would; s itself may be open or closed.
func (s *Store) Reopen() *Store { return &Store{db: s.db} }

// Close closes this handle; the data stays for other handles. Idempotent.
func (s *Store) Close() error {
	s.closed.Store(true)
	return nil
}

// CreateTables adds the named tables that do not exist yet.
func (s *Store) CreateTables(ctx context.Context, names ...string) error {
	if err := s.check(ctx); err != nil {
		return err
	}
	for _, name := range names {
		if name == "" {
			return fmt.Errorf("%w: empty table name", kv.ErrUnknownTable)
		}
	}
	s.db.mu.Lock()
	defer s.db.mu.Unlock()
	for _, name := range names {
		if s.db.tables[name] == nil {
			s.db.tables[name] = newTree()
		}
	}
	return nil
}

// Get returns a copy of the value under key, or kv.ErrNotFound.
func (s *Store) Get(ctx context.Context, tableName string, key []byte) ([]byte, error) {
	return kv.GetOne(ctx, s, tableName, key)
}

// GetMany returns copies of the values of keys, nil where absent, all read
// under one hold of the read lock.
func (s *Store) GetMany(ctx context.Context, tableName string, keys [][]byte) ([][]byte, error) {
	if err := s.check(ctx); err != nil {
		return nil, err
	}
	for _, key := range keys {
		if err := kv.CheckKey(key); err != nil {
			return nil, err
		}
	}
	s.db.mu.RLock()
	defer s.db.mu.RUnlock()
	t, err := s.db.table(tableName)
	if err != nil {
		return nil, err
	}
	out := make([][]byte, len(keys))
	for i, key := range keys {
		if r, ok := t.Get(pivot(key)); ok {
			out[i] = clone(r.value())
		}
	}
	return out, nil
}

// Scan returns copies of the rows within r, all read under one hold of the
// read lock.
func (s *Store) Scan(ctx context.Context, tableName string, r kv.Range) ([]kv.Pair, error) {
	if err := s.check(ctx); err != nil {
		return nil, err
	}
	s.db.mu.RLock()
	defer s.db.mu.RUnlock()
	t, err := s.db.table(tableName)
	if err != nil {
		return nil, err
	}
	if r.Start != nil && r.End != nil && bytes.Compare(r.Start, r.End) >= 0 {
		return nil, nil
	}
	var out []kv.Pair
	if r.Limit > 0 {
		out = make([]kv.Pair, 0, min(r.Limit, t.Len(), 1024))
	}
	// emit takes a row of the range; it returns false once the limit is met.
	emit := func(x row) bool {
		out = append(out, kv.Pair{Key: bytes.Clone(x.key()), Value: clone(x.value())})
		return r.Limit <= 0 || len(out) < r.Limit
	}
	start, end := pivot(r.Start), pivot(r.End)
	switch {
	case r.Reverse && r.End == nil:
		t.Descend(func(x row) bool {
			return (r.Start == nil || !rowLess(x, start)) && emit(x)
		})
	case r.Reverse:
		// DescendLessOrEqual includes End itself, which the range excludes.
		t.DescendLessOrEqual(end, func(x row) bool {
			if !rowLess(x, end) {
				return true
			}
			return (r.Start == nil || !rowLess(x, start)) && emit(x)
		})
	case r.Start == nil && r.End == nil:
		t.Ascend(emit)
	case r.Start == nil:
		t.AscendLessThan(end, emit)
	case r.End == nil:
		t.AscendGreaterOrEqual(start, emit)
	default:
		t.AscendRange(start, end, emit)
	}
	if len(out) == 0 {
		return nil, nil
	}
	return out, nil
}

// Commit applies b all or nothing: it plays every op, in order, on the
// tables themselves under the write lock (so each op sees the earlier ones),
// noting what each changed; when an op fails, or a MergeFunc panics, it
// reverts the changes, newest first, before any reader can see them.
func (s *Store) Commit(ctx context.Context, b *kv.Batch) error {
	if err := s.check(ctx); err != nil {
		return err
	}
	if err := b.Validate(); err != nil {
		return err
	}
	if b.Len() == 0 {
		return nil
	}
	s.db.mu.Lock()
	defer s.db.mu.Unlock()
	u := &s.db.undo
	done := false
	defer func() {
		if !done {
			for i := len(*u) - 1; i >= 0; i-- {
				(*u)[i].revert()
			}
		}
		clear(*u) // drop the rows: the buffer outlives the commit
		if cap(*u) > maxUndo {
			*u = nil
		}
		*u = (*u)[:0]
	}()
	var t *tree
	name := ""
	ops := b.Ops()
	for i := range ops {
		op := &ops[i] // NB: a pointer; an Op is too big to copy op by op
		var err error
		if t == nil || op.Table != name {
			// A batch's ops come in runs of one table: one map lookup a run.
			t, err = s.db.table(op.Table)
			name = op.Table
		}
		if err == nil {
			err = apply(t, op, u)
		}
		if err != nil {
			return &kv.OpError{Index: i, Kind: op.Kind, Table: op.Table, Key: bytes.Clone(op.Key), Err: err}
		}
	}
	done = true
	return nil
}

// maxUndo bounds the undo buffer a store keeps between commits.
const maxUndo = 1 << 14

// change is what one op of a commit did to a table: it wrote now (a row,
// or nothing when it deleted) over old when found.
type change struct {
	t     *tree
	now   row
	old   row
	found bool
}

// revert undoes c: the tree goes back to old, or loses now.
func (c *change) revert() {
	if c.found {
		c.t.ReplaceOrInsert(c.old)
	} else {
		c.t.Delete(c.now)
	}
}

// apply plays one op on t and appends what it changed to undo, before
// anything that may fail or panic.
func apply(t *tree, op *kv.Op, undo *[]change) error {
	switch op.Kind {
	case kv.OpPut:
		r := newRow(op.Key, op.Value)
		old, found := t.ReplaceOrInsert(r)
		*undo = append(*undo, change{t, r, old, found})
	case kv.OpInsert:
		// One descent: insert, then fail if a row was there (reverted).
		r := newRow(op.Key, op.Value)
		old, found := t.ReplaceOrInsert(r)
		*undo = append(*undo, change{t, r, old, found})
		if found {
			return kv.ErrUniqueViolation
		}
	case kv.OpDelete:
		if old, found := t.Delete(pivot(op.Key)); found {
			*undo = append(*undo, change{t: t, old: old, found: true})
		}
	case kv.OpExpect:
		if old, found := t.Get(pivot(op.Key)); !found || !bytes.Equal(old.value(), op.Value) {
			return kv.ErrConflict
		}
	case kv.OpExpectAbsent:
		if t.Has(pivot(op.Key)) {
			return kv.ErrConflict
		}
	case kv.OpMerge:
		return merge(t, op, undo)
	}
	return nil
}

// merge plays a merge op on t. It first runs the merge as if the key were
// absent (which the MergeFunc contract allows) and inserts what it
// decides: one descent of the tree when the key is indeed absent, as a key
// written for the first time is. When the key was there after all, it runs
// the merge again on the stored value and writes what that decides, or
// puts the stored row back.
func merge(t *tree, op *kv.Op, undo *[]change) error {
	if v, write, err := op.Merge(nil, false); err == nil && write {
		r := newRow(op.Key, v)
		old, found := t.ReplaceOrInsert(r)
		*undo = append(*undo, change{t, r, old, found})
		if !found {
			return nil
		}
		c := &(*undo)[len(*undo)-1]
		v, write, err := op.Merge(clone(old.value()), true)
		if err != nil {
			return err // reverted with the batch
		}
		if !write {
			t.ReplaceOrInsert(old)
			*undo = (*undo)[:len(*undo)-1]
			return nil
		}
		c.now = newRow(op.Key, v)
		t.ReplaceOrInsert(c.now)
		return nil
	}
	// The merge writes nothing to an absent key, or fails on one: the
	// stored row decides.
	old, found := t.Get(pivot(op.Key))
	var prior []byte
	if found {
		prior = clone(old.value())
	}
	v, write, err := op.Merge(prior, found)
	if err != nil || !write {
		return err
	}
	r := newRow(op.Key, v)
	t.ReplaceOrInsert(r)
	*undo = append(*undo, change{t, r, old, found})
	return nil
}

func (s *Store) check(ctx context.Context) error {
	if s.closed.Load() {
		return kv.ErrClosed
	}
	return ctx.Err()
}

func (db *database) table(name string) (*tree, error) {
	t := db.tables[name]
	if t == nil {
		return nil, fmt.Errorf("%w: %q", kv.ErrUnknownTable, name)
	}
	return t, nil
}

// clone copies v, keeping an empty value non-nil: nil means absent.
func clone(v []byte) []byte {
	if v == nil {
		return []byte{}
	}
	return bytes.Clone(v)
}
