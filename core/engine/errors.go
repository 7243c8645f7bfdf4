package engine

import "errors"

// ErrClosed is returned by every call on a closed Engine.
var ErrClosed = errors.New("engine: closed")

// ErrBlobMissing is returned by GetBlob for an attachment whose entry is
// here but whose bytes are not yet (a *MissingBlobError names them): fetch
// them from a replica that has them and StoreBlob them.
var ErrBlobMissing = errors.New("engine: the blob's bytes are not here yet")
