//go:build js && wasm

package idb

import (
	"context"
	"syscall/js"

	"github.com/idbsync/idbsync/core/kv"
)

// Commit runs b as one readwrite transaction. Every request is issued at
// once, before control returns to the browser, so the transaction cannot
// commit early. Insert is add(), whose ConstraintError aborts the whole
// transaction; Expect is a get whose success handler aborts on a mismatch;
// Merge is an add() of what the MergeFunc writes over an absent key, and
// only when the key exists a get whose success handler puts what the
// MergeFunc decides (readwrite transactions over one store run one at a
// time, so nothing comes between the read and the write). The requests go to IndexedDB
// directly: one Go callback serves every handler of the transaction.
func (s *Store) Commit(ctx context.Context, b *kv.Batch) error {
	if err := b.Validate(); err != nil {
		return err
	}
	tables := b.Tables()
	c, err := s.conn(ctx, tables...)
	if err != nil {
		return err
	}
	if b.Len() == 0 {
		return nil
	}
	return c.commit(ctx, b, tables, s.durability)
}

func (c *connection) commit(ctx context.Context, b *kv.Batch, tables []string, durability Durability) (err error) {
	defer catchJS(&err)
	names := make([]any, len(tables))
	for i, t := range tables {
		names[i] = t
	}
	tx := c.db.Call("transaction", names, "readwrite", map[string]any{"durability": string(durability)})
	issued := false
	defer func() {
		// A throw before every request was issued (this runs before
		// catchJS recovers it) leaves nothing of the batch.
		if !issued {
			abortTx(tx)
		}
	}()
	stores := make(map[string]js.Value, len(tables))
	for _, t := range tables {
		stores[t] = tx.Call("objectStore", t)
	}
	ops := b.Ops()
	// failed is the first Expect that did not hold or Merge that failed;
	// handlers run one at a time on the browser's thread.
	var failed *kv.OpError
	decide := js.FuncOf(func(_ js.Value, args []js.Value) any {
		req := args[0].Get("target")
		i := req.Get(opIndex).Int()
		op := ops[i]
		if failed != nil {
			return nil
		}
		var err error
		if op.Kind == kv.OpMerge {
			err = mergeRaw(stores[op.Table], req, op)
		} else if !expectHolds(op, req.Get("result")) {
			err = kv.ErrConflict
		}
		if err != nil {
			failed = &kv.OpError{Index: i, Kind: op.Kind, Table: op.Table, Key: op.Key, Err: err}
			abortTx(tx)
		}
		return nil
	})
	defer decide.Release()
	// exists handles the ConstraintError of a merge's add(): the key is
	// there after all, so the error is kept from aborting the transaction
	// and the merge reads the key instead.
	exists := js.FuncOf(func(_ js.Value, args []js.Value) any {
		ev := args[0]
		req := ev.Get("target")
		if failed != nil || req.Get("error").Get("name").String() != "ConstraintError" {
			return nil // any other error aborts the transaction as usual
		}
		ev.Call("preventDefault")
		i := req.Get(opIndex).Int()
		op := ops[i]
		if err := getThen(stores[op.Table], op.Key, i, decide); err != nil {
			failed = &kv.OpError{Index: i, Kind: op.Kind, Table: op.Table, Key: op.Key, Err: err}
			abortTx(tx)
		}
		return nil
	})
	defer exists.Release()
	deciding := false
	skip := superseded(ops)
	for i, op := range ops {
		if skip[i] {
			continue
		}
		st := stores[op.Table]
		key := bytesToJS(op.Key)
		switch op.Kind {
		case kv.OpPut:
			st.Call("put", bytesToJS(op.Value), key)
		case kv.OpInsert:
			st.Call("add", bytesToJS(op.Value), key)
		case kv.OpDelete:
			st.Call("delete", key)
		case kv.OpMerge:
			deciding = true
			// Most merged keys are new (a fresh state row): add() what the
			// merge writes over nothing, one request instead of a get and a
			// put; exists falls back to reading the key if it is there.
			if v, write, err := op.Merge(nil, false); err == nil && write {
				req := st.Call("add", bytesToJS(v), key)
				req.Set(opIndex, i)
				req.Set("onerror", exists)
				break
			}
			req := st.Call("get", key)
			req.Set(opIndex, i)
			req.Set("onsuccess", decide)
		case kv.OpExpect, kv.OpExpectAbsent:
			deciding = true
			req := st.Call("get", key)
			req.Set(opIndex, i)
			req.Set("onsuccess", decide)
		}
	}
	if !deciding && tx.Get("commit").Type() == js.TypeFunction {
		// Nothing left to decide in a handler: let the browser commit now
		// instead of after the last request.
		tx.Call("commit")
	}
	issued = true
	// The outcome of issued requests is the browser's to decide; waiting for
	// it even when ctx ends keeps the answer truthful.
	err = awaitTx(context.WithoutCancel(ctx), tx)
	if failed != nil {
		return failed
	}
	return mapError(err)
}

// getThen issues a get of key whose success handler is then; it runs in
// an event of the transaction, while it is active.
func getThen(st js.Value, key []byte, i int, then js.Func) (err error) {
	defer catchJS(&err)
	req := st.Call("get", bytesToJS(key))
	req.Set(opIndex, i)
	req.Set("onsuccess", then)
	return nil
}

// opIndex is the property of a request that holds the index of its op.
const opIndex = "_idbsyncOp"

// mergeRaw runs op's MergeFunc on the value req read and puts its result;
// it runs in the get's success event, while the transaction is active.
func mergeRaw(st, req js.Value, op kv.Op) (err error) {
	defer catchJS(&err)
	v := req.Get("result")
	var old []byte
	found := !v.IsUndefined()
	if found {
		if old, err = valueFromJS(v); err != nil {
			return err
		}
	}
	value, write, err := op.Merge(old, found)
	if err != nil || !write {
		return err
	}
	st.Call("put", bytesToJS(value), bytesToJS(op.Key))
	return nil
}

// superseded marks the Puts and Deletes whose effect a later Put or Delete
// of the same key in the batch overwrites, with no op between them that
// reads the key (Insert, Expect): skipping them changes nothing but the
// number of requests (a tracker rewrites a peer's head once per entry).
func superseded(ops []kv.Op) []bool {
	type cell struct{ table, key string }
	covered := make(map[cell]bool)
	skip := make([]bool, len(ops))
	for i := len(ops) - 1; i >= 0; i-- {
		op := ops[i]
		c := cell{op.Table, string(op.Key)}
		switch op.Kind {
		case kv.OpPut, kv.OpDelete:
			skip[i] = covered[c]
			covered[c] = true
		default:
			covered[c] = false
		}
	}
	return skip
}

// expectHolds checks an Expect op against the value its get read.
func expectHolds(op kv.Op, v js.Value) bool {
	if op.Kind == kv.OpExpectAbsent {
		return v.IsUndefined()
	}
	if v.IsUndefined() {
		return false
	}
	got, err := valueFromJS(v)
	return err == nil && string(got) == string(op.Value)
}
