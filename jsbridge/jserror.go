//go:build js && wasm

package jsbridge

import (
	"errors"
	"syscall/js"

	"github.com/idbsync/idbsync/core/errcode"
	"github.com/idbsync/idbsync/core/oplog"
)

// Error converts err into a JavaScript Error with err's message and, when
// it has one, its code; a cursor mismatch also carries expected and actual
// (Numbers, BigInts past 2^53, as idbsync.d.ts says); a sync that did
// all it could with some peer ranges failing carries every failure in
// errors (each with its peer and side), and toA, toB; a fork carries the
// peer and idx, the first index of the peer whose entries differ.
func Error(err error) js.Value {
	e := js.Global().Get("Error").New(err.Error())
	if code := errcode.Code(err); code != "" {
		e.Set("code", code)
	}
	var inc *incompleteSync
	if errors.As(err, &inc) {
		inc.decorate(e)
	}
	var fork *oplog.ForkError
	if errors.As(err, &fork) {
		e.Set("peer", fork.Peer.String())
		e.Set("idx", bigIndex(fork.Idx))
	}
	var cm *oplog.CursorMismatchError
	if errors.As(err, &cm) {
		e.Set("expected", bigIndex(cm.Expected))
		e.Set("actual", bigIndex(cm.Actual))
	}
	return e
}
