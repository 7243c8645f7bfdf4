//go:build js && wasm

package idb

import (
	"fmt"
	"syscall/js"

	"github.com/idbsync/idbsync/core/kv"
)

var (
	jsUint8Array  = js.Global().Get("Uint8Array")
	jsArrayBuffer = js.Global().Get("ArrayBuffer")
	jsIDBKeyRange = js.Global().Get("IDBKeyRange")
)

// bytesToJS copies b into a new Uint8Array with its own buffer (a view of a
// shared buffer would store the whole buffer).
func bytesToJS(b []byte) js.Value {
	a := jsUint8Array.New(len(b))
	js.CopyBytesToJS(a, b)
	return a
}

// valueFromJS copies a stored value (always a Uint8Array) into Go.
func valueFromJS(v js.Value) ([]byte, error) {
	if !v.InstanceOf(jsUint8Array) {
		return nil, fmt.Errorf("%w: value is %s, not a Uint8Array", kv.ErrCorrupt, v.Type())
	}
	out := make([]byte, v.Length())
	js.CopyBytesToGo(out, v)
	return out, nil
}

// keyFromJS copies a binary key (an ArrayBuffer) into Go.
func keyFromJS(k js.Value) ([]byte, error) {
	if !k.InstanceOf(jsArrayBuffer) {
		return nil, fmt.Errorf("%w: key is not binary", kv.ErrCorrupt)
	}
	a := jsUint8Array.New(k)
	out := make([]byte, a.Length())
	js.CopyBytesToGo(out, a)
	return out, nil
}

func pairFromJS(key, value js.Value) (kv.Pair, error) {
	k, err := keyFromJS(key)
	if err != nil {
		return kv.Pair{}, err
	}
	v, err := valueFromJS(value)
	if err != nil {
		return kv.Pair{}, fmt.Errorf("key %x: %w", k, err)
	}
	return kv.Pair{Key: k, Value: v}, nil
}

// keyRange is the IDBKeyRange of [Start, End). Without a Start the range
// starts at the empty binary key, below every key this store writes; it
// throws (IDBKeyRange.bound) on an empty range, which callers answer first.
func keyRange(r kv.Range) js.Value {
	start := bytesToJS(r.Start)
	if len(r.End) > 0 {
		return jsIDBKeyRange.Call("bound", start, bytesToJS(r.End), false, true)
	}
	return jsIDBKeyRange.Call("lowerBound", start, false)
}
