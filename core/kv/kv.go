// Package kv is the storage contract every idbsync store implements: named
// tables of byte keys and byte values, point reads, range scans, and writes
// only through an all-or-nothing Batch.
//
// Keys compare bytewise (as IndexedDB compares binary keys), so the tuple
// encoding in key.go gives ordered composite keys. Implementations: memkv
// (in memory, native and tests) and idb (IndexedDB, in the browser); the
// sync server adds bbolt and PostgreSQL.
//
// # Implementing a Store
//
// Everything a caller relies on is in the comments of Store, Batch, Op,
// MergeFunc and the errors in errors.go; a new store is correct when it
// passes, against the real database (never a fake of it):
//
//   - kvtest.Run: this contract, table by table, op by op, with concurrent
//     commits and reopens;
//   - oplogtest.Run: the op log over the store, two Processors on one
//     store included (exactly-once across tabs or processes);
//   - changelogtest.Run, changelogtest.RunLog and changelogtest.RunManager:
//     change log instances, claims and fencing, the Log contract, and the
//     Manager's crash table over the store (with changelogtest.RunBlobStore
//     on changelog.KVBlobs over it, if it may hold blobs).
//
// Each takes a kvtest.Opener: opening a name again must see the same data,
// as reopening a database does (kvtest.MemOpener is memkv's). A store that
// shares one database between several processes runs the suites with the
// opener handing out separate connections.
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
// Tables are named by non-empty strings (callers use "<prefix>/<name>");
// a store knows the tables it was opened with plus those CreateTables made,
// and any call on another one fails with ErrUnknownTable.
//
// Reads see only committed batches, each batch whole: a read never sees
// part of a batch, and once Commit returns nil every later read, by any
// handle on the same data, sees it. Returned slices belong to the caller;
// the store keeps none of the caller's slices after a call returns. Every
// method is safe for concurrent use. After Close, every method returns
// ErrClosed; so does every call once the platform closed the store under
// the caller (another tab's upgrade, storage cleared).
//
// Errors: a call whose ctx has ended before it started returns ctx.Err()
// and does nothing. Any call may also return ErrClosed, ErrUnknownTable,
// ErrCorrupt (a stored row the store cannot read back) or ErrAborted (the
// platform failed the call for a reason no other error names: retry). Every
// error is, or wraps, one of errors.go's, or ctx.Err(), so callers branch
// with errors.Is.
type Store interface {
	// Get returns the value stored under key, or ErrNotFound.
	Get(ctx context.Context, table string, key []byte) ([]byte, error)

	// GetMany returns the values of keys, in order, read at one point in
	// time (one transaction): nil where a key is absent, a non-nil (maybe
	// empty) slice where it is present.
	GetMany(ctx context.Context, table string, keys [][]byte) ([][]byte, error)

	// Scan returns the rows of table within r, in key order (see Range).
	// A range whose Start is not below its End is empty, not an error. The
	// rows are read at one point in time.
	Scan(ctx context.Context, table string, r Range) ([]Pair, error)

	// Commit applies every op of b, in order, or none of them, atomically
	// against every concurrent Commit on the same data, whether from this
	// handle, another handle, another tab or another process:
	//
	//   - an Insert on an existing key fails the batch with
	//     ErrUniqueViolation, a failed Expect with ErrConflict, both wrapped
	//     in an *OpError naming the op;
	//   - an Expect, an Insert's absence check and a Merge's read see the
	//     data as the batch commits it: no other commit lands between the
	//     check and the batch's writes. A store under snapshot isolation
	//     (PostgreSQL's REPEATABLE READ, say) must therefore either lock
	//     the rows it checks or map a serialization failure to ErrConflict
	//     (or retry the batch itself); it never applies a batch whose check
	//     held only in its snapshot, and never reports a serialization
	//     failure as anything but ErrConflict;
	//   - a MergeFunc runs inside the commit on the key's committed value
	//     (and the batch's own earlier ops on it); its error fails the
	//     batch, wrapped in an *OpError;
	//   - a batch Validate refuses (ErrInvalidKey, ErrInvalidBatch,
	//     ErrUnknownTable) fails before anything is written;
	//   - ErrQuotaExceeded: the platform refused the space; nothing of the
	//     batch is written.
	//
	// When Commit returns nil the batch is durable to the degree the
	// store's options promise. When it returns an error, nothing of the
	// batch was applied. A ctx that ends before Commit starts is ctx.Err();
	// once the batch is handed to the platform, Commit reports its true
	// outcome even if ctx ends meanwhile (it never returns an error for a
	// batch that was applied). An empty batch is a no-op.
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
