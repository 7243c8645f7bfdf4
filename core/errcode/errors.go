package errcode

import "errors"

// ErrInvalidArgument marks a call whose arguments are wrong.
var ErrInvalidArgument = errors.New("invalid argument")

// ErrUnavailable marks a failure of a transport or a server that could not
// be reached or timed out: retry later.
var ErrUnavailable = errors.New("unavailable")

// ErrUnauthenticated marks a request without valid credentials.
var ErrUnauthenticated = errors.New("unauthenticated")

// ErrPermissionDenied marks a request its caller may not make.
var ErrPermissionDenied = errors.New("permission denied")

// ErrInternal marks a bug: a panic recovered inside a call.
var ErrInternal = errors.New("internal error")
