//go:build js && wasm

package jsbridge

import (
	"errors"
	"syscall/js"

	"github.com/idbsync/idbsync/core/kv"
)

// The stable codes JavaScript callers branch on (DESIGN.md).
const (
	CodeUniqueViolation = "UNIQUE_VIOLATION"
	CodeConflict        = "CONFLICT"
	CodeQuotaExceeded   = "QUOTA_EXCEEDED"
	CodeClosed          = "CLOSED"
	CodeBlocked         = "BLOCKED"
	CodeCorrupt         = "CORRUPT"
	CodeInvalidArgument = "INVALID_ARGUMENT"
)

// ErrInvalidArgument marks a call whose JavaScript arguments are wrong.
var ErrInvalidArgument = errors.New("invalid argument")

// codes maps each Go error to its code; the first match wins.
var codes = []struct {
	err  error
	code string
}{
	{kv.ErrUniqueViolation, CodeUniqueViolation},
	{kv.ErrConflict, CodeConflict},
	{kv.ErrQuotaExceeded, CodeQuotaExceeded},
	{kv.ErrClosed, CodeClosed},
	{kv.ErrBlocked, CodeBlocked},
	{kv.ErrCorrupt, CodeCorrupt},
	{kv.ErrInvalidKey, CodeInvalidArgument},
	{ErrInvalidArgument, CodeInvalidArgument},
}

// Code returns the stable code of err, or "" when it has none.
func Code(err error) string {
	for _, c := range codes {
		if errors.Is(err, c.err) {
			return c.code
		}
	}
	return ""
}

// Error converts err into a JavaScript Error with err's message and, when
// it has one, its code.
func Error(err error) js.Value {
	e := js.Global().Get("Error").New(err.Error())
	if code := Code(err); code != "" {
		e.Set("code", code)
	}
	return e
}
