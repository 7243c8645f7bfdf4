package hlc

import "errors"

// ErrWallOverflow is returned for a wall time that does not fit in 48 bits.
var ErrWallOverflow = errors.New("hlc: wall time does not fit in 48 bits")

// ErrClockSkew is returned by Observe for a timestamp too far ahead of the
// local wall clock; the clock is left as it was.
var ErrClockSkew = errors.New("hlc: timestamp too far ahead of the local clock")
