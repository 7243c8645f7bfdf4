//go:build js && wasm

package idb

import (
	"errors"
	"fmt"
	"syscall/js"

	"github.com/idbsync/idbsync/core/kv"
)

// The package's own sentinel error, ErrNoLocks, is declared beside the Web
// Locks it is about (locks.go); every other error is a kv one.

// domError is a DOMException (or any other value) that IndexedDB raised:
// the error of a request or transaction, or a throw of a direct call.
type domError struct{ name, message string }

func (e domError) Error() string { return e.name + ": " + e.message }

func domErrorOf(v js.Value) error {
	if v.IsNull() || v.IsUndefined() {
		return nil
	}
	return domError{name: v.Get("name").String(), message: v.Get("message").String()}
}

// catchJS turns a JavaScript exception thrown by a direct call into *err.
func catchJS(err *error) {
	r := recover()
	if r == nil {
		return
	}
	if jsErr, ok := r.(js.Error); ok {
		*err = mapError(domErrorOf(jsErr.Value))
		return
	}
	panic(r)
}

// domErrors maps the DOMException names IndexedDB raises to kv errors.
var domErrors = []struct {
	name string
	err  error
}{
	{"ConstraintError", kv.ErrUniqueViolation},
	{"QuotaExceededError", kv.ErrQuotaExceeded},
	{"InvalidStateError", kv.ErrClosed}, // the connection is closing or closed
	{"NotFoundError", kv.ErrUnknownTable},
	{"AbortError", kv.ErrAborted},
	{"UnknownError", kv.ErrAborted},
	{"TransactionInactiveError", kv.ErrAborted},
	{"DataError", kv.ErrInvalidKey},
	{"VersionError", kv.ErrVersion},
}

// mapError wraps a domError in the kv error it means, keeping the browser's
// message: one of domErrors, else kv.ErrAborted. Any other error, already
// mapped ones included, is returned as it is.
func mapError(err error) error {
	var d domError
	if !errors.As(err, &d) {
		return err
	}
	for _, m := range domErrors {
		if d.name == m.name {
			return fmt.Errorf("%w: %v", m.err, err)
		}
	}
	return fmt.Errorf("%w: %v", kv.ErrAborted, err)
}
