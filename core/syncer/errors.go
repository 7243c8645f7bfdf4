package syncer

import "errors"

// ErrBadPage rejects a page a replica answered to ReadSince that is not the
// page asked for: empty for a non-empty range, holding entries of another
// peer, not starting at the requested index, not contiguous, or longer than
// the limit. Nothing of such a page is applied.
var ErrBadPage = errors.New("syncer: a replica answered with a page that does not match the request")

// ErrIncomplete is the error of a Pull or Sync that did all it could while
// some peer ranges failed; each failure is a *RangeError in it (and in
// Result.Errors).
var ErrIncomplete = errors.New("syncer: some peer ranges failed")
