//go:build js && wasm

package jsbridge

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"syscall/js"

	"github.com/google/uuid"

	"github.com/idbsync/idbsync/core/errcode"
	"github.com/idbsync/idbsync/core/oplog"
	"github.com/idbsync/idbsync/core/syncer"
)

// jsReplica is a syncer.Replica implemented in JavaScript: any object with
// cursors(), readSince(peer, from, limit) and apply(batch) returning
// Promises (an engine of another page behind a MessagePort, a server
// behind fetch). Its methods wait on the browser: call them from
// goroutines only.
type jsReplica struct{ v js.Value }

var (
	_ syncer.Replica   = jsReplica{}
	_ syncer.Attesting = jsReplica{}
)

// Attests implements syncer.Attesting: a transport the page marked as its
// server ({attests: true}, as fetchTransport to a space does) vouches for
// the users of the entries it serves, so a pull from it keeps them; from any
// other the engine drops them.
func (r jsReplica) Attests() bool {
	a := r.v.Get("attests")
	return a.Type() == js.TypeBoolean && a.Bool()
}

// newJSReplica checks that v has the three methods.
func newJSReplica(v js.Value) (jsReplica, error) {
	if kind(v) != "object" {
		return jsReplica{}, fmt.Errorf("%w: sync: the other side must be an engine or an object with cursors, readSince and apply, not %s", errcode.ErrInvalidArgument, typeOf(v))
	}
	for _, m := range []string{"cursors", "readSince", "apply"} {
		if kind(v.Get(m)) != "function" {
			return jsReplica{}, fmt.Errorf("%w: sync: the other side has no %s method", errcode.ErrInvalidArgument, m)
		}
	}
	return jsReplica{v}, nil
}

// call invokes method and waits for its Promise; a synchronous throw
// rejects too.
func (r jsReplica) call(ctx context.Context, method string, args ...any) (v js.Value, err error) {
	defer func() {
		if p := recover(); p != nil {
			if jerr, ok := p.(js.Error); ok {
				err = jsError(jerr.Value)
				return
			}
			err = fmt.Errorf("sync: %s: %v", method, p)
		}
	}()
	v, err = Await(ctx, r.v.Call(method, args...))
	// A transport that failed without a code of its own (a fetch that
	// could not reach its server) is unavailable: retry later.
	var thrown *ThrownError
	if errors.As(err, &thrown) && thrown.Code == "" {
		thrown.Code = errcode.CodeUnavailable
	}
	return v, err
}

func (r jsReplica) Cursors(ctx context.Context) (oplog.PeerCursors, error) {
	v, err := r.call(ctx, "cursors")
	if err != nil {
		return nil, err
	}
	if kind(v) != "object" {
		return nil, fmt.Errorf("%w: sync: cursors() answered %s, not an object", errcode.ErrInvalidArgument, typeOf(v))
	}
	out := oplog.PeerCursors{}
	entries := js.Global().Get("Object").Call("entries", v)
	for i := range entries.Length() {
		kv := entries.Index(i)
		a := args{call: "sync: cursors()", v: []js.Value{kv.Index(0), kv.Index(1)}}
		peer, n := a.peer(0), a.uint(1, "cursor")
		if a.err != nil {
			return nil, a.err
		}
		out[peer] = n
	}
	return out, nil
}

func (r jsReplica) ReadSince(ctx context.Context, peer uuid.UUID, from uint64, limit int) ([]byte, error) {
	v, err := r.call(ctx, "readSince", peer.String(), bigIndex(from), limit)
	if err != nil {
		return nil, err
	}
	a := args{call: "sync: readSince()", v: []js.Value{v}}
	b := a.bytes(0, "the answer")
	return b, a.err
}

// bigIndex is index for a call into JavaScript: a BigInt past the safe
// integers.
func bigIndex(n uint64) any {
	if n <= maxSafe {
		return float64(n)
	}
	return js.Global().Get("BigInt").Invoke(strconv.FormatUint(n, 10))
}

func (r jsReplica) Apply(ctx context.Context, batch []byte) (oplog.BatchResult, error) {
	v, err := r.call(ctx, "apply", toJS(batch))
	if err != nil {
		return oplog.BatchResult{}, err
	}
	if kind(v) != "object" {
		return oplog.BatchResult{}, fmt.Errorf("%w: sync: apply() answered %s, not {applied, skipped}", errcode.ErrInvalidArgument, typeOf(v))
	}
	a := args{call: "sync: apply()", v: []js.Value{v.Get("applied"), v.Get("skipped")}}
	res := oplog.BatchResult{Applied: int(a.uint(0, "applied")), Skipped: int(a.uint(1, "skipped"))}
	return res, a.err
}
