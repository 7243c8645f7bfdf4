// Package kv is the storage contract every idbsync store implements: named
// tables of byte keys and byte values, point reads, range scans, and writes
// only through an all-or-nothing Batch.
//
// Keys compare bytewise (as IndexedDB compares binary keys), so the tuple
// encoding in key.go gives ordered composite keys. Two implementations exist:
// memkv (in memory, native and tests) and idb (IndexedDB, in the browser);
// both pass the conformance suite in kvtest.
package kv

import "context"

// MaxKeySize is the longest key a store accepts, in bytes. Keys are meant to
// be short tuples; long keys slow every IndexedDB comparison.
const MaxKeySize = 4096

// Pair is one row returned by Scan.
type Pair struct {
	Key   []byte
	Value []byte
}

// Range selects the keys of a Scan: Start <= key < End, in ascending key
// order, or descending when Reverse is set (the range is the same, only the
// order changes). A nil Start is unbounded below, a nil End unbounded above.
// Limit caps the number of rows returned; zero or less means no limit.
type Range struct {
	Start   []byte
	End     []byte
	Limit   int
	Reverse bool
}

// Prefix returns the Range of every key that begins with prefix.
func Prefix(prefix []byte) Range {
	return Range{Start: prefix, End: PrefixEnd(prefix)}
}

// Store is a transactional key-value store of named tables.
//
// Reads see only committed batches. Returned slices belong to the caller.
// Every method is safe for concurrent use. After Close, every method returns
// ErrClosed.
type Store interface {
	// Get returns the value stored under key, or ErrNotFound.
	Get(ctx context.Context, table string, key []byte) ([]byte, error)

	// GetMany returns the values of keys, in order, read at one point in
	// time (one transaction): nil where a key is absent, a non-nil (maybe
	// empty) slice where it is present.
	GetMany(ctx context.Context, table string, keys [][]byte) ([][]byte, error)

	// Scan returns the rows of table within r, in key order (see Range).
	// A range whose Start is not below its End is empty, not an error.
	Scan(ctx context.Context, table string, r Range) ([]Pair, error)

	// Commit applies every op of b, in order, or none of them. An Insert on
	// an existing key fails with ErrUniqueViolation, a failed Expect with
	// ErrConflict, both wrapped in an *OpError where the store knows the op;
	// a key that is empty or longer than MaxKeySize fails with ErrInvalidKey
	// before anything is written. When Commit returns nil the batch is
	// durable to the degree the store's options promise. An empty batch is
	// a no-op.
	Commit(ctx context.Context, b *Batch) error

	// CreateTables makes sure the named tables exist; existing ones are
	// untouched. In IndexedDB this is a schema upgrade, which closes the
	// connections of other tabs: create tables at open where possible.
	CreateTables(ctx context.Context, names ...string) error

	// Close releases the store. It is idempotent; batches already handed to
	// Commit finish first.
	Close() error
}

// GetOne implements Get with GetMany, for stores whose single read is a
// GetMany of one key: the value, or ErrNotFound.
func GetOne(ctx context.Context, s Store, table string, key []byte) ([]byte, error) {
	vs, err := s.GetMany(ctx, table, [][]byte{key})
	if err != nil {
		return nil, err
	}
	if vs[0] == nil {
		return nil, ErrNotFound
	}
	return vs[0], nil
}
