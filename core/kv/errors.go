package kv

import (
	"errors"
	"fmt"
)

// ErrNotFound is returned by Get when the key is absent.
var ErrNotFound = errors.New("kv: not found")

// ErrUniqueViolation fails a whole batch whose Insert met a key that already exists.
var ErrUniqueViolation = errors.New("kv: unique violation")

// ErrConflict fails a whole batch whose Expect did not hold.
var ErrConflict = errors.New("kv: conflict")

// ErrClosed is returned by every call on a closed store, or on a store whose
// connection the platform closed (a schema upgrade from another tab, storage cleared).
var ErrClosed = errors.New("kv: store closed")

// ErrQuotaExceeded fails a batch that would exceed the storage quota; the
// store is left as it was before the batch.
var ErrQuotaExceeded = errors.New("kv: quota exceeded")

// ErrInvalidKey rejects an empty key or one longer than MaxKeySize.
var ErrInvalidKey = errors.New("kv: invalid key")

// ErrUnknownTable is returned for a table the store was not opened with and
// that CreateTables has not created.
var ErrUnknownTable = errors.New("kv: unknown table")

// ErrAborted reports a batch the platform aborted for a reason none of the
// other errors name (an I/O error, a forced close); nothing of it was applied.
var ErrAborted = errors.New("kv: transaction aborted")

// ErrBlocked reports an open that needed a schema upgrade and was still
// blocked by another connection (another tab) when its wait ran out.
var ErrBlocked = errors.New("kv: open blocked by another connection")

// OpError says which op of a batch failed and why; Err is one of the
// sentinel errors above, so errors.Is works through it.
type OpError struct {
	Index int    // position of the op in the batch
	Kind  OpKind // what the op was
	Table string
	Key   []byte
	Err   error
}

func (e *OpError) Error() string {
	return fmt.Sprintf("%v: op %d (%s %s/%x)", e.Err, e.Index, e.Kind, e.Table, e.Key)
}

func (e *OpError) Unwrap() error { return e.Err }

// ErrMalformedKey is returned when a tuple key does not decode as the
// components asked for (truncated, or not written by this encoding).
var ErrMalformedKey = errors.New("kv: malformed tuple key")

// ErrCorrupt reports a stored row that is not what the store writes (a
// value of the wrong type, a key of the wrong shape); nothing is changed.
var ErrCorrupt = errors.New("kv: corrupt record")

// ErrVersion reports a store written by a newer schema than this build knows.
var ErrVersion = errors.New("kv: store has a newer version")

// ErrInvalidBatch rejects a batch whose ops cannot run together (a merged
// key that another op of the batch touches).
var ErrInvalidBatch = errors.New("kv: invalid batch")
