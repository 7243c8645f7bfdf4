package jsbridge

import "errors"

// ErrInvalidArgument marks a call whose JavaScript arguments are wrong.
var ErrInvalidArgument = errors.New("invalid argument")

// ErrNoLocks is returned where the page has no Web Locks (an insecure
// origin, an old browser).
var ErrNoLocks = errors.New("web locks are not available")

// ErrUnavailable marks a failure of a transport (a rejection that carried
// no code of its own): the other side could not be reached; retry later.
var ErrUnavailable = errors.New("unavailable")

// ErrInternal marks a bug: a panic recovered inside a call.
var ErrInternal = errors.New("internal error")
