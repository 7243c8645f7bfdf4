package paged

import "errors"

// ErrStale is a Backend's answer to a Write whose expected head is not the
// stored one: another handle wrote first. The Store reads what changed and
// tries again; it never reaches a Store's caller.
var ErrStale = errors.New("paged: head moved")
