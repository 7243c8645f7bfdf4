package oplog

import (
	"errors"
	"fmt"

	"github.com/google/uuid"
)

// ErrInvalidOp rejects an op a replica may not write: an unknown tag, the
// reserved expunged tag, an empty or oversized key, a delete with a value.
var ErrInvalidOp = errors.New("oplog: invalid op")

// ErrInvalidEntry rejects an entry that cannot be ingested as it is (a
// malformed marker, a nil peer, an attributed marker).
var ErrInvalidEntry = errors.New("oplog: invalid entry")

// ErrCorrupt rejects a wire batch or a stored record that does not decode,
// or whose integrity check fails; nothing of it is used.
var ErrCorrupt = errors.New("oplog: corrupt record")

// ErrTooLarge rejects a wire batch past MaxBatchEntries or MaxBatchBytes:
// the sender must split it into pages.
var ErrTooLarge = errors.New("oplog: batch too large")

// ErrPeerMismatch is returned by Open when the store already belongs to
// another local peer than the one asked for.
var ErrPeerMismatch = errors.New("oplog: store belongs to another peer")

// ErrNotFound is returned for an entry that is not stored.
var ErrNotFound = errors.New("oplog: entry not found")

// CursorMismatchError is returned for an entry whose index is past the
// next one expected from its peer: applying it would leave a hole.
type CursorMismatchError struct {
	Expected uint64 // the next index the replica expects from the peer
	Actual   uint64 // the index that was offered
}

func (e *CursorMismatchError) Error() string {
	return fmt.Sprintf("oplog: cursor mismatch: expected index %d, got %d", e.Expected, e.Actual)
}

// ErrForked matches every *ForkError with errors.Is.
var ErrForked = errors.New("oplog: forked history")

// ForkError refuses a batch holding an entry that differs from the one
// stored at its index (or from the stored marker's hash): the same peer id
// with two histories, an app that reused a peer id after the browser
// evicted its storage, or a forger. Nothing of the batch is applied.
type ForkError struct {
	Peer uuid.UUID
	Idx  uint64 // the first index found to differ
}

func (e *ForkError) Error() string {
	return fmt.Sprintf("oplog: forked history: peer %s has another entry at index %d than the one offered", e.Peer, e.Idx)
}

// Is makes errors.Is(err, ErrForked) hold.
func (e *ForkError) Is(target error) bool { return target == ErrForked }

// ErrCursorMismatch matches every *CursorMismatchError with errors.Is.
var ErrCursorMismatch = errors.New("oplog: cursor mismatch")

// Is makes errors.Is(err, ErrCursorMismatch) hold.
func (e *CursorMismatchError) Is(target error) bool { return target == ErrCursorMismatch }

// ErrClosed is returned by calls on a closed Processor.
var ErrClosed = errors.New("oplog: processor closed")

// errClockBehind fails a local write stamped below the stored clock.
var errClockBehind = errors.New("oplog: the stored clock is ahead of this processor's")
