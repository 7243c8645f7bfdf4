// Package memkv is an in-memory kv.Store with the full semantics of the
// contract: all-or-nothing batches, ordered scans, typed errors. It is the
// store of native builds and of the tests that do not need a browser.
package memkv

import (
	"bytes"
	"context"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"

	"github.com/idbsync/idbsync/core/kv"
)

// Store is an in-memory kv.Store. Several Stores made by Reopen share one
// set of tables, like several connections to one database.
type Store struct {
	db     *database
	closed atomic.Bool
}

// database is the data every handle over it shares.
type database struct {
	mu     sync.RWMutex
	tables map[string]*table
}

// table keeps its rows sorted by key, so scans are slices of it.
type table struct {
	rows []row
}

type row struct {
	key   []byte
	value []byte
}

var _ kv.Store = (*Store)(nil)

// New returns an empty store with the named tables.
func New(tables ...string) *Store {
	db := &database{tables: make(map[string]*table)}
	for _, name := range tables {
		db.tables[name] = &table{}
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
	s.db.mu.Lock()
	defer s.db.mu.Unlock()
	for _, name := range names {
		if name == "" {
			return fmt.Errorf("%w: empty table name", kv.ErrUnknownTable)
		}
		if s.db.tables[name] == nil {
			s.db.tables[name] = &table{}
		}
	}
	return nil
}

// Get returns a copy of the value under key, or kv.ErrNotFound.
func (s *Store) Get(ctx context.Context, tableName string, key []byte) ([]byte, error) {
	return kv.GetOne(ctx, s, tableName, key)
}

// GetMany returns copies of the values of keys, nil where absent.
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
		if j, ok := t.find(key); ok {
			out[i] = bytes.Clone(t.rows[j].value)
			if out[i] == nil {
				out[i] = []byte{}
			}
		}
	}
	return out, nil
}

// Scan returns copies of the rows within r.
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
	lo, hi := 0, len(t.rows)
	if r.Start != nil {
		lo, _ = t.find(r.Start)
	}
	if r.End != nil {
		hi, _ = t.find(r.End)
	}
	if lo >= hi {
		return nil, nil
	}
	n := hi - lo
	if r.Limit > 0 && r.Limit < n {
		n = r.Limit
	}
	out := make([]kv.Pair, n)
	for i := range out {
		j := lo + i
		if r.Reverse {
			j = hi - 1 - i
		}
		out[i] = kv.Pair{Key: bytes.Clone(t.rows[j].key), Value: bytes.Clone(t.rows[j].value)}
	}
	return out, nil
}

// cell names one key of one table inside a batch.
type cell struct {
	table string
	key   string
}

// pending is a key's value as a batch being committed has left it so far.
type pending struct {
	value   []byte
	deleted bool
}

// Commit applies b all or nothing: it first plays every op against an
// overlay of the tables, and touches the tables only when all ops passed.
func (s *Store) Commit(ctx context.Context, b *kv.Batch) error {
	if err := s.check(ctx); err != nil {
		return err
	}
	if err := b.Validate(); err != nil {
		return err
	}
	s.db.mu.Lock()
	defer s.db.mu.Unlock()
	overlay := make(map[cell]pending, b.Len())
	for i, op := range b.Ops() {
		t, err := s.db.table(op.Table)
		if err != nil {
			return &kv.OpError{Index: i, Kind: op.Kind, Table: op.Table, Key: op.Key, Err: err}
		}
		c := cell{op.Table, string(op.Key)}
		cur, exists := overlay[c]
		if !exists {
			if j, ok := t.find(op.Key); ok {
				cur = pending{value: t.rows[j].value}
			} else {
				cur = pending{deleted: true}
			}
		}
		var fail error
		switch op.Kind {
		case kv.OpPut:
			overlay[c] = pending{value: bytes.Clone(op.Value)}
		case kv.OpInsert:
			if !cur.deleted {
				fail = kv.ErrUniqueViolation
				break
			}
			overlay[c] = pending{value: bytes.Clone(op.Value)}
		case kv.OpDelete:
			overlay[c] = pending{deleted: true}
		case kv.OpExpect:
			if cur.deleted || !bytes.Equal(cur.value, op.Value) {
				fail = kv.ErrConflict
			}
		case kv.OpExpectAbsent:
			if !cur.deleted {
				fail = kv.ErrConflict
			}
		case kv.OpMerge:
			var old []byte
			if !cur.deleted {
				old = bytes.Clone(cur.value)
			}
			v, write, err := op.Merge(old, !cur.deleted)
			switch {
			case err != nil:
				fail = err
			case write:
				overlay[c] = pending{value: bytes.Clone(nonNil(v))}
			}
		}
		if fail != nil {
			return &kv.OpError{Index: i, Kind: op.Kind, Table: op.Table, Key: bytes.Clone(op.Key), Err: fail}
		}
	}
	for c, p := range overlay {
		t := s.db.tables[c.table]
		if p.deleted {
			t.delete([]byte(c.key))
		} else {
			t.put([]byte(c.key), p.value)
		}
	}
	return nil
}

func (s *Store) check(ctx context.Context) error {
	if s.closed.Load() {
		return kv.ErrClosed
	}
	return ctx.Err()
}

func (db *database) table(name string) (*table, error) {
	t := db.tables[name]
	if t == nil {
		return nil, fmt.Errorf("%w: %q", kv.ErrUnknownTable, name)
	}
	return t, nil
}

// find returns the index of key, or where it would be inserted, and whether
// it is present.
func (t *table) find(key []byte) (int, bool) {
	return slices.BinarySearchFunc(t.rows, key, func(r row, k []byte) int {
		return bytes.Compare(r.key, k)
	})
}

func (t *table) put(key, value []byte) {
	i, ok := t.find(key)
	if ok {
		t.rows[i].value = value
		return
	}
	t.rows = slices.Insert(t.rows, i, row{key: key, value: value})
}

func (t *table) delete(key []byte) {
	if i, ok := t.find(key); ok {
		t.rows = slices.Delete(t.rows, i, i+1)
	}
}

func nonNil(v []byte) []byte {
	if v == nil {
		return []byte{}
	}
	return v
}
