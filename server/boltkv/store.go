//go:build !js

package boltkv

import (
	"bytes"
	"context"
	"fmt"

	"go.etcd.io/bbolt"

	"github.com/idbsync/idbsync/core/kv"
)

// Get returns a copy of the value under key, or kv.ErrNotFound.
func (s *Store) Get(ctx context.Context, table string, key []byte) ([]byte, error) {
	return kv.GetOne(ctx, s, table, key)
}

// GetMany returns copies of the values of keys, nil where absent, read in
// one transaction.
func (s *Store) GetMany(ctx context.Context, table string, keys [][]byte) ([][]byte, error) {
	if err := s.begin(ctx); err != nil {
		return nil, err
	}
	defer s.mu.RUnlock()
	for _, key := range keys {
		if err := kv.CheckKey(key); err != nil {
			return nil, err
		}
	}
	out := make([][]byte, len(keys))
	err := view(s.f.db, func(tx *bbolt.Tx) error {
		b, err := bucket(tx, table)
		if err != nil {
			return err
		}
		for i, key := range keys {
			if v, ok := lookup(b, key); ok {
				out[i] = clone(v)
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// Scan returns copies of the rows within r, read in one transaction.
func (s *Store) Scan(ctx context.Context, table string, r kv.Range) ([]kv.Pair, error) {
	if err := s.begin(ctx); err != nil {
		return nil, err
	}
	defer s.mu.RUnlock()
	var out []kv.Pair
	err := view(s.f.db, func(tx *bbolt.Tx) error {
		b, err := bucket(tx, table)
		if err != nil {
			return err
		}
		c := b.Cursor()
		var k, v []byte
		next := c.Next
		inRange := func(k []byte) bool { return r.End == nil || bytes.Compare(k, r.End) < 0 }
		// A range whose Start is not below its End needs no case of its
		// own: its first key is already out of range.
		switch {
		case r.Reverse:
			next = c.Prev
			inRange = func(k []byte) bool { return r.Start == nil || bytes.Compare(k, r.Start) >= 0 }
			if r.End == nil {
				k, v = c.Last()
			} else if k, v = c.Seek(r.End); k == nil {
				k, v = c.Last() // every key is below End
			} else {
				k, v = c.Prev() // the first key below End
			}
		case r.Start == nil:
			k, v = c.First()
		default:
			k, v = c.Seek(r.Start)
		}
		for ; k != nil && inRange(k); k, v = next() {
			out = append(out, kv.Pair{Key: bytes.Clone(k), Value: clone(v)})
			if r.Limit > 0 && len(out) == r.Limit {
				break
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// Commit applies b in one read-write transaction: every op runs on the
// bucket in order, so later ops see earlier ones, and the first that fails
// rolls the transaction back.
func (s *Store) Commit(ctx context.Context, b *kv.Batch) error {
	if err := s.begin(ctx); err != nil {
		return err
	}
	defer s.mu.RUnlock()
	if err := b.Validate(); err != nil {
		return err
	}
	if b.Len() == 0 {
		return nil
	}
	return update(s.f.db, func(tx *bbolt.Tx) error {
		// NB: bbolt serializes writers, so this commit may have waited;
		// a ctx that ended meanwhile still finds nothing applied.
		if err := ctx.Err(); err != nil {
			return err
		}
		buckets := make(map[string]*bbolt.Bucket, 2)
		for i, op := range b.Ops() {
			if err := apply(tx, buckets, op); err != nil {
				return &kv.OpError{Index: i, Kind: op.Kind, Table: op.Table, Key: bytes.Clone(op.Key), Err: err}
			}
		}
		return nil
	})
}

// apply runs one op of a batch in tx. bbolt keeps the slices Put is given
// until the transaction ends, which the Batch contract allows: the caller
// leaves them alone until Commit returns.
func apply(tx *bbolt.Tx, buckets map[string]*bbolt.Bucket, op kv.Op) error {
	b := buckets[op.Table]
	if b == nil {
		var err error
		if b, err = bucket(tx, op.Table); err != nil {
			return err
		}
		buckets[op.Table] = b
	}
	switch op.Kind {
	case kv.OpPut:
		return mapErr(b.Put(op.Key, op.Value))
	case kv.OpInsert:
		if _, ok := lookup(b, op.Key); ok {
			return kv.ErrUniqueViolation
		}
		return mapErr(b.Put(op.Key, op.Value))
	case kv.OpDelete:
		return mapErr(b.Delete(op.Key))
	case kv.OpExpect:
		if v, ok := lookup(b, op.Key); !ok || !bytes.Equal(v, op.Value) {
			return kv.ErrConflict
		}
	case kv.OpExpectAbsent:
		if _, ok := lookup(b, op.Key); ok {
			return kv.ErrConflict
		}
	case kv.OpMerge:
		// Validate saw to it that no other op of the batch touches the key,
		// so this reads the committed value.
		old, found := lookup(b, op.Key)
		if found {
			old = clone(old)
		}
		v, write, err := op.Merge(old, found)
		switch {
		case err != nil:
			return err
		case write:
			return mapErr(b.Put(op.Key, nonNil(v)))
		}
	default:
		return fmt.Errorf("%w: unknown op kind %d", kv.ErrInvalidBatch, op.Kind)
	}
	return nil
}

// bucket returns the bucket of table, or kv.ErrUnknownTable.
func bucket(tx *bbolt.Tx, table string) (*bbolt.Bucket, error) {
	b := tx.Bucket([]byte(table))
	if b == nil {
		return nil, fmt.Errorf("%w: %q", kv.ErrUnknownTable, table)
	}
	return b, nil
}

// lookup returns the value under key and whether the key is present. It
// seeks a cursor rather than calling Bucket.Get so that a stored empty value
// is told from an absent key by the key found, not by a nil value. The value
// is bbolt's, valid only inside the transaction.
func lookup(b *bbolt.Bucket, key []byte) ([]byte, bool) {
	k, v := b.Cursor().Seek(key)
	if k == nil || !bytes.Equal(k, key) {
		return nil, false
	}
	return v, true
}

// clone copies a value out of the transaction; a present value is never nil.
func clone(v []byte) []byte {
	out := make([]byte, len(v))
	copy(out, v)
	return out
}

func nonNil(v []byte) []byte {
	if v == nil {
		return []byte{}
	}
	return v
}
