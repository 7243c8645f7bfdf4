package changelog

import "errors"

// ErrInvalidID rejects a string that is not a version-7 uuid.
var ErrInvalidID = errors.New("changelog: invalid change id")

// ErrFenced is returned by the write of an instance that finds its row
// claimed by another (its heartbeat lapsed, or its lock was free): it was
// taken for dead, its entries belong to the claimer, and the write did
// nothing. The instance has registered afresh by then: retry the write.
var ErrFenced = errors.New("changelog: instance was claimed by another; it may no longer write")

// ErrClosed is returned by calls on a closed log.
var ErrClosed = errors.New("changelog: closed")

// ErrCorrupt reports a stored record that does not decode.
var ErrCorrupt = errors.New("changelog: corrupt record")

// ErrAlive is returned by Claim for an instance that is not dead.
var ErrAlive = errors.New("changelog: instance is alive")

// ErrNotFound is returned for an object or a blob that is not there.
var ErrNotFound = errors.New("changelog: not found")

// ErrMissingCapability is returned by NewManager for a Log or BlobStore
// that lacks an interface the Manager needs (see the package doc).
var ErrMissingCapability = errors.New("changelog: missing capability")
