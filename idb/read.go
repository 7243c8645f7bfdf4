//go:build js && wasm

package idb

import (
	"context"
	"fmt"
	"syscall/js"

	"github.com/idbsync/idbsync/core/kv"
)

// useGetAllRecords lets tests force the cursor fallback of browsers without
// getAllRecords.
var useGetAllRecords = true

// Get reads one value in a readonly transaction.
func (s *Store) Get(ctx context.Context, table string, key []byte) (_ []byte, err error) {
	if err := kv.CheckKey(key); err != nil {
		return nil, err
	}
	c, err := s.conn(ctx, table)
	if err != nil {
		return nil, err
	}
	defer catchJS(&err)
	tx := c.db.Call("transaction", table, "readonly")
	req := tx.Call("objectStore", table).Call("get", bytesToJS(key))
	if err := awaitTx(ctx, tx); err != nil {
		return nil, err
	}
	v := req.Get("result")
	if v.IsUndefined() {
		return nil, kv.ErrNotFound
	}
	return valueFromJS(v)
}

// GetMany reads keys in one readonly transaction, issuing every get at once.
func (s *Store) GetMany(ctx context.Context, table string, keys [][]byte) (_ [][]byte, err error) {
	for _, key := range keys {
		if err := kv.CheckKey(key); err != nil {
			return nil, err
		}
	}
	c, err := s.conn(ctx, table)
	if err != nil {
		return nil, err
	}
	if len(keys) == 0 {
		return nil, nil
	}
	defer catchJS(&err)
	tx := c.db.Call("transaction", table, "readonly")
	issued := false
	defer func() {
		if !issued {
			abortTx(tx) // a get threw: this runs before catchJS recovers it
		}
	}()
	st := tx.Call("objectStore", table)
	gets := make([]js.Value, len(keys))
	for i, key := range keys {
		gets[i] = st.Call("get", bytesToJS(key))
	}
	issued = true
	// Wait for the browser's answer whatever ctx does (the reads are short),
	// then report an ended ctx. This began as a workaround for go-indexeddb,
	// which could hang when ctx ended during the wait; GetMany keeps it.
	if err := awaitTx(context.WithoutCancel(ctx), tx); err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	out := make([][]byte, len(keys))
	for i, req := range gets {
		v := req.Get("result")
		if v.IsUndefined() {
			continue
		}
		if out[i], err = valueFromJS(v); err != nil {
			return nil, fmt.Errorf("key %x: %w", keys[i], err)
		}
	}
	return out, nil
}

// Scan reads a range in one readonly transaction (see scan).
func (s *Store) Scan(ctx context.Context, table string, r kv.Range) ([]kv.Pair, error) {
	c, err := s.conn(ctx, table)
	if err != nil {
		return nil, err
	}
	if r.End != nil && string(r.Start) >= string(r.End) {
		return nil, nil // empty (IDBKeyRange.bound throws on it)
	}
	return c.scan(ctx, table, r)
}

// scan reads the rows of r in one readonly transaction: getAllKeys and
// getAll over the same range ascending; descending, getAllRecords where the
// browser has it, else a reverse cursor.
func (c *connection) scan(ctx context.Context, table string, r kv.Range) (_ []kv.Pair, err error) {
	defer catchJS(&err)
	tx := c.db.Call("transaction", table, "readonly")
	st := tx.Call("objectStore", table)
	rng := keyRange(r)
	switch {
	case !r.Reverse:
		return scanAll(ctx, tx, st, rng, r.Limit)
	case useGetAllRecords && st.Get("getAllRecords").Type() == js.TypeFunction:
		return scanRecords(ctx, tx, st, rng, r.Limit)
	default:
		return scanCursor(ctx, tx, st, rng, r.Limit)
	}
}

// scanAll reads rng ascending with getAllKeys and getAll.
func scanAll(ctx context.Context, tx, st, rng js.Value, limit int) (out []kv.Pair, err error) {
	count := js.Undefined()
	if limit > 0 {
		count = js.ValueOf(limit)
	}
	keysReq := st.Call("getAllKeys", rng, count)
	valsReq := st.Call("getAll", rng, count)
	if err := awaitTx(ctx, tx); err != nil {
		return nil, err
	}
	keys, vals := keysReq.Get("result"), valsReq.Get("result")
	n := keys.Length()
	if vals.Length() != n {
		return nil, fmt.Errorf("%w: %d keys but %d values in one range", kv.ErrCorrupt, n, vals.Length())
	}
	out = make([]kv.Pair, n)
	for i := range out {
		if out[i], err = pairFromJS(keys.Index(i), vals.Index(i)); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// scanRecords reads rng descending with getAllRecords.
func scanRecords(ctx context.Context, tx, st, rng js.Value, limit int) (out []kv.Pair, err error) {
	opts := map[string]any{"query": rng, "direction": "prev"}
	if limit > 0 {
		opts["count"] = limit
	}
	req := st.Call("getAllRecords", opts)
	if err := awaitTx(ctx, tx); err != nil {
		return nil, err
	}
	recs := req.Get("result")
	out = make([]kv.Pair, recs.Length())
	for i := range out {
		rec := recs.Index(i)
		if out[i], err = pairFromJS(rec.Get("key"), rec.Get("value")); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// scanCursor reads rng descending with a cursor, for browsers without
// getAllRecords. Each row is one success event, handled as it comes; the
// scan's goroutine wakes once, when the transaction ends.
func scanCursor(ctx context.Context, tx, st, rng js.Value, limit int) ([]kv.Pair, error) {
	req := st.Call("openCursor", rng, "prev")
	var out []kv.Pair
	var failed error // a row that is not what the store writes
	step := js.FuncOf(func(js.Value, []js.Value) any {
		if failed = stepCursor(req.Get("result"), &out, limit); failed != nil {
			abortTx(tx)
		}
		return nil
	})
	defer step.Release()
	req.Set("onsuccess", step)
	err := awaitTx(ctx, tx)
	if failed != nil {
		return nil, failed
	}
	if err != nil {
		return nil, err
	}
	return out, nil
}

// stepCursor adds the row of cur to out and moves cur on, until the end
// (cur is null) or limit rows; it runs in the cursor's success event.
func stepCursor(cur js.Value, out *[]kv.Pair, limit int) (err error) {
	defer catchJS(&err)
	if cur.IsNull() {
		return nil
	}
	p, err := pairFromJS(cur.Get("key"), cur.Get("value"))
	if err != nil {
		return err
	}
	*out = append(*out, p)
	if limit <= 0 || len(*out) < limit {
		cur.Call("continue")
	}
	return nil
}
