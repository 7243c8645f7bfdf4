//go:build js && wasm

package idb

import (
	"context"
	"errors"
	"fmt"
	"syscall/js"

	indexeddb "github.com/hack-pad/go-indexeddb/idb"

	"github.com/idbsync/idbsync/core/kv"
)

// Reads of many rows go to IndexedDB directly rather than through
// go-indexeddb, which has no getAll for values and wakes Go once per cursor
// step: here a scan is two requests in one transaction and one wake-up.

// domError is a DOMException raised by a direct call.
type domError struct{ name, message string }

func (e domError) Error() string { return e.name + ": " + e.message }

// Is matches go-indexeddb's DOMException of the same name, so mapError
// treats both alike.
func (e domError) Is(target error) bool {
	var d indexeddb.DOMException
	return errors.As(target, &d) && d.Error() == e.name
}

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

// awaitTx waits until tx completes (nil) or aborts (its error, or
// kv.ErrAborted when it has none).
func awaitTx(ctx context.Context, tx js.Value) error {
	done := make(chan error, 1)
	settle := func(err error) {
		select {
		case done <- err:
		default:
		}
	}
	complete := js.FuncOf(func(js.Value, []js.Value) any { settle(nil); return nil })
	abort := js.FuncOf(func(js.Value, []js.Value) any {
		err := domErrorOf(tx.Get("error"))
		if err == nil {
			err = kv.ErrAborted
		}
		settle(err)
		return nil
	})
	tx.Call("addEventListener", "complete", complete)
	tx.Call("addEventListener", "abort", abort)
	defer func() {
		tx.Call("removeEventListener", "complete", complete)
		tx.Call("removeEventListener", "abort", abort)
		complete.Release()
		abort.Release()
	}()
	select {
	case err := <-done:
		return mapError(err)
	case <-ctx.Done():
		func() {
			defer func() { _ = recover() }() // it may have finished already
			tx.Call("abort")
		}()
		<-done
		return ctx.Err()
	}
}

var jsIDBKeyRange = js.Global().Get("IDBKeyRange")

// useGetAllRecords lets tests force the cursor fallback of browsers without
// getAllRecords.
var useGetAllRecords = true

// rawRange is the IDBKeyRange of [Start, End), from the empty key when Start
// is nil.
func rawRange(r kv.Range) js.Value {
	start := bytesToJS(r.Start)
	if len(r.End) > 0 {
		return jsIDBKeyRange.Call("bound", start, bytesToJS(r.End), false, true)
	}
	return jsIDBKeyRange.Call("lowerBound", start, false)
}

// scanRaw reads the rows of r in one readonly transaction: getAllKeys and
// getAll over the same range ascending, or getAllRecords descending where
// the browser has it. ok is false when a descending scan needs the cursor
// fallback.
func (c *connection) scanRaw(ctx context.Context, table string, r kv.Range) (out []kv.Pair, ok bool, err error) {
	defer func() { ok = ok || err != nil }() // an error is an answer, not a reason to fall back
	defer catchJS(&err)
	tx := c.raw.Call("transaction", table, "readonly")
	st := tx.Call("objectStore", table)
	rng := rawRange(r)
	count := js.Undefined()
	if r.Limit > 0 {
		count = js.ValueOf(r.Limit)
	}
	var keysReq, valsReq, recsReq js.Value
	switch {
	case !r.Reverse:
		keysReq = st.Call("getAllKeys", rng, count)
		valsReq = st.Call("getAll", rng, count)
	case useGetAllRecords && st.Get("getAllRecords").Type() == js.TypeFunction:
		opts := map[string]any{"query": rng, "direction": "prev"}
		if r.Limit > 0 {
			opts["count"] = r.Limit
		}
		recsReq = st.Call("getAllRecords", opts)
	default:
		tx.Call("abort")
		return nil, false, nil
	}
	if err := awaitTx(ctx, tx); err != nil {
		return nil, true, err
	}
	if r.Reverse {
		recs := recsReq.Get("result")
		out = make([]kv.Pair, recs.Length())
		for i := range out {
			rec := recs.Index(i)
			if out[i], err = pairFromJS(rec.Get("key"), rec.Get("value")); err != nil {
				return nil, true, err
			}
		}
		return out, true, nil
	}
	keys, vals := keysReq.Get("result"), valsReq.Get("result")
	n := keys.Length()
	if vals.Length() != n {
		return nil, true, fmt.Errorf("%w: %d keys but %d values in one range", kv.ErrCorrupt, n, vals.Length())
	}
	out = make([]kv.Pair, n)
	for i := range out {
		if out[i], err = pairFromJS(keys.Index(i), vals.Index(i)); err != nil {
			return nil, true, err
		}
	}
	return out, true, nil
}
