package engine

import "errors"

// ErrClosed is returned by every call on a closed Engine.
var ErrClosed = errors.New("engine: closed")
