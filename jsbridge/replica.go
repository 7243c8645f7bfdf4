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

// newJSReplica checks that v has the three methods. One that also has
// hasBlobs(hashes) and putBlob(hash, bytes) (fetchTransport to a space)
// takes attachment bytes: a sync gives it those its entries reference
// before the entries.
func newJSReplica(v js.Value) (syncer.Replica, error) {
	if kind(v) != "object" {
		return jsReplica{}, fmt.Errorf("%w: sync: the other side must be an engine or an object with cursors, readSince and apply, not %s", errcode.ErrInvalidArgument, typeOf(v))
	}
	for _, m := range []string{"cursors", "readSince", "apply"} {
		if kind(v.Get(m)) != "function" {
			return jsReplica{}, fmt.Errorf("%w: sync: the other side has no %s method", errcode.ErrInvalidArgument, m)
		}
	}
	if kind(v.Get("hasBlobs")) == "function" && kind(v.Get("putBlob")) == "function" {
		return jsBlobReplica{jsReplica{v}}, nil
	}
	return jsReplica{v}, nil
}

// jsBlobReplica is a jsReplica that takes attachment bytes.
type jsBlobReplica struct{ jsReplica }

var _ syncer.BlobSink = jsBlobReplica{}

// HasBlobs implements syncer.BlobSink: hasBlobs(hashes) answers an array
// of booleans.
func (r jsBlobReplica) HasBlobs(ctx context.Context, hashes []string) ([]bool, error) {
	list := make([]any, len(hashes))
	for i, h := range hashes {
		list[i] = h
	}
	v, err := r.call(ctx, "hasBlobs", list)
	if err != nil {
		return nil, err
	}
	if kind(v) != "object" || !js.Global().Get("Array").Call("isArray", v).Bool() || v.Length() != len(hashes) {
		return nil, fmt.Errorf("%w: sync: hasBlobs() of %d hashes answered %s, not %d booleans", errcode.ErrInvalidArgument, len(hashes), typeOf(v), len(hashes))
	}
	out := make([]bool, len(hashes))
	for i := range out {
		b := v.Index(i)
		if b.Type() != js.TypeBoolean {
			return nil, fmt.Errorf("%w: sync: hasBlobs() answered %s at %d, not a boolean", errcode.ErrInvalidArgument, typeOf(b), i)
		}
		out[i] = b.Bool()
	}
	return out, nil
}

// StoreBlob implements syncer.BlobSink through putBlob(hash, bytes).
func (r jsBlobReplica) StoreBlob(ctx context.Context, hash string, data []byte) error {
	_, err := r.call(ctx, "putBlob", hash, toJS(data))
	return err
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
